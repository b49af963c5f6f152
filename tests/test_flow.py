"""The dispute flow in viewflow: every route, who may do what, and the case it moves."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import Case
from workflows import services
from workflows.models import CaseProcess

from .conftest import open_tasks
from .factories import PersonFactory, officer_of

OPEN = [STATUS.NEW, STATUS.ASSIGNED]


def open_task_names(case) -> list[str]:
    return [t.flow_task.name for t in open_tasks(case)]


def accepted(case, do):
    case = do(case, "screen", {"notes": "事实清楚，属本会职责"})
    return do(case, "decide", {"decision": "accept", "reason": ""})


def in_review(case, do, legal_review, route="coordination"):
    """Accepted and through the legal review: the committee recommends ``route`` and the
    case waits for the officer's choice of route."""
    return legal_review(accepted(case, do), route)


def test_it_starts_the_process_at_intake_with_screening(intake):
    case = intake()
    process = CaseProcess.objects.get(case=case)
    assert process.flow_class.__name__ == "DisputeFlow"
    assert open_task_names(case) == ["screen"]
    assert case.status == "registered"


def test_it_takes_a_case_from_intake_to_legal_review(intake, do, lawyer, lawyer2):
    case = accepted(intake(), do)
    assert case.status == "accepted"
    assert set(case.documents.values_list("kind", flat=True)) >= {
        "acceptance_notice",
        "rights_notice",
    }
    assert open_task_names(case) == ["send_to_review"]
    case = do(
        case,
        "send_to_review",
        {"lead": lawyer.pk, "members": [lawyer2.pk], "notes": "请法顾委审查"},
        form=True,
    )
    assert case.status == "legal_review"
    assert open_task_names(case) == ["review", "review"]  # one task per adviser's seat
    assert {t.owner for t in open_tasks(case)} == {lawyer, lawyer2}


@pytest.mark.parametrize(
    ("route", "stages", "tasks"),
    [
        # status after the route decision, then after each task before the outcome (a
        # written agreement of a mediation: the agreement stage's signature)
        ("coordination", ["coordinating", "coordinating"], ["coordination", "outcome"]),
        ("mediation", ["mediating", "mediating"], ["mediation", "sign_agreement"]),
        (
            "both",
            ["coordinating", "mediating", "mediating"],
            ["coordination", "mediation", "sign_agreement"],
        ),
        ("advice", ["legal_review"], ["outcome"]),
    ],
)
def test_it_follows_each_route_to_closure(
    intake,
    do,
    legal_review,
    coordinate,
    mediate,
    conclude,
    complete_case_file,
    route,
    stages,
    tasks,
):
    case = in_review(intake(), do, legal_review, route)
    assert case.status == "legal_review"
    assert open_task_names(case) == ["route"]
    case = do(case, "route", {"route": route, "notes": ""})
    seen = [case.status]
    for name in tasks[:-1]:
        # A meeting through the coordination stage, or mediation through its stage (a
        # written agreement: the agreement stage follows).
        case = coordinate(case) if name == "coordination" else mediate(case)
        seen.append(case.status)
    assert seen == stages
    assert open_task_names(case) == [tasks[-1]]
    if tasks[-1] == "outcome":
        case = do(
            case,
            "outcome",
            {
                "result": "settled",
                "agreement_on": date(2026, 11, 20),
                "route_forward": "",
                "notes": "双方签署协议",
            },
        )
        assert case.status == "settled"
        case = do(case, "follow_up", {"visit": "回访谭永康，协议已履行，满意"})
    else:
        # The mediator signs the agreement the parties confirmed: in effect, it settles
        # the case; its performance is tracked and the follow-up visit starts the
        # follow-up. A mediated case closes with its case file complete.
        case = conclude(case, until="sign_agreement")
        assert case.status == "settled"
        assert open_task_names(case) == ["track_performance"]
        case = conclude(case, until="follow_up_visit")
        case = complete_case_file(case)
    assert case.status == "following_up"
    assert open_task_names(case) == ["close_approval"]
    case = do(case, "close_approval", {"reason": "协议履行完毕"})
    assert case.status == "closed"
    assert open_tasks(case) == []
    assert CaseProcess.objects.get(case=case).status == "DONE"


def test_it_records_the_route_forward_when_unresolved(intake, do, legal_review, coordinate):
    # The outcome task follows coordination alone (a mediation records its own outcome).
    case = in_review(intake(), do, legal_review, "coordination")
    case = do(case, "route", {"route": "coordination", "notes": ""})
    case = coordinate(case)
    case = do(
        case,
        "outcome",
        {"result": "unresolved", "route_forward": "arbitration", "notes": "", "agreement_on": None},
    )
    assert case.status == "unresolved"
    assert case.events.filter(transition="mark_unresolved").get().reason.startswith("申请仲裁")


def test_it_refuses_an_agreement_dated_in_the_future(intake, do, legal_review, coordinate):
    # An agreement the coordination meeting reached, recorded by the outcome task.
    case = in_review(intake(), do, legal_review, "coordination")
    case = do(case, "route", {"route": "coordination", "notes": ""})
    case = coordinate(case)
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        do(case, "outcome", {"result": "settled", "agreement_on": tomorrow, "notes": ""})
    assert error.value.error_list[0].code == "future_agreement"
    assert open_task_names(case) == ["outcome"]
    assert Case.objects.get(pk=case.pk).status == "coordinating"


def test_it_closes_directly_after_legal_review(intake, do, legal_review):
    case = in_review(intake(), do, legal_review, "close")
    case = do(case, "route", {"route": "close", "notes": "书面答复已足够"})
    case = do(case, "close_approval", {"reason": "已书面答复当事人"})
    assert case.status == "closed"


def test_it_refuses_to_close_a_mediated_case_until_its_case_file_is_complete(
    intake, do, legal_review, mediate, complete_case_file
):
    # An oral agreement: the case file needs no 调解协议书, only what every mediated case
    # needs (the proof of identity and the mediation record are not in yet).
    case = in_review(intake(), do, legal_review, "mediation")
    case = do(case, "route", {"route": "mediation", "notes": ""})
    case = mediate(case, "oral", terms="双方同意恢复祭扫通道。")
    case = do(case, "follow_up", {"visit": "回访谭永康，满意"})
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        do(case, "close_approval", {"reason": "调解结案"})
    [refusal] = error.value.error_list
    assert refusal.code == "case_file_incomplete"
    assert "身份证明" in refusal.message and "调解记录" in refusal.message
    assert "调解协议书" not in refusal.message
    assert (open_task_names(case), Case.objects.get(pk=case.pk).status) == (
        ["close_approval"],
        "following_up",
    )

    case = do(complete_case_file(case), "close_approval", {"reason": "调解结案"})
    assert case.status == "closed"


def test_it_ends_when_declined(intake, do):
    case = do(intake(), "screen", {"notes": "不属本会职责"})
    case = do(case, "decide", {"decision": "decline", "reason": "属法院受理范围"})
    assert case.status == "declined" and open_tasks(case) == []


def test_it_returns_a_referred_case_when_the_receiver_objects(intake, do, other_city):
    receiver = officer_of(other_city, "receiver")
    case = do(intake(), "screen", {"notes": "属外市"})
    case = do(case, "decide", {"decision": "refer", "reason": "属梅州", "refer_to": other_city})
    assert case.status == "referred"
    assert open_task_names(case) == ["referral_response"]

    with pytest.raises(PermissionDenied):  # the sender cannot answer for the receiver
        do(case, "referral_response", {"response": "object", "reason": "x"})
    case = do(
        case, "referral_response", {"response": "object", "reason": "不属我市"}, user=receiver
    )

    assert case.status == "screening"
    assert open_task_names(case) == ["decide"]


def test_it_ends_when_the_receiver_takes_the_case(intake, do, other_city):
    receiver = officer_of(other_city, "receiver")
    case = do(intake(), "screen", {"notes": "属外市"})
    case = do(case, "decide", {"decision": "refer", "reason": "属梅州", "refer_to": other_city})
    case = do(case, "referral_response", {"response": "accept", "reason": ""}, user=receiver)
    assert case.status == "referred" and open_tasks(case) == []


def test_it_offers_acceptance_decisions_to_the_supervisor_only(intake, do, officer):
    case = do(intake(), "screen", {"notes": "可受理"})
    with pytest.raises(PermissionDenied):
        do(case, "decide", {"decision": "accept", "reason": ""}, user=officer)
    assert case.status == "screening"


def test_it_keeps_other_organisations_out(intake, outsider):
    [task] = open_tasks(intake())
    with pytest.raises(PermissionDenied):
        services.claim_task(task_id=task.pk, user=outsider)
    with pytest.raises(PermissionDenied):
        services.complete_task(task_id=task.pk, user=outsider, data={"notes": "x"})


def test_it_claims_and_releases(intake, officer, city):
    colleague = officer_of(city, "colleague")
    [task] = open_tasks(intake())

    services.claim_task(task_id=task.pk, user=officer)
    with pytest.raises(ValidationError) as error:
        services.claim_task(task_id=task.pk, user=colleague)
    assert error.value.code == "taken"
    with pytest.raises(PermissionDenied):
        services.release_task(task_id=task.pk, user=colleague)

    services.release_task(task_id=task.pk, user=officer)
    services.claim_task(task_id=task.pk, user=colleague)
    assert Task.objects.get(pk=task.pk).owner == colleague


def test_it_refuses_to_complete_a_task_twice(intake, do, officer):
    case = intake()
    [task] = open_tasks(case)
    services.complete_task(task_id=task.pk, user=officer, data={"notes": "ok"})
    with pytest.raises(ValidationError) as error:
        services.complete_task(task_id=task.pk, user=officer, data={"notes": "again"})
    assert error.value.code == "done"
    assert case.events.filter(transition="start_screening").count() == 1


def test_it_refuses_a_task_of_a_person_from_another_township(intake, township, city, do):
    local = officer_of(township, "local")
    case = intake()
    with pytest.raises(PermissionDenied):
        do(case, "screen", {"notes": "x"}, user=local)
    assert Case.objects.get(pk=case.pk).status == "registered"


def test_it_keeps_the_case_when_a_step_fails(intake, do, supervisor):
    case = do(intake(), "screen", {"notes": "可受理"})
    with pytest.raises(ValidationError):  # declining needs a reason (the form checks it too)
        do(case, "decide", {"decision": "decline", "reason": ""})
    assert Case.objects.get(pk=case.pk).status == "screening"
    assert open_task_names(case) == ["decide"]


def test_it_gives_the_case_officer_the_tasks_he_may_do_and_mails_him(
    intake, do, officer, supervisor, django_capture_on_commit_callbacks
):
    from django.core import mail

    officer.email, supervisor.email = "officer@example.cn", "boss@example.cn"
    officer.save()
    supervisor.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = intake()
    [screen] = open_tasks(case)
    assert screen.owner == officer
    assert [m.to for m in mail.outbox] == [["officer@example.cn"]]
    assert "受理审查" in mail.outbox[0].subject

    case = do(case, "screen", {"notes": "可受理"})
    [decide] = open_tasks(case)
    assert decide.owner is None  # the officer may not decide: it waits for a supervisor


def test_it_sends_a_task_down_to_a_lower_unit(intake, do, city, township, officer):
    local = officer_of(township, "local")
    case = intake()
    [task] = open_tasks(case)

    with pytest.raises(PermissionDenied):
        services.send_task_down(task_id=task.pk, actor=local, organisation=township)
    services.send_task_down(task_id=task.pk, actor=officer, organisation=township)

    task = Task.objects.get(pk=task.pk)
    assert (task.owner, task.owner_permission_obj_pk) == (None, str(township.pk))
    assert case.accesses.filter(organisation=township).exists()
    assert case.events.filter(transition="send_down").exists()
    case = do(case, "screen", {"notes": "镇里已核实"}, user=local)
    assert case.status == "screening"
    assert Case.objects.get(pk=case.pk).handling_organisation == city


def test_it_refuses_to_send_work_sideways(intake, officer, other_city):
    [task] = open_tasks(intake())
    with pytest.raises(ValidationError) as error:
        services.send_task_down(task_id=task.pk, actor=officer, organisation=other_city)
    assert error.value.code == "not_below"


def test_it_reports_up_and_hands_the_open_tasks_to_the_higher_level(township, city, do, intake):
    local = officer_of(township, "local")
    city_officer = officer_of(city, "city_officer")
    case = intake(
        actor=local, handling_organisation=township, person=PersonFactory(registered_by=township)
    )
    services.report_up(case=case, actor=local, reason="涉外，需市侨联协调")

    [task] = open_tasks(case)
    assert (task.owner, task.owner_permission_obj_pk) == (None, str(city.pk))
    with pytest.raises(PermissionDenied):
        do(case, "screen", {"notes": "x"}, user=local)
    case = do(case, "screen", {"notes": "市侨联审查"}, user=city_officer)
    assert case.status == "screening"


def test_it_leaves_a_reviewer_s_seat_with_them_when_the_case_is_reported_up(
    township, city, do, intake, lawyer
):
    """A seat is its adviser's own task: reporting the case up moves the township's team
    work to the city, not the seat, which its adviser can still take up and finish."""
    from django.utils import timezone

    from cases.calendar import WorkingCalendar
    from cases.models import Role
    from workflows.review import selectors
    from workflows.review import services as review

    from .factories import opinion_data

    local, head = officer_of(township, "local"), officer_of(township, "head", Role.SUPERVISOR)
    case = intake(
        actor=local, handling_organisation=township, person=PersonFactory(registered_by=township)
    )
    case = do(case, "screen", {"notes": "事实清楚"}, user=local)
    case = do(case, "decide", {"decision": "accept"}, user=head)
    due = selectors.default_due_on(case, timezone.localdate(), WorkingCalendar.load())
    data = {"lead": lawyer.pk, f"due_{lawyer.pk}": due}
    case = do(case, "send_to_review", data, user=local, form=True)
    [seat_task] = open_tasks(case)

    services.report_up(case=case, actor=local, reason="涉外，需市侨联协调")

    seat_task.refresh_from_db()
    assert (seat_task.owner, seat_task.status) == (lawyer, STATUS.ASSIGNED)
    assert seat_task.owner_permission_obj_pk == str(township.pk)
    seat = selectors.seat_in(case, lawyer)
    review.declare(seat_pk=seat.pk, actor=lawyer, has_conflict=False)
    case = do(case, "review", opinion_data(), user=lawyer, form=True)
    assert [t.flow_task.name for t in open_tasks(case)] == ["consolidate"]


def test_it_refuses_a_late_objection(intake, do, other_city):
    from django.utils import timezone

    from cases.calendar import add_working_days

    receiver = officer_of(other_city, "receiver")
    case = do(intake(), "screen", {"notes": "属外市"})
    case = do(case, "decide", {"decision": "refer", "reason": "属梅州", "refer_to": other_city})
    window = case.deadlines.filter(kind="referral_objection")
    assert window.get().due_on == add_working_days(timezone.localdate(), 5)

    window.update(due_on=date(2026, 1, 5))  # the window the referral started has run out
    with pytest.raises(ValidationError) as error:
        do(case, "referral_response", {"response": "object", "reason": "不属我市"}, user=receiver)
    assert error.value.code == "objection_late"
    assert Case.objects.get(pk=case.pk).status == "referred"


def test_a_case_waiting_at_the_plain_mediation_task_goes_on_to_the_stage(intake, do, legal_review):
    """A case already at the old "mediation" task when the mediation stage was installed
    (its task row names that node) finishes it and goes on to the mediator's assignment."""
    from viewflow.workflow.models import Task

    from workflows.flows import DisputeFlow

    case = in_review(intake(), do, legal_review, "mediation")
    case = do(case, "route", {"route": "mediation", "notes": ""})
    [task] = open_tasks(case)
    Task.objects.filter(pk=task.pk).update(flow_task=DisputeFlow.mediation)
    case = do(case, "mediation", {"summary": "已与双方电话沟通。"})
    assert open_task_names(case) == ["assign_mediator"]
    assert case.status == "mediating"
