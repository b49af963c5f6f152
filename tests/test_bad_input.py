"""Bad input gets a message, never a 500: the queue's and the case list's parameters,
registration, the case page's small forms, sending a task down and the settings. Each value
below once made a server error (the test client re-raises it) or stored nonsense; nothing is
stored when one is refused. Messages are checked in Chinese, the default language."""

import datetime
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from viewflow.workflow.models import Task

from cases import services
from cases.models import Case, CaseEvent, Person
from workflows.selectors import OPEN, QueueFilters

from .test_views import _registration

# What a probe types into a number: words, fractions, signs, exponents, numbers too large
# for the database, spaces, and Unicode digits that pass str.isdigit() ("²" fails int(),
# "٣" is read as 3).
JUNK = [
    "abc",
    "",
    "1.5",
    "-1",
    "0",
    "1e3",
    "99999999999999999999999",
    " 25",
    "²",
    "٣",
    "NaN",
    "25abc",
    "\x00",
]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# The queue and the case list --------------------------------------------------------


@pytest.mark.parametrize("size", JUNK)
def test_it_shows_25_rows_for_an_unknown_page_size(officer_client, size):
    response = officer_client.get(reverse("workflows:queue"), {"size": size})
    assert response.status_code == 200
    assert response.context["page"].paginator.per_page == 25


def test_it_keeps_a_page_size_it_offers(officer_client):
    response = officer_client.get(reverse("workflows:queue"), {"size": "50"})
    assert response.context["page"].paginator.per_page == 50


@pytest.mark.parametrize("organisation", ["9" * 20, "9" * 5000, *JUNK])
def test_it_ignores_an_organisation_that_is_not_a_plain_number(officer_client, organisation):
    response = officer_client.get(reverse("workflows:queue"), {"organisation": organisation})
    assert response.status_code == 200
    assert response.context["filters"].organisation is None


def test_it_keeps_a_chosen_organisation(officer_client, city):
    response = officer_client.get(reverse("workflows:queue"), {"organisation": str(city.pk)})
    assert response.context["filters"].organisation == city.pk


@pytest.mark.parametrize("param", ["page", "sort", "view", "stage", "category", "q", "overdue"])
@pytest.mark.parametrize("value", JUNK)
def test_it_shrugs_off_junk_in_the_other_queue_parameters(officer_client, param, value):
    response = officer_client.get(reverse("workflows:queue"), {param: value})
    assert response.status_code == 200


def test_it_shows_unknown_filters_as_no_filter(officer_client):
    junk = {"view": "all", "stage": "gone", "category": "x", "sort": "-id", "q": " \x00 "}
    response = officer_client.get(reverse("workflows:queue"), junk)
    assert response.context["filters"] == QueueFilters()


@pytest.mark.parametrize("param", ["status", "category", "page", "q"])
@pytest.mark.parametrize("value", JUNK)
def test_it_shrugs_off_junk_in_the_case_list(officer_client, param, value):
    response = officer_client.get(reverse("cases:list"), {param: value})
    assert response.status_code == 200


# Registration ------------------------------------------------------------------------


def _register(client, organisation, **overrides):
    """Post a registration; an override of None leaves the field out."""
    data = {k: v for k, v in _registration(organisation, **overrides).items() if v is not None}
    return client.post(reverse("workflows:register"), data)


def _nothing_stored():
    return not Case.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("new_phone", "1" * 500, "40"),
        ("new_phone", "打我电话", "电话号码"),
        ("new_phone", "+86 0762\n3388000", "电话号码"),
        ("new_phone", "１３８００１３８０００", "电话号码"),
        ("new_phone", "0762-3388000; 0762-3388001", "电话号码"),
        ("new_phone", "12", "电话号码"),
        ("new_name_zh", "谭" * 5000, "100"),
        ("new_name_latin", "T" * 5000, "100"),
        ("person", "abc", ""),
        ("person", "99999999999999999999", ""),
        ("person", "²", ""),
        ("association", "424242", ""),
        ("role", "judge", ""),
        ("new_residence_country", "XX", ""),
    ],
)
def test_it_explains_a_bad_party_next_to_the_field(officer_client, city, field, value, message):
    response = _register(officer_client, city, **{f"party-0-{field}": value})
    assert response.status_code == 200
    errors = response.context["party_forms"].forms[0].errors
    assert message in " ".join(errors[field])
    assert _nothing_stored()


@pytest.mark.parametrize(
    "phone",
    ["+60 12-345 6789", "0762-3388000", "(0762) 3388000 转 8001", "+1 212 555 0100 ext. 12"],
)
def test_it_takes_phone_numbers_as_people_write_them(officer_client, city, phone):
    response = _register(officer_client, city, **{"party-0-new_phone": phone})
    assert response.status_code == 302
    assert Person.objects.get(name_zh="谭丽珍").phone == phone


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "祖" * 5000, "200"),
        ("location", "县" * 5000, "200"),
        # As stored once (the post stays under Django's 2.5 MB limit).
        pytest.param("summary", "x" * 2_000_000, "5000", id="summary-2000000"),
        ("summary", "诉" * 5001, "5000"),
        ("received_on", "0001-01-01", "2000-01-01"),
        ("received_on", "1999-12-31", "2000-01-01"),
        ("received_on", "9999-12-31", "不能晚于今天"),
        ("received_on", "2026-02-30", ""),
        ("received_on", "abc", ""),
        ("received_on", "", ""),
        ("category", "\x00", ""),
        ("handling_organisation", "99999999999999999999", ""),
        ("handling_organisation", "²", ""),
    ],
)
def test_it_explains_bad_case_details_next_to_the_field(
    officer_client, city, field, value, message
):
    response = _register(officer_client, city, **{field: value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert _nothing_stored()


def test_it_refuses_a_summary_over_5000_characters_in_the_service(intake):
    """Printed on the 受理登记表: 2,000,000 characters made it 46 pages and 6.7 s."""
    with pytest.raises(ValidationError) as refused:
        intake(summary="诉" * (Case.MAX_SUMMARY + 1))
    assert Case.MAX_SUMMARY == 5000
    assert "5000" in " ".join(refused.value.message_dict["summary"])
    assert not Case.objects.exists()
    assert len(intake(summary="诉" * Case.MAX_SUMMARY).summary) == 5000


@pytest.mark.parametrize("received_on", [datetime.date(1, 1, 1), datetime.date(1999, 12, 31)])
def test_it_refuses_a_receipt_date_before_2000_in_the_service(intake, received_on):
    with pytest.raises(ValidationError):
        intake(received_on=received_on)
    assert not Case.objects.exists()


def test_it_shows_a_rule_the_form_does_not_know_as_a_message(officer_client, city, monkeypatch):
    """A model rule the form does not repeat (its error names a model field) is shown above
    the form, and the half-registered case is rolled back."""

    def refuse(**kwargs):
        raise ValidationError({"phone": ["号码无法接通。"], "wechat": ["微信号有误。"]})

    monkeypatch.setattr(services, "add_party", refuse)
    response = _register(officer_client, city)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["号码无法接通。", "微信号有误。"]
    assert _nothing_stored()


def test_it_refuses_100000_parties_without_building_them(officer_client, city):
    response = _register(officer_client, city, **{"party-TOTAL_FORMS": "100000"})
    assert response.status_code == 200
    party_forms = response.context["party_forms"]
    assert len(party_forms.forms) <= 20
    assert "20" in " ".join(party_forms.non_form_errors())
    assert _nothing_stored()


@pytest.mark.parametrize(
    "overrides",
    [
        {"party-TOTAL_FORMS": "abc"},
        {"party-TOTAL_FORMS": "-1"},
        {"party-TOTAL_FORMS": ""},
        {"party-TOTAL_FORMS": "²"},
        {"party-TOTAL_FORMS": "99999999999999999999"},
        {"party-TOTAL_FORMS": "21"},
        {"party-INITIAL_FORMS": "abc"},
        {"party-INITIAL_FORMS": "5"},
        {"party-MIN_NUM_FORMS": "abc"},
        {"party-TOTAL_FORMS": None},
        {"party-TOTAL_FORMS": None, "party-INITIAL_FORMS": None},
    ],
)
def test_it_explains_a_broken_party_list(officer_client, city, overrides):
    response = _register(officer_client, city, **overrides)
    assert response.status_code == 200
    party_forms = response.context["party_forms"]
    assert party_forms.non_form_errors() or any(f.errors for f in party_forms.forms)
    assert _nothing_stored()


@pytest.mark.parametrize(
    "overrides",
    [{"party-INITIAL_FORMS": "-1"}, {"party-MAX_NUM_FORMS": "-1"}, {"party-MAX_NUM_FORMS": "0"}],
)
def test_it_keeps_its_own_limits_whatever_the_browser_says(officer_client, city, overrides):
    """MAX_NUM_FORMS is only a hint to the page's script; the server sets the limit."""
    response = _register(officer_client, city, **overrides)
    assert response.status_code == 302
    assert Case.objects.count() == 1


# The case page's forms -----------------------------------------------------------------


def _post(client, name, case, data):
    """Post a case-page form; returns the response and the messages it left."""
    response = client.post(reverse(name, args=[case.pk]), data)
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    return _messages(response)


def _communication(**overrides) -> dict:
    return {
        "channel": "wechat",
        "counterpart": "谭永康",
        "occurred_at": "2026-11-20T10:30",
        "summary": "微信告知已登记。",
        **overrides,
    }


@pytest.mark.parametrize(
    ("occurred_at", "message"),
    [
        ("0001-01-01T00:00", "2000-01-01"),
        ("0001-01-01T07:59", "2000-01-01"),
        ("0001-01-01T08:00", "2000-01-01"),
        ("1999-12-31T23:59", "2000-01-01"),
        ("9999-12-31T23:59", "不能晚于当前时间"),
        ("2026-02-30T10:00", ""),
        ("abc", ""),
        ("", ""),
        ("²", ""),
    ],
)
def test_it_refuses_a_communication_at_an_impossible_time(
    officer_client, case, occurred_at, message
):
    before = CaseEvent.objects.count()
    [text] = _post(
        officer_client, "cases:add_communication", case, _communication(occurred_at=occurred_at)
    )
    assert message in text
    assert CaseEvent.objects.count() == before


def test_it_refuses_the_end_of_time_west_of_greenwich(client, officer, case):
    """9999-12-31 23:59 in Los Angeles is already year 10000 in UTC."""
    officer.time_zone = "America/Los_Angeles"
    officer.save()
    client.force_login(officer)
    before = CaseEvent.objects.count()
    [text] = _post(
        client, "cases:add_communication", case, _communication(occurred_at="9999-12-31T23:59")
    )
    assert "不能晚于当前时间" in text
    assert CaseEvent.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("counterpart", "谭" * 201),
        ("counterpart", " "),
        ("summary", "话" * 5001),
        ("summary", "\x00"),
        ("channel", "fax"),
    ],
)
def test_it_refuses_a_bad_communication_with_a_message(officer_client, case, field, value):
    before = CaseEvent.objects.count()
    assert _post(officer_client, "cases:add_communication", case, _communication(**{field: value}))
    assert CaseEvent.objects.count() == before


@pytest.mark.parametrize(
    "occurred_at",
    [
        datetime.datetime(1, 1, 1, tzinfo=SHANGHAI),
        datetime.datetime(1999, 12, 31, 23, 59, tzinfo=SHANGHAI),
        datetime.datetime(9999, 12, 31, 23, 59, tzinfo=SHANGHAI),
    ],
)
def test_it_refuses_a_communication_out_of_time_in_the_service(case, officer, occurred_at):
    before = CaseEvent.objects.count()
    with pytest.raises(ValidationError):
        services.record_communication(
            case=case,
            actor=officer,
            channel="phone",
            counterpart="谭永康",
            summary="电话回访。",
            occurred_at=occurred_at,
        )
    assert CaseEvent.objects.count() == before


@pytest.mark.parametrize("text", ["记" * 5001, "", " ", "\x00"])
def test_it_refuses_a_bad_note_with_a_message(officer_client, case, text):
    before = CaseEvent.objects.count()
    assert _post(officer_client, "cases:add_note", case, {"text": text})
    assert CaseEvent.objects.count() == before


@pytest.mark.parametrize("days", ["abc", "99999999999999999999", "-5", "0", "31", "", "1e3", "²"])
def test_it_refuses_a_bad_extension_with_a_message(client, supervisor, case, days):
    client.force_login(supervisor)
    before = CaseEvent.objects.count()
    assert _post(
        client, "workflows:extend_deadline", case, {"days": days, "reason": "需补充材料。"}
    )
    assert CaseEvent.objects.count() == before
    assert not case.deadlines.filter(extension_days__gt=0).exists()


# Sending a task down -------------------------------------------------------------------


@pytest.fixture
def open_task(intake):
    case = intake()
    [task] = Task.objects.filter(status__in=OPEN)
    return case, task


@pytest.mark.parametrize(
    "organisation", ["abc", "", "99999999999999999999", "²", "٣", "-1", "424242", None]
)
def test_it_asks_for_a_lower_unit_when_sending_down(
    officer_client, open_task, city, township, organisation
):
    case, task = open_task
    data = {} if organisation is None else {"organisation": organisation}
    response = officer_client.post(reverse("workflows:send_down", args=[task.pk]), data)
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert _messages(response) == ["请选择承办单位的下级单位。"]
    assert Task.objects.get(pk=task.pk).owner_permission_obj_pk == str(city.pk)


def test_it_sends_down_to_the_chosen_unit(officer_client, open_task, township):
    case, task = open_task
    data = {"organisation": str(township.pk)}
    response = officer_client.post(reverse("workflows:send_down", args=[task.pk]), data)
    assert response.url == case.get_absolute_url()
    assert Task.objects.get(pk=task.pk).owner_permission_obj_pk == str(township.pk)


# Settings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Mars/Olympus_Mons"),
        ("time_zone", "\x00"),
        ("time_zone", ""),
        ("time_zone", "../../etc/passwd"),
        ("language", "klingon"),
        ("language", "\x00"),
        ("email", "not an address"),
        ("display_name", "名" * 101),
    ],
)
def test_it_explains_bad_settings_next_to_the_field(officer_client, officer, field, value):
    data = {"display_name": "陈志远", "email": "", "language": "en", "time_zone": "Europe/London"}
    response = officer_client.post(reverse("cases:preferences"), {**data, field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    officer.refresh_from_db()
    assert (officer.language, str(officer.time_zone)) == ("zh-hans", "Asia/Shanghai")
