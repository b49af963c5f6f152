"""Clocks that fire: one reminder before, one escalation after, in each reader's language."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services as case_services
from cases.models import CaseEvent, Deadline
from workflows import services
from workflows import services as workflow_services

from .conftest import at_once
from .factories import PersonFactory, officer_of

# Acceptance clocks of cases received on 2026-11-02 fall due on Tuesday 2026-11-17.
RECEIVED = date(2026, 11, 2)
DUE = date(2026, 11, 17)
# The stages' sweeps run with the clocks': the mediation's reminders, the agreement's terms.
NOTHING = {
    "reminders": 0,
    "escalations": 0,
    "referrals_taken": 0,
    "session_reminders": 0,
    "overdue_terms": 0,
}


@pytest.fixture
def fire(django_capture_on_commit_callbacks):
    def run(today):
        with django_capture_on_commit_callbacks(execute=True):
            return services.fire_clocks(today=today)

    return run


def test_it_reminds_the_officer_once_three_working_days_before(intake, officer, fire):
    officer.email = "officer@example.cn"
    officer.save()
    case = intake(received_on=RECEIVED)

    assert fire(date(2026, 11, 11)) == NOTHING  # 4 working days
    assert fire(date(2026, 11, 12)) == {**NOTHING, "reminders": 1}  # 3 working days
    assert fire(date(2026, 11, 12)) == NOTHING
    assert fire(date(2026, 11, 13)) == NOTHING

    assert [m.to for m in mail.outbox] == [["officer@example.cn"]]
    assert case.number in mail.outbox[0].subject
    assert case.events.filter(kind=CaseEvent.Kind.DEADLINE, transition="reminder").count() == 1


def test_it_escalates_to_the_supervisor_once_when_the_deadline_passed(intake, supervisor, fire):
    supervisor.email = "boss@example.cn"
    supervisor.save()
    case = intake(received_on=RECEIVED)

    assert fire(DUE)["escalations"] == 0  # due today is not late
    assert fire(date(2026, 11, 18))["escalations"] == 1
    assert fire(date(2026, 11, 19))["escalations"] == 0

    escalations = [m for m in mail.outbox if m.to == ["boss@example.cn"]]
    assert len(escalations) == 1
    assert case.events.filter(transition="escalation").count() == 1
    assert Deadline.objects.get(case=case).escalated_at is not None


def test_it_writes_in_each_reader_s_language(intake, supervisor, city, fire):
    english = officer_of(city, "sup_en", "supervisor")
    english.email, english.language = "en@example.cn", "en"
    english.save()
    supervisor.email, supervisor.language = "zh@example.cn", "zh-hans"
    supervisor.save()
    intake(received_on=RECEIVED)

    fire(date(2026, 11, 18))

    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["en@example.cn"].startswith("Overdue:")
    assert subjects["zh@example.cn"].startswith("逾期")


def test_it_never_escalates_the_parties_confirmation_window(intake, supervisor, fire):
    case = intake(received_on=RECEIVED)
    case.deadlines.update(kind=Deadline.Kind.JUDICIAL_CONFIRMATION)
    assert fire(date(2026, 12, 30))["escalations"] == 0


def test_it_ignores_stopped_clocks(intake, fire):
    case = intake(received_on=RECEIVED)
    case.deadlines.update(stopped_on=date(2026, 11, 5))
    assert fire(date(2026, 11, 18)) == NOTHING


def test_it_sends_a_daily_digest(intake, officer, django_capture_on_commit_callbacks):
    officer.email = "officer@example.cn"
    officer.save()
    intake(received_on=RECEIVED)
    intake(title="远期案件", received_on=date(2026, 11, 20))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_daily_digests(today=date(2026, 11, 16)) == 1

    [message] = mail.outbox
    assert "祖坟墓地纠纷" in message.body and "远期案件" not in message.body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_escalates_once_when_two_workers_run_at_once(intake, supervisor):
    supervisor.email = "boss@example.cn"
    supervisor.save()
    case = intake(received_on=RECEIVED)

    def fire():
        return services.fire_clocks(today=date(2026, 11, 18))["escalations"]

    results = at_once(fire, fire)

    assert sorted(results) == [0, 1]
    assert case.events.filter(transition="escalation").count() == 1
    assert len([m for m in mail.outbox if m.to == ["boss@example.cn"]]) == 1


def test_it_reports_a_case_up_and_keeps_the_lower_level_reading(township, city, client, intake):
    local = officer_of(township, "local")
    case = intake(
        actor=local, handling_organisation=township, person=PersonFactory(registered_by=township)
    )

    case = workflow_services.report_up(case=case, actor=local, reason="涉外，需市侨联协调")

    assert case.handling_organisation == city and case.officer is None
    event = case.events.get(kind=CaseEvent.Kind.HIERARCHY)
    assert (event.actor, event.reason) == (local, "涉外，需市侨联协调")
    client.force_login(local)
    assert client.get(case.get_absolute_url()).status_code == 200  # still readable
    with pytest.raises(PermissionDenied):
        case_services.add_note(case=case, actor=local, text="我还想改")
    with pytest.raises(ValidationError):
        workflow_services.report_up(case=case, actor=officer_of(city, "c"), reason="")


def test_it_refuses_to_report_up_from_the_top(case, officer):
    with pytest.raises(ValidationError) as error:
        workflow_services.report_up(case=case, actor=officer, reason="试试")
    assert error.value.code == "no_higher_level"


def test_it_counts_the_days_left_from_the_organisations_today_whoever_looks(intake, monkeypatch):
    """At 07:56 UTC on 16 November 2026 it is 15:56 on the 16th in China, where the clock
    runs, and 23:56 on the 15th in Los Angeles: a screen there shows the same days left and
    fires the same reminders as one in China."""
    import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from cases.selectors import case_clocks

    case = intake(received_on=RECEIVED)
    moment = datetime.datetime(2026, 11, 16, 7, 56, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    with timezone.override(ZoneInfo("America/Los_Angeles")):
        [clock] = case_clocks(case)
    assert clock.today == date(2026, 11, 16)
    assert clock.working_days_left == 1  # Monday the 16th to Tuesday the 17th, DUE
    with timezone.override(ZoneInfo("America/Los_Angeles")):
        assert services.fire_clocks() == {**NOTHING, "reminders": 1}
