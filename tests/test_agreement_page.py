"""The agreement's page for staff and the mediator: the draft and its versions, a paper
copy, the mediator's signature on the task screen, judicial confirmation, performance,
a disputed term and a follow-up visit, each through its own form; bad input answered with
a message, never a 500; an action without its capability refused."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.calendar import organisation_today
from cases.models import Language, Party
from mediation.agreements import selectors, services
from mediation.agreements.models import (
    Confirmation,
    FollowUpVisit,
    JudicialConfirmation,
    SettlementAgreement,
    Term,
    TermEvent,
)

from .conftest import blank_pdf, open_tasks, render_pending
from .test_error_summary import SUMMARY


def pdf(name: str = "signed.pdf"):
    return blank_pdf(name)


def url(name: str, case, *more) -> str:
    return reverse(f"agreements:{name}", args=[case.pk, *more])


def agreement(case) -> SettlementAgreement:
    return SettlementAgreement.objects.get(case=case)


def claimant_of(case) -> Party:
    return case.parties.get(role=Party.Role.CLAIMANT)


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def form_errors(response) -> list[str]:
    """The errors listed in the page's error summary (every form sent back)."""
    found = SUMMARY.search(response.content.decode())
    return re.findall(r"<li>(.*?)</li>", found.group(2), re.S) if found else []


def draft_data(case, *, terms: list[dict] | None = None, initial: int = 0, **changes) -> dict:
    """The draft form as the mediator fills it in: one term for the claimant."""
    terms = terms or [
        {
            "obligor": claimant_of(case).pk,
            "text": "恢复祖坟原貌。",
            "text_en": "Restore the graves.",
            "method": "现场清理",
            "method_en": "On site",
            "due_on": "2026-12-31",
        }
    ]
    data = {
        "facts": "祖坟墓地被占用。",
        "facts_en": "The graves were occupied.",
        "disputes": "墓地的使用。",
        "disputes_en": "Use of the graves.",
        "responsibilities": "占用方恢复原状。",
        "responsibilities_en": "The occupier restores the site.",
        "terms-TOTAL_FORMS": str(len(terms)),
        "terms-INITIAL_FORMS": str(initial),
        "terms-MIN_NUM_FORMS": "1",
        "terms-MAX_NUM_FORMS": "30",
    }
    for n, term in enumerate(terms):
        data.update({f"terms-{n}-{name}": value for name, value in term.items()})
    return {**data, **changes}


def file_paper(case, officer) -> Confirmation:
    render_pending(case)
    document = agreement(case).document
    return services.file_paper_copy(
        case=case,
        actor=officer,
        party_pk=claimant_of(case).pk,
        upload=pdf(),
        sha256=document.sha256,
    )


def sign_task(case):
    [task] = [t for t in open_tasks(case) if t.flow_task.name == "sign_agreement"]
    return task


@pytest.fixture
def confirming(drafted):
    """Version 1 with the parties, its PDF rendered (as the worker does after commit)."""

    def run():
        case = drafted()
        render_pending(case)
        return case

    return run


@pytest.fixture
def effective(confirming, officer, roster_mediator, do):
    """An agreement confirmed on paper and signed: in effect, the case settled."""

    def run():
        case = confirming()
        file_paper(case, officer)
        return do(case, "sign_agreement", {"sign": "on"}, user=roster_mediator.user, form=True)

    return run


# The page and the draft -------------------------------------------------------------------


def test_it_shows_the_mediator_a_prefilled_draft_and_the_officer_no_draft_form(
    mediated, roster_mediator, officer, client
):
    case = mediated()
    client.force_login(roster_mediator.user)
    response = client.get(url("case", case))
    assert response.status_code == 200
    assert response.context["draft_form"].initial["facts"] == case.summary
    assert response.context["draft_form"].initial["disputes"] == case.claims
    # Every party reads Chinese: the English fields are there, optional, and say so.
    assert not response.context["draft_form"].fields["facts_en"].required
    obligors = dict(response.context["term_formset"].forms[0].fields["obligor"].choices)
    assert claimant_of(case).pk in obligors
    client.force_login(officer)
    response = client.get(url("case", case))
    assert response.status_code == 200
    assert "draft_form" not in response.context
    assert "paper_form" not in response.context


def test_it_saves_a_draft_then_sends_it_to_the_parties(mediated, roster_mediator, client):
    case = mediated()
    client.force_login(roster_mediator.user)
    response = client.post(url("draft", case), {**draft_data(case), "save": "1"}, follow=True)
    assert response.redirect_chain == [(url("case", case), 302)]
    found = agreement(case)
    assert found.status == SettlementAgreement.Status.DRAFT
    assert [t.text for t in found.terms.all()] == ["恢复祖坟原貌。"]
    # The saved draft comes back in the form, its term as the formset's first.
    page = client.get(url("case", case))
    assert page.context["term_formset"].forms[0].initial["text"] == "恢复祖坟原貌。"
    response = client.post(
        url("draft", case), {**draft_data(case, initial=1), "send": "1"}, follow=True
    )
    found = agreement(case)
    assert found.status == SettlementAgreement.Status.CONFIRMING
    assert found.version == 1 and found.document.number
    assert "version 1" in " ".join(said(response)) or "第1版" in " ".join(said(response))


def test_the_english_text_is_required_where_a_party_reads_english(
    mediated, claimant, roster_mediator, client
):
    claimant.preferred_language = Language.EN
    claimant.save()
    case = mediated()
    client.force_login(roster_mediator.user)
    page = client.get(url("case", case))
    assert page.context["draft_form"].fields["facts_en"].required
    assert page.context["term_formset"].forms[0].fields["text_en"].required
    response = client.post(
        url("draft", case), draft_data(case, facts_en="", **{"terms-0-text_en": ""})
    )
    assert response.status_code == 200
    assert len(form_errors(response)) == 2
    assert not SettlementAgreement.objects.filter(case=case).exists()


def test_a_change_after_a_confirmation_is_version_2_and_voids_it(
    confirming, officer, roster_mediator, client
):
    case = confirming()
    confirmation = file_paper(case, officer)
    client.force_login(roster_mediator.user)
    page = client.get(url("case", case))
    assert "every confirmation so far becomes void" in page.content.decode() or (
        "作废" in page.content.decode()
    )
    response = client.post(
        url("draft", case), draft_data(case, initial=1, facts="经调解查明的新事实。")
    )
    assert response.status_code == 302
    found = agreement(case)
    assert found.version == 2 and found.status == SettlementAgreement.Status.CONFIRMING
    confirmation.refresh_from_db()
    assert confirmation.voided_at is not None
    assert selectors.unconfirmed(found) == [claimant_of(case)]


def test_saving_the_same_text_again_is_no_new_version(confirming, roster_mediator, client):
    case = confirming()
    client.force_login(roster_mediator.user)
    data = draft_data(
        case,
        initial=1,
        facts="宗亲会来函反映祖坟墓地被占用，经调解查明事实。",
        facts_en="The association wrote that its ancestral graves were occupied.",
        disputes="祖坟墓地的使用与保护。",
        disputes_en="Use and protection of the graves.",
        responsibilities="占用方负责恢复原状。",
        terms=[
            {
                "obligor": claimant_of(case).pk,
                "text": "恢复祖坟原貌，清理堆放物。",
                "text_en": "Restore the graves and clear what was piled on them.",
                "method": "现场清理，村委会见证",
                "method_en": "On site, witnessed by the village committee",
                "due_on": "2026-12-31",
            }
        ],
    )
    assert client.post(url("draft", case), data).status_code == 302
    assert agreement(case).version == 1


# Confirmation and the signature -----------------------------------------------------------


def test_the_officer_files_a_partys_signed_paper_copy(confirming, officer, client):
    case = confirming()
    client.force_login(officer)
    page = client.get(url("case", case))
    form = page.context["paper_form"]
    assert [pk for pk, _label in form.fields["party"].choices] == [claimant_of(case).pk]
    sha = agreement(case).document.sha256
    assert form.initial["sha256"] == sha
    assert " ".join(sha[i : i + 8] for i in range(0, 64, 8)) in page.content.decode()
    response = client.post(
        url("paper", case),
        {"paper-party": claimant_of(case).pk, "paper-upload": pdf(), "paper-sha256": sha},
    )
    assert response.status_code == 302
    [confirmation] = selectors.current_confirmations(agreement(case))
    assert confirmation.method == Confirmation.Method.PAPER and confirmation.evidence_id
    # Nobody is left to file for: the form is gone.
    assert "paper_form" not in client.get(url("case", case)).context


def test_the_mediator_signs_on_the_task_screen_only_once_every_party_confirmed(
    confirming, officer, roster_mediator, client
):
    case = confirming()
    task_url = reverse("workflows:task", args=[sign_task(case).pk])
    client.force_login(roster_mediator.user)
    screen = client.get(task_url)
    assert screen.status_code == 200
    assert screen.context["unconfirmed"] == [claimant_of(case)]
    refused = client.post(task_url, {"sign": "on"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["sign"]
    assert agreement(case).status == SettlementAgreement.Status.CONFIRMING
    file_paper(case, officer)
    page = client.get(url("case", case))
    assert page.context["sign_url"]
    response = client.post(task_url, {"sign": "on"})
    assert response.status_code == 302
    found = agreement(case)
    assert found.status == SettlementAgreement.Status.EFFECTIVE
    assert found.effective_on == organisation_today()
    page = client.get(url("case", case)).content.decode()
    assert "PAdES" in page


# Judicial confirmation, performance, follow-up ---------------------------------------------


def test_the_officer_applies_for_judicial_confirmation_records_the_filing_and_the_ruling(
    effective, officer, client
):
    case = effective()
    client.force_login(officer)
    page = client.get(url("case", case))
    assert page.context["window"] is not None
    assert page.context["days_left"] == 30 or 0 <= page.context["days_left"] <= 30
    assert (
        client.post(url("judicial_apply", case), {"apply-court": "紫金县人民法院"}).status_code
        == 302
    )
    found = JudicialConfirmation.objects.get(agreement__case=case)
    assert found.court == "紫金县人民法院" and found.application_id
    today = organisation_today().isoformat()
    assert client.post(url("judicial_filed", case), {"filing-applied_on": today}).status_code == 302
    response = client.post(
        url("judicial_ruling", case),
        {
            "ruling-ruling": "confirmed",
            "ruling-number": "（2026）粤1621民特1号",
            "ruling-ruled_on": today,
            "ruling-upload": pdf("ruling.pdf"),
        },
    )
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.ruling == "confirmed" and found.ruling_copy_id
    assert found.applied_on == organisation_today()


def test_the_officer_records_a_terms_performance_with_its_proof(effective, officer, client):
    case = effective()
    term = agreement(case).terms.get()
    client.force_login(officer)
    page = client.get(url("case", case))
    [row] = page.context["term_rows"]
    assert row["done_form"] and row["undone_form"] and "resolve_form" not in row
    response = client.post(
        url("term_done", case, term.pk),
        {
            f"term{term.pk}-done-note": "已清理完毕。",
            f"term{term.pk}-done-upload": pdf("proof.pdf"),
        },
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.status == Term.Status.DONE
    assert term.events.get(kind=TermEvent.Kind.PERFORMED).evidence_id


def test_the_performance_task_lists_the_terms_and_ends_once_each_is_settled(
    effective, officer, client
):
    case = effective()
    term = agreement(case).terms.get()
    [task] = [t for t in open_tasks(case) if t.flow_task.name == "track_performance"]
    task_url = reverse("workflows:task", args=[task.pk])
    client.force_login(officer)
    screen = client.get(task_url)
    assert screen.status_code == 200
    assert screen.context["terms"] == [term]
    assert url("case", case) in screen.content.decode()
    refused = client.post(task_url, {"notes": ""})
    assert refused.status_code == 200 and form_errors(refused)
    services.record_performance(
        case=case, actor=officer, term_pk=term.pk, note="", upload=pdf("proof.pdf")
    )
    assert client.post(task_url, {"notes": "均已履行。"}).status_code == 302
    # The case page's panel: the agreement in effect, its term performed, the page linked.
    panel = client.get(case.get_absolute_url()).content.decode()
    assert url("case", case) in panel


def test_a_term_said_not_performed_goes_to_the_mediator_who_gives_more_time(
    effective, officer, roster_mediator, client
):
    case = effective()
    term = agreement(case).terms.get()
    client.force_login(officer)
    response = client.post(
        url("term_undone", case, term.pk), {f"term{term.pk}-undone-note": "墓地仍有堆放物。"}
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.status == Term.Status.DISPUTED
    # The officer may not decide it.
    decision = {
        f"term{term.pk}-resolve-outcome": "more_time",
        f"term{term.pk}-resolve-due_on": "2027-01-31",
        f"term{term.pk}-resolve-note": "占用方承诺一月内清理。",
    }
    assert client.post(url("term_resolve", case, term.pk), decision).status_code == 403
    client.force_login(roster_mediator.user)
    [row] = client.get(url("case", case)).context["term_rows"]
    assert row["resolve_form"]
    assert client.post(url("term_resolve", case, term.pk), decision).status_code == 302
    term.refresh_from_db()
    assert term.status == Term.Status.PENDING
    assert term.due_on == datetime.date(2027, 1, 31)


def test_the_mediator_finds_a_disputed_term_not_performed(
    effective, officer, roster_mediator, client
):
    case = effective()
    term = agreement(case).terms.get()
    services.report_unperformed(case=case, actor=officer, term_pk=term.pk, note="未履行。")
    client.force_login(roster_mediator.user)
    response = client.post(
        url("term_resolve", case, term.pk),
        {f"term{term.pk}-resolve-outcome": "failed", f"term{term.pk}-resolve-note": "拒不履行。"},
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.status == Term.Status.FAILED


def test_the_officer_records_a_follow_up_visit(effective, officer, client):
    case = effective()
    client.force_login(officer)
    assert client.get(url("case", case)).context["visit_form"]
    response = client.post(
        url("visit", case),
        {
            "visit-party": claimant_of(case).pk,
            "visit-method": "phone",
            "visit-reason": "了解协议履行情况",
            "visit-performance": "已按协议清理。",
            "visit-satisfaction": "5",
            "visit-comment": "满意。",
            "visit-visited_on": organisation_today().isoformat(),
        },
    )
    assert response.status_code == 302
    visit = FollowUpVisit.objects.get(case=case)
    assert visit.visitor == officer and visit.document_id
    assert visit in client.get(url("case", case)).context["visits"]


# Bad input and who may -------------------------------------------------------------------


def test_bad_draft_input_is_answered_on_the_page_and_changes_nothing(
    confirming, roster_mediator, client
):
    case = confirming()
    client.force_login(roster_mediator.user)
    other = Party.objects.exclude(case=case).first()
    bad = [
        draft_data(case, initial=1, facts="x" * 20_001),
        draft_data(case, initial=1, facts="事实\x07"),
        draft_data(case, initial=1, **{"terms-0-due_on": "2026-02-30"}),
        draft_data(case, initial=1, **{"terms-0-due_on": "2020-01-01"}),
        draft_data(case, initial=1, **{"terms-0-due_on": "9999-12-31"}),
        draft_data(case, initial=1, **{"terms-0-obligor": "nope"}),
        draft_data(case, initial=1, **{"terms-0-obligor": str(other.pk if other else 999999)}),
        draft_data(case, initial=1, **{"terms-0-method": "现场\n清理"}),
        draft_data(case, initial=1, **{"terms-TOTAL_FORMS": "abc"}),
        draft_data(case, initial=1, **{"terms-0-DELETE": "on"}),
    ]
    for data in bad:
        response = client.post(url("draft", case), data)
        assert response.status_code in (200, 400), data
        assert form_errors(response), data
    assert agreement(case).version == 1
    assert agreement(case).facts.startswith("宗亲会来函")


def test_bad_input_on_the_other_forms_gets_a_message_never_a_500(
    effective, confirming, officer, roster_mediator, client
):
    waiting = confirming()
    client.force_login(officer)
    sha = agreement(waiting).document.sha256
    not_pdf = SimpleUploadedFile("x.pdf", b"GIF89a", content_type="application/pdf")
    for data in [
        {"paper-party": "abc", "paper-upload": pdf(), "paper-sha256": sha},
        {"paper-party": claimant_of(waiting).pk, "paper-sha256": sha},
        {"paper-party": claimant_of(waiting).pk, "paper-upload": not_pdf, "paper-sha256": sha},
        {
            "paper-party": claimant_of(waiting).pk,
            "paper-upload": pdf(),
            "paper-sha256": "0" * 64,
        },
    ]:
        response = client.post(url("paper", waiting), data)
        assert response.status_code == 200, data
        assert form_errors(response), data
    assert not selectors.current_confirmations(agreement(waiting))

    case = effective()
    term = agreement(case).terms.get()
    other_term = agreement(waiting).terms.get()
    posts = [
        ("judicial_apply", [], {"apply-court": ""}),
        ("judicial_apply", [], {"apply-court": "法院\x00"}),
        ("judicial_apply", [], {"apply-court": "法" * 201}),
        ("judicial_filed", [], {"filing-applied_on": "2026-13-01"}),
        ("term_done", [term.pk], {f"term{term.pk}-done-note": "x"}),
        ("term_done", [term.pk], {f"term{term.pk}-done-upload": not_pdf}),
        ("term_undone", [term.pk], {f"term{term.pk}-undone-note": ""}),
        ("term_undone", [term.pk], {f"term{term.pk}-undone-note": "x" * 2001}),
        ("visit", [], {"visit-party": "999999", "visit-satisfaction": "9"}),
        ("visit", [], {"visit-visited_on": "1999-01-01"}),
    ]
    for name, more, data in posts:
        response = client.post(url(name, case, *more), data)
        assert response.status_code == 200, (name, data)
        assert form_errors(response), (name, data)
    # Filing before the application is drawn up: the service's refusal, on the page.
    response = client.post(
        url("judicial_filed", case), {"filing-applied_on": organisation_today().isoformat()}
    )
    assert response.status_code == 200 and form_errors(response)
    # A term of another case: no such term here.
    response = client.post(
        url("term_done", case, other_term.pk), {f"term{other_term.pk}-done-upload": pdf()}
    )
    assert response.status_code == 404
    client.force_login(roster_mediator.user)
    response = client.post(
        url("term_resolve", case, term.pk),
        {f"term{term.pk}-resolve-outcome": "more_time", f"term{term.pk}-resolve-note": "x"},
    )
    assert response.status_code == 200 and form_errors(response)  # no new date; not disputed
    term.refresh_from_db()
    assert term.status == Term.Status.PENDING and not term.events.exists()
    assert not JudicialConfirmation.objects.filter(agreement__case=case).exists()
    assert not FollowUpVisit.objects.filter(case=case).exists()


def test_an_action_without_its_capability_is_refused(
    confirming, effective, officer, supervisor, roster_mediator, outsider, client
):
    case = confirming()
    client.force_login(officer)
    assert client.post(url("draft", case), draft_data(case, initial=1)).status_code == 403
    client.force_login(roster_mediator.user)
    sha = agreement(case).document.sha256
    paper = {"paper-party": claimant_of(case).pk, "paper-upload": pdf(), "paper-sha256": sha}
    assert client.post(url("paper", case), paper).status_code == 403
    settled = effective()
    for name in ("judicial_apply", "judicial_filed", "judicial_ruling", "visit"):
        assert client.post(url(name, settled), {}).status_code == 403, name
    term = agreement(settled).terms.get()
    assert client.post(url("term_done", settled, term.pk), {}).status_code == 403
    client.force_login(outsider)
    assert client.get(url("case", case)).status_code == 404
    assert client.post(url("paper", case), paper).status_code == 404
    # The supervisor reads the page; drafting is the mediator's alone.
    client.force_login(supervisor)
    assert client.get(url("case", case)).status_code == 200
    assert client.post(url("draft", case), draft_data(case, initial=1)).status_code == 403
    assert client.get(url("draft", case)).status_code == 405
