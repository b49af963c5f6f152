"""A stage is one package and one registration. The sample stage under ``tests/`` (a
department's reply) is registered for these tests alone; each part of the contract it
declares is exercised here, with no file outside ``tests/`` naming it. Registering
anything twice fails. The legal review's own names stay out of ``cases/`` and
``documents/``."""

from __future__ import annotations

import dataclasses
import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from pypdf import PdfReader
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases import capabilities, registry
from cases import services as case_services
from cases.calendar import WorkingCalendar
from cases.models import CaseParticipant, Message, Organisation, Role
from documents import casefile
from documents.kinds import KindSpec
from documents.services import issue_document, render_document
from workflows import lifecycle, stages
from workflows import services as workflow_services
from workflows.flows import DisputeFlow
from workflows.panels import Panel
from workflows.selectors import QueueFilters, queue

from .factories import UserFactory
from .sample_stage import stage as sample

MONDAY = datetime.date(2026, 12, 7)


@pytest.fixture
def sample_stage():
    stages.register_stage(sample.STAGE)
    yield sample.STAGE
    stages.unregister_stage(sample.STAGE.name)


@pytest.fixture
def invited(case, officer, department):
    CaseParticipant.objects.create(
        case=case,
        relation=CaseParticipant.Relation.DEPARTMENT,
        organisation=department,
        added_by=officer,
    )
    capabilities.forget(case)
    return case


def test_it_shows_the_stage_s_panel_to_those_its_action_allows(
    client, invited, officer, liaison, sample_stage
):
    client.force_login(liaison)
    assert "答复期限五个工作日" in client.get(invited.get_absolute_url()).content.decode()
    client.force_login(officer)
    assert "答复期限五个工作日" not in client.get(invited.get_absolute_url()).content.decode()


def test_it_prints_the_stage_s_document_with_its_own_template_and_number_mark(
    invited, officer, sample_stage
):
    document = issue_document(case=invited, kind=sample.KIND, actor=officer)
    document = render_document(document_id=document.pk)
    assert document.number.endswith(f"复〔{document.issued_at.year}〕1号")
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(document.file.read())).pages
    )
    # documents/ has a template of the same name; the stage's own is the one printed.
    assert "样例阶段自己的打印模板" in text.replace("\n", "")
    assert "主持召开" not in text


def test_it_files_the_stage_s_document_in_its_own_case_file_slot(invited, officer, sample_stage):
    issue_document(case=invited, kind=sample.KIND, actor=officer)
    labels = [slot.label for slot in casefile.SLOTS]
    assert labels[labels.index("6 证据材料") + 1] == "部门答复函"
    assert casefile.slot_name("部门答复函") == "部门答复函"


def test_it_reminds_an_organisation_s_clock_to_its_staff_and_escalates_it_to_the_heads(
    invited, officer, supervisor, liaison, department, sample_stage
):
    """An organisation's clock that ran out is its failure, not the officer's: it goes to
    its head and to the case's supervisors."""
    head = UserFactory(
        username="head", email="head@example.org", roles=[(department, Role.SUPERVISOR)]
    )
    calendar = WorkingCalendar.load()
    due = calendar.add_working_days(MONDAY, 5)
    clock = case_services.start_holder_clock(
        case=invited, kind=sample.CLOCK, holder=department, due_on=due, today=MONDAY
    )
    assert clock.get_kind_display() == "部门答复"
    assert clock.holder_organisation == department and clock.holder is None

    workflow_services.fire_clocks(today=calendar.add_working_days(MONDAY, 4))
    reminded = Message.objects.filter(kind="reminder", case=invited)
    assert list(reminded.values_list("recipient__username", flat=True)) == ["liaison"]

    officer.email = "officer@example.org"
    officer.save(update_fields=["email"])
    supervisor.email = "supervisor@example.org"
    supervisor.save(update_fields=["email"])
    workflow_services.fire_clocks(today=due + datetime.timedelta(days=1))
    escalated = Message.objects.filter(kind="escalation", case=invited)
    assert set(escalated.values_list("recipient", flat=True)) == {head.pk, supervisor.pk}


def test_it_stops_the_stage_s_clock_at_the_transitions_it_names(sample_stage):
    assert sample.CLOCK in case_services.stopped_kinds("settle")
    assert sample.CLOCK not in case_services.stopped_kinds("accept")


def test_it_calls_the_stage_s_hook_when_the_case_is_suspended(invited, supervisor, sample_stage):
    today = datetime.date.today()
    lifecycle.suspend_case(case=invited, actor=supervisor, reason="等待法院判决", on=today)
    entry = invited.events.get(kind=sample.EVENT)
    assert entry.actor == supervisor
    assert entry.get_kind_display() == "部门答复"
    assert today.isoformat() in entry.text


def test_it_puts_the_stage_s_tasks_in_the_department_s_team_queue(
    invited, liaison, officer, department, sample_stage
):
    assert sample.ACTION in capabilities.task_actions_of(Role.DEPARTMENT_LIAISON)
    assert sample.ACTION not in capabilities.task_actions_of(Role.CASE_OFFICER)
    task = Task.objects.create(
        process=invited.processes.get(),
        flow_task=DisputeFlow.screen,
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        owner_permission=sample.ACTION,
        owner_permission_content_type=ContentType.objects.get_for_model(Organisation),
        owner_permission_obj_pk=str(department.pk),
    )
    assert task in queue(liaison, QueueFilters(view="team"))
    assert task not in queue(officer, QueueFilters(view="team"))


def test_it_shows_a_stage_s_menu_link_to_those_with_its_permission(client, supervisor, officer):
    # The review's link to its committee list: supervisors only.
    link = f'href="{reverse("review:committee")}"'
    client.force_login(supervisor)
    assert link in client.get(reverse("workflows:queue")).content.decode()
    client.force_login(officer)
    assert link not in client.get(reverse("workflows:queue")).content.decode()


def test_it_adds_nothing_once_the_stage_is_gone(invited, sample_stage):
    stages.unregister_stage(sample.STAGE.name)
    try:
        assert sample.CLOCK not in registry.CLOCK_KINDS
        assert "部门答复函" not in [slot.label for slot in casefile.SLOTS]
        assert sample.ACTION not in capabilities.task_actions_of(Role.DEPARTMENT_LIAISON)
    finally:
        stages.register_stage(sample.STAGE)


# Registering anything twice fails at start-up.


def _rule(kind: str) -> registry.ClockRule:
    return registry.ClockRule(kind, 1, registry.Unit.DAYS, "")


def _again(**changes) -> stages.Stage:
    """Another stage that takes one name already taken."""
    empty = stages.Stage(name="another")
    return dataclasses.replace(empty, **changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "sample_reply"},
        {"name": "legal_review"},
        {"capabilities": {"cases.read_case": {}}},
        {"capabilities": {"review.review_case": {}}},
        {"clocks": (dataclasses.replace(sample.STAGE.clocks[0]),)},
        {"clocks": (dataclasses.replace(sample.STAGE.clocks[0], rule=_rule("handling")),)},
        {"emails": {"review_answer": "x.txt"}},
        {"timeline_kinds": {"note": "x"}},
        {"panels": (Panel("timeline", "x.html", lambda *a: None, 1),)},
        {"document_kinds": (KindSpec("legal_opinion", "x", "x", None, False),)},
        {"document_kinds": (KindSpec("other", "x", "x", "other", False, mark="法意"),)},
        {"document_kinds": (KindSpec("other", "x", "x", "letter", False, mark="另"),)},
        {"slots": ((casefile.Slot("6 证据材料", "x"), "5 调查记录"),)},
        {"hooks": {"explode": print}},
    ],
    ids=lambda changes: next(iter(changes)),
)
def test_it_refuses_a_second_registration_of_any_name(sample_stage, changes):
    with pytest.raises(ImproperlyConfigured):
        stages.register_stage(_again(**changes))
    assert "another" not in stages.STAGES


def test_it_refuses_a_stage_with_nodes_once_the_flow_is_built():
    segment = stages.Segment("review", "x", lambda then: {})
    with pytest.raises(ImproperlyConfigured, match="INSTALLED_APPS"):
        stages.register_stage(stages.Stage(name="late", flow=segment))


# The review is a stage like any other: the floor and the documents name none of it.

FLOOR = ("cases", "documents")


def _review_names() -> set[str]:
    review = stages.STAGES["legal_review"]
    names = {clock.kind for clock in review.clocks}
    names |= {spec.kind for spec in review.document_kinds}
    names |= {spec.mark for spec in review.document_kinds if spec.mark}
    names |= {spec.title for spec in review.document_kinds}
    names |= set(review.emails) | set(review.timeline_kinds) | set(review.capabilities)
    return names


def test_it_keeps_the_review_s_names_out_of_the_floor():
    names = _review_names()
    assert {"法律意见书", "法意", "legal_opinion", "review_answer"} <= names
    found = {
        (str(path.relative_to(settings.BASE_DIR)), name)
        for folder in FLOOR
        for path in (Path(settings.BASE_DIR) / folder).rglob("*")
        if path.is_file()
        and "migrations" not in path.parts
        and path.suffix in {".py", ".html", ".txt"}
        for name in names
        if name in path.read_text(encoding="utf-8")
    }
    assert found == set()


def test_it_keeps_the_review_s_templates_in_its_own_package():
    floor_templates = {
        path.name
        for folder in FLOOR
        for path in (Path(settings.BASE_DIR) / folder / "templates").rglob("*")
    }
    review = stages.STAGES["legal_review"]
    own = {Path(t).name for t in review.emails.values()}
    own |= {Path(spec.template).name for spec in review.document_kinds}
    assert own and not own & floor_templates
