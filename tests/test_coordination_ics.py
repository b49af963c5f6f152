"""The .ics invitations to coordination meetings, parsed back with icalendar."""

import dataclasses
import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mediation.coordination import ics
from mediation.coordination.ics import Attendee, MeetingEvent

UTC = datetime.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
TORONTO = ZoneInfo("America/Toronto")

DESCRIPTION = (
    "议程：\n"
    "一、通报华侨张某某房屋征收补偿纠纷的基本情况；\n"
    "二、市自然资源和规划局、区住房和城乡建设局分别说明征收补偿依据及已开展的工作；\n"
    "三、讨论协调方案，形成会议纪要。"
)


def meeting(**changes) -> MeetingEvent:
    """A meeting on 2026-12-08 09:30–11:30 Beijing time, given in UTC."""
    event = MeetingEvent(
        uid="meeting-12@qiaowei.example",
        sequence=0,
        starts_at=datetime.datetime(2026, 12, 8, 1, 30, tzinfo=UTC),
        ends_at=datetime.datetime(2026, 12, 8, 3, 30, tzinfo=UTC),
        zone="Asia/Shanghai",
        summary="关于华侨张某某房屋征收补偿纠纷的协调会",
        description=DESCRIPTION,
        location="市侨联三楼会议室（中山路88号）",
        url="https://qiaowei.example/meetings/12/",
        organizer=Attendee("市侨联权益保障部", "quanyi@qiaolian.example"),
        attendees=(
            Attendee("市自然资源和规划局", "zrzy@gov.example"),
            Attendee("区住房和城乡建设局", "zjj@gov.example"),
            Attendee("李律师", "li.lawyer@example.com"),
        ),
        stamp=datetime.datetime(2026, 12, 1, 16, 5, tzinfo=SHANGHAI),
    )
    return dataclasses.replace(event, **changes)


def parsed(data: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(data)
    (event,) = calendar.events
    return calendar, event


def test_it_writes_a_request_with_the_calendar_headers():
    calendar, event = parsed(ics.invitation(meeting()))

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["PRODID"] == "-//Qiaowei//Coordination meetings//ZH"
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert event["STATUS"] == "CONFIRMED"
    assert event["UID"] == "meeting-12@qiaowei.example"
    assert event["SEQUENCE"] == 0
    assert event["URL"] == "https://qiaowei.example/meetings/12/"
    assert event["LOCATION"] == "市侨联三楼会议室（中山路88号）"


def test_it_writes_the_stamp_in_utc():
    data = ics.invitation(meeting())
    _, event = parsed(data)

    assert event.stamp == datetime.datetime(2026, 12, 1, 8, 5, tzinfo=UTC)
    assert event.stamp.utcoffset() == datetime.timedelta(0)
    assert b"DTSTAMP:20261201T080500Z\r\n" in data


def test_it_writes_the_start_in_the_organisations_zone_for_a_utc_input():
    data = ics.invitation(meeting())
    _, event = parsed(data)

    assert b"DTSTART;TZID=Asia/Shanghai:20261208T093000\r\n" in data
    assert b"DTEND;TZID=Asia/Shanghai:20261208T113000\r\n" in data
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event.start.replace(tzinfo=None) == datetime.datetime(2026, 12, 8, 9, 30)
    assert event.start == datetime.datetime(2026, 12, 8, 1, 30, tzinfo=UTC)


def test_it_writes_the_start_in_the_organisations_zone_for_a_toronto_input():
    # 20:30 EST on the 7th is 01:30 UTC, 09:30 in Beijing on the 8th.
    event_in_toronto = meeting(
        starts_at=datetime.datetime(2026, 12, 7, 20, 30, tzinfo=TORONTO),
        ends_at=datetime.datetime(2026, 12, 7, 22, 0, tzinfo=TORONTO),
    )
    data = ics.invitation(event_in_toronto)
    _, event = parsed(data)

    assert b"DTSTART;TZID=Asia/Shanghai:20261208T093000\r\n" in data
    assert b"DTEND;TZID=Asia/Shanghai:20261208T110000\r\n" in data
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event.start.replace(tzinfo=None) == datetime.datetime(2026, 12, 8, 9, 30)
    assert b"America/Toronto" not in data


def test_it_carries_the_vtimezone_of_the_zone():
    data = ics.invitation(meeting())
    calendar, _ = parsed(data)

    # Before the event that refers to it, as some clients read the file in one pass.
    assert data.index(b"TZID:Asia/Shanghai\r\n") < data.index(b"BEGIN:VEVENT")

    assert [zone["TZID"] for zone in calendar.timezones] == ["Asia/Shanghai"]
    assert calendar.get_missing_tzids() == set()
    (standard,) = calendar.timezones[0].standard
    assert standard["TZOFFSETTO"].td == datetime.timedelta(hours=8)


def test_it_describes_daylight_saving_in_a_zone_that_has_it():
    calendar, event = parsed(ics.invitation(meeting(zone="America/Toronto")))

    assert [zone["TZID"] for zone in calendar.timezones] == ["America/Toronto"]
    assert calendar.timezones[0].daylight, "Toronto's VTIMEZONE lacks its summer time"
    assert event.start.replace(tzinfo=None) == datetime.datetime(2026, 12, 7, 20, 30)


def test_it_keeps_the_uid_and_raises_the_sequence_when_the_meeting_moves():
    first = meeting()
    moved = dataclasses.replace(
        first,
        sequence=1,
        starts_at=datetime.datetime(2026, 12, 10, 14, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2026, 12, 10, 16, 0, tzinfo=SHANGHAI),
        stamp=datetime.datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI),
    )
    data = ics.invitation(moved)
    calendar, event = parsed(data)

    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == parsed(ics.invitation(first))[1]["UID"] == first.uid
    assert event["SEQUENCE"] == 1
    assert b"SEQUENCE:1\r\n" in data
    assert b"DTSTART;TZID=Asia/Shanghai:20261210T140000\r\n" in data
    assert event.start.replace(tzinfo=None) == datetime.datetime(2026, 12, 10, 14, 0)


def test_it_cancels_with_method_cancel_and_status_cancelled():
    data = ics.cancellation(meeting(sequence=2))
    calendar, event = parsed(data)

    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == "meeting-12@qiaowei.example"
    assert event["SEQUENCE"] == 2
    # Nobody is asked to answer a meeting that will not take place.
    assert b"RSVP=TRUE" not in data
    assert len(event.attendees) == 3


def test_it_keeps_chinese_text_and_folds_long_lines():
    data = ics.invitation(meeting())
    _, event = parsed(data)

    assert event["SUMMARY"] == "关于华侨张某某房屋征收补偿纠纷的协调会"
    assert event["DESCRIPTION"] == DESCRIPTION
    assert "关于华侨张某某".encode() in data
    # RFC 5545 3.1: lines of at most 75 octets, ended by CRLF, and a fold never splits a
    # UTF-8 sequence (every line must decode on its own).
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "the long description was not folded"
    for line in lines:
        line.decode("utf-8")


def test_it_lists_the_organizer_and_every_attendee_with_mailto_and_name():
    _, event = parsed(ics.invitation(meeting()))

    assert event["ORGANIZER"] == "mailto:quanyi@qiaolian.example"
    assert event["ORGANIZER"].params["CN"] == "市侨联权益保障部"
    listed = {(str(a), a.params["CN"]) for a in event.attendees}
    assert listed == {
        ("mailto:zrzy@gov.example", "市自然资源和规划局"),
        ("mailto:zjj@gov.example", "区住房和城乡建设局"),
        ("mailto:li.lawyer@example.com", "李律师"),
    }
    for attendee in event.attendees:
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"


def test_it_leaves_out_the_url_when_there_is_none():
    _, event = parsed(ics.invitation(meeting(url="")))

    assert "URL" not in event


def test_it_gives_the_same_bytes_for_the_same_meeting():
    assert ics.invitation(meeting()) == ics.invitation(meeting())


@pytest.mark.parametrize("field", ["starts_at", "ends_at", "stamp"])
def test_it_refuses_a_naive_datetime(field):
    naive = meeting(**{field: datetime.datetime(2026, 12, 8, 9, 30)})

    with pytest.raises(ValueError, match=f"{field} must be timezone-aware"):
        ics.invitation(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        ics.cancellation(naive)


def test_it_refuses_an_end_before_the_start():
    backwards = meeting(ends_at=datetime.datetime(2026, 12, 8, 1, 0, tzinfo=UTC))

    with pytest.raises(ValueError, match="must end after it starts"):
        ics.invitation(backwards)


def test_it_refuses_an_unknown_zone():
    with pytest.raises(ValueError, match="unknown time zone 'Asia/Peking'"):
        ics.invitation(meeting(zone="Asia/Peking"))


def test_it_gives_the_content_type_for_each_method():
    assert ics.content_type("REQUEST") == "text/calendar; charset=utf-8; method=REQUEST"
    assert ics.content_type("CANCEL") == "text/calendar; charset=utf-8; method=CANCEL"
    assert ics.CONTENT_TYPE["CANCEL"] == ics.content_type("CANCEL")
    with pytest.raises(ValueError, match="unknown iTIP method"):
        ics.content_type("PUBLISH")
