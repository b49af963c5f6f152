"""The officers' queue and the case page's tasks: scoping, filters, search, fixed queries."""

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task

from cases.calendar import WorkingCalendar
from cases.models import Case, Party
from workflows import lifecycle, services
from workflows.selectors import OPEN

from .conftest import at_once
from .factories import AssociationFactory, OrganisationFactory, PersonFactory, officer_of


def _queue(client, **params):
    response = client.get(reverse("workflows:queue"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_it_is_the_home_page(client, officer):
    client.force_login(officer)
    response = client.get("/", follow=True)
    assert response.request["PATH_INFO"] == reverse("workflows:queue")


def test_it_shows_my_tasks_and_the_team_queue(client, intake, officer, supervisor):
    case = intake()
    client.force_login(officer)
    assert case.number in _queue(client, view="mine")
    assert case.number not in _queue(client, view="team")

    [task] = Task.objects.filter(status__in=OPEN)
    services.complete_task(task_id=task.pk, user=officer, data={"notes": "可受理"})
    client.force_login(supervisor)
    page = _queue(client, view="team")
    assert case.number in page and "受理决定" in page


def _row(page: str, case: Case) -> str:
    """The case's row of the queue table."""
    [row] = [row for row in page.split("<tr")[1:] if case.number in row]
    return row


def test_it_shows_the_countries_the_parties_live_in(client, intake, officer, city, settings):
    in_japan = intake(
        title="侨房租赁纠纷",
        person=PersonFactory(
            name_zh="陈美智", residence_country="JP", time_zone="Asia/Tokyo", registered_by=city
        ),
    )
    in_malaysia = intake()  # the fixtures' claimant lives in Malaysia
    client.force_login(officer)
    page = _queue(client)
    assert ">日本</td>" in _row(page, in_japan)
    assert ">马来西亚</td>" in _row(page, in_malaysia)
    assert "日本" not in _row(page, in_malaysia)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _queue(client)
    assert ">Japan</td>" in _row(page, in_japan)
    assert ">Malaysia</td>" in _row(page, in_malaysia)
    assert "Japan" not in _row(page, in_malaysia)


def test_it_hides_tasks_of_other_organisations(
    client, intake, officer, supervisor, outsider, other_city
):
    ours = intake(title="谭氏祖坟墓地纠纷")
    theirs = intake(
        title="梅州侨房纠纷",
        actor=outsider,
        handling_organisation=other_city,
        person=PersonFactory(registered_by=other_city),
    )
    [screening] = Task.objects.filter(status__in=OPEN, process__caseprocess__case=ours)
    services.complete_task(task_id=screening.pk, user=officer, data={"notes": "可受理"})
    # Our people see the case in each list it belongs to: the decision waits for a supervisor.
    client.force_login(supervisor)
    assert "谭氏祖坟墓地纠纷" in _queue(client, view="team", q="谭氏")
    client.force_login(officer)
    assert "谭氏祖坟墓地纠纷" in _queue(client, view="watching", q="谭氏")
    assert "谭氏祖坟墓地纠纷" in _queue(client, view="finished", q=ours.number)

    client.force_login(outsider)
    assert theirs.number in _queue(client, view="mine")  # the outsider's queue lists rows
    for view in ("mine", "team", "watching", "finished"):
        for query in ("", "谭氏", ours.number):
            table = _queue(client, view=view, q=query).split("<table")[1]  # not the search box
            assert "谭氏祖坟墓地纠纷" not in table and ours.number not in table


def test_it_shows_colleagues_tasks_under_watching(client, intake, city):
    case = intake()
    colleague = officer_of(city, "colleague")
    client.force_login(colleague)
    assert case.number in _queue(client, view="watching")
    assert case.number not in _queue(client, view="mine")


def test_it_claims_from_the_team_queue(client, intake, officer, supervisor, city):
    case = intake()
    [task] = Task.objects.filter(status__in=OPEN)
    services.complete_task(task_id=task.pk, user=officer, data={"notes": "可受理"})
    [decide] = Task.objects.filter(status__in=OPEN)
    client.force_login(supervisor)
    client.post(reverse("workflows:claim", args=[decide.pk]))
    assert Task.objects.get(pk=decide.pk).owner == supervisor
    assert case.number in _queue(client, view="mine")

    second = officer_of(city, "sup2", "supervisor")
    client.force_login(second)
    response = client.post(reverse("workflows:claim", args=[decide.pk]), follow=True)
    assert any("已由" in str(m) or "already" in str(m) for m in response.context["messages"])


def test_it_searches_by_number_title_and_party_name(client, intake, officer, city):
    first = intake(title="侨房修缮纠纷", person=PersonFactory(name_zh="黄美玲", registered_by=city))
    second = intake(
        title="宅基地边界争议", person=PersonFactory(name_zh="林建华", registered_by=city)
    )
    client.force_login(officer)
    assert second.number not in _queue(client, q="美玲")
    assert first.number in _queue(client, q="美玲")
    assert first.number in _queue(client, q="修缮")
    assert second.number in _queue(client, q=second.number)


# The watching tab finds its matches another way (from the matching cases' runs, not each
# task's case): a colleague searches it for the same cases.
@pytest.mark.parametrize("watching", [False, True], ids=["mine", "watching"])
def test_it_searches_by_latin_name_and_by_association_or_body(
    client, intake, officer, city, watching
):
    by_latin = intake(person=PersonFactory(name_latin="Lim Mei Ling", registered_by=city))
    by_association, by_body = intake(title="宗祠修缮纠纷"), intake(title="征地补偿纠纷")
    association = AssociationFactory(name="雪兰莪林氏宗亲会")
    Party.objects.create(case=by_association, role="respondent", association=association)
    body = OrganisationFactory(name="紫金县义容镇人民政府", kind="department", number_prefix="")
    Party.objects.create(case=by_body, role="respondent", organisation=body)
    client.force_login(officer_of(city, "colleague") if watching else officer)
    view = "watching" if watching else "mine"
    for query, found in [
        ("mei LING", by_latin),
        ("林氏宗亲", by_association),
        ("义容镇", by_body),
        (by_body.number, by_body),
        ("宗祠修缮", by_association),
    ]:
        table = _queue(client, view=view, q=query).split("<table")[1]  # not the search box
        assert [case for case in (by_latin, by_association, by_body) if case.number in table] == [
            found
        ]


def test_it_filters_by_category_and_clock(client, intake, officer):
    late = intake(title="逾期案件", received_on=date(2026, 10, 1), category="land")
    fresh = intake(title="新案件", received_on=date.today(), category="houses")
    client.force_login(officer)
    assert late.number in _queue(client, category="land")
    assert fresh.number not in _queue(client, category="land")
    page = _queue(client, overdue="1")
    assert late.number in page and fresh.number not in page


def test_it_marks_overdue_rows(client, intake, officer):
    intake(title="逾期案件", received_on=date(2026, 10, 1))
    client.force_login(officer)
    assert 'class="overdue"' in _queue(client)


@pytest.mark.parametrize("view", ["mine", "watching"])
def test_it_costs_the_same_queries_whatever_the_page_size(
    client, intake, officer, city, view, django_assert_num_queries
):
    colleague = officer_of(city, "colleague")
    for n in range(30):
        intake(title=f"案件{n}", person=PersonFactory(registered_by=city))
    client.force_login(officer if view == "mine" else colleague)
    _queue(client, view=view, size=25)  # warm the session and permission caches

    with CaptureQueriesContext(connection) as small:
        page = _queue(client, view=view, size=25)
    assert page.count("<tr") == 26  # header and a full page
    with django_assert_num_queries(len(small.captured_queries)):
        page = _queue(client, view=view, size=50)
    assert page.count("<tr") == 31  # header and all 30 tasks


def test_it_pages_the_queue_in_its_order(client, intake, officer):
    for n in range(27):  # due on five different days
        intake(title=f"案件{n}", received_on=date(2026, 10, 1) + timedelta(days=n % 5))
    client.force_login(officer)
    whole = _numbers(client, view="mine", size=50)
    assert len(whole) == 27
    assert _numbers(client, view="mine") + _numbers(client, view="mine", page=2) == whole
    assert _tab_counts(_queue(client, view="mine", page=2))["mine"] == 27

    past = client.get(reverse("workflows:queue"), {"view": "mine", "page": 99})
    assert past.context["page"].number == 2  # past the last page: the last one
    assert [row.case.number for row in past.context["rows"]] == whole[25:]
    assert _numbers(client, view="mine", page="二") == whole[:25]


def test_it_shows_the_case_tasks_and_the_flow_diagram(client, intake, officer):
    case = intake()
    client.force_login(officer)
    page = client.get(case.get_absolute_url()).content.decode()
    [task] = Task.objects.filter(status__in=OPEN)
    assert reverse("workflows:task", args=[task.pk]) in page
    assert "<svg" in page


def test_it_completes_a_task_from_its_screen(client, intake, officer):
    case = intake()
    [task] = Task.objects.filter(status__in=OPEN)
    client.force_login(officer)
    url = reverse("workflows:task", args=[task.pk])
    assert "受理审查" in client.get(url).content.decode()

    response = client.post(url, {"notes": ""})
    assert response.status_code == 200  # the form asks for the notes
    response = client.post(url, {"notes": "事实清楚"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "screening"


def test_it_gives_404_to_other_organisations(client, intake, outsider):
    case = intake()
    [task] = Task.objects.filter(status__in=OPEN)
    document = case.documents.get()
    client.force_login(outsider)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(reverse("workflows:task", args=[task.pk])).status_code == 404
    assert client.post(reverse("workflows:claim", args=[task.pk])).status_code == 404
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["claim", "complete"])
def test_it_lets_one_of_two_simultaneous_people_through(intake, city, action):
    first, second = officer_of(city, "o1"), officer_of(city, "o2")
    case = intake(actor=first)
    [task] = Task.objects.filter(status__in=OPEN)
    Task.objects.filter(pk=task.pk).update(owner=None, status="NEW")  # free: both may take it

    def act(user):
        if action == "claim":
            services.claim_task(task_id=task.pk, user=user)
        else:
            services.complete_task(task_id=task.pk, user=user, data={"notes": "可受理"})
        return "ok"

    results = at_once(lambda: act(first), lambda: act(second))

    outcomes = [r if isinstance(r, str) else r.code for r in results]
    assert sorted(outcomes) in (["ok", "taken"], ["done", "ok"])
    case = Case.objects.get(pk=case.pk)
    if action == "complete":
        assert case.status == "screening"
        assert case.events.filter(transition="start_screening").count() == 1
        assert Task.objects.filter(status__in=OPEN).count() == 1  # one decision task


# Sort, the finished tab and the tab counts ([Q5b]) -------------------------------------


def _numbers(client, **params) -> list[str]:
    """The case numbers of the queue's rows, top to bottom."""
    response = client.get(reverse("workflows:queue"), params)
    return [row.case.number for row in response.context["rows"]]


def test_it_lists_tasks_without_a_due_date_last(client, intake, officer):
    waiting = intake(title="中止案件")  # registered first: the older task
    lifecycle.suspend_case(case=waiting, actor=officer, reason="等待法院判决")
    soon_on = WorkingCalendar.load().add_working_days(date.today(), 2)
    soon = intake(title="临期案件", received_on=soon_on - timedelta(days=15))
    client.force_login(officer)

    assert _numbers(client, view="mine") == [soon.number, waiting.number]
    page = _queue(client, view="mine")
    assert "—" in _row(page, waiting)  # a suspended case's clocks wait: no due date
    assert soon_on.isoformat() in _row(page, soon)
    assert page.index(soon.number) < page.index(waiting.number)


def test_it_shows_when_and_by_whom_a_task_was_finished(client, intake, do, officer):
    officer.time_zone = "America/Vancouver"
    officer.display_name = "陈办理"
    officer.save()
    case = do(intake(), "screen", {"notes": "可受理"})
    [screening] = Task.objects.filter(process__caseprocess__case=case, flow_task__endswith="screen")
    client.force_login(officer)

    page = _queue(client, view="finished")
    row = _row(page, case)
    local = timezone.localtime(screening.finished, ZoneInfo("America/Vancouver"))
    assert local.strftime("%Y-%m-%d %H:%M") in row
    assert "陈办理" in row and "受理审查" in row
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert "办结时间" in head and "办理人" in head
    for due in ("届满日期", "当前任务", "工作日"):
        assert due not in head and due not in row
    assert "overdue" not in row and "due-soon" not in row


def _tab_counts(page: str) -> dict[str, int | None]:
    """Each tab's count; None for a tab shown without one."""
    tabs = page.split('<nav class="tabs"')[1].split("</nav>")[0]
    counts = {}
    for view, link in re.findall(r'href="\?view=(\w+)"[^>]*>(.*?)</a>', tabs):
        count = re.search(r'<span class="count">(\d+)</span>', link)
        counts[view] = int(count[1]) if count else None
    return counts


def test_it_counts_the_tasks_of_each_tab(
    client, intake, do, officer, supervisor, outsider, other_city
):
    first, second = intake(title="第一案"), intake(title="第二案")
    do(first, "screen", {"notes": "可受理"})  # the decision waits for a supervisor
    intake(  # another city's case counts for nobody here
        actor=outsider,
        handling_organisation=other_city,
        person=PersonFactory(registered_by=other_city),
    )
    client.force_login(officer)
    counts = _tab_counts(_queue(client, view="team", q=second.number))  # filters do not count
    # Watching (the open tasks of every case one may read) is counted only on its own tab.
    assert counts == {"mine": 1, "team": 0, "watching": None, "finished": 1}
    assert _tab_counts(_queue(client, view="watching", q=second.number))["watching"] == 1
    client.force_login(supervisor)
    assert _tab_counts(_queue(client)) == {"mine": 0, "team": 1, "watching": None, "finished": 0}
    assert _tab_counts(_queue(client, view="watching")) == {
        "mine": 0,
        "team": 1,
        "watching": 1,
        "finished": 0,
    }
    assert first.number in _queue(client, view="team")
