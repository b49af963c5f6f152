"""The queue and the case list as Excel downloads: the page's scope, filters, order and
columns, every row, in the reader's language and time zone, never cached."""

import html
import io
import re
from urllib.parse import parse_qs, quote
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from viewflow.workflow.models import Task

from .factories import PersonFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(client, name: str, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    sheet = load_workbook(io.BytesIO(response.content)).active
    return response, sheet


def _values(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def _page_numbers(client, name: str, **params) -> list[str]:
    """The case numbers of every page of the list, top to bottom."""
    numbers, page = [], 1
    while True:
        response = client.get(reverse(name), {**params, "page": page})
        context = response.context
        if "rows" in context:
            numbers += [row.case.number for row in context["rows"]]
        else:
            numbers += [case.number for case in context["page"]]
        if not context["page"].has_next():
            return numbers
        page += 1


@pytest.fixture
def lists(intake, city, outsider, other_city):
    """26 land cases of ours (more than a page), one about houses, one of another city."""
    land = [
        intake(title=f"土地纠纷{n}", category="land", person=PersonFactory(registered_by=city))
        for n in range(26)
    ]
    houses = intake(title="侨房纠纷", category="houses")
    theirs = intake(
        title="梅州土地纠纷",
        category="land",
        actor=outsider,
        handling_organisation=other_city,
        person=PersonFactory(registered_by=other_city),
    )
    return land, houses, theirs


def test_the_queue_download_has_the_rows_of_every_page_for_the_same_filters(client, lists, officer):
    land, houses, theirs = lists
    client.force_login(officer)
    filters = {"view": "mine", "category": "land", "sort": "number"}

    page = client.get(reverse("workflows:queue"), filters).content.decode()
    link = re.search(r'href="(/queue/export\.xlsx\?[^"]*)"', page).group(1)
    assert "category=land" in link and "sort=number" in link  # the link keeps the filters
    on_pages = _page_numbers(client, "workflows:queue", **filters)
    assert len(on_pages) == 26  # two pages

    _response, sheet = _download(client, "workflows:queue_export", **filters)
    [header, *rows] = _values(sheet)
    assert [row[0] for row in rows] == on_pages
    assert houses.number not in on_pages and theirs.number not in on_pages
    assert header == (
        "案件编号",
        "标题",
        "类别",
        "阶段",
        "当前任务",
        "当前经办人",
        "届满日期",
        "剩余工作日（负数为已逾期）",
        "当事人所在国家或地区",
        "承办单位",
    )
    first = next(row for row in rows if row[0] == land[0].number)
    assert first[1:5] == ("土地纠纷0", "土地", "已登记", "受理审查")
    assert first[5] == str(officer) and first[8] == "马来西亚" and first[9] == "河源市侨联"
    assert first[6] is not None and isinstance(first[7], int)

    # The same rows in the page's default order, and nothing for another city.
    assert [row[0] for row in _values(_download(client, "workflows:queue_export")[1])[1:]] == (
        _page_numbers(client, "workflows:queue")
    )


def test_another_organisation_downloads_only_its_own(client, lists, outsider):
    *_ours, theirs = lists
    client.force_login(outsider)
    for view in ("mine", "team", "watching", "finished"):
        _response, sheet = _download(client, "workflows:queue_export", view=view)
        numbers = [row[0] for row in _values(sheet)[1:]]
        assert numbers == ([theirs.number] if view == "mine" else [])
    _response, sheet = _download(client, "cases:export")
    assert [row[0] for row in _values(sheet)[1:]] == [theirs.number]


def test_the_finished_download_says_when_and_by_whom(client, intake, do, officer, settings):
    officer.time_zone = "America/Vancouver"
    officer.save()
    case = do(intake(), "screen", {"notes": "可受理"})
    [done] = Task.objects.filter(process__caseprocess__case=case, flow_task__endswith="screen")
    client.force_login(officer)

    _response, sheet = _download(client, "workflows:queue_export", view="finished")
    [header, row] = _values(sheet)
    assert header[4:7] == ("办理事项", "办结时间（America/Vancouver）", "办理人")
    assert not {"届满日期", "当前任务"} & set(header)
    local = timezone.localtime(done.finished, ZoneInfo("America/Vancouver"))
    assert row[0] == case.number and row[4] == "受理审查"
    assert row[5] == local.replace(tzinfo=None, microsecond=row[5].microsecond)
    assert row[5].strftime("%Y-%m-%d %H:%M") == local.strftime("%Y-%m-%d %H:%M")
    assert row[6] == str(officer)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _response, sheet = _download(client, "workflows:queue_export", view="finished")
    assert _values(sheet)[0][:7] == (
        "Case number",
        "Title",
        "Category",
        "Stage",
        "Task",
        "Finished at (America/Vancouver)",
        "Finished by",
    )


def test_the_case_list_download_has_the_rows_of_the_case_list(client, lists, officer):
    _land, houses, theirs = lists
    client.force_login(officer)

    for filters in ({}, {"category": "land"}, {"q": "土地纠纷1"}, {"status": "registered"}):
        on_pages = _page_numbers(client, "cases:list", **filters)
        _response, sheet = _download(client, "cases:export", **filters)
        [header, *rows] = _values(sheet)
        assert [row[0] for row in rows] == on_pages, filters
        assert theirs.number not in on_pages
    assert header == ("案件编号", "标题", "类别", "状态", "承办单位", "收件日期")
    assert len(_page_numbers(client, "cases:list")) == 27  # more than one page
    assert houses.number not in _page_numbers(client, "cases:list", category="land")

    page = client.get(reverse("cases:list"), {"q": "土地 纠纷&", "category": "land"})
    link = re.search(r'href="/cases/export\.xlsx\?([^"]*)"', page.content.decode()).group(1)
    assert parse_qs(html.unescape(link)) == {"q": ["土地 纠纷&"], "category": ["land"]}


def test_it_names_the_file_in_the_readers_language_and_day(client, intake, officer, settings):
    intake()
    officer.time_zone = "Pacific/Kiritimati"  # UTC+14: often a day ahead of the server
    officer.save()
    client.force_login(officer)
    today = timezone.localdate(timezone=ZoneInfo("Pacific/Kiritimati")).isoformat()

    response, _sheet = _download(client, "workflows:queue_export")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(f'工作台-{today}.xlsx')}" in disposition
    assert f'filename="queue-{today}.xlsx"' in disposition
    response, _sheet = _download(client, "cases:export")
    assert f"filename*=UTF-8''{quote(f'维权案件-{today}.xlsx')}" in response["Content-Disposition"]

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response, sheet = _download(client, "workflows:queue_export")
    assert f"filename*=UTF-8''Work%20queue-{today}.xlsx" in response["Content-Disposition"]
    assert sheet.title == "Work queue"


def test_what_people_typed_stays_text(client, intake, officer):
    case = intake(title='=HYPERLINK("http://example.com","点此")')
    client.force_login(officer)
    for name in ("workflows:queue_export", "cases:export"):
        _response, sheet = _download(client, name)
        cell = sheet["B2"]
        assert cell.value == case.title
        assert cell.data_type == "s"  # not a formula


def test_a_download_costs_the_same_queries_whatever_its_length(
    client, intake, officer, city, django_assert_num_queries
):
    intake(person=PersonFactory(registered_by=city))
    client.force_login(officer)
    for name in ("workflows:queue_export", "cases:export"):
        _download(client, name)  # warm the session and permission caches
        with CaptureQueriesContext(connection) as one:
            _download(client, name)
        for n in range(5):
            intake(title=f"案件{n}", person=PersonFactory(registered_by=city))
        with django_assert_num_queries(len(one.captured_queries)):
            _response, sheet = _download(client, name)
        assert sheet.max_row > 2
