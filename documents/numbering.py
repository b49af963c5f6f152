"""Document numbers (文号) per GB/T 9704: agency code + year in 〔〕 + sequence + 号.

No 第 and no zero padding: ``河侨维〔2026〕12号``. Each kind of numbered record has its own
mark after the agency code, so two kinds never share a number: ``河侨维案〔2026〕3号`` is a
case, ``河侨维函〔2026〕3号`` a letter.
"""

from __future__ import annotations

from dataclasses import dataclass

# kind → mark placed after the organisation's prefix. Marks must stay distinct.
KIND_MARKS: dict[str, str] = {
    "case": "案",
    "notice": "",
    "letter": "函",
    "minutes": "纪",
    "opinion": "法意",
}


@dataclass(frozen=True)
class DocumentNumber:
    prefix: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.sequence}号"


def sequence_prefix(organisation_prefix: str, kind: str) -> str:
    return organisation_prefix + KIND_MARKS[kind]
