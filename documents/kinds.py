"""What each kind of document is: its printed title, template, numbering, and the step of
the case that issues it."""

from __future__ import annotations

from dataclasses import dataclass

from .models import DocumentKind as K


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str
    title_en: str
    number_kind: str | None  # a key of numbering.KIND_MARKS, or None for no 文号
    to_party: bool  # sent to the claimant: rendered bilingual when they read no Chinese

    @property
    def template(self) -> str:
        return f"documents/print/{self.kind}.html"


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(K.REGISTRATION_FORM, "受理登记表", "Registration form", None, False),
        KindSpec(K.ACCEPTANCE_NOTICE, "受理通知书", "Notice of acceptance", "notice", True),
        KindSpec(K.RIGHTS_NOTICE, "权利义务告知书", "Notice of rights and obligations", None, True),
        KindSpec(K.REFUSAL_NOTICE, "不予受理告知书", "Notice of non-acceptance", "notice", True),
        KindSpec(K.REFERRAL_LETTER, "转办函", "Letter of referral", "letter", False),
        KindSpec(K.EXTENSION_NOTICE, "延期告知书", "Notice of extension", "notice", True),
        KindSpec(K.SUSPENSION_NOTICE, "中止办理告知书", "Notice of suspension", "notice", True),
        KindSpec(K.CLOSING_REPORT, "结案报告", "Closing report", None, False),
        KindSpec(K.MEETING_MINUTES, "会议纪要", "Minutes", "minutes", False),
        KindSpec(K.CASE_FILE, "卷宗", "Case file", None, False),
    )
}

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
