"""The 会议纪要's data, taken when the officer finalises the minutes (see
``documents.snapshots``); a correction after that issues a new version with the meeting's
data taken again (``services.reissue_minutes``)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases.models import Case
from documents.snapshots import zh_date, zh_number

from .models import Attendance, Meeting


def _zh_time(moment: datetime.datetime) -> str:
    """09:30 Beijing time → 上午9时30分 (the way the organisation's documents give a time)."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    half = "上午" if local.hour < 12 else "下午"
    hour = local.hour if local.hour <= 12 else local.hour - 12
    return f"{half}{hour}时" + (f"{local.minute}分" if local.minute else "")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _person(attendance: Attendance) -> dict:
    return {
        "name": attendance.name,
        "organisation": attendance.organisation_name,
        "title": attendance.title,
    }


def meeting_snapshot(meeting: Meeting) -> dict:
    local_day = timezone.localtime(meeting.starts_at, timezone.get_default_timezone()).date()
    attendance = list(meeting.attendance.all())
    actions = meeting.actions.select_related("organisation", "clock", "follow_up_by")
    return {
        "title": meeting.title,
        "held_on": zh_date(local_day),
        "time": _zh_time(meeting.starts_at),
        "place": meeting.place,
        "online_link": meeting.online_link,
        "chair": meeting.convened_by.formal_name,
        "agenda": [
            {
                "number": zh_number(item.position),
                "title": item.title,
                "discussion": _lines(item.discussion),
                "decisions": _lines(item.decisions),
            }
            for item in meeting.agenda.all()
        ],
        "actions": [
            {
                "organisation": a.organisation.name,
                "description": a.description,
                "working_days": a.working_days,
                # Due from the day the minutes are final, the day its clock starts.
                "due_on": zh_date(a.clock.due_on) if a.clock_id else "",
                "follow_up_by": a.follow_up_by.formal_name,
            }
            for a in actions
        ],
        "attended": [_person(a) for a in attendance if a.kind == Attendance.Kind.ATTENDED],
        "non_voting": [_person(a) for a in attendance if a.kind == Attendance.Kind.NON_VOTING],
        "excused": [_person(a) for a in attendance if a.kind == Attendance.Kind.EXCUSED],
        "departments": [
            i.organisation.name for i in meeting.invitations.select_related("organisation")
        ],
    }


def minutes_extra(case: Case, issued_on: datetime.date) -> dict:
    """The meeting whose minutes are being issued: finalised, its 纪要 not yet attached."""
    meeting = Meeting.objects.filter(
        case=case, status=Meeting.Status.FINALISED, minutes=None
    ).latest("pk")
    return {"meeting": meeting_snapshot(meeting)}
