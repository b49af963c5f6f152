"""The rest of a case's life: withdrawal, suspension and resumption, reopening, and a
referral nobody objected to. Each is driven through its screen where it has one (the case
page's lifecycle panel), as the person the capability table names, and refused to others;
cases come from intake and move on through the process's tasks (``do``)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from cases.calendar import WorkingCalendar
from cases.models import Case, CaseEvent, Deadline, Role, Withdrawal
from documents.services import render_document
from documents.snapshots import zh_date
from workflows import lifecycle, services
from workflows.models import CaseProcess

from .conftest import at_once, open_tasks
from .factories import PersonFactory, officer_of
from .test_documents import content, pdf_text

K = Deadline.Kind


def open_task_names(case) -> list[str]:
    return [t.flow_task.name for t in open_tasks(case)]


def post(client, user, name: str, case, data: dict):
    client.force_login(user)
    return client.post(reverse(f"workflows:{name}", args=[case.pk]), data, follow=True)


def page_says(response, message: str) -> bool:
    with translation.override("zh-hans"):
        return translation.gettext(message) in response.content.decode()


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def screening(intake, do):
    return do(intake(), "screen", {"notes": "事实清楚，属本会职责"})


@pytest.fixture
def township_case(intake, township):
    """A case the township 侨胞之家 handles, with its own officer and head."""
    local = officer_of(township, "local")
    case = intake(
        actor=local, handling_organisation=township, person=PersonFactory(registered_by=township)
    )
    return case, local, officer_of(township, "head", Role.SUPERVISOR)


# Withdrawal ---------------------------------------------------------------------------


def test_it_records_a_withdrawal_and_ends_the_process(client, screening, officer):
    response = post(
        client,
        officer,
        "withdraw",
        screening,
        {"channel": "letter", "statement": "当事人来函称双方已自行和解，撤回申请。"},
    )

    assert response.status_code == 200
    case = fresh(screening)
    assert case.status == "withdrawn"
    withdrawal = Withdrawal.objects.get(case=case)
    assert (withdrawal.channel, withdrawal.recorded_by) == ("letter", officer)
    assert withdrawal.statement == "当事人来函称双方已自行和解，撤回申请。"
    event = case.events.get(transition="withdraw")
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "transition",
        "screening",
        "withdrawn",
        officer,
    )
    assert not case.deadlines.filter(stopped_on__isnull=True).exists()
    process = CaseProcess.objects.get(case=case)
    assert process.status == PROCESS.CANCELED
    assert open_tasks(case) == []
    decide = process.task_set.get(flow_task_type="HUMAN", status=STATUS.CANCELED)
    assert decide.flow_task.name == "decide"
    assert page_says(response, "The withdrawal is recorded and the case is closed as withdrawn.")


def test_it_lets_only_the_handling_organisation_record_a_withdrawal(
    client, township_case, city, outsider
):
    case, _local, head = township_case
    city_supervisor = officer_of(city, "city_supervisor", Role.SUPERVISOR)
    data = {"channel": "phone", "statement": "电话撤回"}

    assert post(client, outsider, "withdraw", case, data).status_code == 404  # cannot read it
    assert post(client, city_supervisor, "withdraw", case, data).status_code == 403  # reads only
    assert fresh(case).status == "registered"
    assert post(client, head, "withdraw", case, data).status_code == 200
    assert fresh(case).status == "withdrawn"


def test_it_keeps_a_unit_that_was_sent_work_from_withdrawing(client, case, township, officer):
    local = officer_of(township, "local")
    [task] = open_tasks(case)
    services.send_task_down(task_id=task.pk, actor=officer, organisation=township)

    response = post(client, local, "withdraw", case, {"channel": "phone", "statement": "撤回"})

    assert response.status_code == 403  # it may do the task, not end the case
    assert fresh(case).status == "registered"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"channel": "letter", "statement": "   "}, "This field is required."),
        ({"channel": "fax", "statement": "撤回"}, None),
        ({"statement": "撤回"}, "This field is required."),
    ],
)
def test_it_answers_bad_withdrawal_input_with_a_message(client, case, officer, data, message):
    response = post(client, officer, "withdraw", case, data)

    assert response.status_code == 200
    assert fresh(case).status == "registered"
    assert not Withdrawal.objects.exists()
    assert response.context["messages"]
    if message:
        assert page_says(response, message)


def test_it_tells_why_a_finished_case_cannot_be_withdrawn(client, screening, do, officer):
    declined = do(screening, "decide", {"decision": "decline", "reason": "属法院受理范围"})

    response = post(client, officer, "withdraw", declined, {"channel": "phone", "statement": "x"})

    assert response.status_code == 200
    assert fresh(declined).status == "declined"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


# Suspension and resumption ------------------------------------------------------------


def test_it_suspends_the_case_and_holds_its_tasks(client, screening, officer, supervisor):
    expected = timezone.localdate() + timedelta(days=60)
    response = post(
        client,
        officer,
        "suspend",
        screening,
        {"reason": "等待法院对继承权的判决", "expected_resume_on": expected.isoformat()},
    )

    case = fresh(screening)
    assert (case.status, case.suspended_from) == ("suspended", "screening")
    assert case.events.filter(transition="suspend", reason="等待法院对继承权的判决").exists()
    suspension = case.suspensions.get()
    assert (suspension.expected_resume_on, suspension.suspended_by) == (expected, officer)
    assert page_says(response, "The case is suspended: its tasks wait until it is resumed.")

    [decide] = open_tasks(case)
    with pytest.raises(ValidationError) as error:
        services.complete_task(task_id=decide.pk, user=supervisor, data={"decision": "accept"})
    assert error.value.code == "suspended"
    with pytest.raises(ValidationError) as error:
        services.claim_task(task_id=decide.pk, user=supervisor)
    assert error.value.code == "suspended"
    assert Task.objects.get(pk=decide.pk).status == STATUS.NEW

    client.force_login(supervisor)
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert reverse("workflows:claim", args=[decide.pk]) not in case_page  # nothing to take
    assert '<span class="button">受理决定' in case_page  # shown, not offered
    task_page = client.get(reverse("workflows:task", args=[decide.pk]))
    assert page_says(task_page, "The case is suspended: its tasks wait until it is resumed.")
    answer = client.post(
        reverse("workflows:task", args=[decide.pk]), {"decision": "accept"}, follow=True
    )
    assert fresh(case).status == "suspended"
    assert page_says(answer, "The case is suspended: its tasks wait until it is resumed.")


def test_it_tells_the_claimant_with_a_suspension_notice(client, screening, officer):
    post(client, officer, "suspend", screening, {"reason": "当事人在马来西亚，暂无法联系"})

    notice = fresh(screening).documents.get(kind="suspension_notice")
    assert notice.number == "河侨维〔2026〕1号"
    text = pdf_text(content(render_document(document_id=notice.pk)))
    assert "中止办理告知书" in text and "当事人在马来西亚，暂无法联系" in text
    assert "中止期间不计入办理期限" in text


def test_it_resumes_where_the_case_was_suspended(client, screening, do, officer, supervisor):
    post(client, officer, "suspend", screening, {"reason": "等待法院判决"})
    response = post(client, officer, "resume", screening, {"reason": "法院已判决"})

    case = fresh(screening)
    assert case.status == "screening"
    assert case.events.filter(transition="resume", to_status="screening").exists()
    assert case.suspensions.get().resumed_by == officer
    assert page_says(response, "The case is resumed.")
    assert do(case, "decide", {"decision": "accept", "reason": ""}).status == "accepted"


def test_it_lets_only_the_handling_organisation_suspend(client, township_case, city, outsider):
    case, local, _head = township_case
    city_supervisor = officer_of(city, "city_supervisor", Role.SUPERVISOR)
    data = {"reason": "等待法院判决"}

    assert post(client, outsider, "suspend", case, data).status_code == 404
    assert post(client, city_supervisor, "suspend", case, data).status_code == 403
    assert post(client, local, "suspend", case, data).status_code == 200
    assert post(client, city_supervisor, "resume", case, {}).status_code == 403
    assert fresh(case).status == "suspended"


@pytest.mark.parametrize(
    "data",
    [
        {"reason": ""},
        {"reason": "等待", "expected_resume_on": "2020-01-01"},
        {"reason": "等待", "expected_resume_on": "not a date"},
        {"reason": "等待", "expected_resume_on": "0001-01-01"},
    ],
)
def test_it_answers_bad_suspension_input_with_a_message(client, case, officer, data):
    response = post(client, officer, "suspend", case, data)

    assert response.status_code == 200
    assert fresh(case).status == "registered"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_it_resumes_the_clocks_extended_by_the_working_days_suspended(
    intake, officer, supervisor, django_capture_on_commit_callbacks
):
    # Received Monday 14 September 2026: 15 days to accept, due Tuesday 29 September.
    case = intake(received_on=date(2026, 9, 14))
    assert case.deadlines.get(kind=K.ACCEPTANCE).due_on == date(2026, 9, 29)

    # Suspended on Monday 28 September, over the National Day holiday (1–7 October off,
    # Saturday 10 October a working day), resumed on Monday 12 October: it waited the
    # working days 29 and 30 September, 8, 9, 10 and 12 October.
    lifecycle.suspend_case(case=case, actor=officer, reason="等待法院判决", on=date(2026, 9, 28))
    clock = case.deadlines.get(kind=K.ACCEPTANCE)
    assert (clock.suspended_on, clock.is_running, clock.is_suspended) == (
        date(2026, 9, 28),
        False,
        True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        fired = services.fire_clocks(today=date(2026, 10, 9))
    assert fired == {
        "reminders": 0,
        "escalations": 0,
        "referrals_taken": 0,
        "session_reminders": 0,
        "overdue_terms": 0,
    }  # it waits

    lifecycle.resume_case(case=case, actor=officer, on=date(2026, 10, 12))

    clock = case.deadlines.get(kind=K.ACCEPTANCE)
    assert WorkingCalendar.load().working_days_between(date(2026, 9, 28), date(2026, 10, 12)) == 6
    assert (clock.suspended_on, clock.suspended_working_days) == (None, 6)
    assert clock.due_on == date(2026, 10, 13)  # six working days after 29 September
    assert clock.is_running
    assert case.events.filter(transition="resume_clocks").get().summary.startswith("中止")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.fire_clocks(today=date(2026, 10, 13))["escalations"] == 0
        assert services.fire_clocks(today=date(2026, 10, 14))["escalations"] == 1


def test_it_keeps_the_suspension_when_the_calendar_is_recomputed(intake, officer):
    from cases.services import recompute_running_deadlines

    case = intake(received_on=date(2026, 9, 14))
    lifecycle.suspend_case(case=case, actor=officer, reason="等待", on=date(2026, 9, 28))
    lifecycle.resume_case(case=case, actor=officer, on=date(2026, 10, 12))

    assert recompute_running_deadlines() == 0
    assert case.deadlines.get(kind=K.ACCEPTANCE).due_on == date(2026, 10, 13)


def test_it_refuses_to_resume_before_the_suspension(intake, officer):
    case = intake(received_on=date(2026, 9, 14))
    lifecycle.suspend_case(case=case, actor=officer, reason="等待", on=date(2026, 9, 28))

    with pytest.raises(ValidationError) as error:
        lifecycle.resume_case(case=case, actor=officer, on=date(2026, 9, 25))

    assert error.value.code == "resume_before_suspension"
    assert fresh(case).status == "suspended"


# Reopening ----------------------------------------------------------------------------


def _declined(case, do, legal_review=None):
    case = do(case, "screen", {"notes": "不属本会职责"})
    return do(case, "decide", {"decision": "decline", "reason": "属法院受理范围"})


def _closed(case, do, legal_review):
    case = do(case, "screen", {"notes": "可受理"})
    case = do(case, "decide", {"decision": "accept", "reason": ""})
    case = legal_review(case, "close")
    case = do(case, "route", {"route": "close", "notes": ""})
    return do(case, "close_approval", {"reason": "已书面答复当事人"})


@pytest.mark.parametrize("finish", [_declined, _closed])
def test_it_reopens_with_a_new_run_from_screening(
    client, intake, do, supervisor, legal_review, finish
):
    case = finish(intake(), do, legal_review)
    finished = fresh(case).status
    [first] = CaseProcess.objects.filter(case=case)
    earlier_tasks = list(first.task_set.values_list("pk", "status"))

    response = post(client, supervisor, "reopen", case, {"reason": "当事人提交了新的证据"})

    case = fresh(case)
    assert case.status == "screening"
    assert page_says(response, "The case is reopened and goes back to screening.")
    event = case.events.get(transition="reopen")
    assert (event.from_status, event.reason, event.actor) == (
        finished,
        "当事人提交了新的证据",
        supervisor,
    )
    runs = list(CaseProcess.objects.filter(case=case).order_by("pk"))
    assert [r.status for r in runs] == [PROCESS.DONE, PROCESS.NEW]
    assert list(first.task_set.values_list("pk", "status")) == earlier_tasks  # history stays
    assert open_task_names(case) == ["rescreen"]
    acceptance = case.deadlines.get(kind=K.ACCEPTANCE, stopped_on__isnull=True)
    assert acceptance.starts_on == timezone.localdate()

    case = do(case, "rescreen", {"notes": "新证据表明属本会职责"})
    assert case.status == "screening"  # re-screening changes no status
    assert case.events.filter(summary__contains="新证据表明属本会职责").exists()
    assert open_task_names(case) == ["decide"]
    case = do(case, "decide", {"decision": "accept", "reason": ""})
    assert case.status == "accepted"
    assert case.number == fresh(case).number

    client.force_login(supervisor)
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    assert len(page.context["process_runs"]) == 2


def test_it_leaves_reopening_to_the_handling_supervisor(client, intake, do, officer, outsider):
    case = _declined(intake(), do)

    assert post(client, outsider, "reopen", case, {"reason": "新事实"}).status_code == 404
    assert post(client, officer, "reopen", case, {"reason": "新事实"}).status_code == 403
    assert fresh(case).status == "declined"
    assert CaseProcess.objects.filter(case=case).count() == 1


def test_it_tells_why_an_open_case_cannot_be_reopened(client, case, supervisor):
    response = post(client, supervisor, "reopen", case, {"reason": "新事实"})

    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert fresh(case).status == "registered"
    assert CaseProcess.objects.filter(case=case).count() == 1


def test_it_reopens_a_withdrawn_case(screening, officer, supervisor, do):
    lifecycle.withdraw_case(case=screening, actor=officer, channel="phone", statement="撤回")

    lifecycle.reopen_case(case=screening, actor=supervisor, reason="当事人重新提出申请")

    runs = CaseProcess.objects.filter(case=screening).order_by("pk")
    assert [r.status for r in runs] == [PROCESS.CANCELED, PROCESS.NEW]
    assert open_task_names(screening) == ["rescreen"]


# The panel ----------------------------------------------------------------------------


def test_it_shows_each_person_only_the_steps_the_table_allows(client, screening, do, officer):
    client.force_login(officer)
    page = client.get(screening.get_absolute_url())
    assert [c.name for c in page.context["lifecycle_controls"]] == ["withdraw", "suspend"]
    assert reverse("workflows:withdraw", args=[screening.pk]) in page.content.decode()
    assert reverse("workflows:reopen", args=[screening.pk]) not in page.content.decode()

    declined = do(screening, "decide", {"decision": "decline", "reason": "属法院受理范围"})
    page = client.get(declined.get_absolute_url())
    assert "lifecycle_controls" not in page.context  # the officer may not reopen: no panel


def test_it_offers_the_supervisor_to_reopen(client, screening, do, supervisor):
    declined = do(screening, "decide", {"decision": "decline", "reason": "属法院受理范围"})
    client.force_login(supervisor)
    page = client.get(declined.get_absolute_url())
    assert [c.name for c in page.context["lifecycle_controls"]] == ["reopen"]


def test_it_hides_the_panel_from_a_reader_who_may_not_act(client, township_case, city):
    case, _local, _head = township_case
    client.force_login(officer_of(city, "city_supervisor", Role.SUPERVISOR))
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    assert "lifecycle_controls" not in page.context


# A referral nobody objected to --------------------------------------------------------


@pytest.fixture
def referred(screening, do, other_city):
    return do(
        screening, "decide", {"decision": "refer", "reason": "属梅州", "refer_to": other_city}
    )


def test_it_starts_the_objection_clock_with_the_referral(referred):
    window = referred.deadlines.get(kind=K.REFERRAL_OBJECTION)
    assert window.starts_on == timezone.localdate()
    assert window.due_on == WorkingCalendar.load().add_working_days(timezone.localdate(), 5)
    letter = referred.documents.get(kind="referral_letter")
    assert letter.snapshot["objection_due"] == zh_date(window.due_on)


def test_it_takes_an_unanswered_referral_once(referred, django_capture_on_commit_callbacks):
    from django.core import mail

    window = referred.deadlines.get(kind=K.REFERRAL_OBJECTION)

    def fire(day):
        with django_capture_on_commit_callbacks(execute=True):
            return services.fire_clocks(today=day)

    assert fire(window.due_on)["referrals_taken"] == 0  # the last day is still the receiver's
    late = window.due_on + timedelta(days=1)
    assert fire(late) == {
        "reminders": 0,
        "escalations": 0,
        "referrals_taken": 1,
        "session_reminders": 0,
        "overdue_terms": 0,
    }
    assert fire(late)["referrals_taken"] == 0
    assert fire(late + timedelta(days=7))["referrals_taken"] == 0

    case = fresh(referred)
    assert (case.status, case.referred_to.name) == ("referred", "梅州市侨联")
    [answer] = Task.objects.filter(process__caseprocess__case=case, flow_task_type="HUMAN").filter(
        status=STATUS.DONE, owner__isnull=True
    )
    assert answer.flow_task.name == "referral_response"
    assert CaseProcess.objects.get(case=case).status == PROCESS.DONE
    assert open_tasks(case) == []
    assert case.deadlines.get(kind=K.REFERRAL_OBJECTION).stopped_on == late
    [event] = case.events.filter(transition="referral_lapsed")
    assert (event.kind, event.actor) == (CaseEvent.Kind.DEADLINE, None)
    assert "5" in event.summary and "第二十三条" in event.summary
    assert mail.outbox == []  # nobody is escalated to: the referral simply stands


def test_it_stops_the_objection_clock_when_the_receiver_takes_the_case(referred, do, other_city):
    receiver = officer_of(other_city, "receiver")
    case = do(referred, "referral_response", {"response": "accept", "reason": ""}, user=receiver)

    window = case.deadlines.get(kind=K.REFERRAL_OBJECTION)
    assert window.stopped_on == timezone.localdate()
    assert case.events.filter(transition="take_referral", actor=receiver).exists()
    later = window.due_on + timedelta(days=3)
    assert services.fire_clocks(today=later)["referrals_taken"] == 0


def test_it_stops_the_objection_clock_when_the_receiver_objects(referred, do, other_city):
    receiver = officer_of(other_city, "receiver")
    case = do(
        referred, "referral_response", {"response": "object", "reason": "不属我市"}, user=receiver
    )

    assert case.status == "screening"
    assert case.deadlines.get(kind=K.REFERRAL_OBJECTION).stopped_on == timezone.localdate()
    assert (
        services.fire_clocks(today=timezone.localdate() + timedelta(days=30))["referrals_taken"]
        == 0
    )
    assert open_task_names(case) == ["decide"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_takes_an_unanswered_referral_once_when_two_workers_run_at_once(referred):
    late = referred.deadlines.get(kind=K.REFERRAL_OBJECTION).due_on + timedelta(days=1)

    def fire():
        return services.fire_clocks(today=late)["referrals_taken"]

    assert sorted(at_once(fire, fire)) == [0, 1]
    assert referred.events.filter(transition="referral_lapsed").count() == 1
    assert CaseProcess.objects.get(case=referred).status == PROCESS.DONE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_withdraws_while_a_task_is_being_done_without_a_deadlock(intake, officer):
    case = intake()
    [screen] = open_tasks(case)

    def withdraw():
        return lifecycle.withdraw_case(
            case=case, actor=officer, channel="phone", statement="电话撤回"
        )

    def complete():
        return services.complete_task(task_id=screen.pk, user=officer, data={"notes": "可受理"})

    results = at_once(withdraw, complete)

    assert isinstance(results[0], Withdrawal)
    # Either the task was done first, or the withdrawal cancelled it and it was refused.
    assert results[1] == screen or getattr(results[1], "code", None) == "cancelled"
    assert fresh(case).status == "withdrawn"
    assert open_tasks(case) == []
    assert CaseProcess.objects.get(case=case).status == PROCESS.CANCELED
