"""Document numbers (文号) per GB/T 9704: agency code + year in 〔〕 + sequence + 号.

No 第 and no zero padding: ``河侨维〔2026〕12号``. Each kind of numbered record has its own
mark after the agency code, so two kinds never share a number: ``河侨维案〔2026〕3号`` is a
case, ``河侨维函〔2026〕3号`` a letter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

# kind → mark placed after the organisation's prefix. Marks must stay distinct. A stage's
# document kind adds its own (``documents.kinds.register_kind``).
KIND_MARKS: dict[str, str] = {
    "case": "案",
    "notice": "",
    "letter": "函",
}


def register_mark(kind: str | None, mark: str) -> None:
    """A new kind of number and its mark; neither may be taken already, or two kinds of
    document would share numbers."""
    if not kind or not mark:
        raise ImproperlyConfigured("A number mark needs its kind and a mark.")
    if kind in KIND_MARKS or mark in KIND_MARKS.values():
        raise ImproperlyConfigured(f"The number mark “{kind}: {mark}” is registered twice.")
    KIND_MARKS[kind] = mark


@dataclass(frozen=True)
class DocumentNumber:
    prefix: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.sequence}号"


def sequence_prefix(organisation_prefix: str, kind: str) -> str:
    return organisation_prefix + KIND_MARKS[kind]
