"""What each kind of document is: its printed title, template, numbering, and the step of
the case that issues it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured

from . import numbering
from .models import DocumentKind as K


class Reader(StrEnum):
    """Who a document is for, which decides what of the parties' details its printed text
    and its attached ``snapshot.json`` carry: only what that reader needs (PIPL Art. 6,
    the minimum necessary). The full snapshot stays in the database."""

    # The claimant(s) it is addressed to: their own contact details, the other parties'
    # names and roles only.
    PARTY = "party"
    # Another organisation (a referral's receiver, the 侨联 a committee advises, the
    # departments at a meeting): who the parties are, none of their contact details.
    BODY = "body"
    # The issuing organisation's own record (受理登记表, 结案报告, 卷宗): the parties'
    # contact details too; ID-document numbers never.
    OFFICE = "office"


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str
    title_en: str
    number_kind: str | None  # a key of numbering.KIND_MARKS, or None for no 文号
    to_party: bool  # sent to the claimant: rendered bilingual when they read no Chinese
    # How screens name it, in the reader's language (a lazy translation); by default the
    # printed title with the English one for readers of English.
    label: object = None
    # A stage's kind adds its own data to the snapshot: (case, issued_on) -> dict.
    extra: Callable | None = None
    # Who issues it (its letterhead and its 文号): (case) -> Organisation; by default the
    # handling organisation (a stage's document may be issued by a body above it).
    issued_by: Callable | None = None
    # Its print template. A stage's kind names one in the stage's own templates folder,
    # which is searched before every app's (``cases.templating``): its template wins.
    template: str = ""
    # A stage's own number mark, placed after the organisation's prefix as 纪 is in
    # 河侨维纪〔2026〕1号; registered with the kind under ``number_kind``.
    mark: str | None = None
    # Its reader (``Reader``); by default the claimant for a document sent to them, else
    # another organisation: a kind that leaves the office carries no contact details
    # unless it says whose.
    reader: str = ""
    # The body of the issuing organisation that issues it in its own name, after the
    # organisation's name: 法律顾问委员会 makes the committee, not the 侨联, its author.
    issuing_body: str = ""
    # Who it is e-mailed to once rendered, besides the claimants of a notice: (document) ->
    # the parties (a stage's record to confirm goes to those who attended), each reached
    # by their own consents (``documents.delivery``).
    addressees: Callable | None = None
    # The e-mail it goes with (a registered e-mail name); by default the notice's.
    email: str = ""

    def __post_init__(self) -> None:
        if not self.template:
            object.__setattr__(self, "template", f"documents/print/{self.kind}.html")
        if not self.reader:
            object.__setattr__(self, "reader", Reader.PARTY if self.to_party else Reader.BODY)

    @property
    def display(self) -> str:
        return str(self.label) if self.label is not None else self.title


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            K.REGISTRATION_FORM,
            "受理登记表",
            "Registration form",
            None,
            False,
            reader=Reader.OFFICE,
        ),
        KindSpec(K.ACCEPTANCE_NOTICE, "受理通知书", "Notice of acceptance", "notice", True),
        KindSpec(
            K.RIGHTS_NOTICE, "权利义务告知书", "Notice of rights and obligations", "notice", True
        ),
        KindSpec(K.REFUSAL_NOTICE, "不予受理告知书", "Notice of non-acceptance", "notice", True),
        KindSpec(K.REFERRAL_LETTER, "转办函", "Letter of referral", "letter", False),
        KindSpec(K.EXTENSION_NOTICE, "延期告知书", "Notice of extension", "notice", True),
        KindSpec(K.SUSPENSION_NOTICE, "中止办理告知书", "Notice of suspension", "notice", True),
        KindSpec(K.CLOSING_REPORT, "结案报告", "Closing report", None, False, reader=Reader.OFFICE),
        KindSpec(K.CASE_FILE, "卷宗", "Case file", None, False, reader=Reader.OFFICE),
    )
}

for _kind, _spec in list(KINDS.items()):
    KINDS[_kind] = KindSpec(**{**_spec.__dict__, "label": K(_kind).label})

# The step of a case (a transition name, or "register" / "extend_handling") → documents.
STEP_DOCUMENTS: dict[str, list[str]] = {
    "register": [K.REGISTRATION_FORM],
    "accept": [K.ACCEPTANCE_NOTICE, K.RIGHTS_NOTICE],
    "decline": [K.REFUSAL_NOTICE],
    "refer": [K.REFERRAL_LETTER],
    "extend_handling": [K.EXTENSION_NOTICE],
    "suspend": [K.SUSPENSION_NOTICE],
    "close": [K.CLOSING_REPORT],
}


def register_kind(spec: KindSpec) -> None:
    """A stage adds a document kind, with its number mark if it has one of its own;
    documents of any kind are issued with ``documents.services.issue_document``. A kind
    is registered once."""
    if spec.kind in KINDS:
        raise ImproperlyConfigured(f"The document kind “{spec.kind}” is registered twice.")
    if spec.mark is not None:
        numbering.register_mark(spec.number_kind, spec.mark)
    KINDS[spec.kind] = spec


def unregister_kind(kind: str) -> None:
    spec = KINDS.pop(kind)
    if spec.mark is not None:
        numbering.KIND_MARKS.pop(spec.number_kind)
