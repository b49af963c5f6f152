"""The holes a probe found in who may do what, each closed by the capability table."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases import capabilities
from cases import services as case_services
from cases.models import Case, CaseEvent, CaseParticipant, Party, Role
from cases.services import PartyInput
from workflows import services

from .factories import OrganisationFactory, PersonFactory, adviser_of, officer_of

OPEN = [STATUS.NEW, STATUS.ASSIGNED]


def open_task(case, name: str) -> Task:
    return next(
        t
        for t in Task.objects.filter(process__caseprocess__case=case, status__in=OPEN)
        if t.flow_task.name == name
    )


@pytest.fixture
def adviser(city):
    """A legal adviser who is a member of the city 侨联 (the handling organisation)."""
    return adviser_of(city, "adviser")


def seated(case, do, adviser) -> Case:
    """Accept the case and seat the adviser in its legal review, who declares no conflict:
    the one way an adviser comes to be named on a case."""
    from workflows.review import selectors
    from workflows.review import services as review_services

    case = do(case, "screen", {"notes": "可受理"})
    case = do(case, "decide", {"decision": "accept", "reason": ""})
    case = do(case, "send_to_review", {"lead": adviser.pk}, form=True)
    seat = selectors.seat_in(case, adviser)
    review_services.declare(seat_pk=seat.pk, actor=adviser, has_conflict=False)
    return case


@pytest.fixture
def bureau(db):
    return OrganisationFactory(
        name="紫金县信访局", kind="department", level="county", number_prefix=""
    )


# Personal data and choice lists ------------------------------------------------------


def test_it_offers_only_people_the_officer_may_see(client, intake, city, township):
    city_only = PersonFactory(name_zh="陈城市", registered_by=city)
    intake(person=city_only)  # a city case
    PersonFactory(name_zh="林本镇", registered_by=township)
    local = officer_of(township, "local")
    client.force_login(local)

    page = client.get(reverse("workflows:register")).content.decode()

    assert "林本镇" in page
    assert "陈城市" not in page


def test_it_refuses_a_person_the_officer_may_not_see(client, intake, city, township):
    city_only = PersonFactory(name_zh="陈城市", phone="+60 12-345 6789", registered_by=city)
    intake(person=city_only)
    local = officer_of(township, "local")

    with pytest.raises(PermissionDenied):
        services.register_case(
            actor=local,
            handling_organisation=township,
            title="借用他人资料",
            category="land",
            channel="visit",
            received_on=city_only.parties.get().case.received_on,
            summary="x",
            claims="y",
            parties=[PartyInput(role=Party.Role.CLAIMANT, person=city_only)],
        )
    assert not Case.objects.filter(title="借用他人资料").exists()


def test_it_puts_a_new_person_in_the_registry_of_the_handling_organisation(intake, city):
    case = intake(parties=[PartyInput(role=Party.Role.CLAIMANT, new_person={"name_zh": "谭新来"})])
    assert case.parties.get().person.registered_by == city


def test_it_offers_only_competent_organisations_for_a_referral(
    client, intake, supervisor, officer, bureau, city, township
):
    court = OrganisationFactory(name="河源市中级人民法院", kind="court", number_prefix="")
    case = intake()
    services.complete_task(
        task_id=open_task(case, "screen").pk, user=officer, data={"notes": "转办"}
    )
    client.force_login(supervisor)

    form = client.get(reverse("workflows:task", args=[open_task(case, "decide").pk])).context[
        "form"
    ]

    offered = set(form.fields["refer_to"].queryset)
    assert bureau in offered and township in offered
    assert court not in offered and city not in offered


# Roles mean something on writes ------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "data"),
    [
        ("cases:add_note", {"text": "顾问的备注"}),
        (
            "cases:add_communication",
            {
                "channel": "phone",
                "counterpart": "谭先生",
                "occurred_at": "2026-11-20T10:00",
                "summary": "电话",
            },
        ),
        ("documents:export_case_file", {}),
        ("workflows:report_up", {"reason": "顾问上报"}),
    ],
)
def test_it_lets_an_assigned_adviser_read_but_not_write(
    client, intake, do, officer, adviser, route, data
):
    case = seated(intake(), do, adviser)
    assert case.participants.filter(
        user=adviser, relation=CaseParticipant.Relation.ADVISER
    ).exists()
    client.force_login(adviser)
    events = CaseEvent.objects.filter(case=case).count()

    assert client.get(case.get_absolute_url()).status_code == 200
    assert client.post(reverse(route, args=[case.pk]), data).status_code == 403
    assert CaseEvent.objects.filter(case=case).count() == events
    case.refresh_from_db()
    assert case.officer == officer  # reporting up would have cleared the officer


def test_it_names_an_adviser_only_through_the_legal_review(intake, officer, adviser):
    case = intake()
    with pytest.raises(ValidationError) as error:
        case_services.invite_participant(
            case=case, actor=officer, relation=CaseParticipant.Relation.ADVISER
        )
    assert error.value.code == "via_review"
    assert not case.participants.filter(user=adviser).exists()


def test_it_names_a_mediator_only_through_mediation(intake, officer):
    from .factories import OrganisationFactory, UserFactory

    case = intake()
    committee = OrganisationFactory(kind="mediation_committee", number_prefix="")
    mediator = UserFactory(roles=[(committee, Role.MEDIATOR)])
    with pytest.raises(ValidationError) as error:
        case_services.invite_participant(
            case=case, actor=officer, relation=CaseParticipant.Relation.MEDIATOR
        )
    assert error.value.code == "via_mediation"
    assert not case.participants.filter(user=mediator).exists()


def test_it_hides_a_case_from_an_adviser_not_assigned_to_it(client, intake, adviser):
    case = intake()
    client.force_login(adviser)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert case.number not in client.get(reverse("cases:list")).content.decode()


def test_it_gives_an_adviser_no_task_of_the_organisation(client, intake, adviser):
    case = intake()
    client.force_login(adviser)
    page = client.get(reverse("workflows:queue"), {"view": "team"}).content.decode()
    assert case.number not in page
    assert not capabilities.may(adviser, "cases.handle_case", case)


def test_it_lets_only_the_head_approve_an_extension(intake, officer, supervisor):
    case = intake()
    assert capabilities.may(supervisor, "cases.approve_extension", case)
    assert not capabilities.may(officer, "cases.approve_extension", case)


# The referring organisation cannot answer its own referral ----------------------------


@pytest.fixture
def referred(intake, officer, supervisor, bureau):
    case = intake()
    services.complete_task(task_id=open_task(case, "screen").pk, user=officer, data={"notes": "x"})
    services.complete_task(
        task_id=open_task(case, "decide").pk,
        user=supervisor,
        data={"decision": "refer", "refer_to": bureau, "reason": "属信访事项"},
    )
    return Case.objects.get(pk=case.pk)


def test_it_refuses_to_send_down_the_receiver_s_task(referred, officer, township):
    task = open_task(referred, "referral_response")
    with pytest.raises(PermissionDenied):
        services.send_task_down(task_id=task.pk, actor=officer, organisation=township)
    assert Task.objects.get(pk=task.pk).owner_permission_obj_pk != str(township.pk)


def test_it_refuses_an_objection_from_anyone_but_the_receiver(referred, officer, township):
    local = officer_of(township, "local")
    case_services.grant_read_access(case=referred, organisation=township)
    for actor in (officer, local):
        with pytest.raises(PermissionDenied):
            case_services.transition_case(
                case=referred, actor=actor, name="return_referral", reason="不归我们管"
            )
    assert Case.objects.get(pk=referred.pk).status == "referred"


def test_it_takes_the_objection_from_the_receiver(referred, bureau):
    liaison = officer_of(bureau, "liaison", Role.DEPARTMENT_LIAISON)
    services.complete_task(
        task_id=open_task(referred, "referral_response").pk,
        user=liaison,
        data={"response": "object", "reason": "不属信访事项"},
    )
    assert Case.objects.get(pk=referred.pk).status == "screening"


def test_it_refuses_to_send_down_the_acceptance_decision(intake, officer, supervisor, city):
    unit = OrganisationFactory(name="某镇侨胞之家", kind="service_point", parent=city)
    case = intake()
    services.complete_task(task_id=open_task(case, "screen").pk, user=officer, data={"notes": "x"})
    with pytest.raises(ValidationError) as error:
        services.send_task_down(
            task_id=open_task(case, "decide").pk, actor=supervisor, organisation=unit
        )
    assert error.value.code == "not_sendable"


# Open redirect ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["https://evil.example", "//evil.example", "javascript:alert(1)", "\\\\evil.example"]
)
@pytest.mark.parametrize("action", ["claim", "release"])
def test_it_sends_back_only_to_this_site(client, intake, officer, target, action):
    case = intake()
    task = open_task(case, "screen")
    client.force_login(officer)
    response = client.post(reverse(f"workflows:{action}", args=[task.pk]), {"next": target})
    assert response.status_code == 302
    # Where the button goes without a next page: claiming opens the task.
    done = (
        reverse("workflows:task", args=[task.pk]) if action == "claim" else case.get_absolute_url()
    )
    assert response.url == done


def test_it_follows_a_next_page_of_this_site(client, intake, officer):
    task = open_task(intake(), "screen")
    client.force_login(officer)
    response = client.post(
        reverse("workflows:claim", args=[task.pk]), {"next": "/queue/?view=team"}
    )
    assert response.url == "/queue/?view=team"


def test_it_offers_no_registration_for_an_organisation_that_numbers_no_cases(client, db):
    # A department (or a village) has no number prefix: its staff may not register cases
    # for it, and a registration sent for it anyway is refused, not a 500.
    bureau = OrganisationFactory(name="紫金县自然资源局", kind="department", number_prefix="")
    clerk = officer_of(bureau, "clerk")
    assert not capabilities.may_register_for(clerk, bureau)
    assert not capabilities.may_register_for(clerk)
    client.force_login(clerk)
    response = client.post(reverse("workflows:register"), {"handling_organisation": bureau.pk})
    assert response.status_code in (200, 403)
    assert not Case.objects.exists()
