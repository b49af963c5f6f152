"""The agreement's part of ``make demo``: the steps of a case's written agreement a person
takes on the agreement's page or through their own link (drafting from the mediation
thread, sending, confirming with a one-time code or on paper, the application for
judicial confirmation, a term performed or said not performed, the follow-up through a
link), plus filing a scanned paper and exporting the case file. The tasks (the
mediator's signature, the end of the performance, the follow-up visit, the closure) are
the demo's own task steps.

The demo plays each case in one sitting: what a worker does after a commit (rendering a
document) is done in the step that needs it, as the worker would have done it by then."""

from __future__ import annotations

import datetime
import io
import re
from html import escape

import pikepdf
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.calendar import organisation_today
from cases.links import issue_link
from cases.models import Case, Message, Party, PartyLink, User
from cases.selectors import party_list
from documents.models import Document
from documents.services import add_evidence, export_case_file, render_document
from workflows.stages import Demo, ask

from . import selectors, services
from .models import SettlementAgreement

# Where the parties confirmed from: documentation addresses (RFC 5737) and ordinary
# browsers, as the portal records them.
BROWSERS = {
    "zh-hans": (
        "203.0.113.24",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
    ),
    "zh-hant": (
        "203.0.113.57",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/18.1 Safari/605.1.15",
    ),
    "en": (
        "198.51.100.73",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    ),
}
# The code as the e-mail gives it: six digits standing alone (not inside the fingerprint).
CODE = re.compile(r"(?<![0-9a-f])\d{6}(?![0-9a-f])")


def _party(case: Case, name: str) -> Party:
    """The case's party known by its person's, association's or organisation's name."""
    for party in party_list(case):
        subject = party.person or party.association or party.organisation
        if getattr(subject, "name_zh", None) == name or getattr(subject, "name", None) == name:
            return party
    raise ValueError(f"Demo: no party {name} in {case.title}")


def _render_pending(case: Case) -> None:
    """The case's documents rendered, as the worker renders each after its commit."""
    pending = case.documents.filter(rendering=Document.Rendering.PENDING).order_by("pk")
    for pk in pending.values_list("pk", flat=True):
        render_document(document_id=pk)


def _scan(name: str, title: str, lines: list[str]) -> SimpleUploadedFile:
    """A one-page PDF standing for a scanned paper (a receipt, photos, a passport copy)."""
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (
        "<style>@page{size:A4;margin:30mm 25mm}"
        "body{font-family:'Noto Serif CJK SC',serif;font-size:14pt;line-height:1.8}"
        "h1{font-size:20pt;text-align:center;margin-bottom:12mm}</style>"
        f"<h1>{escape(title)}</h1>{body}"
    )
    content = weasyprint.HTML(string=html).write_pdf()
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _signed_copy(document: Document, signer: str, on: datetime.date) -> SimpleUploadedFile:
    """The version's PDF as printed, with the page the party signed and fingerprinted
    added at its end, as the officer scans it back."""
    signature = _scan(
        "signature.pdf",
        "调解协议书签署页",
        [
            f"协议书编号：{document.number}（第{document.version}版）",
            f"当事人签名（捺印）：{signer}",
            f"签署日期：{on.year}年{on.month}月{on.day}日",
        ],
    )
    with document.file.open("rb") as handle:
        printed = handle.read()
    out = io.BytesIO()
    with (
        pikepdf.open(io.BytesIO(printed)) as pdf,
        pikepdf.open(io.BytesIO(signature.read())) as page,
    ):
        pdf.pages.extend(page.pages)
        pdf.save(out)
    return SimpleUploadedFile("signed-copy.pdf", out.getvalue(), content_type="application/pdf")


def _link(case: Case, officer: User, party: Party) -> PartyLink:
    """The party's own link, sent by the officer in the language the party reads."""
    language = party.person.preferred_language
    if language not in PartyLink.Language.values:
        language = PartyLink.Language.EN
    link, _token = issue_link(case=case, actor=officer, party=party, language=language)
    return link


def _agreement(case: Case) -> SettlementAgreement:
    return selectors.agreement_of(case)


# The steps ------------------------------------------------------------------------------


def _terms(case: Case, specs: list[dict]) -> list[services.TermInput]:
    """The terms as drafted: a term without its own text takes the next proposal the
    parties accepted in the mediation thread (asked of the mediation stage)."""
    agreed = iter(ask("agreed_proposals", case, default=[]))
    today = organisation_today()
    return [
        services.TermInput(
            obligor_pk=_party(case, spec["obligor"]).pk,
            text=spec.get("text") or next(agreed)["text"],
            method=spec["method"],
            due_on=today + datetime.timedelta(days=spec["due_in"]),
            text_en=spec.get("text_en", ""),
            method_en=spec.get("method_en", ""),
        )
        for spec in specs
    ]


def _draft(case: Case, user: User, data: dict) -> None:
    """The mediator writes (or changes) the agreement on its page."""
    texts = {k: v for k, v in data.items() if k != "terms"}
    services.save_draft(
        case=case,
        actor=user,
        draft=services.DraftInput(**texts, terms=_terms(case, data["terms"])),
    )
    _render_pending(case)


def _send(case: Case, user: User, data: dict) -> None:
    services.send_for_confirmation(case=case, actor=user)
    _render_pending(case)


def _confirm_by_link(case: Case, user: User, data: dict) -> None:
    """The officer sends the party their link; the party opens the agreement, asks for a
    code, reads it in the e-mail (the outbox) and confirms the version they read."""
    party = _party(case, data["party"])
    link = _link(case, user, party)
    sha256 = _agreement(case).document.sha256
    ip, browser = BROWSERS.get(link.language, BROWSERS["zh-hans"])
    row = services.request_code(link=link, sha256=sha256, ip=ip, user_agent=browser)
    body = Message.objects.get(reference=f"agreement-code:{row.pk}").body
    code = CODE.search(body).group()
    services.confirm_with_code(link=link, code=code, sha256=sha256, ip=ip, user_agent=browser)


def _paper(case: Case, user: User, data: dict) -> None:
    """The officer files the copy a party signed on paper."""
    party = _party(case, data["party"])
    document = _agreement(case).document
    services.file_paper_copy(
        case=case,
        actor=user,
        party_pk=party.pk,
        upload=_signed_copy(document, data["party"], organisation_today()),
        sha256=document.sha256,
    )


def _judicial(case: Case, user: User, data: dict) -> None:
    """The officer draws up the joint application and records it filed today."""
    services.apply_for_judicial_confirmation(case=case, actor=user, court=data["court"])
    services.record_filing(case=case, actor=user, applied_on=organisation_today())


def _performed(case: Case, user: User, data: dict) -> None:
    """A term performed, with its 履行凭证."""
    term = _agreement(case).terms.get(order=data["term"])
    services.record_performance(
        case=case,
        actor=user,
        term_pk=term.pk,
        note=data["note"],
        upload=_scan("proof.pdf", data["proof"], data["lines"]),
    )


def _unperformed(case: Case, user: User, data: dict) -> None:
    """A party says through their link that a term is not performed."""
    link = _link(case, user, _party(case, data["party"]))
    term = _agreement(case).terms.get(order=data["term"])
    services.party_reports_unperformed(link=link, term_pk=term.pk, note=data["note"])


def _answer(case: Case, user: User, data: dict) -> None:
    """A party abroad answers the follow-up questions through their link."""
    link = _link(case, user, _party(case, data["party"]))
    services.answer_by_link(
        link=link,
        satisfaction=data["satisfaction"],
        performance=data["performance"],
        comment=data.get("comment", ""),
    )


def _evidence(case: Case, user: User, data: dict) -> None:
    """The officer scans a paper for the case file (identity papers, a power of attorney)."""
    add_evidence(
        case=case,
        actor=user,
        item=data["item"],
        title=data["title"],
        upload=_scan("scan.pdf", data["title"], data["lines"]),
    )


def _before_closing(case: Case, user: User, data: dict) -> None:
    """The worker has rendered what the case issued: the closure checks the case file."""
    _render_pending(case)


def _export(case: Case, user: User, data: dict) -> None:
    """The officer exports the whole case file (卷宗) once the case is closed."""
    _render_pending(case)
    export_case_file(case=case, actor=user)
    _render_pending(case)


def _as_sent(data: dict, users: dict[str, User], case: Case) -> dict:
    """The follow-up visit's screen sends the party visited by key and the date."""
    sent = dict(data)
    if "visited_on" in data and isinstance(data.get("party"), str):
        sent["party"] = _party(case, data["party"]).pk
        sent["visited_on"] = organisation_today() - datetime.timedelta(days=data["visited_on"])
    return sent


DEMO = Demo(
    steps={
        "draft_agreement": _draft,
        "send_agreement": _send,
        "confirm_by_link": _confirm_by_link,
        "file_paper_copy": _paper,
        "apply_judicial": _judicial,
        "perform_term": _performed,
        "term_unperformed": _unperformed,
        "answer_follow_up": _answer,
        "file_evidence": _evidence,
        "documents_rendered": _before_closing,
        "export_case_file": _export,
    },
    as_sent=_as_sent,
)
