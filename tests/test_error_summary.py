"""A form sent with errors comes back with an error summary at the top of the page ([Q6c] 8,
the GOV.UK pattern): "There is a problem", every error with its field's name and a link to
the field (the first radio button of a group), role="alert" and tabindex="-1" for
static/js/error-summary.js to give it the focus, and a title that begins with "错误：".
Whatever the form: a task's, the reviewer's opinion, the send-to-review screen, a panel
of the case page (posted elsewhere, said back as messages that name their field), the
declaration, the settings, the login. The browser half (the focus, the links) is in
tests/test_screens.py."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from .conftest import open_tasks
from .factories import opinion_data
from .test_review import seat_of, task_of, task_url

SUMMARY = re.compile(r'<div class="error-summary"([^>]*)>(.*?)</div>', re.S)


def summary_of(page: str) -> list[tuple[str, str]]:
    """(href, text) of each error the summary lists; its attributes are checked."""
    found = SUMMARY.search(page)
    assert found, "no error summary"
    attributes, body = found.groups()
    assert 'role="alert"' in attributes and 'tabindex="-1"' in attributes
    assert "data-error-summary" in attributes
    assert page.index('class="error-summary"') < page.index("<h1")  # at the top
    return re.findall(r'<li><a href="([^"]*)">(.*?)</a></li>', body, re.S)


def title_of(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def assert_links_to_fields(page: str, links: list[tuple[str, str]]) -> None:
    for href, _text in links:
        assert href.startswith("#") and f'id="{href[1:]}"' in page, href


def test_an_incomplete_opinion_comes_back_with_a_summary_linking_each_empty_field(
    client, reviewing, lawyer
):
    client.force_login(lawyer)
    url = task_url(task_of(reviewing, "review", lawyer))
    data = {**opinion_data(analysis="", route="", risk=""), "revision": 0}

    page = client.post(url, data).content.decode()

    assert title_of(page).startswith("错误：")
    links = summary_of(page)
    assert [href for href, _text in links] == ["#id_analysis", "#id_route", "#id_risk"]
    assert links[0][1].startswith(zh("Analysis") + "：")
    assert_links_to_fields(page, links)
    assert "js/error-summary.js" in page
    # Before: the page only marked the fields, far down the sticky column.
    assert not title_of(client.get(url).content.decode()).startswith("错误")
    assert 'class="error-summary"' not in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("task", "data", "first"),
    [
        ("screen", {"notes": " "}, "#id_notes"),
        ("decide", {}, "#id_decision_0"),
    ],
)
def test_a_task_sent_with_errors_says_them_in_the_summary(
    client, intake, do, officer, supervisor, task, data, first
):
    case = intake()
    if task == "decide":
        case = do(case, "screen", {"notes": "事实清楚"})
    user = supervisor if task == "decide" else officer
    [open_task] = [t for t in open_tasks(case) if t.flow_task.name == task]
    client.force_login(user)

    page = client.post(task_url(open_task), data).content.decode()

    assert title_of(page).startswith("错误：")
    links = summary_of(page)
    assert links[0][0] == first
    assert_links_to_fields(page, links)


def test_the_send_to_review_screen_links_its_error_to_the_first_adviser(
    client, accepted, officer, lawyer, lawyer2
):
    [assign] = [t for t in open_tasks(accepted) if t.flow_task.name == "send_to_review"]
    client.force_login(officer)

    page = client.post(task_url(assign), {}).content.decode()

    links = summary_of(page)
    assert links[0][0] == "#id_lead_0"
    assert links[0][1].startswith(zh("Lead reviewer") + "：")
    assert_links_to_fields(page, links)


def test_a_panel_form_of_the_case_page_says_its_errors_in_the_summary(client, case, officer):
    """Posted from the case page, said back there: each message names its field and links to
    it as the page renders it (the lifecycle forms' fields are prefixed)."""
    client.force_login(officer)

    page = client.post(
        reverse("workflows:withdraw", args=[case.pk]), {"channel": "letter"}, follow=True
    ).content.decode()

    assert title_of(page).startswith("错误：")
    [(href, text)] = summary_of(page)
    assert href == "#id_withdraw_statement" and 'id="id_withdraw_statement"' in page
    assert text.startswith(zh("The claimant's statement: what is withdrawn, and why"))
    assert '<ul class="messages">' not in page  # not said twice

    page = client.post(
        reverse("cases:add_note", args=[case.pk]), {"text": ""}, follow=True
    ).content.decode()
    [(href, _text)] = summary_of(page)
    assert href == "#id_text" and 'id="id_text"' in page


def test_the_declaration_sent_without_a_choice_says_so_in_the_summary(
    client, accepted, send, lawyer
):
    case = send(accepted, lawyer)
    client.force_login(lawyer)
    url = reverse("review:declare", args=[seat_of(case, lawyer).pk])

    page = client.post(url, {}, follow=True).content.decode()

    [(href, _text)] = summary_of(page)
    assert href == "#id_has_conflict_0" and 'id="id_has_conflict_0"' in page


def test_the_settings_and_the_login_say_their_errors_in_the_summary(client, officer):
    client.force_login(officer)
    data = {"display_name": "", "email": "not an address", "language": "zh-hans"}
    page = client.post(
        reverse("cases:preferences"), {**data, "time_zone": "Asia/Shanghai"}
    ).content.decode()
    [(href, _text)] = summary_of(page)
    assert href == "#id_email"

    client.logout()
    page = client.post(
        reverse("login"), {"username": "officer", "password": "wrong"}
    ).content.decode()
    assert title_of(page).startswith("错误：")
    [(href, _text)] = summary_of(page)
    assert href == "#id_username" and 'id="id_username"' in page


def test_a_page_without_errors_has_no_summary(client, case, officer):
    client.force_login(officer)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'class="error-summary"' not in page
    assert not title_of(page).startswith("错误")
