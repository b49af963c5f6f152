"""The settlement agreement ([Q9]) through its services and the process's tasks: it takes
effect only once every party and then the mediator have signed; a changed text is a new
version with the same 文号 that voids the earlier confirmations; the one-time code and the
paper copy; the signed effective copy; the 30-day window for judicial confirmation on the
real calendar of 2026; performance, follow-up and the complete case file at closing."""

from __future__ import annotations

import datetime
import hashlib
import io
import re

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import links
from cases.calendar import organisation_today
from cases.models import Case, Consent, Deadline, Message, Party
from cases.services import PartyInput, add_party, record_consent
from documents import casefile
from documents.models import Document, Evidence
from documents.services import add_evidence, render_document
from mediation.agreements import selectors, services
from mediation.agreements.models import (
    Confirmation,
    ConfirmationCode,
    FollowUpVisit,
    SettlementAgreement,
    Term,
    TermEvent,
)
from mediation.agreements.services import TermInput, VisitInput

from .conftest import agreement_draft, open_tasks
from .factories import PersonFactory

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
CLAIMANT = "谭永康 (Tham Weng Hong)"  # as the parties' names print


# Helpers ------------------------------------------------------------------------------


def a_pdf(name: str = "signed.pdf") -> SimpleUploadedFile:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def rendered(document: Document) -> Document:
    """The document as the worker leaves it (the tests' transaction never commits, so no
    worker renders it)."""
    render_document(document_id=document.pk)
    document.refresh_from_db()
    return document


def agreement(case: Case) -> SettlementAgreement:
    return SettlementAgreement.objects.select_related("document", "effective_document").get(
        case=case
    )


def ready_version(case: Case) -> SettlementAgreement:
    """The agreement with its current version rendered: what a party is shown to confirm."""
    found = agreement(case)
    rendered(found.document)
    return agreement(case)


def names(case: Case) -> list[str]:
    return [t.flow_task.name for t in open_tasks(case)]


def party(case: Case, role: str) -> Party:
    return case.parties.get(role=role)


def paper(case: Case, officer, role: str, sha256: str | None = None) -> Confirmation:
    found = agreement(case)
    return services.file_paper_copy(
        case=case,
        actor=officer,
        party_pk=party(case, role).pk,
        upload=a_pdf(),
        sha256=sha256 or found.document.sha256,
    )


def codes_sent(address: str) -> list[str]:
    """The one-time codes e-mailed to the address, oldest first, read from the outbox."""
    bodies = (
        Message.objects.filter(to_address=address, kind=services.CODE_EMAIL)
        .order_by("pk")
        .values_list("body", flat=True)
    )
    return [re.search(r"(?<!\d)\d{6}(?!\d)", body).group() for body in bodies]


def confirm_online(case: Case, officer, role: str) -> Confirmation:
    """The party confirms through their own link with the code e-mailed to them (a party
    abroad consented to their data going abroad first)."""
    found = party(case, role)
    if not found.person.email:
        found.person.email = f"party{found.pk}@example.org"
        found.person.save(update_fields=["email"])
    if found.person.residence_country.code != "CN":
        record_consent(
            case=case, actor=officer, party=found, purpose=Consent.Purpose.CROSS_BORDER,
            given=True, how=Consent.How.SIGNED_FORM, given_by=str(found.subject),
        )  # fmt: skip
    link, _token = links.issue_link(case=case, actor=officer, party=found, language="zh-hans")
    sha256 = agreement(case).document.sha256
    services.request_code(link=link, sha256=sha256)
    code = codes_sent(found.person.email)[-1]
    return services.confirm_with_code(link=link, code=code, sha256=sha256)


@pytest.fixture
def clock(monkeypatch):
    """Set the time (Beijing): what ``organisation_today`` and every service read."""

    def set_to(day: datetime.date, hour: int = 10) -> datetime.datetime:
        moment = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


@pytest.fixture
def respondent(city):
    """A person in mainland China with an e-mail address: a link needs no consent."""
    return PersonFactory(
        name_zh="李德明", name_latin="", residence_country="CN", time_zone="Asia/Shanghai",
        email="li.deming@example.cn", registered_by=city,
    )  # fmt: skip


@pytest.fixture
def two_sided(claimant, respondent):
    return [
        PartyInput(role=Party.Role.CLAIMANT, person=claimant),
        PartyInput(role=Party.Role.RESPONDENT, person=respondent),
    ]


@pytest.fixture
def sent(drafted, two_sided):
    """Version 1 sent to a claimant and a respondent, its PDF rendered."""
    case = drafted(parties=two_sided)
    ready_version(case)
    return case


@pytest.fixture
def link(sent, officer):
    """The respondent's own link."""
    found, _token = links.issue_link(
        case=sent, actor=officer, party=party(sent, Party.Role.RESPONDENT), language="zh-hans"
    )
    return found


def sign(do, case, user) -> Case:
    return do(case, "sign_agreement", {"sign": True}, user=user, form=True)


@pytest.fixture
def effective(sent, officer, do, roster_mediator):
    """Both parties confirmed on paper, the mediator signed: in effect, the case settled."""
    paper(sent, officer, Party.Role.CLAIMANT)
    paper(sent, officer, Party.Role.RESPONDENT)
    return sign(do, sent, roster_mediator.user)


def two_terms(case: Case, due_on=datetime.date(2026, 12, 31)):
    """A draft with a term for the claimant and one for the respondent."""
    return agreement_draft(
        case,
        terms=[
            TermInput(
                obligor_pk=party(case, role).pk,
                text=text,
                method="现场清理，村委会见证",
                due_on=due_on,
                text_en="A term.",
                method_en="On site.",
            )
            for role, text in (
                (Party.Role.CLAIMANT, "确认墓地界址。"),
                (Party.Role.RESPONDENT, "恢复祖坟原貌，清理堆放物。"),
            )
        ],
    )


@pytest.fixture
def in_effect(mediated, two_sided, officer, do, roster_mediator):
    """An agreement with two terms in effect (the track_performance task open), confirmed
    on paper or (``online``) by both parties through their links."""

    def run(due_on=datetime.date(2026, 12, 31), online=False, **fields) -> Case:
        case = mediated(parties=two_sided, **fields)
        user = roster_mediator.user
        services.save_draft(case=case, actor=user, draft=two_terms(case, due_on))
        services.send_for_confirmation(case=case, actor=user)
        ready_version(case)
        for role in (Party.Role.CLAIMANT, Party.Role.RESPONDENT):
            if online:
                confirm_online(case, officer, role)
            else:
                paper(case, officer, role)
        return sign(do, case, user)

    return run


def terms(case: Case) -> list[Term]:
    return list(Term.objects.filter(agreement__case=case).order_by("order"))


# Taking effect -------------------------------------------------------------------------


def test_it_refuses_the_mediator_s_signature_while_a_party_has_not_confirmed(
    sent, officer, do, roster_mediator
):
    paper(sent, officer, Party.Role.CLAIMANT)

    with pytest.raises(ValidationError) as error:
        sign(do, sent, roster_mediator.user)
    assert error.value.code == "unconfirmed"
    assert "李德明" in error.value.messages[0]
    sent.refresh_from_db()
    assert sent.status == "mediating" and sent.settled_on is None
    assert names(sent) == ["sign_agreement"]
    assert agreement(sent).status == SettlementAgreement.Status.CONFIRMING
    assert [str(p.subject) for p in selectors.unconfirmed(agreement(sent))] == ["李德明"]
    with pytest.raises(ValidationError) as error:
        services.apply_for_judicial_confirmation(case=sent, actor=officer, court="紫金县人民法院")
    assert error.value.code == "not_effective"


def test_it_takes_effect_when_every_party_and_then_the_mediator_have_signed(
    sent, officer, do, roster_mediator
):
    to_sign = Message.objects.filter(recipient=roster_mediator.user, kind=services.TO_SIGN_EMAIL)
    paper(sent, officer, Party.Role.CLAIMANT)
    assert not to_sign.exists()
    paper(sent, officer, Party.Role.RESPONDENT)
    assert to_sign.count() == 1  # every party has confirmed: the mediator is told to sign
    today = organisation_today()

    case = sign(do, sent, roster_mediator.user)

    found = agreement(case)
    assert found.status == SettlementAgreement.Status.EFFECTIVE
    assert found.effective_on == today
    assert (case.status, case.settled_on) == ("settled", today)
    assert names(case) == ["track_performance"]
    copy = found.effective_document
    assert copy.number == found.document.number and copy.version == found.document.version + 1
    assert copy.status == Document.Status.FINAL
    assert (copy.snapshot["effective"], copy.snapshot["signed"]) == (True, True)
    confirmations = copy.snapshot["confirmations"]
    assert [c["method"] for c in confirmations] == ["paper", "paper", "mediator"]
    assert [c["who"] for c in confirmations] == [CLAIMANT, "李德明", "调解员甲"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", c["when"]) for c in confirmations)
    assert all(c["how"] and c["sha256"] == found.document.sha256 for c in confirmations)
    window = case.deadlines.get(kind=Deadline.Kind.JUDICIAL_CONFIRMATION)
    assert (window.starts_on, window.stopped_on) == (today, None)
    assert selectors.judicial_window(case) == window


def test_only_the_case_s_mediator_signs(sent, officer, supervisor, do, roster_mediator):
    paper(sent, officer, Party.Role.CLAIMANT)
    paper(sent, officer, Party.Role.RESPONDENT)

    for stranger in (officer, supervisor):
        with pytest.raises(PermissionDenied):
            services.sign(case=sent, actor=stranger)
        with pytest.raises((PermissionDenied, ValidationError)):
            sign(do, sent, stranger)
    sent.refresh_from_db()
    assert sent.status == "mediating"
    assert agreement(sent).status == SettlementAgreement.Status.CONFIRMING
    assert not Confirmation.objects.filter(method=Confirmation.Method.MEDIATOR).exists()


# Versions ------------------------------------------------------------------------------


def test_a_changed_text_is_a_new_version_that_voids_the_confirmations(
    sent, officer, link, roster_mediator
):
    first = agreement(sent).document
    confirmed = paper(sent, officer, Party.Role.CLAIMANT)
    assert [str(p.subject) for p in selectors.unconfirmed(agreement(sent))] == ["李德明"]

    services.save_draft(
        case=sent,
        actor=roster_mediator.user,
        draft=agreement_draft(sent, facts="经调解查明：墓地被占用部分约二十平方米。"),
    )

    found = ready_version(sent)
    assert found.document.version == 2 and found.document.number == first.number
    assert found.document.pk != first.pk and found.document.sha256 != first.sha256
    first.refresh_from_db()
    assert first.status == Document.Status.SUPERSEDED
    confirmed.refresh_from_db()
    assert confirmed.voided_at is not None
    assert selectors.current_confirmations(found) == []
    assert {str(p.subject) for p in selectors.unconfirmed(found)} == {CLAIMANT, "李德明"}
    with pytest.raises(ValidationError) as error:
        paper(sent, officer, Party.Role.CLAIMANT, sha256=first.sha256)
    assert error.value.code == "changed"
    with pytest.raises(ValidationError) as error:
        services.request_code(link=link, sha256=first.sha256)
    assert error.value.code == "changed"


def test_saving_the_same_text_again_is_no_new_version(sent, officer, roster_mediator):
    paper(sent, officer, Party.Role.CLAIMANT)
    services.save_draft(case=sent, actor=roster_mediator.user, draft=agreement_draft(sent))

    found = agreement(sent)
    assert found.document.version == 1
    assert len(selectors.party_confirmations(found)) == 1


# The one-time code ---------------------------------------------------------------------


def test_the_right_code_confirms_and_keeps_where_it_went_and_from_where(sent, link):
    found = agreement(sent)
    services.request_code(link=link, sha256=found.document.sha256, ip="203.0.113.5")
    [code] = codes_sent("li.deming@example.cn")
    assert not ConfirmationCode.objects.filter(code_hash__contains=code).exists()

    confirmation = services.confirm_with_code(
        link=link, code=code, sha256=found.document.sha256, ip="203.0.113.9", user_agent=BROWSER
    )

    assert confirmation.method == Confirmation.Method.LINK
    assert confirmation.party == party(sent, Party.Role.RESPONDENT)
    assert confirmation.document == found.document
    assert confirmation.sha256 == found.document.sha256
    assert (confirmation.email, confirmation.ip, confirmation.user_agent) == (
        "li.deming@example.cn",
        "203.0.113.9",
        BROWSER,
    )
    assert [str(p.subject) for p in selectors.unconfirmed(found)] == [CLAIMANT]
    with pytest.raises(ValidationError) as error:  # a code is used once
        services.confirm_with_code(link=link, code=code, sha256=found.document.sha256)
    assert error.value.code in ("none", "confirmed_already")


def test_a_wrong_code_is_refused_and_counted_and_five_use_up_the_code(sent, link):
    sha256 = agreement(sent).document.sha256
    services.request_code(link=link, sha256=sha256)
    [code] = codes_sent("li.deming@example.cn")
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    with pytest.raises(ValidationError) as error:
        services.confirm_with_code(link=link, code=wrong, sha256=sha256)
    assert error.value.code == "wrong"
    assert ConfirmationCode.objects.get().tries == 1
    for _try in range(4):
        with pytest.raises(ValidationError):
            services.confirm_with_code(link=link, code=wrong, sha256=sha256)
    assert ConfirmationCode.objects.get().tries == 5

    with pytest.raises(ValidationError) as error:  # the right code, too late
        services.confirm_with_code(link=link, code=code, sha256=sha256)
    assert error.value.code == "tries"
    assert not Confirmation.objects.exists()


def test_an_expired_code_is_refused(sent, link, monkeypatch):
    sha256 = agreement(sent).document.sha256
    services.request_code(link=link, sha256=sha256)
    [code] = codes_sent("li.deming@example.cn")
    later = timezone.now() + datetime.timedelta(minutes=services.CODE_MINUTES, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    with pytest.raises(ValidationError) as error:
        services.confirm_with_code(link=link, code=code, sha256=sha256)
    assert error.value.code == "expired"
    assert not Confirmation.objects.exists()


def test_a_code_for_an_earlier_version_is_refused(sent, link, roster_mediator):
    first = agreement(sent).document.sha256
    services.request_code(link=link, sha256=first)
    [code] = codes_sent("li.deming@example.cn")
    services.save_draft(
        case=sent,
        actor=roster_mediator.user,
        draft=agreement_draft(sent, disputes="墓地的使用、保护与通行。"),
    )
    second = ready_version(sent).document.sha256

    for sha256 in (first, second):
        with pytest.raises(ValidationError):
            services.confirm_with_code(link=link, code=code, sha256=sha256)
    assert not Confirmation.objects.exists()


def test_a_second_code_within_the_minute_is_refused(sent, link):
    sha256 = agreement(sent).document.sha256
    services.request_code(link=link, sha256=sha256)

    with pytest.raises(ValidationError) as error:
        services.request_code(link=link, sha256=sha256)
    assert error.value.code == "too_soon"
    assert len(codes_sent("li.deming@example.cn")) == 1


def test_a_code_is_refused_to_someone_who_does_not_sign_this_agreement(
    sent, officer, intake, respondent
):
    sha256 = agreement(sent).document.sha256
    # Someone of this case who signs for nobody: a relative acting for no party.
    relative = PersonFactory(
        name_zh="李小明", residence_country="CN", time_zone="Asia/Shanghai",
        email="li.xiaoming@example.cn", registered_by=sent.handling_organisation,
    )  # fmt: skip
    add_party(case=sent, actor=officer, item=PartyInput(role=Party.Role.RELATIVE, person=relative))
    relative_link, _token = links.issue_link(
        case=sent, actor=officer, party=party(sent, Party.Role.RELATIVE), language="zh-hans"
    )
    with pytest.raises(PermissionDenied):
        services.request_code(link=relative_link, sha256=sha256)

    # The respondent's link of another case: that case's party signs nothing here.
    other = intake(
        title="另一宗纠纷", parties=[PartyInput(role=Party.Role.CLAIMANT, person=respondent)]
    )
    other_link, _token = links.issue_link(
        case=other, actor=officer, party=party(other, Party.Role.CLAIMANT), language="zh-hans"
    )
    with pytest.raises((PermissionDenied, ValidationError)):
        services.request_code(link=other_link, sha256=sha256)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.confirm_with_code(link=other_link, code="000000", sha256=sha256)
    assert not ConfirmationCode.objects.exists() and not Confirmation.objects.exists()


# The paper copy ------------------------------------------------------------------------


def test_a_paper_copy_filed_by_the_officer_is_that_party_s_confirmation(sent, officer):
    found = agreement(sent)
    confirmation = paper(sent, officer, Party.Role.RESPONDENT)

    assert confirmation.method == Confirmation.Method.PAPER
    assert confirmation.party == party(sent, Party.Role.RESPONDENT)
    assert confirmation.by == officer and confirmation.sha256 == found.document.sha256
    assert confirmation.evidence.item == Evidence.Item.AGREEMENT == "08"
    assert selectors.has_confirmed(found, party(sent, Party.Role.RESPONDENT))
    assert [str(p.subject) for p in selectors.unconfirmed(found)] == [CLAIMANT]


def test_a_paper_copy_that_is_not_a_pdf_is_refused(sent, officer):
    found = agreement(sent)
    with pytest.raises(ValidationError):
        services.file_paper_copy(
            case=sent,
            actor=officer,
            party_pk=party(sent, Party.Role.RESPONDENT).pk,
            upload=SimpleUploadedFile("signed.pdf", b"GIF89a not a pdf", "application/pdf"),
            sha256=found.document.sha256,
        )
    assert not Confirmation.objects.exists()
    assert not Evidence.objects.filter(item=Evidence.Item.AGREEMENT).exists()


# The signature -------------------------------------------------------------------------


@pytest.fixture
def demo_dir(settings, tmp_path):
    """A demo seal of the test's own, never the project's under var/."""
    settings.SIGNING_DEMO_DIR = tmp_path / "signing"
    return settings.SIGNING_DEMO_DIR


def test_the_effective_copy_is_signed_and_a_changed_byte_is_caught(effective, demo_dir, capsys):
    from documents.signing import verify_pdf

    copy = rendered(agreement(effective).effective_document)
    assert copy.rendering == Document.Rendering.READY
    with copy.file.open("rb") as handle:
        content = handle.read()
    [check] = verify_pdf(content)
    assert check.valid and check.intact

    at = content.index(b"\n") + 2  # the binary comment: still the same PDF, signed
    changed = content[:at] + bytes([content[at] ^ 1]) + content[at + 1 :]
    [check] = verify_pdf(changed)
    assert not check.valid and not check.intact

    with open(copy.file.path, "wb") as handle:
        handle.write(changed)
    Document.objects.filter(pk=copy.pk).update(sha256=hashlib.sha256(changed).hexdigest())
    with pytest.raises(CommandError):
        call_command("verify_documents")
    out = capsys.readouterr().out
    assert f"signature QiaoweiSeal: signed bytes changed: 文书 {copy.pk}" in out


# Judicial confirmation on the calendar of 2026 -----------------------------------------


def test_the_30_days_ending_in_the_national_day_holiday_run_to_the_next_working_day(
    mediated, two_sided, officer, do, roster_mediator, clock
):
    """In effect on Thursday 3 September 2026: the 30 days end on Saturday 3 October, in
    the National Day holiday (1–7 October); the window closes on Thursday 8 October."""
    clock(datetime.date(2026, 9, 3))
    case = mediated(parties=two_sided, received_on=datetime.date(2026, 8, 10))
    user = roster_mediator.user
    services.save_draft(case=case, actor=user, draft=agreement_draft(case))
    services.send_for_confirmation(case=case, actor=user)
    ready_version(case)
    paper(case, officer, Party.Role.CLAIMANT)
    paper(case, officer, Party.Role.RESPONDENT)
    case = sign(do, case, user)

    assert agreement(case).effective_on == datetime.date(2026, 9, 3)
    window = selectors.judicial_window(case)
    assert (window.starts_on, window.due_on) == (
        datetime.date(2026, 9, 3),
        datetime.date(2026, 10, 8),
    )

    clock(datetime.date(2026, 10, 9))  # a day late
    with pytest.raises(ValidationError) as error:
        services.apply_for_judicial_confirmation(case=case, actor=officer, court="紫金县人民法院")
    assert error.value.code == "window_closed"

    clock(datetime.date(2026, 10, 8))  # the last day
    with pytest.raises(ValidationError) as error:
        services.record_ruling(
            case=case, actor=officer, ruling="confirmed", number="(2026)粤1621民特1号",
            ruled_on=datetime.date(2026, 10, 8), upload=a_pdf(),
        )  # fmt: skip
    assert error.value.code == "not_filed"
    found = services.apply_for_judicial_confirmation(
        case=case, actor=officer, court="紫金县人民法院"
    )
    assert found.application.kind == "judicial_application"
    assert found.application.snapshot["court"] == "紫金县人民法院"
    assert found.application.snapshot["agreement_number"] == agreement(case).document.number
    assert rendered(found.application).rendering == Document.Rendering.READY

    clock(datetime.date(2026, 10, 12))
    for outside in (datetime.date(2026, 9, 2), datetime.date(2026, 10, 9)):
        with pytest.raises(ValidationError) as error:
            services.record_filing(case=case, actor=officer, applied_on=outside)
        assert error.value.code == "outside_window"
    services.record_filing(case=case, actor=officer, applied_on=datetime.date(2026, 10, 8))
    # Filed: the window is met, its clock stops (no more reminders), as the timeline says.
    assert selectors.judicial_window(case).stopped_on == datetime.date(2026, 10, 12)
    stopped = case.events.filter(transition="stop_clock")
    assert any("司法确认申请已提交" in str(event.text) for event in stopped)

    found = services.record_ruling(
        case=case, actor=officer, ruling="confirmed", number="(2026)粤1621民特1号",
        ruled_on=datetime.date(2026, 10, 12), upload=a_pdf(),
    )  # fmt: skip
    assert found.ruling_copy.item == Evidence.Item.JUDICIAL_CONFIRMATION == "11"
    assert (found.applied_on, found.ruled_on) == (
        datetime.date(2026, 10, 8),
        datetime.date(2026, 10, 12),
    )


def test_an_ordinary_window_is_thirty_days(in_effect, clock):
    clock(datetime.date(2026, 11, 10))
    case = in_effect()

    window = selectors.judicial_window(case)
    assert (window.starts_on, window.due_on) == (
        datetime.date(2026, 11, 10),
        datetime.date(2026, 12, 10),
    )


# Performance ---------------------------------------------------------------------------


def test_the_performance_task_waits_for_every_term(in_effect, officer, do):
    case = in_effect()
    first, second = terms(case)

    services.record_performance(
        case=case, actor=officer, term_pk=first.pk, note="界址已确认。", upload=a_pdf()
    )
    first.refresh_from_db()
    assert first.status == Term.Status.DONE
    assert first.events.get().evidence.item == Evidence.Item.PERFORMANCE == "09"
    with pytest.raises(ValidationError) as error:
        do(case, "track_performance", {})
    assert error.value.code == "terms_open"
    assert names(case) == ["track_performance"]

    services.record_performance(
        case=case, actor=officer, term_pk=second.pk, note="已清理。", upload=a_pdf()
    )
    case = do(case, "track_performance", {})
    assert names(case) == ["follow_up_visit"]


def test_a_term_said_unperformed_goes_to_the_mediator(in_effect, officer, do, roster_mediator):
    case = in_effect()
    first, second = terms(case)
    mediator = roster_mediator.user

    services.report_unperformed(case=case, actor=officer, term_pk=first.pk, note="堆放物仍未清理。")
    first.refresh_from_db()
    assert first.status == Term.Status.DISPUTED
    assert Message.objects.filter(recipient=mediator, kind=services.TERM_EMAIL).count() == 1

    today = organisation_today()
    for too_early in (None, today):
        with pytest.raises(ValidationError) as error:
            services.resolve_dispute(
                case=case, actor=mediator, term_pk=first.pk, outcome="more_time",
                note="给予宽限。", due_on=too_early,
            )  # fmt: skip
        assert error.value.code == "due_on"
    later = today + datetime.timedelta(days=20)
    services.resolve_dispute(
        case=case, actor=mediator, term_pk=first.pk, outcome="more_time", note="给予宽限。",
        due_on=later,
    )  # fmt: skip
    first.refresh_from_db()
    assert (first.status, first.due_on) == (Term.Status.PENDING, later)

    services.report_unperformed(case=case, actor=officer, term_pk=second.pk, note="拒绝履行。")
    services.resolve_dispute(
        case=case, actor=mediator, term_pk=second.pk, outcome="failed", note="当事人可诉讼。"
    )
    second.refresh_from_db()
    assert second.status == Term.Status.FAILED
    with pytest.raises(PermissionDenied):  # the mediator's to take up, not the officer's
        services.resolve_dispute(
            case=case, actor=officer, term_pk=first.pk, outcome="failed", note="不行。"
        )


def test_an_overdue_term_is_alerted_once_and_a_done_one_never(in_effect, officer, clock):
    officer.email = "officer@example.cn"
    officer.save(update_fields=["email"])
    clock(datetime.date(2026, 11, 10))
    case = in_effect(due_on=datetime.date(2026, 11, 20))
    first, second = terms(case)
    services.record_performance(
        case=case, actor=officer, term_pk=first.pk, note="界址已确认。", upload=a_pdf()
    )

    clock(datetime.date(2026, 11, 23))
    assert services.alert_overdue_terms() == 1
    assert services.alert_overdue_terms() == 0
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.overdue_alerted_on == datetime.date(2026, 11, 23)
    assert first.overdue_alerted_on is None
    assert [e.kind for e in second.events.all()] == [TermEvent.Kind.OVERDUE]
    assert not first.events.filter(kind=TermEvent.Kind.OVERDUE).exists()
    alerts = Message.objects.filter(kind=services.TERM_EMAIL, recipient=officer)
    assert alerts.count() == 1


# Follow-up -----------------------------------------------------------------------------


def visit_data(case: Case, **changes) -> dict:
    return {
        "party": party(case, Party.Role.CLAIMANT).pk,
        "method": "phone",
        "reason": "协议履行回访",
        "performance": "双方已按协议履行。",
        "satisfaction": 5,
        "comment": "满意。",
        "visited_on": organisation_today(),
        **changes,
    }


@pytest.fixture
def performed(in_effect, officer, do):
    """Every term performed: the follow-up visit is next."""

    def run(**fields) -> Case:
        case = in_effect(**fields)
        for term in terms(case):
            services.record_performance(
                case=case, actor=officer, term_pk=term.pk, note="已履行。", upload=a_pdf()
            )
        return do(case, "track_performance", {})

    return run


@pytest.fixture
def visited(performed, do):
    """The follow-up visit made: the supervisor's approval of the closing is next."""

    def run(**fields) -> Case:
        case = performed(**fields)
        return do(case, "follow_up_visit", visit_data(case), form=True)

    return run


def test_the_follow_up_visit_is_recorded_and_starts_the_follow_up(visited):
    case = visited()

    assert case.status == "following_up"
    visit = FollowUpVisit.objects.get(case=case)
    assert (visit.satisfaction, visit.method, visit.party.role) == (5, "phone", "claimant")
    assert visit.agreement == agreement(case)
    assert visit.document.kind == "follow_up_record"
    assert visit.document.snapshot["visit"]["satisfaction"] == 5
    assert selectors.judicial_window(case).stopped_on is not None
    assert names(case) == ["close_approval"]


def test_a_visit_out_of_bounds_is_refused_and_the_case_stays_settled(performed, do, officer):
    case = performed()
    tomorrow = organisation_today() + datetime.timedelta(days=1)
    for changes, code in (
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"visited_on": tomorrow}, "visited_on"),
    ):
        with pytest.raises(ValidationError) as error:  # the task's data as its form cleans it
            do(case, "follow_up_visit", visit_data(case, **changes))
        assert error.value.code == code
    with pytest.raises(ValidationError) as error:  # what a party's link might send
        services.record_visit(
            case=case,
            actor=officer,
            visit=VisitInput(
                party_pk=party(case, Party.Role.CLAIMANT).pk, method="phone", reason="回访",
                performance="已履行。", satisfaction="five", visited_on=organisation_today(),
            ),
        )  # fmt: skip
    assert error.value.code == "satisfaction"

    case.refresh_from_db()
    assert case.status == "settled" and names(case) == ["follow_up_visit"]
    assert not FollowUpVisit.objects.exists()
    assert not case.documents.filter(kind="follow_up_record").exists()


# Closing -------------------------------------------------------------------------------


def render_all(case: Case) -> None:
    for document in case.documents.filter(rendering=Document.Rendering.PENDING):
        rendered(document)


def test_closing_waits_for_a_complete_case_file(visited, officer, supervisor, do):
    case = visited()
    add_evidence(
        case=case, actor=officer, item=Evidence.Item.MEDIATION_RECORD, title="调解笔录",
        upload=a_pdf(),
    )  # fmt: skip
    render_all(case)
    assert casefile.contents(case).missing == ["3 身份证明"]

    with pytest.raises(ValidationError) as error:
        do(case, "close_approval", {"reason": "已履行完毕。"})
    assert error.value.code == "case_file_incomplete"
    assert "身份证明" in error.value.messages[0]
    case.refresh_from_db()
    assert case.status == "following_up" and names(case) == ["close_approval"]

    add_evidence(
        case=case, actor=officer, item=Evidence.Item.IDENTITY, title="身份证明", upload=a_pdf()
    )
    assert casefile.contents(case).missing == []
    case = do(case, "close_approval", {"reason": "已履行完毕。"}, user=supervisor)
    assert case.status == "closed"


def test_closing_wants_the_agreement_itself(visited, officer, do):
    """Confirmed online (no paper copy filed), its effective copy not rendered yet: item 8
    is missing, and named."""
    case = visited(online=True)
    for item, title in (
        (Evidence.Item.MEDIATION_RECORD, "调解笔录"),
        (Evidence.Item.IDENTITY, "身份证明"),
    ):
        add_evidence(case=case, actor=officer, item=item, title=title, upload=a_pdf())
    copy = agreement(case).effective_document
    for document in case.documents.filter(rendering=Document.Rendering.PENDING):
        if document.pk != copy.pk:
            rendered(document)
    assert casefile.contents(case).missing == ["8 调解协议书"]

    with pytest.raises(ValidationError) as error:
        do(case, "close_approval", {"reason": "已履行完毕。"})
    assert "调解协议书" in error.value.messages[0]

    rendered(copy)
    assert casefile.contents(case).missing == []


def test_an_oral_agreement_needs_no_agreement_in_the_case_file(intake, do, legal_review, mediate):
    case = do(intake(), "screen", {"notes": "可受理"})
    case = do(case, "decide", {"decision": "accept", "reason": ""})
    case = legal_review(case, "mediation")
    case = do(case, "route", {"route": "mediation", "notes": ""})
    case = mediate(case, "oral", terms="双方同意维持祖坟现状。")

    assert case.status == "settled"
    assert not selectors.has_agreement(case)
    assert "8 调解协议书" not in casefile.contents(case).missing
    assert "3 身份证明" in casefile.contents(case).missing  # the check itself runs


def test_a_written_agreement_is_wanted_in_the_case_file(drafted):
    case = drafted(send=False)
    assert "8 调解协议书" in casefile.contents(case).missing
