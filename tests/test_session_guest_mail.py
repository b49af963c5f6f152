"""[Q8] item 3, invitations to someone attending who is not a party: an interpreter or an
adviser named with an address, a zone and a language is sent the session's invitation, its
update, its cancellation and its reminder like the parties, in their language, the .ics in
their zone; the outbox holds a message to an address alone (``cases.notifications.
notify_address``), and the case page and the admin show it."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cases.mail import queue_message
from cases.models import Message
from cases.notifications import notify_address
from mediation.sessions import mail
from mediation.sessions.models import Attendee
from mediation.sessions.times import SessionTime

from . import test_session_times as shared

# The sessions, parties and mediator of the time-zone tests (pytest finds fixtures by name).
claimant_party = shared.claimant_party
mediator = shared.mediator
respondent = shared.respondent
session_at = shared.session_at

CHEN = "chen.meiling@example.cn"  # the interpreter ``session_at`` names


@pytest.fixture
def ahead(session_at):
    """A session ten days from now, at 01:30 UTC."""
    day = timezone.now().date() + datetime.timedelta(days=10)
    return session_at(datetime.datetime.combine(day, datetime.time(1, 30), datetime.UTC))


@pytest.fixture
def interpreter(ahead) -> Attendee:
    """The interpreter, moved to Toronto, reading English: neither the parties' zones nor
    their languages."""
    attendee = ahead.attendees.get(party__isnull=True)
    attendee.time_zone = "America/Toronto"
    attendee.language = "en"
    attendee.save()
    return attendee


def to_chen(kind: str) -> list[Message]:
    return list(Message.objects.filter(kind=kind, to_address=CHEN))


def parsed(text: str):
    calendar = Calendar.from_ical(text)
    (event,) = calendar.events
    return calendar, event


# The session's e-mails --------------------------------------------------------------------


def test_the_interpreter_is_invited_in_her_language_with_her_calendar(ahead, interpreter):
    missed = mail.send_invitations(ahead)

    (message,) = to_chen(mail.INVITATION)
    assert (message.recipient, message.party, message.case) == (None, None, ahead.case)
    assert message.subject == f"Invitation: mediation, round 1 (case {ahead.case.number})"
    assert message.body.startswith("Dear 陈美玲,")
    toronto = timezone.localtime(ahead.starts_at, interpreter.zone)
    assert f"Your time: {toronto:%Y-%m-%d %H:%M}" in message.body
    assert "Beijing time: " in message.body
    assert message.attachment_type == "text/calendar; charset=utf-8; method=REQUEST"
    calendar, event = parsed(message.attachment)
    assert f"DTSTART;TZID=America/Toronto:{toronto:%Y%m%dT%H%M%S}\r\n" in message.attachment
    assert [zone["TZID"] for zone in calendar.timezones] == ["America/Toronto"]
    assert event["SUMMARY"].startswith("Mediation, round 1")
    # She alone is named on her calendar: the parties' addresses are not hers to read.
    assert [str(a) for a in event.attendees] == [f"mailto:{CHEN}"]
    assert interpreter not in missed


def test_a_reader_of_chinese_is_invited_in_chinese_in_shanghai(ahead):
    mail.send_invitations(ahead)  # the interpreter as named: Shanghai, 简体中文

    (message,) = to_chen(mail.INVITATION)
    assert message.subject.startswith("调解通知：第1轮调解")
    assert message.body.startswith("陈美玲：")
    assert "DTSTART;TZID=Asia/Shanghai:" in message.attachment


def test_a_move_sends_her_the_update_once(ahead, interpreter):
    mail.send_invitations(ahead)
    ahead.starts_at += datetime.timedelta(days=1)
    ahead.sequence += 1
    ahead.save()

    mail.send_invitations(ahead, update=True)
    mail.send_invitations(ahead, update=True)  # the same step again: nothing new

    assert len(to_chen(mail.INVITATION)) == 1
    (update,) = to_chen(mail.UPDATE)
    assert update.subject.startswith("Session moved: mediation, round 1")
    _, event = parsed(update.attachment)
    assert event["SEQUENCE"] == 1
    assert event.start == ahead.starts_at


def test_she_is_told_of_the_cancellation(ahead, interpreter):
    mail.send_invitations(ahead)
    ahead.cancel("被申请人住院")
    ahead.save()

    assert interpreter not in mail.send_cancellation(ahead)

    (cancelled,) = to_chen(mail.CANCELLED)
    assert cancelled.attachment_type == "text/calendar; charset=utf-8; method=CANCEL"
    assert "The mediation session is cancelled: 被申请人住院" in cancelled.body


def test_she_is_reminded_once_the_day_before(ahead, interpreter):
    day_before = ahead.starts_at - datetime.timedelta(hours=20)

    # No party consented: she alone is reminded.
    assert mail.send_reminders(now=day_before) == 1
    assert mail.send_reminders(now=day_before + datetime.timedelta(hours=1)) == 0

    (reminder,) = to_chen(mail.REMINDER)
    assert reminder.subject.startswith("Reminder: mediation, round 1")
    assert reminder.attachment_name == ""
    interpreter.refresh_from_db()
    assert interpreter.reminded_at == day_before


def test_someone_named_without_an_address_is_missed(ahead, interpreter):
    interpreter.email = ""
    interpreter.save()

    assert mail.send_invitations(ahead) == [
        *ahead.attendees.filter(party__isnull=False),
        interpreter,
    ]
    assert mail.send_reminders(now=ahead.starts_at - datetime.timedelta(hours=20)) == 0
    assert not Message.objects.exists()


# The outbox -------------------------------------------------------------------------------


def reminder_context(session) -> dict:
    when = SessionTime(session.starts_at, session.duration_minutes)
    return {
        "case": session.case,
        "session": session,
        "name": "陈美玲",
        "when": when,
        "beijing": "Asia/Shanghai",
    }


def test_notify_address_writes_in_the_readers_script_else_english(ahead):
    context = reminder_context(ahead)

    def subject(language: str) -> str:
        message = notify_address(
            address=f"{language}@example.org",
            language=language,
            zone="Europe/London",
            name=mail.REMINDER,
            context=context,
        )
        return message.subject

    assert subject("zh-hans").startswith("调解提醒：第1轮调解")
    assert subject("zh-hant").startswith("調解提醒：第1輪調解")
    assert subject("ms").startswith("Reminder: mediation, round 1")


def test_notify_address_sends_a_reference_to_an_address_once(ahead):
    send = {
        "language": "en",
        "zone": "UTC",
        "name": mail.REMINDER,
        "context": reminder_context(ahead),
    }

    first = notify_address(address=CHEN, reference="sessions_reminder:1:0", **send)
    again = notify_address(address=CHEN, reference="sessions_reminder:1:0", **send)
    other = notify_address(address="adviser@example.org", reference="sessions_reminder:1:0", **send)

    assert first is not None and again is None and other is not None
    assert notify_address(address="", **send) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        queue_message(
            address=CHEN, kind="x", subject="s", body="b", reference="sessions_reminder:1:0"
        )


def test_a_message_goes_to_one_of_a_user_a_party_or_an_address(claimant_party, officer):
    for to in (
        {},
        {"recipient": officer, "address": CHEN},
        {"party": claimant_party, "address": CHEN},
    ):
        with pytest.raises(ValueError):
            queue_message(kind="x", subject="s", body="b", **to)

    message = queue_message(address=CHEN, kind="x", subject="s", body="b")

    assert (message.to_address, message.recipient, message.party) == (CHEN, None, None)


def test_the_database_refuses_a_message_to_nobody_or_to_both(claimant_party, officer):
    fields = {"kind": "x", "subject": "s", "body": "b"}
    for to in (
        {"to_address": ""},
        {"recipient": officer, "party": claimant_party, "to_address": CHEN},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Message.objects.create(**to, **fields)


def test_the_case_page_and_the_admin_show_the_message_to_her(
    ahead, interpreter, officer_client, admin_client
):
    mail.send_invitations(ahead)
    (message,) = to_chen(mail.INVITATION)

    page = officer_client.get(reverse("workflows:case", args=[ahead.case.pk])).content.decode()
    listing = admin_client.get(reverse("admin:cases_message_changelist"))
    change = admin_client.get(reverse("admin:cases_message_change", args=[message.pk]))

    assert CHEN in page and "None" not in page.split('id="messages"')[1].split("</section>")[0]
    assert listing.status_code == change.status_code == 200
    assert CHEN in listing.content.decode() and CHEN in change.content.decode()
