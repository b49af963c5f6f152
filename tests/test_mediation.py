"""The mediation stage: the mediator's assignment and declaration, consent gating of
online sessions, scheduling, the mediation month and its extension, and the three
outcomes moving the case."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.calendar import WorkingCalendar
from cases.models import CaseParticipant, Consent, Deadline, Membership, Party, Role, User
from cases.services import record_consent
from mediation.sessions import records, selectors, services
from mediation.sessions.models import Assignment, MediationResult, MediationSession, Mediator

from .conftest import open_tasks
from .factories import OrganisationFactory

KL = ZoneInfo("Asia/Kuala_Lumpur")


def calendar() -> WorkingCalendar:
    return WorkingCalendar.load()


def names(case) -> list[str]:
    return [t.flow_task.name for t in open_tasks(case)]


@pytest.fixture
def routed(intake, do, legal_review):
    """Accepted, reviewed, routed to mediation: the officer assigns a mediator."""
    case = do(intake(), "screen", {"notes": "可受理"})
    case = do(case, "decide", {"decision": "accept", "reason": ""})
    case = legal_review(case, "mediation")
    return do(case, "route", {"route": "mediation", "notes": ""})


@pytest.fixture
def party(routed):
    return routed.parties.get(role=Party.Role.CLAIMANT)


def consent(case, officer, party, purpose=Consent.Purpose.ONLINE_MEDIATION, given=True):
    return record_consent(
        case=case,
        actor=officer,
        party=party,
        purpose=purpose,
        given=given,
        how=Consent.How.SIGNED_FORM,
        given_by=str(party.subject),
    )


def online(case, party, *, when=None, **more) -> services.SessionDetails:
    return services.SessionDetails(
        mode=MediationSession.Mode.ONLINE,
        starts_at=when or timezone.now().astimezone(KL) + datetime.timedelta(days=3),
        video_link="https://meeting.example.org/j/1",
        set_in_zone="Asia/Kuala_Lumpur",
        parties=[party],
        **more,
    )


# The mediator ---------------------------------------------------------------------------


def test_it_asks_the_assigned_mediator_to_declare_before_they_read_the_case(
    routed, do, roster_mediator, client
):
    assert names(routed) == ["assign_mediator"]
    case = do(routed, "assign_mediator", {"mediator": roster_mediator.pk}, form=True)
    assert names(case) == ["declare_mediator"]
    user = roster_mediator.user
    assert not user.has_perm("cases.read_case", case)
    client.force_login(user)
    task = open_tasks(case)[0]
    # The case page sends them to their declaration.
    response = client.get(case.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("workflows:task", args=[task.pk])
    case = do(case, "declare_mediator", {"has_conflict": "no"}, user=user, form=True)
    assert names(case) == ["mediate"]
    assert CaseParticipant.objects.filter(case=case, user=user, relation="mediator").exists()
    assert user.has_perm("cases.read_case", case)


def test_a_declared_conflict_means_recusal_and_the_officer_assigns_another(
    routed, do, roster_mediator
):
    case = do(routed, "assign_mediator", {"mediator": roster_mediator.pk}, form=True)
    user = roster_mediator.user
    case = do(
        case,
        "declare_mediator",
        {"has_conflict": "yes", "conflict": "与被申请人系表亲。"},
        user=user,
        form=True,
    )
    assert Assignment.objects.get(case=case).status == Assignment.Status.RECUSED
    assert names(case) == ["assign_mediator"]
    assert not user.has_perm("cases.read_case", case)
    # The one who recused is not offered again.
    assert roster_mediator not in selectors.roster(case)


def test_a_foreign_mediator_is_offered_only_where_a_foreign_party_is_involved(
    routed, intake, claimant
):
    committee = OrganisationFactory(name="河源市侨联调解组", kind="mediation_committee")
    user = User.objects.create(username="lee", display_name="Lee Mei Ling")
    Membership.objects.create(user=user, organisation=committee, role=Role.MEDIATOR)
    foreign = Mediator.objects.create(user=user, organisation=committee, nationality="MY")
    # The claimant lives in Malaysia, a Malaysian national: a foreign party.
    assert foreign in selectors.roster(routed)
    claimant.nationality = "CN"
    claimant.residence_country = "CN"
    claimant.save()
    assert foreign not in selectors.roster(routed)


def test_only_the_officer_assigns(routed, outsider, roster_mediator):
    with pytest.raises(PermissionDenied):
        services.assign_mediator(case=routed, actor=outsider, mediator_pk=roster_mediator.pk)


# Consent --------------------------------------------------------------------------------


def test_online_sessions_wait_for_every_partys_consent(routed, mediating, officer, party):
    case = mediating(routed)
    with pytest.raises(ValidationError) as refused:
        services.schedule_session(case=case, actor=officer, details=online(case, party))
    assert refused.value.error_list[0].code == "consent"
    assert str(party.subject) in refused.value.messages[0]
    # In person needs no consent to online mediation.
    in_person = services.SessionDetails(
        mode=MediationSession.Mode.IN_PERSON,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        place="义容镇侨胞之家",
        parties=[party],
    )
    assert services.schedule_session(case=case, actor=officer, details=in_person).round == 1


def test_consent_given_then_withdrawn_opens_then_closes_online_sessions(
    routed, mediating, officer, party
):
    case = mediating(routed)
    consent(case, officer, party)
    session = services.schedule_session(case=case, actor=officer, details=online(case, party))
    assert session.mode == "online"
    services.cancel_session(case=case, session_pk=session.pk, actor=officer, reason="改期")
    consent(case, officer, party, given=False)
    with pytest.raises(ValidationError):
        services.schedule_session(case=case, actor=officer, details=online(case, party))


def test_a_representative_consents_for_the_association(
    intake, do, legal_review, officer, mediating, association, claimant
):
    from cases.services import PartyInput

    rep = claimant  # the association's representative, in the city's registry
    case = intake(parties=[PartyInput(role=Party.Role.CLAIMANT, association=association)])
    case = do(case, "screen", {"notes": "可受理"})
    case = do(case, "decide", {"decision": "accept", "reason": ""})
    case = do(legal_review(case, "mediation"), "route", {"route": "mediation", "notes": ""})
    case = mediating(case)
    principal = case.parties.get(association=association)
    agent = case.parties.get(person=rep)
    assert selectors.online_refused_because(case) == [principal]
    consent(case, officer, agent)
    assert selectors.online_refused_because(case) == []


def test_the_consent_is_recorded_who_when_how_and_for_what(routed, officer, party):
    given = consent(routed, officer, party, Consent.Purpose.CROSS_BORDER)
    assert (given.given_by, given.how, given.purpose) == (
        str(party.subject),
        "signed_form",
        "cross_border",
    )
    assert given.recorded_by == officer and given.at is not None
    assert routed.events.filter(transition="consent").exists()
    with pytest.raises(ValidationError):
        given.save()  # a consent is never changed: a new one is recorded


# Sessions -------------------------------------------------------------------------------


def test_it_refuses_a_session_in_the_past_without_a_link_or_with_another_planned(
    routed, mediating, officer, party
):
    case = mediating(routed)
    consent(case, officer, party)
    past = online(case, party, when=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        services.schedule_session(case=case, actor=officer, details=past)
    assert refused.value.error_list[0].code == "past"
    no_link = online(case, party)
    no_link.video_link = ""
    with pytest.raises(ValidationError):
        services.schedule_session(case=case, actor=officer, details=no_link)
    services.schedule_session(case=case, actor=officer, details=online(case, party))
    with pytest.raises(ValidationError) as second:
        services.schedule_session(case=case, actor=officer, details=online(case, party))
    assert second.value.error_list[0].code == "planned"


def test_a_session_needs_a_mediator_serving(routed, officer, party):
    consent(routed, officer, party)
    with pytest.raises(ValidationError) as refused:
        services.schedule_session(case=routed, actor=officer, details=online(routed, party))
    assert refused.value.error_list[0].code == "no_mediator"


def test_rounds_count_up_and_a_move_counts_the_revision(routed, mediating, officer, party):
    case = mediating(routed)
    consent(case, officer, party)
    first = services.schedule_session(case=case, actor=officer, details=online(case, party))
    later = first.starts_at + datetime.timedelta(days=1)
    moved = services.move_session(
        case=case, session_pk=first.pk, actor=officer, starts_at=later, duration_minutes=60
    )
    assert (moved.starts_at, moved.sequence) == (later, 1)
    services.cancel_session(case=case, session_pk=first.pk, actor=officer, reason="改期")
    second = services.schedule_session(case=case, actor=officer, details=online(case, party))
    assert second.round == 2


# The mediation month --------------------------------------------------------------------


def held(case, mediator_user, session, days_ago=0):
    """The session took place ``days_ago`` days ago; its record is issued."""
    MediationSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=days_ago, hours=1)
    )
    attendee = session.attendees.get()
    records.write_record(
        session_pk=session.pk,
        actor=mediator_user,
        statements="双方陈述了各自意见。",
        summary="",
        attended={attendee.pk: True},
        proposals=[],
    )
    return records.issue_record(session_pk=session.pk, actor=mediator_user)


def test_the_month_starts_with_the_first_session_and_both_parties_may_extend_it(
    routed, mediating, officer, party, roster_mediator
):
    case = mediating(routed)
    consent(case, officer, party)
    assert selectors.mediation_clock(case) is None  # not with the step, nor the scheduling
    session = services.schedule_session(case=case, actor=officer, details=online(case, party))
    assert selectors.mediation_clock(case) is None
    held(case, roster_mediator.user, session, days_ago=2)
    clock = selectors.mediation_clock(case)
    started = timezone.localdate(timezone.now() - datetime.timedelta(days=2, hours=1))
    assert clock.starts_on == started
    assert (
        clock.due_on
        == datetime.date(started.year + (started.month == 12), started.month % 12 + 1, started.day)
        or clock.due_on > started
    )  # one month on (the rule's own arithmetic)
    due = clock.due_on
    extension = services.extend_month(
        case=case,
        actor=roster_mediator.user,
        days=20,
        agreed_by="谭永康（申请人）、谭伯华（被申请人）",
        reason="双方同意继续调解。",
    )
    clock.refresh_from_db()
    assert clock.due_on > due and clock.extension_days == 20
    assert extension.agreed_by.startswith("谭永康")
    assert case.events.filter(transition="extend_clock").exists()


def test_an_extension_needs_who_agreed(routed, mediating, officer, party, roster_mediator):
    case = mediating(routed)
    with pytest.raises(ValidationError):
        services.extend_month(case=case, actor=officer, days=10, agreed_by=" ", reason="继续")


def test_an_extension_needs_the_clock_running(routed, mediating, officer):
    case = mediating(routed)
    with pytest.raises(ValidationError) as refused:
        services.extend_month(case=case, actor=officer, days=10, agreed_by="双方", reason="继续")
    assert refused.value.error_list[0].code == "clock_not_running"


# The three outcomes ---------------------------------------------------------------------


def test_a_written_agreement_goes_on_to_the_mediators_signature(routed, mediate, roster_mediator):
    # The agreement stage takes a written agreement: it is drafted and signed there.
    case = mediate(routed, "written")
    assert case.status == "mediating"
    assert names(case) == ["sign_agreement"]
    [task] = open_tasks(case)
    assert task.owner == roster_mediator.user
    assert MediationResult.objects.get(case=case).kind == "written"


def test_an_oral_agreement_settles_the_case_with_its_terms(routed, mediate, roster_mediator):
    case = mediate(routed, "oral", terms="双方同意恢复祭扫通道。")
    assert case.status == "settled" and case.settled_on is not None
    result = MediationResult.objects.get(case=case)
    assert (result.kind, result.terms, result.recorded_by) == (
        "oral",
        "双方同意恢复祭扫通道。",
        roster_mediator.user,
    )
    assert names(case) == ["follow_up"]


def test_failure_names_the_route_forward(routed, mediate):
    case = mediate(routed, "failed", route_forward="litigation")
    assert case.status == "unresolved"
    assert case.events.get(transition="mark_unresolved").reason.startswith("引导诉讼")
    assert names(case) == ["follow_up"]


@pytest.mark.parametrize(
    ("outcome", "field"),
    [
        ({"kind": "oral", "terms": ""}, "terms"),
        ({"kind": "failed", "route_forward": ""}, "route_forward"),
        ({"kind": "written", "reason": ""}, "reason"),
    ],
)
def test_an_outcome_without_what_it_needs_is_refused_next_to_its_field(
    routed, mediating, roster_mediator, outcome, field
):
    from mediation.sessions.forms import OutcomeForm

    case = mediating(routed)
    data = {"reason": "理由", "terms": "", "route_forward": "", **outcome}
    form = OutcomeForm(data, case=case, user=roster_mediator.user)
    if form.is_valid():
        with pytest.raises(ValidationError) as refused:
            services.outcome_step(case, form.cleaned_data)
        form.add_service_error(refused.value)
    assert field in form.errors
    assert case.status == "mediating"


def test_only_the_cases_mediator_records_the_outcome(routed, mediating, officer):
    case = mediating(routed)
    with pytest.raises(PermissionDenied):
        services.record_outcome(case=case, actor=officer, kind="written", reason="x")


def test_the_outcome_waits_for_a_planned_session_to_be_cancelled(
    routed, mediating, officer, party, roster_mediator
):
    case = mediating(routed)
    consent(case, officer, party)
    services.schedule_session(case=case, actor=officer, details=online(case, party))
    with pytest.raises(ValidationError) as refused:
        services.outcome_step(case, {"kind": "written", "reason": "达成协议"})
    assert refused.value.error_list[0].code == "planned"
    assert Deadline.objects.filter(case=case, kind="mediation").count() == 0


# The mediation page -----------------------------------------------------------------------


def test_the_page_warns_of_a_time_outside_the_day_for_someone_and_schedules_it_on_purpose(
    routed, mediating, officer, party, client
):
    case = mediating(routed)
    consent(case, officer, party)
    client.force_login(officer)
    day = timezone.localdate() + datetime.timedelta(days=5)
    data = {
        "mode": "online",
        "day": day.isoformat(),
        "time": "07:00",  # Beijing and Kuala Lumpur alike: before 08:00
        "zone": "Asia/Shanghai",
        "duration_minutes": 60,
        "video_link": "https://meeting.example.org/j/2",
        "parties": [party.pk],
        "guest_role": "interpreter",
    }
    url = reverse("sessions:schedule", args=[case.pk])
    page = client.post(url, data)
    assert page.status_code == 200
    text = page.content.decode()
    # The person and their local time, in the page's language (Chinese).
    assert "谭永康 (Tham Weng Hong)：07:00–08:00（吉隆坡，UTC+8）" in text
    assert not MediationSession.objects.filter(case=case).exists()
    page = client.post(url, {**data, "despite_hours": "on"})
    assert page.status_code == 302
    session = MediationSession.objects.get(case=case)
    assert session.starts_at == datetime.datetime(
        day.year, day.month, day.day, 7, tzinfo=ZoneInfo("Asia/Shanghai")
    )


def test_the_page_says_why_only_in_person_can_be_scheduled(routed, mediating, officer, client):
    case = mediating(routed)
    client.force_login(officer)
    text = client.get(reverse("sessions:case", args=[case.pk])).content.decode()
    assert "只能安排当面调解" in text or "Only a session in person" in text
    assert "谭永康" in text.split('id="schedule"')[1]


def test_bad_input_on_every_form_of_the_page_gets_a_message_never_a_500(
    routed, mediating, officer, party, client, roster_mediator
):
    case = mediating(routed)
    consent(case, officer, party)
    session = services.schedule_session(case=case, actor=officer, details=online(case, party))
    client.force_login(officer)
    junk = {
        "mode": "\x00",
        "day": "2026-02-30",
        "time": "25:61",
        "zone": "Mars/Olympus",
        "duration_minutes": "-5",
        "video_link": "javascript:alert(1)",
        "parties": ["abc", "999999"],
        "days": "1e9",
        "agreed_by": "x" * 5000,
        "reason": "",
        "party": "nope",
        "purpose": "everything",
        "given": "maybe",
        "how": "telepathy",
        "given_by": "\x07",
    }
    for name, args in [
        ("sessions:schedule", [case.pk]),
        ("sessions:consent", [case.pk]),
        ("sessions:extend", [case.pk]),
        ("sessions:move", [session.pk]),
        ("sessions:cancel", [session.pk]),
    ]:
        response = client.post(reverse(name, args=args), junk, follow=True)
        assert response.status_code == 200, (name, response.status_code)
        said = [m for m in response.context["messages"] if m.level_tag == "error"]
        form = response.context.get("session_form")
        assert said or (form is not None and form.errors), name
    assert MediationSession.objects.get(pk=session.pk).sequence == 0  # nothing moved
    assert (
        not case.consents.exclude(pk__in=case.consents.values("pk")[:1])
        .filter(purpose="everything")
        .exists()
    )
    client.force_login(roster_mediator.user)
    record = client.post(
        reverse("sessions:record", args=[session.pk]), {f"attended_{0}": "?", "stance_0": "x"}
    )
    assert record.status_code == 200
    assert client.get(reverse("sessions:calendar", args=[999999])).status_code == 404
