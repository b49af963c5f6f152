"""[Q9] The settlement agreement at the keyboard (Debian's chromium driven by Playwright):
the representative of a clan association in Vancouver, who reads English, opens the link
on a phone and confirms version 1 with the code e-mailed to them, the page showing the
SHA-256 of the very PDF; the respondent's signed paper copy is filed; the mediator logs in
on an office screen, finds the signing task and signs last: the agreement is in effect,
the case settled, and the agreement's page shows the effective copy. Screenshots land in
test-artifacts/browser/q9-*.png."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from cases import links
from cases.models import Consent, Message, Party
from cases.services import PartyInput, record_consent
from documents.models import Document
from documents.services import render_document
from mediation.agreements import selectors, services
from mediation.agreements.models import Confirmation, SettlementAgreement
from workflows.demo import DEMO_PASSWORD

from .conftest import CHROMIUM, agreement_draft, blank_pdf
from .factories import AssociationFactory, PersonFactory
from .test_browser import ARGS, SHOTS, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
EMAIL = "lai.chin.tham@example.ca"


@pytest.fixture
def representative(city):
    """The association's representative: lives in Vancouver, reads English, has e-mail."""
    return PersonFactory(
        name_zh="谭丽珍",
        name_latin="Tham Lai Chin",
        nationality="CA",
        residence_country="CA",
        time_zone="America/Vancouver",
        preferred_language="en",
        email=EMAIL,
        registered_by=city,
    )


@pytest.fixture
def respondent(city):
    """A villager in mainland China: signs the paper copy at the village committee."""
    return PersonFactory(
        name_zh="李德明",
        name_latin="",
        residence_country="CN",
        time_zone="Asia/Shanghai",
        registered_by=city,
    )


@pytest.fixture
def sent(mediated, representative, respondent, officer, roster_mediator):
    """The association against the villager, mediation ended in a written agreement;
    version 1 drafted (bilingual: the representative reads English), sent and rendered.
    The representative consented to e-mail and to data going abroad. Returns the case
    and the representative's party."""
    association = AssociationFactory(name="加拿大温哥华谭氏宗亲会", country="CA")
    association.representatives.add(representative)
    case = mediated(
        parties=[
            PartyInput(role=Party.Role.CLAIMANT, association=association),
            PartyInput(role=Party.Role.RESPONDENT, person=respondent),
        ]
    )
    agent = case.parties.get(person=representative)
    for purpose in (Consent.Purpose.ELECTRONIC_SERVICE, Consent.Purpose.CROSS_BORDER):
        record_consent(
            case=case,
            actor=officer,
            party=agent,
            purpose=purpose,
            given=True,
            how=Consent.How.SIGNED_FORM,
            given_by=str(agent.subject),
        )
    mediator = roster_mediator.user
    services.save_draft(case=case, actor=mediator, draft=agreement_draft(case))
    services.send_for_confirmation(case=case, actor=mediator)
    _render(case)
    return case, agent


def _agreement(case) -> SettlementAgreement:
    return SettlementAgreement.objects.select_related("document", "effective_document").get(
        case=case
    )


def _render(case) -> None:
    """The agreement's PDFs as the worker leaves them, if nothing rendered them yet."""
    found = _agreement(case)
    for document in (found.document, found.effective_document):
        if document is not None and document.rendering != Document.Rendering.READY:
            render_document(document_id=document.pk)


def _code_sent() -> str:
    message = Message.objects.filter(to_address=EMAIL, kind=services.CODE_EMAIL).latest("pk")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_agreement_is_confirmed_by_link_on_paper_and_signed_by_the_mediator(
    live_server, sent, officer, roster_mediator, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    SHOTS.mkdir(parents=True, exist_ok=True)
    case, agent = sent
    document = _agreement(case).document
    assert document.rendering == Document.Rendering.READY
    _link, token = links.issue_link(case=case, actor=officer, party=agent, language="en")
    home = live_server.url + reverse("portal:home", args=[token])
    mediator = roster_mediator.user
    mediator.set_password(DEMO_PASSWORD)
    mediator.save()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        options = {"locale": "en-CA", "timezone_id": "America/Vancouver"}
        phone = browser.new_context(viewport=PHONE, is_mobile=True, **options).new_page()

        # 1. The representative reads version 1 and its fingerprint, in English.
        phone.goto(home)
        expect(phone.locator("html")).to_have_attribute("lang", "en")
        section = phone.locator("#agreement")
        expect(section.locator("h2")).to_have_text("Your settlement agreement")
        expect(section).to_contain_text("version 1")
        shown = section.locator("code.sha256").first.inner_text()
        assert "".join(shown.split()) == document.sha256
        expect(section).to_contain_text("Nobody has confirmed this version yet.")
        section.scroll_into_view_if_needed()
        _shot(phone, "q9-01-to-confirm")

        # Step 1: a code by e-mail; step 2: the code typed in.
        section.locator("button:has-text('Send me a code by e-mail')").click()
        expect(phone.locator("#agreement")).to_contain_text("We sent a code to l***@example.ca")
        _shot(phone, "q9-02-code-sent")
        phone.fill("#id_confirm_code", _code_sent())
        phone.locator("#agreement button.primary:has-text('Confirm version 1')").click()
        expect(phone.locator("#agreement .portal-done")).to_contain_text(
            "You confirmed version 1 on"
        )
        _shot(phone, "q9-03-confirmed")

        [confirmation] = Confirmation.objects.filter(agreement__case=case)
        assert confirmation.method == Confirmation.Method.LINK
        assert confirmation.party == agent and confirmation.sha256 == document.sha256
        assert confirmation.email == EMAIL
        assert confirmation.ip in ("127.0.0.1", "::1")
        assert "Chrome" in confirmation.user_agent

        # 2. The respondent's signed paper copy, filed by the officer: everyone confirmed.
        respondent = case.parties.get(role=Party.Role.RESPONDENT)
        services.file_paper_copy(
            case=case,
            actor=officer,
            party_pk=respondent.pk,
            upload=blank_pdf("调解协议书签署件.pdf"),
            sha256=document.sha256,
        )
        assert not selectors.unconfirmed(_agreement(case))
        phone.goto(home)
        expect(phone.locator("#agreement")).to_contain_text("Confirmed so far by:")
        _shot(phone, "q9-04-all-confirmed")

        # 3. The mediator, at the office: the task in their list, then the agreement page.
        desk = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
        base = live_server.url
        log_in(desk, base, mediator.username)
        row = desk.locator("table.queue tr", has_text=case.number)
        expect(row).to_contain_text("签订调解协议书")  # "Conclude the settlement agreement"
        _shot(desk, "q9-05-mediator-tasks")
        desk.goto(base + reverse("agreements:case", args=[case.pk]))
        page_sha = desk.locator("#version code.sha256").inner_text()
        assert "".join(page_sha.split()) == document.sha256
        expect(desk.locator("#version")).to_contain_text("各方当事人均已确认此版本。")
        expect(desk.locator("#version a.button.primary")).to_contain_text("签署协议")
        _shot(desk, "q9-06-agreement-page")
        # To the signing task by the page's own button.
        desk.locator("#version a.button.primary").click()
        sign = desk.locator("input[name=sign]")
        expect(sign).to_be_visible()
        sign.check()
        _shot(desk, "q9-07-sign-task")
        desk.locator("button.primary:has-text('签署协议')").click()
        # Back on the case page, the task done and the case settled.
        expect(desk.locator(".messages")).to_contain_text("签订调解协议书")
        _shot(desk, "q9-08-after-signing")

        agreement = _agreement(case)
        assert agreement.status == SettlementAgreement.Status.EFFECTIVE
        case.refresh_from_db()
        assert case.status == "settled"
        _render(case)
        desk.goto(base + reverse("agreements:case", args=[case.pk]))
        effective = desk.locator("#effective")
        expect(effective).to_be_visible()
        effective_sha = effective.locator("code.sha256").inner_text()
        assert "".join(effective_sha.split()) == _agreement(case).effective_document.sha256
        expect(effective.locator("a").first).to_have_attribute(
            "href", reverse("documents:download", args=[agreement.effective_document_id])
        )
        _shot(desk, "q9-09-effective")

        # The representative's page now shows the copy in effect.
        phone.goto(home)
        expect(phone.locator("#agreement")).to_contain_text("The agreement is in effect from")
        _shot(phone, "q9-10-in-effect")
        browser.close()
