"""The legal review by the legal advisory committee (法顾委): which advisers are offered
and why, seating the reviewers, conflicts and replacements, parallel reviews joining for
the lead, drafts, questions and the reviewer's own clock, who sees what, the 法律意见书
and the committee list."""

import datetime
import io
import re

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from pypdf import PdfReader
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.calendar import WorkingCalendar
from cases.models import Case, CaseEvent, CaseParticipant, Deadline, Message, Route
from cases.pii import mask
from documents.services import add_evidence, render_document
from workflows.lifecycle import resume_case, suspend_case, withdraw_case
from workflows.review import kinds, selectors, services
from workflows.review.models import (
    AwayPeriod,
    ExpertiseArea,
    LawArticle,
    LegalOpinion,
    LegalReview,
    Question,
    Reviewer,
    ReviewPolicy,
)
from workflows.review.services import Seat
from workflows.services import complete_task, fire_clocks
from workflows.steps import RouteForm

from .conftest import open_tasks
from .factories import PersonFactory, adviser_of, officer_of, opinion_data

ONE_DAY = datetime.timedelta(days=1)
REVIEW = kinds.CLOCK
CIVIL_CODE = "《中华人民共和国民法典》"


@pytest.fixture
def officer(city):
    """The case officer, with an address: the outbox mails nobody without one."""
    user = officer_of(city, "officer")
    user.email = "officer@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def lawyer3(city):
    return adviser_of(city, "lawyer3", expertise=("property_law",), employer="河源市中级人民法院")


def today() -> datetime.date:
    return timezone.localdate()


def default_due(case) -> datetime.date:
    return selectors.default_due_on(case, today(), WorkingCalendar.load())


def seat_of(case, adviser) -> Reviewer:
    return Reviewer.objects.get(review__case=case, adviser=adviser)


def clock_of(case, adviser) -> Deadline:
    return Deadline.objects.get(case=case, kind=REVIEW, holder=adviser)


def declare(case, adviser, relation: str = "") -> Reviewer:
    return services.declare(
        seat_pk=seat_of(case, adviser).pk,
        actor=adviser,
        has_conflict=bool(relation),
        relation=relation,
    )


def task_of(case, name: str, user) -> Task:
    [task] = [t for t in open_tasks(case) if t.flow_task.name == name and t.owner_id == user.pk]
    return task


def names(case) -> list[str]:
    return [t.flow_task.name for t in open_tasks(case)]


def complete_as(case, name: str, user, data: dict) -> Case:
    """Complete the open task of that name that ``user`` holds (two ``review`` tasks may be
    open at once), its data bound to its form as the screen sends it."""
    task = task_of(case, name, user)
    form = task.flow_task.form_class(data, case=case, user=user)
    assert form.is_valid(), form.errors
    complete_task(task_id=task.pk, user=user, data=form.cleaned_data)
    return Case.objects.get(pk=case.pk)


def submit(case, adviser, route: str = "coordination", **fields) -> Case:
    return complete_as(case, "review", adviser, opinion_data(route, **fields))


def task_url(task) -> str:
    return reverse("workflows:task", args=[task.pk])


def case_url(case) -> str:
    return reverse("workflows:case", args=[case.pk])


def offered_and_away(case) -> tuple[list, list]:
    with translation.override("en"):
        return selectors.ranked_advisers(case, today=today(), calendar=WorkingCalendar.load())


def _pdf() -> SimpleUploadedFile:
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out)
    return SimpleUploadedFile("证据.pdf", out.getvalue(), content_type="application/pdf")


# Ranking -----------------------------------------------------------------------------


def test_it_ranks_an_expert_in_the_category_above_a_field_of_law_above_none(case, city):
    # Named so that the tie-break by name would give the opposite order.
    expert = adviser_of(city, "zhao", expertise=("ancestral_graves",))
    knows = adviser_of(city, "qian", expertise=("property_law",))
    neither = adviser_of(city, "an", expertise=("company_law",))

    offered, away = offered_and_away(case)

    assert [r.user for r in offered] == [expert, knows, neither]
    assert away == []
    # Read in English: the areas by their English names ([Q6c] 13).
    graves = ExpertiseArea.objects.get(code="ancestral_graves").name_en
    property_law = ExpertiseArea.objects.get(code="property_law").name_en
    reasons = {r.user: r.reasons for r in offered}
    assert f"expert in {graves}" in reasons[expert]
    assert f"knows {property_law}" in reasons[knows]
    assert not [r for r in reasons[neither] if r.startswith(("expert in", "knows"))]


def test_it_ranks_an_adviser_linked_to_the_township_higher_and_says_so(intake, city, township):
    local = officer_of(township, "local")
    case = intake(
        actor=local, handling_organisation=township, person=PersonFactory(registered_by=township)
    )
    plain = adviser_of(city, "chen")
    linked = adviser_of(city, "zhou", linked=(township,))

    offered, _away = offered_and_away(case)

    assert [r.user for r in offered] == [linked, plain]
    reasons = {r.user: r.reasons for r in offered}
    assert "linked to 义容镇侨胞之家 (挂钩联系)" in reasons[linked]
    assert not [r for r in reasons[plain] if "义容镇侨胞之家" in r]


def test_it_ranks_the_busier_of_two_equal_advisers_lower(intake, city, officer):
    case = intake()
    busy = adviser_of(city, "a_busy")
    idle = adviser_of(city, "b_idle")
    review = LegalReview.objects.create(case=intake(title="另一宗纠纷"), requested_by=officer)
    Reviewer.objects.create(review=review, adviser=busy, assigned_by=officer)
    # A submitted opinion is not an open review.
    submitted = Reviewer.objects.create(review=review, adviser=idle, assigned_by=officer)
    submitted.declare_no_conflict()
    submitted.submit()
    submitted.save(update_fields=["status"])

    offered, _away = offered_and_away(case)

    assert [(r.user, r.load) for r in offered] == [(idle, 0), (busy, 1)]
    reasons = {r.user: r.reasons for r in offered}
    assert "1 open review" in reasons[busy]  # one: singular ([Q6c] 13)
    assert "no open reviews" in reasons[idle]


def test_it_leaves_out_an_adviser_away_today_and_offers_one_back_since_yesterday(case, city):
    away = adviser_of(city, "away")
    back = adviser_of(city, "back")
    AwayPeriod.objects.create(
        adviser=away.adviser, starts_on=today() - 2 * ONE_DAY, ends_on=today() + 10 * ONE_DAY
    )
    AwayPeriod.objects.create(
        adviser=back.adviser, starts_on=today() - 10 * ONE_DAY, ends_on=today() - ONE_DAY
    )

    offered, left_out = offered_and_away(case)

    assert [r.user for r in offered] == [back]
    assert [(r.user, r.away_until) for r in left_out] == [(away, today() + 10 * ONE_DAY)]


def test_it_never_offers_an_adviser_of_another_citys_committee(case, city, other_city):
    ours = adviser_of(city, "ours")
    theirs = adviser_of(other_city, "theirs", expertise=("ancestral_graves",))

    offered, away = offered_and_away(case)

    assert [r.user for r in offered + away] == [ours]
    assert theirs not in [r.user for r in offered + away]


def test_it_takes_the_review_period_from_the_citys_policy(case, city):
    calendar = WorkingCalendar.load()
    assert selectors.default_due_on(case, today(), calendar) == calendar.add_working_days(
        today(), 5
    )

    ReviewPolicy.objects.create(organisation=city, working_days=3)

    assert selectors.default_due_on(case, today(), calendar) == calendar.add_working_days(
        today(), 3
    )


# Assignment --------------------------------------------------------------------------


def test_it_needs_exactly_one_lead(accepted, officer, lawyer, lawyer2):
    due = default_due(accepted)
    for seats in (
        [Seat(lawyer, due), Seat(lawyer2, due)],
        [Seat(lawyer, due, is_lead=True), Seat(lawyer2, due, is_lead=True)],
    ):
        with pytest.raises(ValidationError) as refused:
            services.assign_reviewers(case=accepted, actor=officer, seats=seats)
        assert refused.value.code == "lead"
    assert not LegalReview.objects.filter(case=accepted).exists()


def test_it_seats_at_most_five_reviewers(accepted, officer, city):
    advisers = [adviser_of(city, f"adviser{n}") for n in range(6)]
    due = default_due(accepted)
    seats = [Seat(a, due, is_lead=n == 0) for n, a in enumerate(advisers)]

    with pytest.raises(ValidationError) as refused:
        services.assign_reviewers(case=accepted, actor=officer, seats=seats)
    assert refused.value.code == "too_many"
    assert not LegalReview.objects.filter(case=accepted).exists()

    review = services.assign_reviewers(case=accepted, actor=officer, seats=seats[:5])
    assert review.reviewers.count() == 5


def test_it_refuses_an_adviser_who_is_not_offered(accepted, officer, city, other_city, lawyer):
    away = adviser_of(city, "away")
    AwayPeriod.objects.create(
        adviser=away.adviser, starts_on=today() - ONE_DAY, ends_on=today() + 10 * ONE_DAY
    )
    theirs = adviser_of(other_city, "theirs")
    due = default_due(accepted)

    for stranger in (away, theirs):
        with pytest.raises(ValidationError) as refused:
            services.assign_reviewers(
                case=accepted,
                actor=officer,
                seats=[Seat(lawyer, due, is_lead=True), Seat(stranger, due)],
            )
        assert refused.value.code == "adviser"
        assert str(stranger) in refused.value.messages[0]
    assert not LegalReview.objects.filter(case=accepted).exists()


def test_it_refuses_a_due_date_that_is_not_after_today(accepted, officer, lawyer):
    for due in (today() - ONE_DAY, today()):
        with pytest.raises(ValidationError) as refused:
            services.assign_reviewers(
                case=accepted, actor=officer, seats=[Seat(lawyer, due, is_lead=True)]
            )
        assert refused.value.code == "due_on"
    assert not LegalReview.objects.filter(case=accepted).exists()


def test_it_gives_each_reviewer_a_clock_a_task_and_a_message(accepted, send, lawyer, lawyer2):
    calendar = WorkingCalendar.load()
    dues = {lawyer: calendar.add_working_days(today(), 4), lawyer2: default_due(accepted)}

    case = send(accepted, lawyer, lawyer2, dues=dues)

    assert case.status == "legal_review"
    clocks = Deadline.objects.filter(case=case, kind=REVIEW)
    assert {(c.holder, c.due_on, c.stopped_on, c.suspended_on) for c in clocks} == {
        (lawyer, dues[lawyer], None, None),
        (lawyer2, dues[lawyer2], None, None),
    }
    assert [
        (s.adviser, s.is_lead, s.due_on) for s in selectors.seats(case.legal_reviews.get())
    ] == [
        (lawyer, True, dues[lawyer]),
        (lawyer2, False, dues[lawyer2]),
    ]
    tasks = [t for t in open_tasks(case) if t.flow_task.name == "review"]
    assert sorted(t.owner_id for t in tasks) == sorted([lawyer.pk, lawyer2.pk])
    assert all(selectors.seat_of_task(t.pk).adviser_id == t.owner_id for t in tasks)
    for adviser in (lawyer, lawyer2):
        assert Message.objects.filter(recipient=adviser, kind="assignment", case=case).count() == 1


def test_it_moves_a_due_date_on_a_day_off_to_the_next_working_day(accepted, send, lawyer):
    calendar = WorkingCalendar.load()
    # A day off after a working day that is itself after today (a Saturday, say).
    day_off = today() + 2 * ONE_DAY
    while calendar.is_working_day(day_off) or not calendar.is_working_day(day_off - ONE_DAY):
        day_off += ONE_DAY

    case = send(accepted, lawyer, dues={lawyer: day_off})

    assert clock_of(case, lawyer).due_on == calendar.on_or_after(day_off)
    assert seat_of(case, lawyer).due_on == calendar.on_or_after(day_off)


def test_it_cancels_the_review_of_a_withdrawn_case(accepted, send, officer, lawyer):
    case = send(accepted, lawyer)

    withdraw_case(case=case, actor=officer, channel="phone", statement="申请人撤回")

    assert clock_of(case, lawyer).stopped_on == today()
    assert case.legal_reviews.get().status == "cancelled"
    assert seat_of(case, lawyer).status == "cancelled"
    offered, _away = offered_and_away(case)
    assert [r.load for r in offered if r.user == lawyer] == [0]


# Conflict declaration and replacement ------------------------------------------------


def case_panel_url(case) -> str:
    return reverse("workflows:case_panel", args=[case.pk, "documents"])


def test_it_shows_an_undeclared_adviser_only_the_summary_and_the_parties(
    client, accepted, send, lawyer, claimant
):
    case = send(accepted, lawyer)
    assert not CaseParticipant.objects.filter(case=case, user=lawyer).exists()
    client.force_login(lawyer)

    # The case page takes them to their declaration, the only part they may see yet.
    assert client.get(case_url(case))["Location"] == task_url(task_of(case, "review", lawyer))
    assert client.get(case_panel_url(case)).status_code == 404
    response = client.get(task_url(task_of(case, "review", lawyer)))

    assert response.status_code == 200
    page = response.content.decode()
    assert case.summary in page
    assert claimant.name_zh in page
    assert case.claims not in page
    assert 'class="card case-file"' not in page  # the timeline, evidence and documents
    assert 'id="opinion-form"' not in page


def test_it_opens_the_case_file_once_the_adviser_declares_no_conflict(
    client, accepted, send, lawyer
):
    case = send(accepted, lawyer)

    seat = declare(case, lawyer)

    assert seat.status == "reviewing"
    assert CaseParticipant.objects.filter(case=case, user=lawyer, relation="adviser").exists()
    assert CaseEvent.objects.filter(case=case, transition="declare_no_conflict").exists()
    client.force_login(lawyer)
    assert client.get(case_url(case)).status_code == 200
    page = client.get(task_url(task_of(case, "review", lawyer))).content.decode()
    assert case.claims in page
    assert 'class="card case-file"' in page
    assert 'id="opinion-form"' in page


def test_it_releases_an_adviser_who_declares_a_conflict(
    client, accepted, send, officer, lawyer, lawyer2
):
    case = send(accepted, lawyer, lawyer2)
    seat = seat_of(case, lawyer2)

    with pytest.raises(ValidationError) as refused:
        declare(case, lawyer2, relation="   ")
    assert refused.value.code == "relation_required"
    seat.refresh_from_db()
    assert seat.status == "invited"

    declare(case, lawyer2, relation="申请人是我的表兄")

    seat.refresh_from_db()
    assert (seat.status, seat.conflict) == ("conflict", "申请人是我的表兄")
    assert clock_of(case, lawyer2).stopped_on == today()
    task = Task.objects.get(pk=seat.task_id)
    assert (task.owner_id, task.status) == (None, STATUS.NEW)
    assert not CaseParticipant.objects.filter(case=case, user=lawyer2).exists()
    assert CaseEvent.objects.filter(case=case, transition="declare_conflict").exists()
    assert Message.objects.filter(recipient=officer, kind="review_conflict", case=case).exists()
    client.force_login(lawyer2)
    assert client.get(task_url(task)).status_code == 404
    client.force_login(officer)
    page = client.get(case_url(case)).content.decode()
    assert reverse("review:replace", args=[seat.pk]) in page


def test_it_seats_another_adviser_in_the_leads_vacant_seat(
    accepted, send, officer, lawyer, lawyer2, lawyer3
):
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer, relation="曾代理被申请人")
    old = seat_of(case, lawyer)

    new = services.replace_reviewer(
        seat_pk=old.pk, actor=officer, adviser=lawyer3, due_on=default_due(case)
    )

    assert (new.adviser, new.is_lead, new.replaces, new.task_id) == (
        lawyer3,
        True,
        old,
        old.task_id,
    )
    task = Task.objects.get(pk=old.task_id)
    assert (task.owner, task.status) == (lawyer3, STATUS.ASSIGNED)
    assert selectors.lead_of(case) == lawyer3
    assert clock_of(case, lawyer3).stopped_on is None
    assert Message.objects.filter(recipient=lawyer3, kind="assignment", case=case).exists()
    assert CaseEvent.objects.filter(case=case, transition="replace_reviewer").exists()


def test_it_refuses_an_adviser_already_asked_and_a_seat_that_is_not_vacant(
    accepted, send, officer, city, lawyer, lawyer2, lawyer3
):
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer2, relation="与申请人同村")
    vacant, held = seat_of(case, lawyer2), seat_of(case, lawyer)
    due = default_due(case)

    for asked in (lawyer, lawyer2):
        with pytest.raises(ValidationError) as refused:
            services.replace_reviewer(seat_pk=vacant.pk, actor=officer, adviser=asked, due_on=due)
        assert refused.value.code == "adviser"
    with pytest.raises(ValidationError) as refused:
        services.replace_reviewer(seat_pk=held.pk, actor=officer, adviser=lawyer3, due_on=due)
    assert refused.value.code == "seat"

    services.replace_reviewer(seat_pk=vacant.pk, actor=officer, adviser=lawyer3, due_on=due)
    with pytest.raises(ValidationError) as refused:
        services.replace_reviewer(
            seat_pk=vacant.pk, actor=officer, adviser=adviser_of(city, "lawyer4"), due_on=due
        )
    assert refused.value.code == "seat"
    assert [s.adviser for s in selectors.seats(case.legal_reviews.get())] == [
        lawyer,
        lawyer2,
        lawyer3,
    ]


def test_it_lets_no_officer_of_another_city_replace_a_reviewer(
    client, accepted, send, officer, outsider, lawyer, lawyer2, lawyer3
):
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer2, relation="与申请人同村")
    vacant = seat_of(case, lawyer2)
    url = reverse("review:replace", args=[vacant.pk])
    data = {"adviser": lawyer3.pk, "due_on": default_due(case).isoformat()}

    client.force_login(outsider)
    assert client.post(url, data).status_code == 404
    assert not Reviewer.objects.filter(replaces=vacant).exists()

    client.force_login(officer)
    assert client.post(url, data).status_code == 302
    assert Reviewer.objects.get(replaces=vacant).adviser == lawyer3


def test_it_tells_a_vacant_seat_alike_on_the_seat_and_in_a_query(
    accepted, send, officer, lawyer, lawyer2, lawyer3
):
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer)
    declare(case, lawyer2, relation="与申请人同村")
    review = case.legal_reviews.get()

    def vacant() -> set:
        on_the_seat = {s.adviser for s in Reviewer.objects.filter(review=review) if s.is_vacant}
        listed = {s.adviser for s in selectors.seats(review) if s.is_vacant}
        queried = {s.adviser for s in selectors.vacant_seats(review)}
        assert on_the_seat == listed == queried
        return queried

    assert vacant() == {lawyer2}

    services.replace_reviewer(
        seat_pk=seat_of(case, lawyer2).pk, actor=officer, adviser=lawyer3, due_on=default_due(case)
    )

    assert vacant() == set()
    assert seat_of(case, lawyer2).replacement == seat_of(case, lawyer3)


# Parallel reviews joining ------------------------------------------------------------


def test_it_waits_for_every_reviewer_before_the_lead_consolidates(accepted, send, lawyer, lawyer2):
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer)
    declare(case, lawyer2)
    review = case.legal_reviews.get()

    case = submit(case, lawyer2, "mediation")

    assert names(case) == ["review"]
    review.refresh_from_db()
    assert review.status == "reviewing"

    case = submit(case, lawyer, "mediation")

    [consolidate] = [t for t in open_tasks(case) if t.flow_task.name == "consolidate"]
    assert consolidate.owner == lawyer
    assert names(case) == ["consolidate"]
    review.refresh_from_db()
    assert review.status == "consolidating"


def test_it_keeps_the_reviews_waiting_for_a_vacant_seat(
    accepted, send, officer, lawyer, lawyer2, lawyer3
):
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer)
    declare(case, lawyer2, relation="与申请人同村")
    review = case.legal_reviews.get()

    case = submit(case, lawyer)

    assert names(case) == ["review"]  # the vacant seat's, nobody's for now
    assert open_tasks(case)[0].owner_id is None
    review.refresh_from_db()
    assert review.status == "reviewing"

    services.replace_reviewer(
        seat_pk=seat_of(case, lawyer2).pk, actor=officer, adviser=lawyer3, due_on=default_due(case)
    )
    declare(case, lawyer3)
    case = submit(case, lawyer3)

    assert [(t.flow_task.name, t.owner) for t in open_tasks(case)] == [("consolidate", lawyer)]
    review.refresh_from_db()
    assert review.status == "consolidating"


FACTS = "经查，祖坟位于义容镇某村山地，宗亲会持有1950年代照片，墓地现被邻村用作果园。"
ANALYSIS = "墓地占用属相邻关系纠纷，双方均有调解意愿，宜由镇人民调解委员会组织调解。"
DISSENT = "邻村已书面拒绝调解，应先由镇政府组织协调。"
CITED = ("第二百八十八条", "第二百八十九条")


@pytest.fixture
def signed(accepted, send, lawyer, lawyer2):
    """Two reviewers; the lead signs off recommending mediation, the other dissents."""
    laws = [LawArticle.objects.get(law=CIVIL_CODE, article=article).pk for article in CITED]
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer)
    declare(case, lawyer2)
    case = submit(case, lawyer2, "coordination")
    case = submit(case, lawyer, "mediation")
    data = opinion_data("mediation", facts=FACTS, analysis=ANALYSIS, laws=laws)
    return complete_as(case, "consolidate", lawyer, {**data, f"dissent_{lawyer2.pk}": DISSENT})


def test_it_signs_off_the_committees_opinion_with_a_dissent_by_name(
    signed, officer, lawyer, lawyer2
):
    opinion = LegalOpinion.objects.get(review__case=signed)

    assert (opinion.signed_by, opinion.route, opinion.facts) == (lawyer, "mediation", FACTS)
    assert sorted(law.article for law in opinion.laws.all()) == sorted(CITED)
    assert [(d.adviser, d.view) for d in opinion.dissents.all()] == [(lawyer2, DISSENT)]
    assert opinion.review.status == "signed"
    assert opinion.document.kind == "legal_opinion"
    assert "法意〔" in opinion.document.number
    assert names(signed) == ["route"]
    assert RouteForm(case=signed, user=officer).fields["route"].initial == "mediation"


def test_it_asks_for_a_reason_to_take_another_route_than_recommended(signed, officer, do):
    # The rule is the service's: the completion refuses, whoever calls it.
    other = {"route": "coordination", "notes": ""}
    with pytest.raises(ValidationError) as refused:
        do(signed, "route", other)
    assert refused.value.error_list[0].code == "reason_required"
    assert Case.objects.get(pk=signed.pk).status == "legal_review"

    case = do(signed, "route", {**other, "notes": "邻村拒绝调解，先行协调"}, form=True)

    assert case.status == "coordinating"


def test_it_shows_the_reason_the_route_needs_next_to_its_field(client, signed, officer):
    [task] = [t for t in open_tasks(signed) if t.flow_task.name == "route"]
    client.force_login(officer)
    response = client.post(
        reverse("workflows:task", args=[task.pk]), {"route": "coordination", "notes": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["notes"]


def test_it_takes_the_recommended_route_without_a_reason(signed, do):
    assert do(signed, "route", {"route": "mediation", "notes": ""}).status == "mediating"


# Drafts ------------------------------------------------------------------------------


def test_it_keeps_a_draft_across_a_reload_and_refuses_a_stale_window(client, reviewing, lawyer):
    seat = seat_of(reviewing, lawyer)
    url = reverse("review:save_draft", args=[seat.pk])
    client.force_login(lawyer)

    saved = client.post(url, {"facts": "初稿：墓地被占约三十平方米", "issues": "", "revision": 0})

    assert saved.status_code == 200
    assert saved.json()["revision"] == 1
    page = client.get(task_url(task_of(reviewing, "review", lawyer))).content.decode()
    assert "初稿：墓地被占约三十平方米</textarea>" in page
    assert 'name="revision" value="1"' in page

    stale = client.post(url, {"facts": "另一窗口的旧文字", "revision": 0})

    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"
    assert stale.json()["error"]
    opinion = seat.opinion
    opinion.refresh_from_db()
    assert (opinion.facts, opinion.revision) == ("初稿：墓地被占约三十平方米", 1)


def test_it_answers_an_incomplete_opinion_with_the_form_and_locks_nothing(
    client, reviewing, lawyer
):
    task = task_of(reviewing, "review", lawyer)
    client.force_login(lawyer)

    response = client.post(task_url(task), {**opinion_data(analysis=""), "revision": 0})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["analysis"]
    page = response.content.decode()
    [analysis_field] = re.findall(
        r'<div class="field( invalid)?">((?:(?!<div class="field).)*?name="analysis")', page, re.S
    )
    assert analysis_field[0] == " invalid"
    assert "errorlist" in analysis_field[1]
    assert opinion_data()["facts"] + "</textarea>" in page  # what was typed is kept
    seat = seat_of(reviewing, lawyer)
    assert seat.status == "reviewing"
    assert seat.opinion.submitted_at is None
    assert names(reviewing) == ["review"]


def test_it_locks_the_opinion_once_submitted(client, reviewing, lawyer):
    task = task_of(reviewing, "review", lawyer)
    client.force_login(lawyer)

    response = client.post(task_url(task), {**opinion_data(), "revision": 0})

    assert response.status_code == 302
    opinion = seat_of(reviewing, lawyer).opinion
    assert opinion.is_locked
    url = reverse("review:save_draft", args=[opinion.reviewer.pk])
    late = client.post(url, {"facts": "提交后再改", "revision": opinion.revision})
    assert late.status_code == 403
    assert late.json()["code"] == "locked"
    opinion.refresh_from_db()
    assert opinion.facts == opinion_data()["facts"]


# Questions and the reviewer's clock ---------------------------------------------------


def working_days_before(day: datetime.date, n: int, calendar: WorkingCalendar) -> datetime.date:
    before = day
    while calendar.working_days_between(before, day) < n:
        before -= ONE_DAY
    return before


def two_working_days_before(day: datetime.date, calendar: WorkingCalendar) -> datetime.date:
    return working_days_before(day, 2, calendar)


def test_it_pauses_the_reviewers_clock_while_a_question_waits(client, reviewing, officer, lawyer):
    seat = seat_of(reviewing, lawyer)
    client.force_login(lawyer)

    response = client.post(reverse("review:ask", args=[seat.pk]), {"text": "请补充墓地照片"})

    assert response.status_code == 302
    assert [q.text for q in seat.questions.all()] == ["请补充墓地照片"]
    assert clock_of(reviewing, lawyer).suspended_on == today()
    assert Message.objects.filter(recipient=officer, kind="review_question").exists()
    assert CaseEvent.objects.filter(case=reviewing, transition="ask_question").exists()


def test_it_resumes_the_clock_later_by_the_working_days_waited(client, reviewing, officer, lawyer):
    seat = seat_of(reviewing, lawyer)
    question = services.ask_question(seat_pk=seat.pk, actor=lawyer, text="请补充墓地照片")
    calendar = WorkingCalendar.load()
    clock = clock_of(reviewing, lawyer)
    Deadline.objects.filter(pk=clock.pk).update(
        suspended_on=two_working_days_before(today(), calendar)
    )
    client.force_login(officer)

    response = client.post(
        reverse("review:answer", args=[question.pk]), {"answer": "照片已上传至证据"}
    )

    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.suspended_on is None
    assert clock.suspended_working_days == 2
    assert clock.due_on == calendar.add_working_days(default_due(reviewing), 2)
    seat.refresh_from_db()
    assert seat.due_on == clock.due_on
    question.refresh_from_db()
    assert (question.answer, question.answered_by) == ("照片已上传至证据", officer)
    assert Message.objects.filter(recipient=lawyer, kind="review_answer").exists()


def test_it_keeps_the_clock_paused_until_every_question_is_answered(reviewing, officer, lawyer):
    seat = seat_of(reviewing, lawyer)
    first = services.ask_question(seat_pk=seat.pk, actor=lawyer, text="墓地面积多大？")
    second = services.ask_question(seat_pk=seat.pk, actor=lawyer, text="有无迁坟批文？")

    services.answer_question(question_pk=first.pk, actor=officer, answer="约三十平方米")

    assert clock_of(reviewing, lawyer).suspended_on == today()

    services.answer_question(question_pk=second.pk, actor=officer, answer="无批文")

    assert clock_of(reviewing, lawyer).suspended_on is None


def test_it_lets_only_the_seats_holder_ask(client, accepted, send, lawyer, lawyer2):
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer)
    declare(case, lawyer2)
    client.force_login(lawyer2)

    response = client.post(
        reverse("review:ask", args=[seat_of(case, lawyer).pk]), {"text": "借他人席位提问"}
    )

    assert response.status_code == 404
    assert not CaseEvent.objects.filter(case=case, transition="ask_question").exists()
    assert clock_of(case, lawyer).suspended_on is None


def test_it_lets_no_adviser_answer_a_question(client, reviewing, lawyer):
    question = services.ask_question(
        seat_pk=seat_of(reviewing, lawyer).pk, actor=lawyer, text="请补充墓地照片"
    )
    client.force_login(lawyer)

    response = client.post(reverse("review:answer", args=[question.pk]), {"answer": "自问自答"})

    assert response.status_code == 403
    question.refresh_from_db()
    assert question.is_open
    assert clock_of(reviewing, lawyer).suspended_on == today()


def test_it_shows_each_seat_due_later_by_the_working_days_its_case_was_suspended(
    client, accepted, send, officer, lawyer, lawyer2
):
    calendar = WorkingCalendar.load()
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer)  # one seat reviewing, one still to declare: both hold their seat
    first_due = default_due(case)
    # A step cannot be dated in the future: the suspension is dated back instead.
    suspended_on = working_days_before(today(), 3, calendar)
    suspend_case(case=case, actor=officer, reason="等待法院判决", on=suspended_on)

    resume_case(case=case, actor=officer, on=today())

    later = calendar.add_working_days(first_due, 3)
    assert {clock_of(case, a).due_on for a in (lawyer, lawyer2)} == {later}
    seats = selectors.seats(case.legal_reviews.get())
    assert [(s.adviser, s.due_on) for s in seats] == [(lawyer, later), (lawyer2, later)]
    client.force_login(officer)
    panel = client.get(case_url(case)).content.decode().split('id="legal-review"')[1]
    panel = panel.split("</section>")[0]
    assert re.sub(r"<[^>]+>", "", panel).count(later.isoformat()) == 2  # as read
    assert first_due.isoformat() not in panel
    for adviser in (lawyer, lawyer2):  # their review screen, their declaration page
        client.force_login(adviser)
        page = client.get(task_url(task_of(case, "review", adviser))).content.decode()
        assert later.isoformat() in page
        assert first_due.isoformat() not in page


def test_it_fetches_the_clocks_of_every_seat_in_one_query(
    accepted, send, lawyer, lawyer2, django_assert_num_queries
):
    case = send(accepted, lawyer, lawyer2)
    listed = list(case.legal_reviews.get().reviewers.all())

    with django_assert_num_queries(1):
        selectors.with_clocks(listed)
        due = [s.due_on for s in listed]

    assert due == [clock_of(case, lawyer).due_on, clock_of(case, lawyer2).due_on]


def test_it_keeps_the_clock_waiting_for_an_answer_when_the_case_resumes(reviewing, officer, lawyer):
    services.ask_question(seat_pk=seat_of(reviewing, lawyer).pk, actor=lawyer, text="有无批文？")
    suspend_case(case=reviewing, actor=officer, reason="等待法院判决")

    resume_case(case=reviewing, actor=officer)

    assert seat_of(reviewing, lawyer).questions.get().is_open
    assert clock_of(reviewing, lawyer).suspended_on is not None


def test_it_keeps_the_clock_waiting_while_the_case_is_suspended(reviewing, officer, lawyer):
    question = services.ask_question(
        seat_pk=seat_of(reviewing, lawyer).pk, actor=lawyer, text="有无批文？"
    )
    suspend_case(case=reviewing, actor=officer, reason="等待法院判决")

    # The officer may answer while the case waits: the answer goes to the adviser, and
    # their clock waits on with the case, no longer for the answer.
    services.answer_question(question_pk=question.pk, actor=officer, answer="无批文")

    question.refresh_from_db()
    assert (question.answer, question.answered_by) == ("无批文", officer)
    clock = clock_of(reviewing, lawyer)
    assert (clock.suspended_on, clock.held_for_holder) == (today(), False)
    [mail] = Message.objects.filter(recipient=lawyer, kind="review_answer")
    assert "案件已中止，审查时限继续暂停" in mail.body  # not "goes on"

    resume_case(case=reviewing, actor=officer)

    clock.refresh_from_db()
    assert (clock.suspended_on, clock.due_on) == (None, default_due(reviewing))


def test_it_mails_no_answer_to_an_adviser_released_for_a_conflict(reviewing, officer, lawyer):
    question = services.ask_question(
        seat_pk=seat_of(reviewing, lawyer).pk, actor=lawyer, text="申请人的代理人是谁？"
    )
    declare(reviewing, lawyer, relation="代理人是我所同事")

    with pytest.raises(ValidationError) as refused:
        services.answer_question(question_pk=question.pk, actor=officer, answer="某律师")

    assert refused.value.code == "released"
    question.refresh_from_db()
    assert question.is_open
    assert not CaseParticipant.objects.filter(case=reviewing, user=lawyer).exists()
    assert not Message.objects.filter(recipient=lawyer, kind="review_answer").exists()


@pytest.fixture
def due_soon(accepted, send, lawyer, lawyer2):
    """Two reviewers whose opinions are due in two working days; the second has asked the
    officer a question (their clock waits)."""
    due = WorkingCalendar.load().add_working_days(today(), 2)
    case = send(accepted, lawyer, lawyer2, dues={lawyer: due, lawyer2: due})
    declare(case, lawyer)
    declare(case, lawyer2)
    services.ask_question(seat_pk=seat_of(case, lawyer2).pk, actor=lawyer2, text="有无迁坟批文？")
    return case


def test_it_reminds_a_reviewer_whose_clock_is_due_soon(due_soon, lawyer):
    fire_clocks(today=today())

    assert clock_of(due_soon, lawyer).reminded_at is not None
    assert Message.objects.filter(recipient=lawyer, kind="reminder", case=due_soon).exists()


def test_it_reminds_nobody_of_a_paused_clock(due_soon, lawyer, lawyer2):
    fire_clocks(today=today())

    assert clock_of(due_soon, lawyer).reminded_at is not None  # the running one is
    assert clock_of(due_soon, lawyer2).reminded_at is None
    assert not Message.objects.filter(recipient=lawyer2, kind="reminder").exists()


def test_it_escalates_an_overdue_reviewers_clock_to_the_officer(due_soon, officer, lawyer):
    clock = clock_of(due_soon, lawyer)
    Deadline.objects.filter(pk=clock.pk).update(
        due_on=today() - ONE_DAY, reminded_at=timezone.now()
    )

    fire_clocks(today=today())

    clock.refresh_from_db()
    assert clock.escalated_at is not None
    assert Message.objects.filter(recipient=officer, kind="escalation", case=due_soon).exists()


# Statuses ----------------------------------------------------------------------------


def test_it_changes_a_review_or_seat_status_only_by_its_transitions(reviewing, lawyer):
    seat = seat_of(reviewing, lawyer)
    review = seat.review

    for row, status in ((seat, "submitted"), (review, "signed")):
        with pytest.raises(AttributeError):
            row.status = status
    with pytest.raises(TransitionNotAllowed):
        seat.declare_no_conflict()  # declared already
    with pytest.raises(TransitionNotAllowed):
        review.sign()  # nobody has consolidated

    for row in (seat, review):
        row.refresh_from_db()  # reloads a protected status, which stays protected
        with pytest.raises(AttributeError):
            row.status = "cancelled"
    assert (seat.status, review.status) == ("reviewing", "reviewing")


def test_it_saves_no_seat_status_over_one_changed_meanwhile(reviewing, lawyer):
    seat, stale = seat_of(reviewing, lawyer), seat_of(reviewing, lawyer)
    seat.submit()
    seat.save(update_fields=["status"])

    stale.declare_conflict()  # allowed from what it read: "reviewing"
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save(update_fields=["status"])

    assert seat_of(reviewing, lawyer).status == "submitted"


# Who sees what -----------------------------------------------------------------------


def test_it_shows_an_adviser_who_is_not_seated_nothing_of_the_case(
    client, accepted, send, officer, lawyer, lawyer2, lawyer3
):
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer)
    declare(case, lawyer2)
    evidence = add_evidence(case=case, actor=officer, item="06", title="现场照片", upload=_pdf())
    form = render_document(document_id=case.documents.get(kind="registration_form").pk)
    seat = seat_of(case, lawyer)
    pages = [
        case_url(case),
        reverse("documents:download", args=[form.pk]),
        reverse("documents:view_document", args=[form.pk]),
        reverse("documents:view_evidence", args=[evidence.pk]),
        task_url(task_of(case, "review", lawyer)),
    ]
    client.force_login(lawyer)
    assert [client.get(url).status_code for url in pages] == [200] * len(pages)

    client.force_login(lawyer3)
    assert [client.get(url).status_code for url in pages] == [404] * len(pages)
    posts = {
        "declare": {"has_conflict": "no"},
        "save_draft": {"facts": "冒名草稿", "revision": 0},
        "ask": {"text": "冒名提问"},
    }
    for name, data in posts.items():
        assert client.post(reverse(f"review:{name}", args=[seat.pk]), data).status_code == 404

    client.force_login(lawyer2)  # seated, but not in this seat
    assert client.get(task_url(task_of(case, "review", lawyer))).status_code == 404
    seat.refresh_from_db()
    assert (seat.status, seat.opinion.revision, seat.questions.count()) == ("reviewing", 0, 0)


def test_it_never_shows_a_reviewer_a_partys_id_document_number(
    client, accepted, send, lawyer, claimant
):
    claimant.id_document_type = "passport"
    claimant.id_document_number = "A98765432"
    claimant.save()
    case = send(accepted, lawyer)
    url = task_url(task_of(case, "review", lawyer))
    client.force_login(lawyer)

    before = client.get(url).content.decode()
    declare(case, lawyer)
    after = client.get(url).content.decode()

    for page in (before, after):
        assert claimant.name_zh in page
        assert "A98765432" not in page
        assert mask("A98765432") not in page
    assert case.claims in after  # the case file is shown, without the number


# The 法律意见书 ----------------------------------------------------------------------


def test_it_prints_the_committees_opinion(signed, lawyer, lawyer2):
    opinion = LegalOpinion.objects.get(review__case=signed)

    document = render_document(document_id=opinion.document_id)

    with document.file.open("rb") as file:
        text = "".join(page.extract_text() for page in PdfReader(file).pages)
    flat = "".join(text.split())
    with translation.override("zh-hans"):
        route = str(Route("mediation").label)
    assert "法律意见书" in flat
    assert "".join(document.number.split()) in flat
    assert signed.title in flat
    assert FACTS in flat
    assert ANALYSIS in flat
    for article in CITED:
        assert CIVIL_CODE + article in flat
    assert f"本委员会建议本案采取“{route}”的方式办理" in flat
    assert "lawyer广东某律师事务所（牵头）" in flat
    assert "lawyer2河源市司法局" in flat
    assert "lawyer2河源市司法局（牵头）" not in flat
    assert "审查委员lawyer2持不同意见" in flat
    assert DISSENT in flat


# The committee list ------------------------------------------------------------------


def test_it_lists_the_committee_for_supervisors_only(client, supervisor, officer, lawyer):
    starts, ends = today() + 3 * ONE_DAY, today() + 9 * ONE_DAY
    AwayPeriod.objects.create(adviser=lawyer.adviser, starts_on=starts, ends_on=ends, note="出国")
    url = reverse("review:committee")

    client.force_login(supervisor)
    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>lawyer</strong>" in page
    assert ExpertiseArea.objects.get(code="ancestral_graves").name in page
    assert f"{starts.isoformat()}–{ends.isoformat()} (出国)" in re.sub(r"<[^>]+>", "", page)
    for user in (officer, lawyer):
        client.force_login(user)
        assert client.get(url).status_code == 403


# Bad input: a message in the reader's language, never a 500, nothing stored ------------

HUGE = "99999999999999999999"


def _errors(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.mark.parametrize(
    "data",
    [
        {"lead": "abc"},
        {"lead": HUGE},
        {"lead": "{lawyer}", "due_{lawyer}": "2026-02-30"},
        {"lead": "{lawyer}", "members": ["x", HUGE]},
        {"lead": "{lawyer}", "notes": "长" * 5000},
    ],
)
def test_it_explains_a_bad_choice_of_reviewers_on_the_form(client, accepted, officer, lawyer, data):
    data = {
        k.format(lawyer=lawyer.pk): v.format(lawyer=lawyer.pk) if isinstance(v, str) else v
        for k, v in data.items()
    }
    client.force_login(officer)
    task = next(t for t in open_tasks(accepted) if t.flow_task.name == "send_to_review")
    response = client.post(task_url(task), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not LegalReview.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"revision": "x"}, "revision"),
        ({"revision": "-1"}, "revision"),
        ({"revision": "0", "laws": ["abc"]}, "laws"),
        ({"revision": "0", "laws": [HUGE]}, "laws"),
        ({"revision": "0", "facts": "x" * 20_001}, "facts"),
        ({"revision": "0", "route": "bogus"}, "route"),
    ],
)
def test_it_explains_a_bad_draft_and_keeps_the_saved_one(
    client, accepted, send, lawyer, data, field
):
    case = send(accepted, lawyer)
    seat = declare(case, lawyer)
    client.force_login(lawyer)
    with translation.override("zh-hans"):
        response = client.post(reverse("review:save_draft", args=[seat.pk]), data)
    assert response.status_code == 400
    assert response.json()["error"] == "未保存：请修改标出的字段。"
    assert field in response.json()["fields"]
    assert seat_of(case, lawyer).opinion.revision == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("review:declare", {"has_conflict": "maybe"}),
        ("review:declare", {"has_conflict": "yes", "relation": "x" * 3000}),
        ("review:ask", {"text": "  "}),
        ("review:ask", {"text": "x" * 5000}),
    ],
)
def test_it_explains_bad_input_of_the_adviser_in_a_message(
    client, accepted, send, lawyer, name, data
):
    case = send(accepted, lawyer)
    if name == "review:ask":
        declare(case, lawyer)
    before = seat_of(case, lawyer).status
    client.force_login(lawyer)
    response = client.post(reverse(name, args=[seat_of(case, lawyer).pk]), data)
    assert response.status_code == 302
    assert _errors(response)
    assert seat_of(case, lawyer).status == before
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"adviser": "x", "due_on": "2030-01-01"},
        {"adviser": HUGE, "due_on": "2030-01-01"},
        {"adviser": "{lawyer3}", "due_on": "2026-13-01"},
    ],
)
def test_it_explains_a_bad_replacement_in_a_message(
    client, accepted, send, officer, lawyer, lawyer2, lawyer3, data
):
    case = send(accepted, lawyer, lawyer2)
    declare(case, lawyer2, "亲属")
    data = {k: v.format(lawyer3=lawyer3.pk) for k, v in data.items()}
    client.force_login(officer)
    response = client.post(reverse("review:replace", args=[seat_of(case, lawyer2).pk]), data)
    assert response.status_code == 302
    assert _errors(response)
    assert not Reviewer.objects.filter(adviser=lawyer3).exists()


@pytest.mark.parametrize("answer", ["", "   ", "x" * 9000])
def test_it_explains_a_bad_answer_in_a_message(client, accepted, send, officer, lawyer, answer):
    case = send(accepted, lawyer)
    seat = declare(case, lawyer)
    question = services.ask_question(seat_pk=seat.pk, actor=lawyer, text="请补充权属资料")
    client.force_login(officer)
    response = client.post(reverse("review:answer", args=[question.pk]), {"answer": answer})
    assert response.status_code == 302
    assert _errors(response)
    assert Question.objects.get(pk=question.pk).is_open


def test_it_lists_the_materials_gists_reservations_and_a_line_to_sign(signed, lawyer, lawyer2):
    opinion = LegalOpinion.objects.get(review__case=signed)
    document = render_document(document_id=opinion.document_id)
    with document.file.open("rb") as file:
        flat = "".join("".join(page.extract_text() for page in PdfReader(file).pages).split())

    acceptance = signed.documents.get(kind="acceptance_notice")
    materials = flat.split("（四）审查的材料")[1].split("二、经审查认定的事实")[0]
    assert materials.startswith("1.受理登记表；2.受理通知书（")
    rights = signed.documents.get(kind="rights_notice")
    assert f"受理通知书（{acceptance.number}）；3.权利义务告知书（{rights.number}）；" in materials
    assert "法律意见书" not in materials  # not itself
    assert "（条文要旨：" in flat and "以法律法规的正式文本为准" in flat  # a paraphrase, said so
    assert "八、保留事项" in flat  # after 七、不同意见 (no questions were asked)
    assert "本意见不代替人民法院、仲裁机构或者行政机关依法作出的决定" in flat
    assert flat.count("签名：") == 2  # one line for each reviewer


def test_it_prints_a_formal_name_without_the_screen_labels_additions():
    from cases.models import User

    assert (
        User(last_name="李", first_name="明", display_name="李明律师（法顾委委员）").formal_name
        == "李明"
    )
    assert User(
        last_name="Tan", first_name="Wei Ming", display_name="Tan (lawyer)"
    ).formal_name == ("Wei Ming Tan")
    assert User(username="lawyer", display_name="").formal_name == "lawyer"
