"""[Q8] item 3, time zones: a mediation session's time as each participant reads it (their
zone, its abbreviation and its offset on the day of the session), and the warning when it
falls outside 08:00–21:00 local time for anyone, naming them and their local time;
Vancouver in summer (PDT, UTC-7), in winter (PST, UTC-8) and across the changes."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from cases.models import Consent, Party, Role
from cases.services import record_consent
from mediation.sessions import times
from mediation.sessions.models import Assignment, Attendee, MediationSession, Mediator

from .factories import PersonFactory, UserFactory

UTC = datetime.UTC
KUALA_LUMPUR = ZoneInfo("Asia/Kuala_Lumpur")
VANCOUVER = ZoneInfo("America/Vancouver")
SHANGHAI = ZoneInfo("Asia/Shanghai")
THAM = "谭永康 (Tham Weng Hong)"  # the claimant of conftest's case, in Kuala Lumpur
WONG = "黄美玲 (Wong Mei Ling)"


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


# The sessions of the tests ------------------------------------------------------------


@pytest.fixture
def mediator(city, officer):
    """A mediator in Beijing time, serving on the case."""
    user = UserFactory(
        username="mediator",
        display_name="黄志明",
        email="huang@tiaojie.example.cn",
        time_zone="Asia/Shanghai",
        roles=[(city, Role.MEDIATOR)],
    )
    return Mediator.objects.create(user=user, organisation=city, languages=["zh-hans"])


@pytest.fixture
def serving(case, mediator, officer):
    assignment = Assignment.objects.create(case=case, mediator=mediator, assigned_by=officer)
    assignment.declare_no_conflict()
    assignment.save()
    return assignment


@pytest.fixture
def respondent(case, city):
    """The respondent in Vancouver, who reads English."""
    person = PersonFactory(
        name_zh="黄美玲",
        name_latin="Wong Mei Ling",
        nationality="CA",
        residence_country="CA",
        time_zone="America/Vancouver",
        preferred_language="en",
        email="wong.meiling@example.ca",
        registered_by=city,
    )
    return Party.objects.create(case=case, role=Party.Role.RESPONDENT, person=person)


@pytest.fixture
def claimant_party(case):
    """The claimant of conftest's case: in Kuala Lumpur, reads 简体中文."""
    party = case.parties.get(role=Party.Role.CLAIMANT)
    party.person.email = "tham.wh@example.my"
    party.person.save()
    return party


@pytest.fixture
def consented(officer):
    """The parties who consented to notices by e-mail and to data sent abroad."""

    def record(*parties):
        for party in parties:
            for purpose in (Consent.Purpose.ELECTRONIC_SERVICE, Consent.Purpose.CROSS_BORDER):
                record_consent(
                    case=party.case,
                    actor=officer,
                    party=party,
                    purpose=purpose,
                    given=True,
                    how=Consent.How.EMAIL,
                    given_by=str(party.subject),
                )

    return record


@pytest.fixture
def session_at(case, mediator, claimant_party, respondent):
    """A session online at ``starts_at`` with the claimant, the respondent and an
    interpreter in Shanghai named only."""

    def make(starts_at: datetime.datetime, duration_minutes: int = 90, **fields):
        session = MediationSession.objects.create(
            case=case,
            round=fields.pop("round", 1),
            mode=fields.pop("mode", MediationSession.Mode.ONLINE),
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            video_link=fields.pop("video_link", "https://meet.example.cn/j/8812"),
            scheduled_by=mediator.user,
            **fields,
        )
        Attendee.objects.create(session=session, role=Attendee.Role.PARTY, party=claimant_party)
        Attendee.objects.create(session=session, role=Attendee.Role.PARTY, party=respondent)
        Attendee.objects.create(
            session=session,
            role=Attendee.Role.INTERPRETER,
            name="陈美玲",
            email="chen.meiling@example.cn",
            time_zone="Asia/Shanghai",
            language="zh-hans",
        )
        return session

    return make


# Each zone ----------------------------------------------------------------------------


def test_it_shows_the_time_in_kuala_lumpur():
    # 09:30 in Beijing is 09:30 in Kuala Lumpur: no abbreviation there but its offset.
    seen = times.local_time(THAM, KUALA_LUMPUR, at(2026, 12, 15, 1, 30), 90)

    with translation.override("en"):
        assert seen.text == "2026-12-15 09:30–11:00 (Kuala Lumpur, UTC+8)"
    with translation.override("zh-hans"):
        assert seen.text == "2026-12-15 09:30–11:00（吉隆坡，UTC+8）"
    assert seen.zone == "Asia/Kuala_Lumpur"
    assert seen.starts_at.replace(tzinfo=None) == datetime.datetime(2026, 12, 15, 9, 30)
    assert seen.ends_at.replace(tzinfo=None) == datetime.datetime(2026, 12, 15, 11, 0)
    assert not seen.out_of_hours


def test_it_shows_the_time_in_shanghai():
    seen = times.local_time("黄志明", SHANGHAI, at(2026, 12, 15, 1, 30), 90)

    with translation.override("en"):
        assert seen.text == "2026-12-15 09:30–11:00 CST (Shanghai, UTC+8)"
    assert seen.abbreviation == "CST"


def test_it_shows_vancouver_in_summer_at_utc_minus_7():
    # 09:30 in Beijing on 15 July is 18:30 the day before in Vancouver, on daylight time.
    seen = times.local_time(WONG, VANCOUVER, at(2026, 7, 15, 1, 30), 90)

    with translation.override("en"):
        assert seen.text == "2026-07-14 18:30–20:00 PDT (Vancouver, UTC-7)"
    assert seen.abbreviation == "PDT"
    assert seen.offset == "UTC-7"
    assert seen.starts_at.utcoffset() == datetime.timedelta(hours=-7)
    assert not seen.out_of_hours


def test_it_shows_vancouver_in_winter_at_utc_minus_8():
    # The same Beijing time in December is an hour earlier there: standard time.
    seen = times.local_time(WONG, VANCOUVER, at(2026, 12, 15, 1, 30), 90)

    with translation.override("en"):
        assert seen.text == "2026-12-14 17:30–19:00 PST (Vancouver, UTC-8)"
    with translation.override("zh-hans"):
        assert seen.text == "2026-12-14 17:30–19:00 PST（温哥华，UTC-8）"
    assert seen.offset == "UTC-8"


def test_it_gives_the_end_with_its_date_when_it_is_on_the_next_day():
    seen = times.local_time(THAM, KUALA_LUMPUR, at(2026, 12, 15, 15, 30), 60)

    assert seen.hours == "23:30–2026-12-16 00:30"


# The out-of-hours warning -------------------------------------------------------------


def test_it_warns_naming_the_person_and_their_local_time():
    # 22:30 in Kuala Lumpur and Beijing (14:30 UTC); 06:30 the same morning in Vancouver,
    # in winter.
    people = [(THAM, KUALA_LUMPUR), (WONG, VANCOUVER), ("黄志明", SHANGHAI)]

    with translation.override("en"):
        warnings = times.out_of_hours(at(2026, 12, 15, 14, 30), 90, people)

    assert warnings == [
        f"{THAM}: 22:30–2026-12-16 00:00 (Kuala Lumpur, UTC+8), outside 08:00–21:00",
        f"{WONG}: 06:30–08:00 (Vancouver, UTC-8), outside 08:00–21:00",
        "黄志明: 22:30–2026-12-16 00:00 (Shanghai, UTC+8), outside 08:00–21:00",
    ]


def test_it_warns_in_the_readers_language():
    with translation.override("zh-hans"):
        (warning,) = times.out_of_hours(at(2026, 12, 15, 14, 30), 60, [(THAM, KUALA_LUMPUR)])

    assert warning == f"{THAM}：22:30–23:30（吉隆坡，UTC+8），不在当地时间08:00–21:00之内"


def test_it_does_not_warn_inside_the_hours_for_everyone():
    # 09:30 in Beijing and Kuala Lumpur, 18:30 the evening before in Vancouver (summer).
    people = [(THAM, KUALA_LUMPUR), (WONG, VANCOUVER), ("黄志明", SHANGHAI)]

    assert times.out_of_hours(at(2026, 7, 15, 1, 30), 90, people) == []


@pytest.mark.parametrize(
    ("starts_at", "minutes", "warned"),
    [
        (at(2026, 12, 15, 0, 0), 60, False),  # 08:00–09:00: the first hour allowed
        (at(2026, 12, 15, 11, 0), 120, False),  # 19:00–21:00: ends on the hour
        (at(2026, 12, 14, 23, 59), 60, True),  # 07:59: too early
        (at(2026, 12, 15, 11, 1), 120, True),  # ends 21:01: too late
    ],
)
def test_it_warns_from_a_minute_outside(starts_at, minutes, warned):
    warnings = times.out_of_hours(starts_at, minutes, [(THAM, KUALA_LUMPUR)])

    assert bool(warnings) is warned


def test_it_warns_for_vancouver_after_daylight_saving_ends():
    # 15:00 UTC is 08:00 in Vancouver on Friday 30 October (PDT), but 07:00 a week later
    # (PST since 1 November): the same time set in Beijing wakes her up.
    with translation.override("en"):
        before = times.out_of_hours(at(2026, 10, 30, 15, 0), 90, [(WONG, VANCOUVER)])
        after = times.out_of_hours(at(2026, 11, 6, 15, 0), 90, [(WONG, VANCOUVER)])

    assert before == []
    assert after == [f"{WONG}: 07:00–08:30 (Vancouver, UTC-8), outside 08:00–21:00"]


def test_it_warns_for_vancouver_after_daylight_saving_starts():
    # 03:30 UTC is 19:30–20:30 PST on 6 March, 20:30–21:30 PDT on 13 March (since the 8th).
    before = times.out_of_hours(at(2026, 3, 6, 3, 30), 60, [(WONG, VANCOUVER)])
    with translation.override("en"):
        after = times.out_of_hours(at(2026, 3, 13, 3, 30), 60, [(WONG, VANCOUVER)])

    assert before == []
    assert after == [f"{WONG}: 20:30–21:30 (Vancouver, UTC-7), outside 08:00–21:00"]


def test_it_reads_a_session_across_the_change_on_the_clocks_there():
    # 01:30 PDT on 1 November, an hour later it is 01:30 again, PST: each end shows its own.
    seen = times.local_time(WONG, VANCOUVER, at(2026, 11, 1, 8, 30), 60)

    assert seen.hours == "01:30 PDT–01:30 PST"
    assert seen.starts_at.utcoffset() == datetime.timedelta(hours=-7)
    assert seen.ends_at.utcoffset() == datetime.timedelta(hours=-8)
    assert seen.out_of_hours
    with translation.override("en"):
        assert seen.text == "2026-11-01 01:30 PDT–01:30 PST (Vancouver, UTC-7)"


# A session's participants ---------------------------------------------------------------


def test_it_shows_a_session_to_every_attendee_and_the_mediator(session_at, serving):
    session = session_at(at(2026, 7, 15, 1, 30))

    with translation.override("en"):
        seen = {person.name: person.text for person in times.local_times(session)}

    assert seen == {
        THAM: "2026-07-15 09:30–11:00 (Kuala Lumpur, UTC+8)",
        WONG: "2026-07-14 18:30–20:00 PDT (Vancouver, UTC-7)",
        "陈美玲": "2026-07-15 09:30–11:00 CST (Shanghai, UTC+8)",
        "黄志明": "2026-07-15 09:30–11:00 CST (Shanghai, UTC+8)",
    }


def test_it_lists_the_attendees_first_with_their_records(session_at, serving):
    session = session_at(at(2026, 7, 15, 1, 30))

    listed = times.local_times(session, others=[("书记员刘晓梅", SHANGHAI)])

    assert [p.attendee for p in listed] == [*session.attendees.order_by("pk"), None, None]
    assert [p.name for p in listed[-2:]] == ["黄志明", "书记员刘晓梅"]


def test_it_leaves_out_a_mediator_not_yet_serving(session_at, mediator):
    session = session_at(at(2026, 7, 15, 1, 30))

    assert "黄志明" not in [p.name for p in times.local_times(session)]


def test_it_flags_each_participant_out_of_hours(session_at, serving):
    # 21:30 in Beijing and Kuala Lumpur; 06:30 the same morning in Vancouver (summer).
    session = session_at(at(2026, 7, 15, 13, 30), 60)

    flagged = {p.name for p in times.local_times(session) if p.out_of_hours}

    assert flagged == {THAM, WONG, "陈美玲", "黄志明"}


def test_it_writes_the_time_in_the_zone_active_when_shown():
    when = times.SessionTime(at(2026, 12, 15, 1, 30), 90)

    with translation.override("en"):
        with timezone.override(VANCOUVER):
            assert str(when) == "2026-12-14 17:30–19:00 PST (Vancouver, UTC-8)"
        with timezone.override(SHANGHAI):
            assert str(when) == "2026-12-15 09:30–11:00 CST (Shanghai, UTC+8)"
