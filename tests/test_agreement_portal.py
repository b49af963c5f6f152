"""The settlement agreement on the party's own page ([Q9] through the [Q8] link): the PDF
and its SHA-256, confirming it with a one-time code sent by e-mail (wrong, expired, too
many tries, a new version, asked again too soon), another case's agreement never shown,
the mediator told to sign once every party confirmed; once in effect, a term said not done
and the follow-up answered through the link."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import sync_playwright

from cases import links
from cases.calendar import organisation_today
from cases.models import Consent, Message, Party
from cases.services import record_consent
from documents.models import Document
from documents.services import render_document
from mediation.agreements import portal, selectors, services
from mediation.agreements.models import (
    Confirmation,
    ConfirmationCode,
    FollowUpVisit,
    SettlementAgreement,
    Term,
)

from .conftest import CHROMIUM, agreement_draft
from .factories import PersonFactory
from .test_browser import ARGS, SHOTS
from .test_screens import (
    SIZES,
    _axe,
    _broken_dates,
    _half_width,
    _new_context,
    _overflow,
    _small_targets,
)

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile Safari"


@pytest.fixture
def linked(drafted, claimant, officer):
    """A case with version 1 of its agreement sent, and the claimant's link (in English):
    he lives in Malaysia, has an e-mail address and consented to his data going abroad."""

    def run(**fields):
        case = drafted(**fields)
        rendered(case)
        party = case.parties.get(role=Party.Role.CLAIMANT)
        person = party.person
        person.email, person.preferred_language = "tham@example.my", "en"
        person.save()
        record_consent(
            case=case,
            actor=officer,
            party=party,
            purpose=Consent.Purpose.CROSS_BORDER,
            given=True,
            how=Consent.How.SIGNED_FORM,
            given_by=str(party.subject),
        )
        link, token = links.issue_link(case=case, actor=officer, party=party, language="en")
        return case, link, token

    return run


def home(token: str) -> str:
    return reverse("portal:home", args=[token])


def view(token: str, name: str, section: str = portal.NAME) -> str:
    return reverse("portal:section", args=[token, section, name])


def agreement(case) -> SettlementAgreement:
    return SettlementAgreement.objects.select_related("document").get(case=case)


def rendered(case) -> SettlementAgreement:
    """The agreement's PDFs as a worker leaves them (the tests' transaction never commits,
    so no worker renders them)."""
    found = agreement(case)
    for document in (found.document, found.effective_document):
        if document is not None and document.rendering != Document.Rendering.READY:
            render_document(document_id=document.pk)
    return agreement(case)


def ask_code(client, token: str, sha256: str):
    return client.post(view(token, "code"), {"sha256": sha256}, HTTP_USER_AGENT=BROWSER)


def confirm(client, token: str, sha256: str, code: str):
    return client.post(
        view(token, "confirm"), {"sha256": sha256, "code": code}, HTTP_USER_AGENT=BROWSER
    )


def code_sent(address: str = "tham@example.my") -> str:
    """The code in the latest e-mail to the address (the outbox keeps the body)."""
    message = Message.objects.filter(to_address=address, kind=services.CODE_EMAIL).latest("pk")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def settled(linked, do, roster_mediator, client):
    """The agreement confirmed through the link and signed by the mediator: in effect,
    the case settled."""

    def run():
        case, link, token = linked()
        sha256 = agreement(case).document.sha256
        ask_code(client, token, sha256)
        assert confirm(client, token, sha256, code_sent()).status_code == 302
        case = do(case, "sign_agreement", {"sign": True}, user=roster_mediator.user, form=True)
        assert case.status == "settled"
        rendered(case)
        return case, link, token

    return run


# Reading the agreement ---------------------------------------------------------------------


def test_it_shows_the_pdf_its_hash_and_version(client, linked):
    case, _link, token = linked()
    document = agreement(case).document
    assert document.rendering == Document.Rendering.READY
    page = client.get(home(token)).content.decode()
    assert 'id="agreement"' in page
    # The hash in groups of eight that a phone may break between, read whole.
    assert "".join(re.findall(r"([0-9a-f]{8})<wbr>", page)) == document.sha256
    assert "version 1" in page
    pdf = reverse("portal:document", args=[token, document.pk])
    assert pdf in page
    assert client.get(pdf)["Content-Type"] == "application/pdf"
    assert "Send me a code by e-mail" in page
    assert "Nobody has confirmed this version yet." in page


def test_it_leaves_the_section_out_for_a_draft_not_yet_sent(client, linked):
    _case, _link, token = linked(send=False)
    page = client.get(home(token)).content.decode()
    assert 'id="agreement"' not in page


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_it_reads_in_the_link_s_language(client, linked, language):
    case, link, token = linked()
    links.set_language(link=link, language=language)
    response = client.get(home(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "".join(re.findall(r"([0-9a-f]{8})<wbr>", page)) == agreement(case).document.sha256


def test_it_emails_each_version_to_the_parties_to_confirm(linked, officer, roster_mediator):
    case, link, _token = linked(send=False)
    record_consent(
        case=case,
        actor=officer,
        party=link.party,
        purpose=Consent.Purpose.ELECTRONIC_SERVICE,
        given=True,
        how=Consent.How.SIGNED_FORM,
        given_by=str(link.party.subject),
    )
    services.send_for_confirmation(case=case, actor=roster_mediator.user)
    [message] = Message.objects.filter(kind=services.TO_CONFIRM_EMAIL)
    assert message.party == link.party
    assert message.subject == f"Please confirm the settlement agreement of case {case.number}"
    assert "(version 1)" in message.body and "replaces" not in message.body
    rendered(case)
    services.save_draft(
        case=case,
        actor=roster_mediator.user,
        draft=agreement_draft(case, disputes="祖坟墓地的使用、保护与修缮。"),
    )
    latest = Message.objects.filter(kind=services.TO_CONFIRM_EMAIL).latest("pk")
    assert "(version 2)" in latest.body and "replaces the earlier one" in latest.body


# The one-time code -------------------------------------------------------------------------


def test_it_emails_a_code_to_the_party_s_address(client, linked):
    case, _link, token = linked()
    response = ask_code(client, token, agreement(case).document.sha256)
    assert response.status_code == 302
    assert response.url == f"{home(token)}#agreement"
    [message] = Message.objects.filter(kind=services.CODE_EMAIL)
    assert message.to_address == "tham@example.my"
    assert "Your code" in message.subject  # in English, as he reads
    assert re.search(r"\b\d{6}\b", message.body)
    [row] = ConfirmationCode.objects.all()
    assert code_sent() not in row.code_hash  # only its hash is kept
    page = client.get(home(token)).content.decode()
    # Step 2: a field a phone fills from the e-mail.
    assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page
    assert "We sent a code to t***@example.my" in page


def test_it_confirms_with_the_right_code_and_keeps_the_address_ip_and_browser(client, linked):
    case, link, token = linked()
    sha256 = agreement(case).document.sha256
    ask_code(client, token, sha256)
    response = confirm(client, token, sha256, code_sent())
    assert response.status_code == 302
    [confirmation] = Confirmation.objects.all()
    assert confirmation.method == Confirmation.Method.LINK
    assert confirmation.party == link.party and confirmation.sha256 == sha256
    assert confirmation.email == "tham@example.my"
    assert confirmation.ip == "127.0.0.1"
    assert confirmation.user_agent == BROWSER
    page = client.get(home(token)).content.decode()
    assert "You confirmed version 1 on" in page
    assert "Send me a code by e-mail" not in page


def test_it_tells_the_mediator_to_sign_once_every_party_confirmed(client, linked, roster_mediator):
    case, _link, token = linked()
    sha256 = agreement(case).document.sha256
    ask_code(client, token, sha256)
    assert not Message.objects.filter(kind=services.TO_SIGN_EMAIL).exists()
    confirm(client, token, sha256, code_sent())
    [message] = Message.objects.filter(kind=services.TO_SIGN_EMAIL)
    assert message.recipient == roster_mediator.user
    assert case.number in message.subject


def test_it_refuses_a_wrong_code_and_counts_the_tries(client, linked):
    case, _link, token = linked()
    sha256 = agreement(case).document.sha256
    ask_code(client, token, sha256)
    code = code_sent()
    for _try in range(4):
        response = confirm(client, token, sha256, wrong(code))
        assert response.status_code == 400
        assert "The code is not right" in response.content.decode()
    response = confirm(client, token, sha256, wrong(code))
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    assert ConfirmationCode.objects.get().tries == 5
    # Now even the right code is refused: a new one must be asked for.
    response = confirm(client, token, sha256, code)
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    assert not Confirmation.objects.exists()


def test_it_says_what_is_wrong_next_to_the_field(client, linked):
    case, _link, token = linked()
    sha256 = agreement(case).document.sha256
    ask_code(client, token, sha256)
    response = confirm(client, token, sha256, "12ab")
    assert response.status_code == 400
    text = response.content.decode()
    assert 'class="error-summary' in text
    assert "Enter the 6 digits from the e-mail." in text
    assert 'href="#id_confirm_code"' in text
    assert ConfirmationCode.objects.get().tries == 0  # not a try at the code


def test_it_refuses_an_expired_code(client, linked):
    case, _link, token = linked()
    sha256 = agreement(case).document.sha256
    ask_code(client, token, sha256)
    ConfirmationCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = confirm(client, token, sha256, code_sent())
    assert response.status_code == 400
    assert "The code has expired" in response.content.decode()
    assert not Confirmation.objects.exists()


def test_it_refuses_a_code_once_a_new_version_was_sent(client, linked, roster_mediator):
    case, _link, token = linked()
    sha256 = agreement(case).document.sha256
    ask_code(client, token, sha256)
    services.save_draft(
        case=case,
        actor=roster_mediator.user,
        draft=agreement_draft(case, facts="宗亲会来函反映祖坟墓地被占用，经调解查明事实并补充。"),
    )
    assert rendered(case).document.sha256 != sha256
    response = confirm(client, token, sha256, code_sent())
    assert response.status_code == 400
    text = response.content.decode()
    assert "The agreement has changed since the code was sent" in text
    assert not Confirmation.objects.exists()
    # The page shows the new version to confirm.
    page = client.get(home(token)).content.decode()
    assert "version 2" in page
    assert "".join(re.findall(r"([0-9a-f]{8})<wbr>", page)) == agreement(case).document.sha256


def test_it_refuses_a_second_code_within_a_minute(client, linked):
    case, _link, token = linked()
    sha256 = agreement(case).document.sha256
    assert ask_code(client, token, sha256).status_code == 302
    response = ask_code(client, token, sha256)
    assert response.status_code == 400
    assert "wait a minute" in response.content.decode()
    assert Message.objects.filter(kind=services.CODE_EMAIL).count() == 1


def test_it_never_shows_another_case_s_agreement(client, linked, drafted, city):
    _case, _link, token = linked()
    other = drafted(person=PersonFactory(name_zh="陈美玲", registered_by=city))
    rendered(other)
    theirs = agreement(other).document
    page = client.get(home(token)).content.decode()
    assert theirs.sha256[:8] not in page and other.number not in page
    assert client.get(reverse("portal:document", args=[token, theirs.pk])).status_code == 404
    # Asking a code for the other case's PDF is refused: this link's case is checked.
    response = ask_code(client, token, theirs.sha256)
    assert response.status_code == 400
    assert not ConfirmationCode.objects.filter(agreement__case=other).exists()


def test_it_leaves_the_section_out_for_a_party_who_does_not_sign(
    client, drafted, claimant, officer, city
):
    from cases.services import PartyInput

    relative = PersonFactory(
        name_zh="谭小明", residence_country="CN", time_zone="Asia/Shanghai", registered_by=city
    )
    case = drafted(
        parties=[
            PartyInput(role=Party.Role.CLAIMANT, person=claimant),
            PartyInput(role=Party.Role.RELATIVE, person=relative),
        ]
    )
    rendered(case)
    party = case.parties.get(role=Party.Role.RELATIVE)
    assert not selectors.may_confirm(agreement(case), party)
    _link, token = links.issue_link(case=case, actor=officer, party=party, language="zh-hans")
    page = client.get(home(token)).content.decode()
    assert 'id="agreement"' not in page
    response = ask_code(client, token, agreement(case).document.sha256)
    assert response.status_code == 404


# In effect ---------------------------------------------------------------------------------


def test_it_shows_the_copy_in_effect_and_its_terms(client, settled):
    case, _link, token = settled()
    found = agreement(case)
    assert found.status == SettlementAgreement.Status.EFFECTIVE
    page = client.get(home(token)).content.decode()
    assert "The agreement is in effect from" in page
    assert "Restore the graves" in page  # the term in English, the Chinese beside it
    assert "恢复祖坟原貌" in page
    assert "To be performed" in page
    assert "This has not been done" in page


def test_it_sends_a_term_said_not_done_back_to_the_mediator(client, settled, roster_mediator):
    case, link, token = settled()
    [term] = agreement(case).terms.all()
    response = client.post(
        view(token, "unperformed"), {"term": term.pk, "note": "The site is still not cleared."}
    )
    assert response.status_code == 302
    assert response.url == f"{home(token)}#term-{term.pk}"
    term.refresh_from_db()
    assert term.status == Term.Status.DISPUTED
    [event] = term.events.filter(kind="disputed")
    assert event.party == link.party and event.by is None
    [message] = Message.objects.filter(kind=services.TERM_EMAIL)
    assert message.recipient == roster_mediator.user
    assert "The site is still not cleared." in message.body


def test_it_asks_for_a_note_when_a_term_is_said_not_done(client, settled):
    case, _link, token = settled()
    [term] = agreement(case).terms.all()
    response = client.post(view(token, "unperformed"), {"term": term.pk, "note": ""})
    assert response.status_code == 400
    assert 'class="error-summary' in response.content.decode()
    term.refresh_from_db()
    assert term.status == Term.Status.PENDING


def test_it_tells_the_officer_of_an_overdue_term(settled, officer):
    officer.email, officer.language = "officer@example.org", "en"
    officer.save()
    case, _link, _token = settled()
    due = organisation_today() - datetime.timedelta(days=1)
    Term.objects.filter(agreement__case=case).update(due_on=due)
    assert services.alert_overdue_terms() == 1
    [message] = Message.objects.filter(kind=services.TERM_EMAIL)
    assert message.recipient == officer
    assert message.subject == f"Overdue: term 1 of the agreement of case {case.number} (due {due})"
    assert "Restore the graves" in message.body or "恢复祖坟原貌" in message.body


# Follow-up ---------------------------------------------------------------------------------


def test_it_records_the_follow_up_answered_through_the_link(client, settled):
    _case, link, token = settled()
    page = client.get(home(token)).content.decode()
    assert 'id="follow-up"' in page and "Very satisfied" in page
    response = client.post(
        view(token, "answer", portal.FOLLOW_UP),
        {"satisfaction": "4", "performance": "The graves are restored.", "comment": "Thanks."},
    )
    assert response.status_code == 302
    assert response.url == f"{home(token)}#follow-up"
    [visit] = FollowUpVisit.objects.all()
    assert visit.method == FollowUpVisit.Method.LINK and visit.visitor is None
    assert visit.party == link.party and visit.satisfaction == 4
    assert visit.performance == "The graves are restored."
    assert visit.document is not None and visit.document.kind == "follow_up_record"
    page = client.get(home(token)).content.decode()
    assert "Thank you for your answer" in page and "4 – Satisfied" in page
    assert "Send my answer" not in page
    # Sent twice (a second tap): one answer.
    again = client.post(
        view(token, "answer", portal.FOLLOW_UP), {"satisfaction": "5", "performance": "Done."}
    )
    assert again.status_code == 302 and FollowUpVisit.objects.count() == 1


def test_it_refuses_a_follow_up_answer_without_a_score(client, settled):
    _case, _link, token = settled()
    response = client.post(
        view(token, "answer", portal.FOLLOW_UP), {"satisfaction": "9", "performance": ""}
    )
    assert response.status_code == 400
    assert 'class="error-summary' in response.content.decode()
    assert not FollowUpVisit.objects.exists()


def test_it_asks_no_follow_up_before_the_case_is_settled(client, linked):
    _case, _link, token = linked()
    page = client.get(home(token)).content.decode()
    assert 'id="follow-up"' not in page
    response = client.post(
        view(token, "answer", portal.FOLLOW_UP), {"satisfaction": "5", "performance": "x"}
    )
    assert response.status_code == 404


# On a phone ---------------------------------------------------------------------------------


def _problems(page, size: str, language: str = "en") -> list[str]:
    found = [*_overflow(page), *_axe(page), *_broken_dates(page)]
    if language != "en":
        found += _half_width(page)
    if size == "phone":
        found += _small_targets(page)
    return found


def _browse(found: list, *steps) -> None:
    """Each step ``(page, size)`` on a phone and on an office screen. The database is read
    between browsers, not inside one (Playwright runs an event loop in this thread)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size, viewport in SIZES.items():
            page = _new_context(browser, viewport=viewport).new_page()
            for step in steps:
                step(page, size)
        browser.close()


def _look(found: list, page, size: str, name: str, language: str = "en") -> None:
    found.extend(f"{size} {name}: {p}" for p in _problems(page, size, language))
    page.screenshot(path=SHOTS / f"agreement-{name}-{size}.png", full_page=True)


def _in(page, url: str, language: str) -> None:
    page.goto(url)
    page.click(f".portal-language button[value='{language}']")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_fits_a_phone_and_passes_axe(live_server, linked, do, roster_mediator, client):
    """The section at each step, at 390 px and on an office screen: the version to confirm,
    the code step in the three languages, a wrong code sent back, then the agreement in
    effect with its terms and the follow-up questions. Screenshots in
    test-artifacts/browser/agreement-*.png."""
    case, _link, token = linked()
    url = live_server.url + home(token)
    found: list[str] = []

    def to_confirm(page, size):
        page.goto(url)
        _look(found, page, size, "to-confirm")
        if size == "phone":  # one code a minute
            page.click("text=Send me a code by e-mail")
            page.wait_for_load_state()

    _browse(found, to_confirm)
    not_it = wrong(code_sent())

    def code_step(page, size):
        for language in ("en", "zh-hans", "zh-hant"):
            _in(page, url, language)
            _look(found, page, size, f"code-sent-{language}", language)
        _in(page, url, "en")
        page.fill("#id_confirm_code", not_it)
        page.click("#agreement button.primary >> nth=-1")
        page.wait_for_load_state()
        assert page.locator(".error-summary").count() == 1
        _look(found, page, size, "wrong-code")

    _browse(found, code_step)
    sha256 = agreement(case).document.sha256
    assert confirm(client, token, sha256, code_sent()).status_code == 302
    do(case, "sign_agreement", {"sign": True}, user=roster_mediator.user, form=True)
    rendered(case)

    def in_effect(page, size):
        page.goto(url)
        page.click("#agreement summary")
        _look(found, page, size, "in-effect")

    _browse(found, in_effect)
    assert not found, "\n".join(found)
