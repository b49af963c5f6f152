"""The case page reads each panel's data in a fixed number of queries, whatever the case's
size ([Q6d]): a case with three times the parties, documents, evidence, notes,
communications, participants, notifications and reviewers costs the page as many queries
as a small one, and a case outside review (its panel shows nothing) at most 20. What each
person may do is worked out once a request, however many panels and buttons ask."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow import chart

from cases import capabilities
from cases.models import Message, Party, Role
from cases.services import (
    PartyInput,
    add_note,
    add_party,
    invite_participant,
    name_participant,
    record_communication,
)
from documents.models import Document, Evidence
from documents.services import issue_document
from workflows import lifecycle, progress
from workflows.flows import DisputeFlow
from workflows.review import selectors as review_selectors
from workflows.review import services as review_services

from .factories import (
    AssociationFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    adviser_of,
)

# The officer's page of a big case: its panels (the parties' links and submissions among
# them) each read once, whatever the case holds. The agreement stage reads nothing of a
# case it never saw (its panel and its case-file rule read the timeline already read).
MOST = 22


def grow(case, officer, times: int) -> None:
    """``times`` of everything the page lists: parties (a person, and an association with
    its representative acting for it), notes and communications on the timeline, invited
    departments and named mediators, documents (rendered and pending), evidence, and
    notifications."""
    for n in range(times):
        person = PersonFactory(registered_by=case.handling_organisation)
        add_party(
            case=case, actor=officer, item=PartyInput(role=Party.Role.RESPONDENT, person=person)
        )
        association = add_party(
            case=case,
            actor=officer,
            item=PartyInput(role=Party.Role.THIRD_PARTY, association=AssociationFactory()),
        )
        agent = PersonFactory(registered_by=case.handling_organisation)
        add_party(
            case=case,
            actor=officer,
            item=PartyInput(role=Party.Role.REPRESENTATIVE, person=agent, on_behalf_of=association),
        )
        add_note(case=case, actor=officer, text=f"第{n}次记录")
        record_communication(
            case=case, actor=officer, channel="phone", counterpart="谭先生", summary=f"第{n}次电话"
        )
        department = OrganisationFactory(kind="department", level="county", number_prefix="")
        invite_participant(case=case, actor=officer, relation="department", organisation=department)
        committee = OrganisationFactory(
            kind="mediation_committee", level="county", number_prefix=""
        )
        mediator = UserFactory(roles=[(committee, Role.MEDIATOR)])
        name_participant(case=case, user=mediator, relation="mediator", added_by=officer)
        notice = issue_document(case=case, kind="rights_notice", actor=officer)
        Document.objects.filter(pk=notice.pk).update(rendering="ready", page_count=1)
        issue_document(case=case, kind="rights_notice", actor=officer)  # still rendering
        Evidence.objects.create(
            case=case,
            item=Evidence.Item.EVIDENCE,
            title=f"证据{n}",
            file=f"evidence/{n}.pdf",
            sha256="0" * 64,
            size=1,
            page_count=1,
            uploaded_by=officer,
        )
        Message.objects.create(
            case=case,
            recipient=officer,
            to_address="officer@example.org",
            kind="assignment",
            subject=f"通知{n}",
            body="-",
        )


def queries_of(client, case) -> int:
    """The queries of one case page (after one unmeasured, as a warm server would serve)."""
    url = case.get_absolute_url()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.fixture
def screened(intake, do):
    """A case whose decision waits in the supervisors' queue: a task nobody holds, which the
    page asks about (may this person take it? who does it?)."""

    def make(officer, times: int):
        case = intake()
        grow(case, officer, times)
        return do(case, "screen", {"notes": "事实清楚"})

    return make


def test_it_reads_a_big_case_in_as_many_queries_as_a_small_one(
    screened, officer_client, officer, django_assert_max_num_queries
):
    small, big = screened(officer, 1), screened(officer, 3)

    assert queries_of(officer_client, big) == queries_of(officer_client, small)
    with django_assert_max_num_queries(MOST):
        officer_client.get(big.get_absolute_url())


def test_it_shows_a_big_case_whole(screened, officer_client, officer):
    big = screened(officer, 3)

    page = officer_client.get(big.get_absolute_url()).content.decode()

    for n in range(3):
        for listed in (f"第{n}次记录", f"第{n}次电话", f"证据{n}", f"通知{n}"):
            assert listed in page
    # Beside each representative, the association it acts for.
    for agent in big.parties.filter(role=Party.Role.REPRESENTATIVE):
        assert f" {agent.on_behalf_of.subject})</small>" in page


def test_it_costs_the_supervisor_no_more(screened, client, officer, supervisor):
    """The supervisor may take the waiting decision and extend the handling clock: more
    buttons, the same queries."""
    client.force_login(supervisor)
    small, big = screened(officer, 1), screened(officer, 3)

    assert queries_of(client, big) == queries_of(client, small) <= MOST


@pytest.fixture
def accepting(intake, do):
    def make():
        return do(do(intake(), "screen", {"notes": "可受理"}), "decide", {"decision": "accept"})

    return make


def _in_review(case, send, advisers: list, conflicted: list):
    """The case in review: each of ``advisers`` declared no conflict and asked the officer
    a question; each of ``conflicted`` declared one (a vacant seat for the officer to fill)."""
    case = send(case, *advisers, *conflicted)
    for adviser in advisers:
        seat = review_selectors.seat_in(case, adviser)
        review_services.declare(seat_pk=seat.pk, actor=adviser, has_conflict=False)
        review_services.ask_question(
            seat_pk=seat.pk, actor=adviser, text=f"{adviser.username}的问题"
        )
    for adviser in conflicted:
        seat = review_selectors.seat_in(case, adviser)
        review_services.declare(seat_pk=seat.pk, actor=adviser, has_conflict=True, relation="亲属")
    return case


def test_it_reads_a_big_review_in_as_many_queries_as_a_small_one(
    accepting, send, city, officer, officer_client
):
    # Seven: some are left to offer for the vacant seats of either.
    advisers = [adviser_of(city, f"adviser{n}", expertise=("ancestral_graves",)) for n in range(7)]
    small = _in_review(accepting(), send, advisers[:1], advisers[1:2])
    big = _in_review(accepting(), send, advisers[:3], advisers[3:5])
    grow(big, officer, 3)

    assert queries_of(officer_client, big) == queries_of(officer_client, small)


def test_it_works_out_what_the_officer_may_do_once_a_request(
    screened, officer_client, officer, monkeypatch
):
    """Every panel, button and ``has_perm`` of the page asks the capability table; the
    officer's grants towards the case are worked out once, and shared."""
    case = screened(officer, 1)
    worked_out = capabilities.grants
    answers = []

    def spy(user, on_case):
        held = worked_out(user, on_case)
        answers.append(held)
        return held

    monkeypatch.setattr(capabilities, "grants", spy)

    officer_client.get(case.get_absolute_url())

    assert len(answers) > 10
    assert all(held is answers[0] for held in answers)


def test_a_person_invited_to_the_case_reads_it_at_once(case, officer_client):
    """Nothing the liaison's requests worked out before is kept after."""
    department = OrganisationFactory(kind="department", level="county", number_prefix="")
    liaison = UserFactory(roles=[(department, Role.DEPARTMENT_LIAISON)])
    theirs = Client()
    theirs.force_login(liaison)
    assert theirs.get(case.get_absolute_url()).status_code == 404

    officer_client.post(
        reverse("cases:invite", args=[case.pk]),
        {"relation": "department", "organisation": department.pk},
    )

    assert theirs.get(case.get_absolute_url()).status_code == 200


def test_a_user_read_afresh_is_answered_afresh(case, officer, city):
    """What is kept on a case instance is the answer for the roles it was worked out from:
    the same person, read again after a change of roles, is answered from the new ones."""
    assert officer.has_perm("cases.approve_extension", case) is False
    officer.memberships.create(organisation=city, role=Role.SUPERVISOR)
    again = type(officer).objects.get(pk=officer.pk)

    assert again.has_perm("cases.approve_extension", case) is True


def test_the_flow_chart_is_viewflow_s(screened, do, officer, supervisor):
    """Drawn from the tasks the panel read already (and kept once drawn), as viewflow
    draws it from the database: the last run's, of a case reopened."""
    case = do(screened(officer, 1), "decide", {"decision": "decline", "reason": "属法院受理范围"})
    lifecycle.reopen_case(case=case, actor=supervisor, reason="当事人重新提出申请")
    runs = progress.runs_of(case)
    grid = chart.calc_layout_data(DisputeFlow)
    chart.calc_cell_status(DisputeFlow, grid, runs[-1].pk)

    assert len(runs) == 2
    assert progress.flow_chart(runs[-1], progress.tasks_of(runs)) == chart.grid_to_svg(grid)


def test_it_shows_the_withdrawal_of_a_case_reopened(case, officer, supervisor, client):
    """(The withdrawals are read only for a case whose timeline has one.)"""
    lifecycle.withdraw_case(case=case, actor=officer, channel="letter", statement="当事人来函撤回")
    lifecycle.reopen_case(case=case, actor=supervisor, reason="当事人重新提出申请")
    client.force_login(supervisor)

    page = client.get(case.get_absolute_url())

    assert [w.statement for w in page.context["withdrawals"]] == ["当事人来函撤回"]
