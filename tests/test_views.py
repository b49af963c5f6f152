"""The screens: login, case list, case page, registration and communication forms."""

import pytest
from django.conf import settings
from django.urls import reverse

from cases import zones
from cases.models import Case, CaseEvent, Person

from .factories import PersonFactory, officer_of


def test_it_asks_anonymous_users_to_log_in(client, case):
    response = client.get(case.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_shows_the_login_page_in_chinese_first(client, db):
    page = client.get(reverse("login")).content.decode()
    assert 'lang="zh-CN"' in page


def test_it_switches_to_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in page
    assert "Log in" in page


def test_it_lists_the_organisation_s_cases(officer_client, case, intake, other_city, outsider):
    intake(
        title="外市案件",
        handling_organisation=other_city,
        actor=outsider,
        person=PersonFactory(registered_by=other_city),
    )
    page = officer_client.get(reverse("cases:list")).content.decode()
    assert case.number in page
    assert "外市案件" not in page


def test_it_searches_by_party_name(officer_client, case, intake):
    intake(
        title="另一件",
        person=PersonFactory(name_zh="林建华", registered_by=case.handling_organisation),
    )
    page = officer_client.get(reverse("cases:list"), {"q": "永康"}).content.decode()
    assert case.title in page and "另一件" not in page


def test_it_shows_the_case_page(officer_client, case):
    page = officer_client.get(case.get_absolute_url()).content.decode()
    assert case.number in page
    assert "谭永康" in page
    assert "2026-11-17" in page  # the acceptance clock's due date
    assert 'class="timeline"' in page and "祖坟墓地纠纷</p>" in page  # the registration entry


def test_it_hides_cases_of_other_organisations(client, case, outsider):
    client.force_login(outsider)
    assert client.get(case.get_absolute_url()).status_code == 404
    response = client.post(reverse("cases:add_note", args=[case.pk]), {"text": "看看"})
    assert response.status_code == 404


def _registration(organisation, **overrides):
    data = {
        "handling_organisation": organisation.pk,
        "title": "谭氏宗亲会祖坟墓地纠纷",
        "category": "ancestral_graves",
        "channel": "association_letter",
        "received_on": "2026-11-20",
        "location": "紫金县义容镇",
        "risk_level": "medium",
        "summary": "来函反映祖坟墓地被占用。",
        "claims": "保护祖坟。",
        "party-TOTAL_FORMS": "3",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "1",
        "party-MAX_NUM_FORMS": "1000",
        "party-0-role": "claimant",
        "party-0-new_name_zh": "谭丽珍",
        "party-0-new_name_latin": "Tham Lai Chin",
        "party-0-new_identity": "foreign_chinese",
        "party-0-new_residence_country": "MY",
        "party-1-new_identity": "other",
        "party-2-new_identity": "other",
    }
    data.update(overrides)
    return data


def test_it_registers_a_case_with_a_new_person(officer_client, city, association):
    data = _registration(
        city, **{"party-1-role": "claimant", "party-1-association": association.pk}
    )
    response = officer_client.post(reverse("workflows:register"), data)

    case = Case.objects.get(title="谭氏宗亲会祖坟墓地纠纷")
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert case.number == "河侨维案〔2026〕1号"
    assert Person.objects.get(name_zh="谭丽珍").residence_country == "MY"
    assert case.parties.filter(association=association).exists()
    assert case.events.get().kind == "registration"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"party-0-role": "respondent"}, "claimant"),
        ({"party-0-association": "1"}, "one of"),
        ({"received_on": "2099-01-01"}, "future"),
        ({"title": ""}, "required"),
    ],
)
def test_it_explains_bad_registrations(officer_client, city, association, overrides, error):
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = officer_client.post(reverse("workflows:register"), _registration(city, **overrides))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Case.objects.exists()


def test_it_refuses_registration_without_permission(client, city):
    client.force_login(officer_of(city, "adv", "legal_adviser"))
    assert client.get(reverse("workflows:register")).status_code == 403


def test_it_logs_a_communication(officer_client, case):
    response = officer_client.post(
        reverse("cases:add_communication", args=[case.pk]),
        {
            "channel": "wechat",
            "counterpart": "谭永康",
            "occurred_at": "2026-11-20T10:30",
            "summary": "微信告知已登记。",
        },
    )
    assert response.status_code == 302
    event = case.events.get(kind=CaseEvent.Kind.COMMUNICATION)
    assert (event.channel, event.counterpart) == ("wechat", "谭永康")


def test_it_refuses_an_empty_note_with_a_message(officer_client, case):
    response = officer_client.post(
        reverse("cases:add_note", args=[case.pk]), {"text": " "}, follow=True
    )
    assert len(response.context["messages"]) == 1
    assert case.events.count() == 1


def test_it_lets_each_person_choose_language_and_time_zone(officer_client, officer):
    url = reverse("cases:preferences")
    assert officer_client.get(url).status_code == 200
    response = officer_client.post(
        url,
        {
            "display_name": "陈志远",
            "email": "c@example.cn",
            "language": "en",
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.language, str(officer.time_zone)) == ("en", "Europe/London")
    page = officer_client.get(reverse("cases:list")).content.decode()
    # The header names the zone as people read it ([Q6c] 13), not by its identifier.
    assert 'lang="en"' in page and zones.label("Europe/London") in page
