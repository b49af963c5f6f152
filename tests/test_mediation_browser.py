"""[Q8] The party's own link at the keyboard (Debian's chromium driven by Playwright): the
representative of a clan association in Vancouver, who reads English, opens the link the
officer sent. The page is in English; the next mediation session shows in Vancouver time
(not Beijing's); the calendar file downloaded from it starts in America/Vancouver; a
statement with a PDF goes through the send form and is listed as sent; the 调解笔录 of
round one is confirmed, the answer keeping the SHA-256 of the PDF the link serves. The
same page switched to 繁體中文 on the page's language switch. Every step on a phone
(390 px); the overview on an office screen (1366 px) too. Screenshots land in
test-artifacts/browser/q8-*.png."""

from __future__ import annotations

import datetime
import hashlib
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from cases import links
from cases.calendar import organisation_today
from cases.models import Consent, Party
from cases.services import PartyInput, record_consent
from documents.models import Document, Submission
from documents.services import render_document
from mediation.sessions import records, services
from mediation.sessions.models import MediationSession, RecordResponse

from .conftest import CHROMIUM
from .factories import AssociationFactory, PersonFactory
from .test_browser import ARGS, SHOTS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

VANCOUVER = ZoneInfo("America/Vancouver")
BEIJING = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
STATEMENT = "The clan's records of the grave site since 1998 are attached."


@pytest.fixture
def representative(city):
    """The association's representative: lives in Vancouver, reads English."""
    return PersonFactory(
        name_zh="谭丽珍",
        name_latin="Tham Lai Chin",
        nationality="CA",
        residence_country="CA",
        time_zone="America/Vancouver",
        preferred_language="en",
        registered_by=city,
    )


@pytest.fixture
def in_mediation(intake, do, legal_review, mediating, officer, representative):
    """The association's complaint through review to mediation, its mediator declared; the
    representative consents to online mediation, e-mail and data going abroad."""
    association = AssociationFactory(name="加拿大温哥华谭氏宗亲会", country="CA")
    association.representatives.add(representative)
    case = intake(parties=[PartyInput(role=Party.Role.CLAIMANT, association=association)])
    case = do(case, "screen", {"notes": "可受理"})
    case = do(case, "decide", {"decision": "accept", "reason": ""})
    case = do(legal_review(case, "mediation"), "route", {"route": "mediation", "notes": ""})
    case = mediating(case)
    agent = case.parties.get(person=representative)
    for purpose in (
        Consent.Purpose.ONLINE_MEDIATION,
        Consent.Purpose.ELECTRONIC_SERVICE,
        Consent.Purpose.CROSS_BORDER,
    ):
        record_consent(
            case=case,
            actor=officer,
            party=agent,
            purpose=purpose,
            given=True,
            how=Consent.How.SIGNED_FORM,
            given_by=str(agent.subject),
        )
    return case, agent


def _online(agent: Party, starts_at: datetime.datetime) -> services.SessionDetails:
    return services.SessionDetails(
        mode=MediationSession.Mode.ONLINE,
        starts_at=starts_at,
        video_link="https://meeting.example.cn/j/tham-1",
        set_in_zone="Asia/Shanghai",
        parties=[agent],
    )


@pytest.fixture
def rounds(in_mediation, officer, roster_mediator):
    """Round one held yesterday, its 调解笔录 issued and rendered; round two planned a week
    ahead at 09:30 Beijing time. Returns the case, the representative's party, the record
    and round two."""
    case, agent = in_mediation
    mediator = roster_mediator.user
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    first = services.schedule_session(case=case, actor=mediator, details=_online(agent, tomorrow))
    # Time passes: it took place yesterday.
    MediationSession.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=1)
    )
    records.write_record(
        session_pk=first.pk,
        actor=mediator,
        statements="谭丽珍代表宗亲会陈述：祖坟周边土地自1998年起由宗亲会管理。",
        summary="双方同意先行恢复祭扫通道。",
        attended={a.pk: True for a in first.attendees.all()},
        proposals=[],
    )
    record = records.issue_record(session_pk=first.pk, actor=mediator)
    if Document.objects.get(pk=record.document_id).rendering != Document.Rendering.READY:
        render_document(document_id=record.document_id)  # rendered after commit, eagerly
    record.refresh_from_db()
    day = organisation_today() + datetime.timedelta(days=7)
    second_at = datetime.datetime(day.year, day.month, day.day, 9, 30, tzinfo=BEIJING)
    second = services.schedule_session(case=case, actor=officer, details=_online(agent, second_at))
    return case, agent, record, second


def _statement_pdf() -> dict:
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(out)
    return {"name": "grave-records.pdf", "mimeType": "application/pdf", "buffer": out.getvalue()}


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_representative_in_vancouver_follows_mediation_from_their_link(
    live_server, rounds, officer, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop
    SHOTS.mkdir(parents=True, exist_ok=True)
    case, agent, record, second = rounds
    _link, token = links.issue_link(case=case, actor=officer, party=agent, language="en")
    home = live_server.url + reverse("portal:home", args=[token])
    start = second.starts_at.astimezone(VANCOUVER)
    end = second.ends_at.astimezone(VANCOUVER)
    # 09:30 in Beijing is the evening before in Vancouver.
    assert start.date() < second.starts_at.astimezone(BEIJING).date()
    local = f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        options = {"locale": "en-CA", "timezone_id": "America/Vancouver", "accept_downloads": True}
        desktop = browser.new_context(viewport=DESKTOP, **options).new_page()
        page = browser.new_context(viewport=PHONE, is_mobile=True, **options).new_page()

        # 1. The page opens in English, the next session in Vancouver time.
        for size, where in (("phone", page), ("desktop", desktop)):
            where.goto(home)
            expect(where.locator("html")).to_have_attribute("lang", "en")
            expect(where.locator("#stage-title")).to_have_text("Where your case stands")
            session = where.locator("#next-session")
            expect(session.locator("h2")).to_have_text("Your next mediation session")
            expect(session.locator(".portal-when time")).to_have_text(local)
            expect(session.locator(".portal-when")).to_contain_text("Vancouver")
            _shot(where, f"q8-01-overview-{size}")

        # 2. The calendar file, in the party's zone.
        with page.expect_download() as downloaded:
            page.click("#next-session a:has-text('Add it to your calendar')")
        ics = Path(downloaded.value.path()).read_bytes().decode()
        assert f"DTSTART;TZID=America/Vancouver:{start:%Y%m%dT%H%M%S}\r\n" in ics
        assert downloaded.value.suggested_filename == f"mediation-{second.round}.ics"
        _shot(page, "q8-02-calendar")

        # 3. A statement with a PDF, through the send form.
        page.fill("textarea[name=text]", STATEMENT)
        page.set_input_files("input[name=upload]", _statement_pdf())
        page.fill("input[name=title]", "Records of the grave site")
        page.locator("#send").scroll_into_view_if_needed()
        _shot(page, "q8-03-send")
        page.click("#send button.primary")
        expect(page.locator("#send .portal-done")).to_contain_text("we have received it")
        sent = page.locator("#sent-by-you")
        expect(sent).to_contain_text("Records of the grave site")
        expect(sent).to_contain_text(STATEMENT)
        _shot(page, "q8-04-sent")
        submission = Submission.objects.get(case=case, party=agent)
        assert submission.text == STATEMENT and submission.evidence.page_count == 1

        # 4. The 调解笔录: the PDF the link serves, then confirmed as written.
        entry = page.locator(f"#record-{record.pk}")
        pdf_link = entry.locator("a:has-text('调解笔录')")
        served = page.request.get(live_server.url + pdf_link.get_attribute("href"))
        assert served.ok and served.body().startswith(b"%PDF-")
        sha256 = hashlib.sha256(served.body()).hexdigest()
        expect(entry.locator("code.sha256")).to_have_text(sha256)
        entry.scroll_into_view_if_needed()
        _shot(page, "q8-05-record")
        entry.locator("button[value=confirm]").click()
        expect(page.locator(f"#record-{record.pk} .portal-done")).to_contain_text(
            "You confirmed this record on"
        )
        _shot(page, "q8-06-confirmed")
        answer = RecordResponse.objects.get(record=record, party=agent)
        assert answer.confirmed and answer.document_sha256 == sha256

        # 5. The same link in 繁體中文, switched on the page.
        for size, where in (("phone", page), ("desktop", desktop)):
            where.goto(home)
            where.click(".portal-language button[value='zh-hant']")
            expect(where.locator("html")).to_have_attribute("lang", "zh-Hant")
            expect(where.locator(".portal-language button.current")).to_have_text("繁體中文")
            expect(where.locator("#next-session .portal-when time")).to_have_text(local)
            _shot(where, f"q8-07-zh-hant-{size}")
        browser.close()
