"""Mediation's part of ``make demo``: the roster, and the steps of the Zijin mediation a
person takes outside a task (consent, scheduling, writing a record) or that stand for time
passing (a session held days ago: the demo plays each case in one sitting)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from cases import services as case_services
from cases.calendar import organisation_today
from cases.models import Case, Consent, Organisation, Party, Role, User
from workflows.stages import Demo, demo_login

from . import records, services
from .models import MediationSession, Mediator

# username, display name, (surname, given name), organisation, languages, expertise,
# nationality
MEDIATORS = [
    (
        "mediator",
        "周淑芬（人民调解员）",
        ("周", "淑芬"),
        "紫金县人民调解委员会",
        ["zh-hans", "en"],
        "祖坟、宅基地和相邻关系纠纷",
        "CN",
    ),
    (
        "mediator_my",
        "Lee Mei Ling（侨联特邀调解员）",
        ("Lee", "Mei Ling"),
        "河源市归国华侨联合会",
        ["en", "ms", "zh-hans", "zh-hant"],
        "涉外华人家族事务、跨境投资纠纷",
        "MY",
    ),
]


def _prepare(organisations: dict[str, Organisation], users: dict[str, User]) -> None:
    for username, display, names, organisation, languages, expertise, country in MEDIATORS:
        body = Organisation.objects.get(name=organisation)
        user = demo_login(username, display, names, body, Role.MEDIATOR)
        Mediator.objects.get_or_create(
            user=user,
            defaults={
                "organisation": body,
                "languages": languages,
                "expertise": expertise,
                "nationality": country,
            },
        )
        users[username] = user


def _as_sent(data: dict, users: dict[str, User], case: Case) -> dict:
    """The assignment's screen sends the mediator's roster entry."""
    sent = dict(data)
    if "mediator" in data and isinstance(data["mediator"], str):
        sent["mediator"] = Mediator.objects.get(user__username=data["mediator"]).pk
    return sent


def _parties(case: Case, names: list[str]) -> list[Party]:
    found = [p for p in case.parties.select_related("person") if p.person_id]
    return [p for p in found if p.person.name_zh in names]


def _consent(case: Case, user: User, data: dict) -> None:
    """The representatives' consents, as the officer recorded them from their signed
    forms."""
    for party in _parties(case, data["parties"]):
        for purpose in data["purposes"]:
            case_services.record_consent(
                case=case,
                actor=user,
                party=party,
                purpose=purpose,
                given=True,
                how=Consent.How.SIGNED_FORM,
                given_by=party.person.name_zh,
                note=data.get("note", ""),
            )


def _session(case: Case, user: User, data: dict) -> None:
    day = organisation_today() + datetime.timedelta(days=data["days_ahead"])
    hour, minute = (int(n) for n in data["time"].split(":"))
    zone = data["zone"]
    services.schedule_session(
        case=case,
        actor=user,
        details=services.SessionDetails(
            mode=data["mode"],
            starts_at=datetime.datetime(
                day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone)
            ),
            duration_minutes=data.get("duration_minutes", 90),
            video_link=data.get("video_link", ""),
            place=data.get("place", ""),
            set_in_zone=zone,
            parties=_parties(case, data["parties"]),
        ),
    )


def _held(case: Case, user: User, data: dict) -> None:
    """Time passes: the planned session took place ``days_ago`` days ago at its hour."""
    session = MediationSession.objects.get(case=case, status=MediationSession.Status.PLANNED)
    MediationSession.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at - datetime.timedelta(days=data["days_ago"])
    )


def _record(case: Case, user: User, data: dict) -> None:
    """The mediator writes the round's 调解笔录 (everyone invited came) and issues it."""
    session = MediationSession.objects.filter(case=case).order_by("-round").first()
    records.write_record(
        session_pk=session.pk,
        actor=user,
        statements=data["statements"],
        summary=data["summary"],
        attended={a.pk: True for a in session.attendees.all()},
        proposals=[
            {
                "stance": stance,
                "text": text,
                "party_pk": _parties(case, [by])[0].pk if by else None,
                "answers_index": answers,
            }
            for stance, by, text, answers in data["proposals"]
        ],
    )
    records.issue_record(session_pk=session.pk, actor=user)


DEMO = Demo(
    prepare=_prepare,
    steps={
        "consent": _consent,
        "schedule_session": _session,
        "session_held": _held,
        "write_record": _record,
    },
    as_sent=_as_sent,
)
