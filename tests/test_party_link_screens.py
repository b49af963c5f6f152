"""A party's own page on a phone (390×844) and an office screen (1366×768), in each of its
three languages: no sideways scroll, axe-core finds nothing, every target on a phone is at
least 44 × 44 px, and no date is broken over two lines. So is the page of a refused link,
and the officer's panel of the links on the case page. Screenshots go to
test-artifacts/browser/."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import sync_playwright

from cases import links
from cases.models import Consent, Party
from cases.services import record_consent
from documents.models import DocumentKind
from documents.services import issue_document
from documents.submissions import send_submission

from .conftest import CHROMIUM
from .test_browser import ARGS, SHOTS
from .test_party_link import ready
from .test_screens import (
    SIZES,
    _axe,
    _broken_dates,
    _half_width,
    _new_context,
    _overflow,
    _small_targets,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def token(case, officer):
    party = case.parties.get(role=Party.Role.CLAIMANT)
    record_consent(
        case=case,
        actor=officer,
        party=party,
        purpose=Consent.Purpose.CROSS_BORDER,
        given=True,
        how=Consent.How.SIGNED_FORM,
        given_by=str(party.subject),
    )
    ready(issue_document(case=case, kind=DocumentKind.ACCEPTANCE_NOTICE, actor=officer))
    link, token = links.issue_link(case=case, actor=officer, party=party, language="en")
    send_submission(link=link, text="墓地东侧的围墙是去年十月建的，附上照片。" * 3)
    return token


def test_the_party_s_page_fits_a_phone_and_passes_axe(live_server, token):
    home = live_server.url + reverse("portal:home", args=[token])
    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size, viewport in SIZES.items():
            context = _new_context(browser, viewport=viewport)
            page = context.new_page()
            for language in ("en", "zh-hans", "zh-hant"):
                page.goto(home)
                page.click(f".portal-language button[value='{language}']")
                page.wait_for_load_state()
                check = [*_overflow(page), *_axe(page), *_broken_dates(page)]
                if language != "en":
                    check += _half_width(page)
                if size == "phone":
                    check += _small_targets(page)
                found += [f"{size} {language}: {problem}" for problem in check]
                page.screenshot(path=SHOTS / f"party-page-{size}-{language}.png", full_page=True)
            page.goto(live_server.url + reverse("portal:home", args=["not-a-token"]))
            found += [f"{size} refused: {p}" for p in [*_overflow(page), *_axe(page)]]
            page.screenshot(path=SHOTS / f"party-page-refused-{size}.png", full_page=True)
            context.close()
        browser.close()
    assert not found, "\n".join(found)


def test_the_officer_s_panel_of_links_fits_a_phone_and_passes_axe(
    live_server, token, case, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size, viewport in SIZES.items():
            context = _new_context(browser, viewport=viewport)
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "officer")
            page.fill("input[name=password]", "pw")
            page.click("button.primary")
            page.wait_for_url(f"{live_server.url}/queue/")
            page.goto(live_server.url + case.get_absolute_url())
            check = [*_overflow(page), *_axe(page), *_broken_dates(page), *_half_width(page)]
            if size == "phone":
                check += _small_targets(page)
            found += [f"{size}: {problem}" for problem in check]
            page.locator("#party-links").screenshot(path=SHOTS / f"party-links-panel-{size}.png")
            context.close()
        browser.close()
    assert not found, "\n".join(found)
