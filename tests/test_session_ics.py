"""[Q8] item 3, invitations: each participant of a mediation session gets an e-mail with an
.ics in their own zone and language (its update when the session moves, its cancellation),
and a reminder the day before, once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation
from icalendar import Calendar

from cases.models import Message
from mediation.sessions import ics, mail
from mediation.sessions.models import Attendee, MediationSession
from workflows.services import fire_clocks

from . import test_session_times as shared
from .test_session_times import THAM, WONG, at

# The sessions, parties and mediator of the time-zone tests (pytest finds fixtures by name).
claimant_party = shared.claimant_party
consented = shared.consented
mediator = shared.mediator
respondent = shared.respondent
session_at = shared.session_at

WINTER = at(2026, 12, 15, 1, 30)  # 09:30–11:00 in Beijing and Kuala Lumpur


def parsed(text: str):
    calendar = Calendar.from_ical(text)
    (event,) = calendar.events
    return calendar, event


def attendee(session, name: str) -> Attendee:
    return next(a for a in session.attendees.all() if a.display_name == name)


@pytest.fixture
def session(session_at):
    return session_at(WINTER)


# The .ics of each attendee ----------------------------------------------------------------


def test_it_writes_the_claimants_calendar_in_kuala_lumpur_and_chinese(session):
    text = ics.session_invitation(session, attendee(session, THAM))
    calendar, event = parsed(text)

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["PRODID"] == "-//Qiaowei//Mediation sessions//ZH"
    assert "DTSTART;TZID=Asia/Kuala_Lumpur:20261215T093000\r\n" in text
    assert "DTEND;TZID=Asia/Kuala_Lumpur:20261215T110000\r\n" in text
    assert [zone["TZID"] for zone in calendar.timezones] == ["Asia/Kuala_Lumpur"]
    assert calendar.get_missing_tzids() == set()
    assert event["SUMMARY"] == f"调解（第1轮）：{session.case.number}"
    assert f"案件{session.case.number}：{session.case.title}" in event["DESCRIPTION"]
    assert "您当地时间：2026-12-15 09:30–11:00（吉隆坡，UTC+8）" in event["DESCRIPTION"]
    assert "北京时间：2026-12-15 09:30–11:00 CST（上海，UTC+8）" in event["DESCRIPTION"]


def test_it_writes_the_respondents_calendar_in_vancouver_and_english(session):
    text = ics.session_invitation(session, attendee(session, WONG))
    calendar, event = parsed(text)

    # 09:30 in Beijing on 15 December is 17:30 the day before in Vancouver (PST).
    assert "DTSTART;TZID=America/Vancouver:20261214T173000\r\n" in text
    assert "DTEND;TZID=America/Vancouver:20261214T190000\r\n" in text
    assert event.start == WINTER
    assert [zone["TZID"] for zone in calendar.timezones] == ["America/Vancouver"]
    assert calendar.timezones[0].daylight, "Vancouver's VTIMEZONE lacks its summer time"
    assert event["SUMMARY"] == f"Mediation, round 1: case {session.case.number}"
    assert "Your time: 2026-12-14 17:30–19:00 PST (Vancouver, UTC-8)" in event["DESCRIPTION"]
    assert "Beijing time: 2026-12-15 09:30–11:00 CST (Shanghai, UTC+8)" in event["DESCRIPTION"]


def test_it_writes_vancouver_in_summer_at_daylight_time(session_at):
    summer = session_at(at(2026, 7, 15, 1, 30))
    text = ics.session_invitation(summer, attendee(summer, WONG))

    assert "DTSTART;TZID=America/Vancouver:20260714T183000\r\n" in text
    assert "(Vancouver, UTC-7)" in parsed(text)[1]["DESCRIPTION"]


def test_it_writes_in_chinese_for_a_reader_of_traditional_chinese(session):
    # Traditional Chinese until its catalogue has the message; never English.
    reader = attendee(session, "陈美玲")
    reader.language = "zh-hant"

    _, event = parsed(ics.session_invitation(session, reader))

    assert event["SUMMARY"].startswith(("调解（第1轮）", "調解（第1輪）"))


def test_it_writes_in_english_for_a_reader_of_neither_chinese(session):
    # The e-mail it comes with is in English too (cases.notifications.party_language).
    reader = attendee(session, "陈美玲")
    reader.language = "ms"

    _, event = parsed(ics.session_invitation(session, reader))

    assert event["SUMMARY"].startswith("Mediation, round 1")


def test_it_names_the_session_and_its_reader_alone(session, mediator):
    text = ics.session_invitation(session, attendee(session, THAM))
    _, event = parsed(text)

    assert event["UID"] == f"session-{session.pk}@qiaowei.invalid"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == event["URL"] == "https://meet.example.cn/j/8812"
    assert event["ORGANIZER"] == "mailto:huang@tiaojie.example.cn"
    assert event["ORGANIZER"].params["CN"] == "黄志明"
    # The other party's address is not the claimant's to read.
    ((address, params),) = [(str(a), a.params) for a in event.attendees]
    assert address == "mailto:tham.wh@example.my"
    assert params["CN"] == THAM
    assert params["RSVP"] == "TRUE"
    assert "wong.meiling" not in text


def test_it_gives_the_place_of_a_session_in_person(session_at):
    in_person = session_at(
        WINTER, mode=MediationSession.Mode.IN_PERSON, place="紫金县人民调解委员会", video_link=""
    )

    _, event = parsed(ics.session_invitation(in_person, attendee(in_person, THAM)))

    assert event["LOCATION"] == "紫金县人民调解委员会"
    assert "URL" not in event


def test_it_keeps_the_uid_and_raises_the_sequence_when_the_session_moves(session):
    first = parsed(ics.session_invitation(session, attendee(session, WONG)))[1]
    session.starts_at = at(2026, 12, 16, 1, 30)
    session.sequence += 1
    session.save()

    text = ics.session_invitation(session, attendee(session, WONG))
    _, moved = parsed(text)

    assert moved["UID"] == first["UID"]
    assert moved["SEQUENCE"] == 1
    assert "DTSTART;TZID=America/Vancouver:20261215T173000\r\n" in text


def test_it_cancels_a_cancelled_session(session):
    session.cancel("被申请人住院")
    session.save()

    text = ics.session_invitation(session, attendee(session, WONG))
    calendar, event = parsed(text)

    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert event["UID"] == f"session-{session.pk}@qiaowei.invalid"
    assert "Cancelled: 被申请人住院" in event["DESCRIPTION"]
    assert "RSVP" not in text


def test_it_gives_a_file_without_method_to_download(session):
    with translation.override("en"):
        text = ics.session_calendar(session, "America/Vancouver")
    calendar, event = parsed(text)

    assert "METHOD" not in calendar
    assert "DTSTART;TZID=America/Vancouver:20261214T173000\r\n" in text
    assert event["SUMMARY"].startswith("Mediation, round 1")
    assert not event.attendees
    assert ics.content_type("") == "text/calendar; charset=utf-8"


# The invitations by e-mail ----------------------------------------------------------------


@pytest.fixture
def ahead(session_at):
    """A session ten days from now, at 01:30 UTC."""
    day = timezone.now().date() + datetime.timedelta(days=10)
    return session_at(datetime.datetime.combine(day, datetime.time(1, 30), datetime.UTC))


def messages(kind: str) -> dict[str, Message]:
    return {m.to_address: m for m in Message.objects.filter(kind=kind)}


# The interpreter of ``session_at``, named with an address (tests/test_session_guest_mail.py).
CHEN = "chen.meiling@example.cn"


def test_it_invites_each_party_in_their_language_with_their_calendar(
    ahead, claimant_party, respondent, consented
):
    consented(claimant_party, respondent)

    missed = mail.send_invitations(ahead)

    sent = messages(mail.INVITATION)
    assert set(sent) == {"tham.wh@example.my", "wong.meiling@example.ca", CHEN}
    tham, wong = sent["tham.wh@example.my"], sent["wong.meiling@example.ca"]
    assert tham.subject.startswith("调解通知：第1轮调解")
    assert tham.body.startswith("谭永康：")
    assert wong.subject.startswith("Invitation: mediation, round 1")
    assert wong.body.startswith("Dear Wong Mei Ling,")
    for message, zone in [(tham, "Asia/Kuala_Lumpur"), (wong, "America/Vancouver")]:
        assert message.attachment_name == "mediation.ics"
        assert message.attachment_type == "text/calendar; charset=utf-8; method=REQUEST"
        assert f"DTSTART;TZID={zone}:" in message.attachment
    # The interpreter, named with an address only, is sent hers there.
    assert missed == []


def test_it_gives_the_time_in_their_zone_and_in_beijing(session_at, respondent, consented):
    consented(respondent)
    mail.send_invitations(session_at(at(2026, 7, 15, 1, 30)))

    wong = messages(mail.INVITATION)["wong.meiling@example.ca"]

    assert "Your time: 2026-07-14 18:30–20:00 PDT (Vancouver, UTC-7)" in wong.body
    assert "Beijing time: 2026-07-15 09:30–11:00 CST (Shanghai, UTC+8)" in wong.body
    assert "Online: https://meet.example.cn/j/8812" in wong.body


def test_it_sends_nothing_to_a_party_who_did_not_consent(ahead, claimant_party, consented):
    consented(claimant_party)

    missed = mail.send_invitations(ahead)

    assert set(messages(mail.INVITATION)) == {"tham.wh@example.my", CHEN}
    assert {a.display_name for a in missed} == {WONG}


def test_it_sends_an_invitation_once_and_an_update_when_the_session_moves(
    ahead, claimant_party, respondent, consented
):
    consented(claimant_party, respondent)
    mail.send_invitations(ahead)
    mail.send_invitations(ahead)  # the same step again: nothing new

    ahead.starts_at += datetime.timedelta(days=1)
    ahead.sequence += 1
    ahead.save()
    mail.send_invitations(ahead, update=True)

    assert Message.objects.filter(kind=mail.INVITATION).count() == 3
    wong = messages(mail.UPDATE)["wong.meiling@example.ca"]
    assert wong.subject.startswith("Session moved: mediation, round 1")
    _, event = parsed(wong.attachment)
    assert event["SEQUENCE"] == 1
    assert event.start == ahead.starts_at


def test_it_sends_the_cancellation(ahead, claimant_party, respondent, consented):
    consented(claimant_party, respondent)
    mail.send_invitations(ahead)
    ahead.cancel("被申请人住院")
    ahead.save()

    mail.send_cancellation(ahead)

    wong = messages(mail.CANCELLED)["wong.meiling@example.ca"]
    assert wong.subject.startswith("Session cancelled: mediation, round 1")
    assert "The mediation session is cancelled: 被申请人住院" in wong.body
    assert wong.attachment_type == "text/calendar; charset=utf-8; method=CANCEL"
    calendar, event = parsed(wong.attachment)
    assert calendar["METHOD"] == "CANCEL"
    assert event["SEQUENCE"] == 1


# Reminders ------------------------------------------------------------------------------


def test_it_reminds_each_party_once_the_day_before(ahead, claimant_party, respondent, consented):
    consented(claimant_party, respondent)
    mail.send_invitations(ahead)
    day_before = ahead.starts_at - datetime.timedelta(hours=20)

    assert mail.send_reminders(now=day_before - datetime.timedelta(days=1)) == 0
    assert mail.send_reminders(now=day_before) == 3  # the interpreter too
    assert mail.send_reminders(now=day_before + datetime.timedelta(hours=1)) == 0

    sent = messages(mail.REMINDER)
    assert set(sent) == {"tham.wh@example.my", "wong.meiling@example.ca", CHEN}
    assert sent["tham.wh@example.my"].subject.startswith("调解提醒：第1轮调解")
    assert sent["wong.meiling@example.ca"].subject.startswith("Reminder: mediation, round 1")
    assert "Your time: " in sent["wong.meiling@example.ca"].body


def test_it_reminds_a_party_again_when_the_session_moved(
    ahead, claimant_party, respondent, consented
):
    consented(claimant_party)
    # The claimant and the interpreter, each time.
    assert mail.send_reminders(now=ahead.starts_at - datetime.timedelta(hours=20)) == 2

    ahead.starts_at += datetime.timedelta(days=2)
    ahead.sequence += 1
    ahead.save()
    mail.send_invitations(ahead, update=True)

    assert mail.send_reminders(now=ahead.starts_at - datetime.timedelta(hours=20)) == 2
    assert Message.objects.filter(kind=mail.REMINDER).count() == 4


def test_it_does_not_remind_of_a_cancelled_session(ahead, claimant_party, consented):
    consented(claimant_party)
    ahead.cancel("改期另行通知")
    ahead.save()

    assert mail.send_reminders(now=ahead.starts_at - datetime.timedelta(hours=20)) == 0


def test_an_invitation_within_the_day_is_its_reminder(session_at, claimant_party, consented):
    consented(claimant_party)
    soon = session_at(timezone.now() + datetime.timedelta(hours=5))

    mail.send_invitations(soon)

    assert mail.send_reminders() == 0
    assert not Message.objects.filter(kind=mail.REMINDER).exists()


def test_it_reminds_a_party_who_consents_later(ahead, claimant_party, consented):
    day_before = ahead.starts_at - datetime.timedelta(hours=20)
    assert mail.send_reminders(now=day_before) == 1  # the interpreter alone

    consented(claimant_party)

    assert mail.send_reminders(now=day_before + datetime.timedelta(hours=1)) == 1


def test_the_hourly_clock_sweep_sends_the_reminders(session_at, claimant_party, consented):
    consented(claimant_party)
    session_at(timezone.now() + datetime.timedelta(hours=20))

    assert fire_clocks()["session_reminders"] == 2  # the claimant and the interpreter
    assert fire_clocks()["session_reminders"] == 0
