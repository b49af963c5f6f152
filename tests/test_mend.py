"""Mended on the way ([Q5] §5): the language menu names each language in its own name, and
the closing report dates the case's steps in the organisations' time zone."""

import contextlib
import datetime
import re
import subprocess
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task

from cases.models import Case, CaseEvent
from documents import services as document_services
from documents import snapshots
from workflows import services
from workflows.selectors import OPEN

# 17:30 UTC on 25 November is 01:30 on 26 November in Shanghai (TIME_ZONE).
LATE_EVENING_UTC = datetime.datetime(2026, 11, 25, 17, 30, tzinfo=datetime.UTC)


def _menu(page: str) -> str:
    """The language form: its select and its button."""
    form = page.split(f'<form action="{reverse("set_language")}"')[1]
    return form.split("</form>")[0]


@pytest.mark.parametrize(
    ("language", "html_lang", "switch"),
    [("zh-hans", "zh-CN", "切换"), ("en", "en", "Switch")],
    ids=["chinese", "english"],
)
def test_it_names_each_language_in_its_own_name(
    client, officer, settings, language, html_lang, switch
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(officer)
    page = client.get(reverse("workflows:queue")).content.decode()

    assert f'<html lang="{html_lang}">' in page  # the page is in that language
    menu = _menu(page)
    options = re.findall(r'<option value="([^"]+)"([^>]*)>([^<]*)</option>', menu)
    assert {code: name for code, _attributes, name in options} == {
        "zh-hans": "简体中文",
        "zh-hant": "繁體中文",
        "en": "English",
    }
    assert [code for code, attributes, _name in options if "selected" in attributes] == [language]
    assert all(f'lang="{code}"' in attributes for code, attributes, _name in options)
    assert f'<button class="link">{switch}</button>' in menu  # no script: the button sends it
    assert not re.search(r"<script|style=| on[a-z]+=", menu)


@contextlib.contextmanager
def clock_at(moment: datetime.datetime):
    """Django's clock reads ``moment``. ``CaseEvent.occurred_at`` took the function
    ``timezone.now`` as its default when the model was defined, so that default is set to
    the same moment."""
    occurred_at = CaseEvent._meta.get_field("occurred_at")
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch.object(occurred_at, "get_default", return_value=moment),
    ):
        yield


def _complete(case: Case, name: str, user, data: dict) -> None:
    [task] = [
        t
        for t in Task.objects.filter(process__caseprocess__case=case, status__in=OPEN)
        if t.flow_task.name == name
    ]
    services.complete_task(task_id=task.pk, user=user, data=data)


def test_it_dates_the_closing_reports_steps_in_the_organisations_time_zone(
    intake, officer, supervisor, legal_review
):
    with clock_at(LATE_EVENING_UTC):  # every step done at 01:30 on 26 November in Shanghai
        case = intake()
        _complete(case, "screen", officer, {"notes": "事实清楚"})
        _complete(case, "decide", supervisor, {"decision": "accept", "reason": ""})
        legal_review(case, "close")
        _complete(case, "route", officer, {"route": "close", "notes": ""})
        _complete(case, "close_approval", supervisor, {"reason": "已书面答复当事人"})
    assert {e.occurred_at for e in case.events.all()} == {LATE_EVENING_UTC}

    report = case.documents.get(kind="closing_report")
    steps = report.snapshot["steps"]
    assert [s["on"] for s in steps] == ["2026年11月26日"] * 4  # screening, accept, review, close

    report = document_services.render_document(document_id=report.pk)
    with report.file.open("rb") as pdf:
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.read(), capture_output=True, check=True
        ).stdout.decode()
    text = re.sub(r"\s+", "", text)
    assert text.count("2026年11月26日，") == len(steps)
    assert "2026年11月25日" not in text

    # The organisations' zone, not the zone of the screen the report is issued from.
    with timezone.override("Europe/London"):
        again = snapshots.closing_extra(case, issued_on=datetime.date(2026, 11, 26))
    assert [s["on"] for s in again["steps"]] == ["2026年11月26日"] * 4
