"""Parties as they really are: a time zone and language from the country of residence,
bodies (a township office, a company) with a contact person, and corrections and
additions from the case page, each on the timeline."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, Organisation, Party, Person
from cases.parties import defaults_for
from cases.selectors import invitable_departments, referral_targets, registering_organisations
from cases.services import PartyInput
from workflows.selectors import QueueFilters, queue, rows

from .conftest import open_tasks
from .factories import OrganisationFactory, UserFactory, officer_of
from .test_documents import content, pdf_text, rendered
from .test_english import parties_panel


@pytest.fixture
def township_government(db):
    return OrganisationFactory(
        name="紫金县义容镇人民政府",
        kind="department",
        level="township",
        number_prefix="",
        name_en="People's Government of Yirong Township",
    )


def _registration(city, **overrides) -> dict:
    """The registration screen's form: a claimant living in Canada, no zone or language."""
    data = {
        "handling_organisation": city.pk,
        "title": "黄氏侨房被拆纠纷",
        "category": "houses",
        "channel": "online",
        "received_on": "2026-11-20",
        "location": "紫金县义容镇",
        "risk_level": "medium",
        "summary": "侨房在镇村道路改造中被拆除。",
        "claims": "依法补偿。",
        "party-TOTAL_FORMS": "3",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "1",
        "party-MAX_NUM_FORMS": "20",
        "party-0-role": "claimant",
        "party-0-new_name_zh": "黄伟明",
        "party-0-new_name_latin": "Wong Wai Ming",
        "party-0-new_identity": "huaqiao",
        "party-0-new_residence_country": "CA",
        "party-0-new_phone": "+1 604 555 0182",
        "party-0-new_email": "wm.wong@example.ca",
        "party-0-new_address": "1234 Main Street, Vancouver BC V5V 3N6, Canada",
        "party-1-new_identity": "other",
        "party-2-new_identity": "other",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _register(client, city, **overrides) -> Case:
    response = client.post(reverse("workflows:register"), _registration(city, **overrides))
    assert response.status_code == 302, response.context and [
        f.errors for f in [response.context["form"], *response.context["party_forms"]]
    ]
    return Case.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])


def _local_times(zone: str) -> set[str]:
    """What a page rendered now shows as the local time in the zone (a minute may pass)."""
    now = timezone.now()
    return {
        (now + datetime.timedelta(minutes=m))
        .astimezone(zoneinfo.ZoneInfo(zone))
        .strftime("%m-%d %H:%M")
        for m in (0, 1)
    }


# The defaults from the country -------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "zone", "language"),
    [
        ("CA", "America/Vancouver", "en"),
        ("US", "America/Los_Angeles", "en"),
        ("GB", "Europe/London", "en"),
        ("AU", "Australia/Sydney", "en"),
        ("MY", "Asia/Kuala_Lumpur", "zh-hans"),
        ("SG", "Asia/Singapore", "zh-hans"),
        ("TH", "Asia/Bangkok", "zh-hans"),
        ("ID", "Asia/Jakarta", "zh-hans"),
        ("HK", "Asia/Hong_Kong", "zh-hans"),
        ("CN", "Asia/Shanghai", "zh-hans"),
        ("NL", "Europe/Amsterdam", "zh-hans"),  # the Netherlands share Brussels time
        ("", "Asia/Shanghai", "zh-hans"),
        ("XX", "Asia/Shanghai", "zh-hans"),
    ],
)
def test_it_takes_zone_and_language_from_the_country(country, zone, language):
    assert defaults_for(country) == (zone, language)


def test_it_registers_a_claimant_abroad_in_his_zone_and_language(officer_client, city):
    case = _register(officer_client, city)

    person = case.parties.get(role="claimant").person
    assert (str(person.time_zone), person.preferred_language) == ("America/Vancouver", "en")
    assert person.email == "wm.wong@example.ca"
    assert person.address.startswith("1234 Main Street, Vancouver")


def test_the_officer_s_zone_and_language_win(officer_client, city):
    case = _register(
        officer_client,
        city,
        **{
            "party-0-new_time_zone": "America/Toronto",
            "party-0-new_preferred_language": "zh-hant",
        },
    )

    person = case.parties.get(role="claimant").person
    assert (str(person.time_zone), person.preferred_language) == ("America/Toronto", "zh-hant")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("new_time_zone", "Mars/Olympus_Mons"),
        ("new_time_zone", "../../etc/passwd"),
        ("new_preferred_language", "klingon"),
        ("new_email", "not an e-mail"),
        ("new_address", "x" * 201),
    ],
)
def test_it_explains_a_bad_zone_language_or_contact(officer_client, city, field, value):
    response = officer_client.post(
        reverse("workflows:register"), _registration(city, **{f"party-0-{field}": value})
    )
    assert response.status_code == 200
    assert response.context["party_forms"].forms[0].errors[field]
    assert not Case.objects.exists()


# Bodies as parties -------------------------------------------------------------------


def _respondent(body, contact="李建国", phone="0762-7800123") -> dict:
    return {
        "party-1-role": "respondent",
        "party-1-organisation": str(body.pk),
        "party-1-contact_name": contact,
        "party-1-contact_phone": phone,
    }


def test_it_registers_a_body_with_its_contact_person(officer_client, city, township_government):
    case = _register(officer_client, city, **_respondent(township_government))

    respondent = case.parties.get(role="respondent")
    assert respondent.organisation == township_government
    contact = case.parties.get(role="representative")
    assert contact.on_behalf_of == respondent
    assert (contact.person.name_zh, contact.person.phone) == ("李建国", "0762-7800123")
    assert str(contact.person.residence_country) == "CN"
    assert str(contact.person.time_zone) == "Asia/Shanghai"

    page = officer_client.get(case.get_absolute_url()).content.decode()
    assert "紫金县义容镇人民政府" in page and "政府部门" in page
    assert "李建国" in page and "(代表 紫金县义容镇人民政府)" in page


def test_it_registers_a_new_body_typed_in(officer_client, city):
    case = _register(
        officer_client,
        city,
        **{
            "party-1-role": "respondent",
            "party-1-new_body_name": "义容镇某村村民委员会",
            "party-1-new_body_kind": "village_committee",
            "party-1-contact_name": "Chan Tai Man",
        },
    )

    body = Organisation.objects.get(name="义容镇某村村民委员会")
    assert (body.kind, body.level) == ("village_committee", "village")
    assert case.parties.get(role="respondent").organisation == body
    assert case.parties.get(role="representative").person.name_latin == "Chan Tai Man"


def test_it_takes_the_existing_body_of_a_name_typed_again(
    officer_client, city, township_government
):
    case = _register(
        officer_client,
        city,
        **{
            "party-1-role": "respondent",
            "party-1-new_body_name": "紫金县义容镇人民政府",
            "party-1-new_body_kind": "other_body",
        },
    )
    assert case.parties.get(role="respondent").organisation == township_government
    assert Organisation.objects.filter(name="紫金县义容镇人民政府").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # A contact person speaks for a body, not for a person.
        ({"party-0-contact_name": "李建国"}, "只有单位"),
        # A new body needs its kind.
        ({"party-1-role": "respondent", "party-1-new_body_name": "某公司"}, "单位类别"),
        # A department is the administrators' to add.
        (
            {
                "party-1-role": "respondent",
                "party-1-new_body_name": "某局",
                "party-1-new_body_kind": "department",
            },
            "有效",
        ),
        # A 侨联 is no party body, whatever is typed.
        (
            {
                "party-1-role": "respondent",
                "party-1-new_body_name": "河源市侨联",
                "party-1-new_body_kind": "company",
            },
            "不能作为当事人",
        ),
        # A phone without a name.
        (
            {
                "party-1-role": "respondent",
                "party-1-new_body_name": "某公司",
                "party-1-new_body_kind": "company",
                "party-1-contact_phone": "0762-1234567",
            },
            "联系人姓名",
        ),
    ],
)
def test_it_explains_a_bad_body_row(officer_client, city, overrides, message):
    bodies_before = Organisation.objects.count()
    response = officer_client.post(reverse("workflows:register"), _registration(city, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Case.objects.exists()
    assert Organisation.objects.count() == bodies_before


def test_bodies_are_never_referral_targets_departments_or_registering_units(
    officer_client, city, township, other_city
):
    case = _register(
        officer_client,
        city,
        **{
            "party-1-role": "respondent",
            "party-1-new_body_name": "河源某房地产开发有限公司",
            "party-1-new_body_kind": "company",
            "party-2-role": "third_party",
            "party-2-new_body_name": "义容镇某村民委员会",
            "party-2-new_body_kind": "village_committee",
        },
    )
    bodies = Organisation.objects.filter(kind__in=["company", "village_committee"])
    assert bodies.count() == 2
    # A body someone makes a child of a unit by mistake still is not offered.
    bodies.update(parent=city)
    admin = UserFactory(username="root", is_superuser=True)

    assert not referral_targets(case).filter(pk__in=bodies).exists()
    assert not invitable_departments().filter(pk__in=bodies).exists()
    assert not registering_organisations(admin).filter(pk__in=bodies).exists()
    assert township in referral_targets(case) and other_city in referral_targets(case)


def test_a_company_is_offered_only_to_those_who_see_its_case(
    officer_client, client, city, other_city, outsider
):
    _register(
        officer_client,
        city,
        **{
            "party-1-role": "respondent",
            "party-1-new_body_name": "河源某房地产开发有限公司",
            "party-1-new_body_kind": "company",
        },
    )
    company = Organisation.objects.get(kind="company")
    assert (
        "河源某房地产开发有限公司"
        in officer_client.get(reverse("workflows:register")).content.decode()
    )

    client.force_login(outsider)
    assert (
        "河源某房地产开发有限公司" not in client.get(reverse("workflows:register")).content.decode()
    )
    data = _registration(other_city, **_respondent(company))
    data["party-0-new_name_zh"] = "陈外市"
    response = client.post(reverse("workflows:register"), data)
    assert response.status_code == 200
    assert response.context["party_forms"].forms[1].errors["organisation"]


def test_the_queue_and_the_documents_know_body_parties(
    officer_client, city, officer, township_government
):
    case = _register(officer_client, city, **_respondent(township_government))

    [row] = rows(list(queue(officer, QueueFilters(view="mine"))))
    assert row.countries == ["加拿大", "中国"]
    form = pdf_text(content(rendered(case.documents.get(kind="registration_form"))))
    assert "紫金县义容镇人民政府" in form and "政府部门" in form
    assert "李建国" in form
    found = officer_client.get(reverse("cases:list"), {"q": "义容镇人民政府"}).content.decode()
    assert case.number in found


# Adding a party from the case page ---------------------------------------------------


def _add(client, case, **data):
    return client.post(reverse("cases:add_party", args=[case.pk]), data)


def test_it_adds_a_party_from_the_case_page(officer_client, case):
    page = officer_client.get(case.get_absolute_url()).content.decode()
    assert reverse("cases:add_party", args=[case.pk]) in page
    assert officer_client.get(reverse("cases:add_party", args=[case.pk])).status_code == 200

    response = _add(
        officer_client,
        case,
        role="relative",
        new_name_zh="谭伯华",
        new_identity="qiaojuan",
        new_residence_country="CN",
        new_phone="0762-7000001",
        on_behalf_of=case.parties.get().pk,
    )

    assert response.status_code == 302 and response.url == case.get_absolute_url()
    relative = case.parties.get(role="relative")
    assert relative.on_behalf_of == case.parties.get(role="claimant")
    assert (str(relative.person.time_zone), relative.person.preferred_language) == (
        "Asia/Shanghai",
        "zh-hans",
    )
    event = case.events.get(kind=CaseEvent.Kind.PARTIES)
    assert "谭伯华" in event.summary and event.actor.username == "officer"


def test_it_adds_a_body_and_later_its_contact_person(officer_client, case, township_government):
    _add(officer_client, case, role="respondent", organisation=township_government.pk)
    body = case.parties.get(role="respondent")

    _add(
        officer_client,
        case,
        role="representative",
        new_name_zh="李建国",
        new_identity="other",
        new_residence_country="CN",
        on_behalf_of=body.pk,
    )

    contact = case.parties.get(role="representative")
    assert contact.on_behalf_of == body
    assert case.events.filter(kind=CaseEvent.Kind.PARTIES).count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"role": "respondent"},  # nobody named
        {"role": "", "new_name_zh": "谭某", "new_identity": "other"},
        {"role": "respondent", "new_name_zh": "谭某", "new_identity": "martian"},
        {"role": "respondent", "new_name_zh": "谭某", "new_identity": "other", "person": "x"},
        {
            "role": "relative",
            "new_name_zh": "谭某",
            "new_identity": "other",
            "on_behalf_of": "9999",
        },
        {"role": "respondent", "new_name_zh": "谭" * 101, "new_identity": "other"},
    ],
)
def test_it_explains_a_bad_new_party(officer_client, case, data):
    before = (Party.objects.count(), Person.objects.count(), CaseEvent.objects.count())
    response = _add(officer_client, case, **data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert (Party.objects.count(), Person.objects.count(), CaseEvent.objects.count()) == before


def test_it_refuses_a_party_of_another_case_as_the_one_acted_for(officer_client, case, intake):
    other = intake(title="另一件")
    response = _add(
        officer_client,
        case,
        role="relative",
        new_name_zh="谭某",
        new_identity="other",
        on_behalf_of=other.parties.get().pk,
    )
    assert response.status_code == 200
    assert not case.parties.filter(role="relative").exists()


def test_it_lets_only_the_handling_organisation_add_or_correct(
    client, case, city, township, officer, outsider
):
    party = case.parties.get()
    add = reverse("cases:add_party", args=[case.pk])
    correct = reverse("cases:correct_party", args=[case.pk, party.pk])
    data = {"role": "respondent", "new_name_zh": "谭某", "new_identity": "other"}

    client.force_login(outsider)  # another city: the case does not exist for them
    assert client.get(add).status_code == 404
    assert client.post(add, data).status_code == 404
    assert client.post(correct, {"role": "respondent"}).status_code == 404

    client.force_login(officer_of(city, "adviser", "legal_adviser"))  # reads nothing unassigned
    assert client.post(add, data).status_code == 404

    # A unit below that work was sent down to reads the case but does not edit its parties.
    [task] = open_tasks(case)
    client.force_login(officer)
    send_down = reverse("workflows:send_down", args=[task.pk])
    assert client.post(send_down, {"organisation": township.pk}).status_code == 302
    client.force_login(officer_of(township, "below"))
    page = client.get(case.get_absolute_url()).content.decode()
    assert add not in page and correct not in page
    assert client.get(add).status_code == 403
    assert client.post(add, data).status_code == 403
    assert client.post(correct, {"role": "respondent"}).status_code == 403
    assert case.parties.count() == 1 and not case.events.filter(kind="parties").exists()


def test_a_finished_case_takes_no_new_parties(officer_client, case, do):
    case = do(
        do(case, "screen", {"notes": "不属受理范围"}),
        "decide",
        {"decision": "decline", "reason": "属法院受理范围"},
    )
    assert case.status == "declined"
    page = officer_client.get(case.get_absolute_url()).content.decode()
    assert reverse("cases:add_party", args=[case.pk]) not in page

    response = _add(
        officer_client, case, role="respondent", new_name_zh="谭某", new_identity="other"
    )
    assert response.status_code == 200
    assert "已办结的案件不再添加当事人" in response.content.decode()
    assert case.parties.count() == 1


# Correcting a party ------------------------------------------------------------------


def _correction_form(client, case, party) -> tuple[str, dict]:
    """The correction page's form as it comes, ready to post back."""
    url = reverse("cases:correct_party", args=[case.pk, party.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    return url, {k: ("" if v is None else str(v)) for k, v in data.items()}


def test_it_corrects_a_person_and_names_only_the_fields(officer_client, case):
    claimant = case.parties.get()
    url, data = _correction_form(officer_client, case, claimant)
    data.update(phone="+60 16-888 1234", email="tham@example.my", address="No. 8, Jalan Ipoh, KL")

    response = officer_client.post(url, data)

    assert response.status_code == 302
    person = Person.objects.get(pk=claimant.person_id)
    assert (person.phone, person.email) == ("+60 16-888 1234", "tham@example.my")
    event = case.events.get(kind=CaseEvent.Kind.PARTIES)
    assert event.transition == "correct_party"
    assert "电话" in event.summary and "电子邮箱" in event.summary and "地址" in event.summary
    assert "888" not in event.summary and "Jalan" not in event.summary and "@" not in event.summary


def test_a_new_country_brings_its_zone_and_language_unless_the_officer_chose(officer_client, case):
    claimant = case.parties.get()  # lives in Malaysia: Kuala Lumpur time, reads Chinese
    url, data = _correction_form(officer_client, case, claimant)
    assert (data["time_zone"], data["preferred_language"]) == ("", "")  # from the country

    officer_client.post(url, {**data, "residence_country": "GB"})
    person = Person.objects.get(pk=claimant.person_id)
    assert (str(person.time_zone), person.preferred_language) == ("Europe/London", "en")

    url, data = _correction_form(officer_client, case, claimant)
    officer_client.post(url, {**data, "residence_country": "US", "preferred_language": "zh-hans"})
    person.refresh_from_db()
    assert (str(person.time_zone), person.preferred_language) == ("America/Los_Angeles", "zh-hans")

    summaries = list(case.events.filter(kind="parties").values_list("summary", flat=True))
    assert len(summaries) == 2 and all("时区" in s and "居住国家或地区" in s for s in summaries)


def test_it_corrects_the_role_of_a_body(officer_client, city, township_government):
    case = _register(officer_client, city, **_respondent(township_government))
    body = case.parties.get(role="respondent")
    url = reverse("cases:correct_party", args=[case.pk, body.pk])

    response = officer_client.post(url, {"role": "third_party"})

    assert response.status_code == 302
    body.refresh_from_db()
    assert body.role == "third_party"
    assert "角色" in case.events.get(kind="parties").summary


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"role": "respondent"}, "至少需要一名申请人"),  # the only claimant
        ({}, "没有需要更正的内容"),
        ({"email": "nonsense"}, "有效"),
        ({"time_zone": "Mars/Olympus_Mons"}, "有效"),
        ({"preferred_language": "tlh"}, "有效"),
        ({"name_zh": "", "name_latin": ""}, "中文姓名或外文姓名"),
        ({"residence_country": "ZZ"}, "有效"),
    ],
)
def test_it_explains_a_bad_correction(officer_client, case, changes, message):
    claimant = case.parties.get()
    url, data = _correction_form(officer_client, case, claimant)
    before = list(Person.objects.filter(pk=claimant.person_id).values())

    response = officer_client.post(url, {**data, **changes})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(Person.objects.filter(pk=claimant.person_id).values()) == before
    assert not case.events.filter(kind="parties").exists()


def test_it_finds_no_party_of_another_case(officer_client, case, intake):
    other = intake(title="另一件")
    url = reverse("cases:correct_party", args=[case.pk, other.parties.get().pk])
    assert officer_client.get(url).status_code == 404
    assert officer_client.post(url, {"role": "respondent"}).status_code == 404


# The walk of the issue: a 华侨 in Canada -----------------------------------------------


def test_a_claimant_in_canada_gets_english_in_his_notice(
    officer_client, city, township_government, do
):
    case = _register(officer_client, city, **_respondent(township_government))
    claimant = case.parties.get(role="claimant").person
    assert (claimant.preferred_language, str(claimant.time_zone)) == ("en", "America/Vancouver")

    case = do(case, "screen", {"notes": "属行政诉讼范围"})
    case = do(case, "decide", {"decision": "decline", "reason": "该事项已进入行政诉讼程序。"})

    notice = pdf_text(content(rendered(case.documents.get(kind="refusal_notice"))))
    assert "不予受理告知书" in notice and "该事项已进入行政诉讼程序" in notice
    assert "Noticeofnon-acceptance" in notice
    assert "ToWongWaiMing:Havingexaminedyourcomplaint" in notice
    assert "people'scourt" in notice

    page = parties_panel(officer_client.get(case.get_absolute_url()))
    [row] = [r for r in page.split("<tr")[1:] if "黄伟明" in r]
    assert "America/Vancouver" in row and "English" in row
    assert any(local in row for local in _local_times("America/Vancouver"))


# [Q6c] A person is one record for every case they are a party to ---------------------


@pytest.fixture
def uncle_of_the_township(township, intake):
    """谭伯华, a party of a case of the Yirong 侨胞之家 (below the city), in its registry."""
    yirong = officer_of(township, "yirong")
    township_case = intake(
        actor=yirong,
        handling_organisation=township,
        title="义容镇祖屋纠纷",
        parties=[
            PartyInput(
                role="claimant",
                new_person={
                    "name_zh": "谭伯华",
                    "residence_country": "CN",
                    "phone": "+86 762 700 0001",
                    "address": "义容镇上村八号",
                },
            )
        ],
    )
    return township_case, township_case.parties.get().person


def test_it_keeps_a_correction_from_rewriting_a_case_the_officer_may_not_edit(
    officer_client, city, case, uncle_of_the_township
):
    township_case, uncle = uncle_of_the_township
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # The city officer may pick him (the registry of a unit below) for her own case.
    assert _add(officer_client, case, role="relative", person=uncle.pk).status_code == 302
    party = case.parties.get(person=uncle)
    url = reverse("cases:correct_party", args=[case.pk, party.pk])

    # The correction form offers his role, not his details held for the other case.
    page = officer_client.get(url)
    assert list(page.context["form"].fields) == ["role"]
    text = page.content.decode()
    assert "700 0001" not in text and "上村八号" not in text
    assert "may not edit" in text

    response = officer_client.post(
        url,
        {
            "role": "third_party",
            "name_zh": "谭伯华",
            "name_latin": "Tampered Name",
            "phone": "+86 999 0000 0000",
            "address": "Somewhere else",
        },
    )

    assert response.status_code == 302  # the role, which is this case's own, is corrected
    party.refresh_from_db()
    assert party.role == "third_party"
    uncle.refresh_from_db()
    assert (uncle.name_latin, uncle.phone, uncle.address) == (
        "",
        "+86 762 700 0001",
        "义容镇上村八号",
    )
    assert not township_case.events.filter(kind="parties").exists()
    # The service refuses whoever calls it, and says why.
    with pytest.raises(ValidationError) as refused:
        services.correct_party(
            case=case, actor=party.case.officer, party=party, role="third_party", phone="1234567"
        )
    assert refused.value.code == "shared_person"
    uncle.refresh_from_db()
    assert uncle.phone == "+86 762 700 0001"


def test_it_corrects_a_shared_person_with_an_entry_on_every_case_that_holds_him(
    officer_client, case, intake, claimant
):
    other = intake(title="谭永康另案")  # the same claimant, also a case the officer edits
    party = case.parties.get()
    url, data = _correction_form(officer_client, case, party)
    assert data["phone"] == claimant.phone

    response = officer_client.post(url, {**data, "phone": "+60 16-888 1234"})

    assert response.status_code == 302
    claimant.refresh_from_db()
    assert claimant.phone == "+60 16-888 1234"
    [here] = case.events.filter(kind="parties")
    [there] = other.events.filter(kind="parties")
    assert here.transition == there.transition == "correct_party"
    assert "电话" in there.summary and case.number in there.summary
    assert "888" not in there.summary
    assert there.actor.username == "officer"


def test_it_offers_associations_as_it_offers_people(
    officer_client, client, city, other_city, outsider, association, case
):
    register, add = reverse("workflows:register"), reverse("cases:add_party", args=[case.pk])
    # Its representative is in the city's registry: the city's officer sees it.
    assert "马来西亚谭氏宗亲会" in officer_client.get(register).content.decode()
    assert "马来西亚谭氏宗亲会" in officer_client.get(add).content.decode()

    client.force_login(outsider)
    assert "马来西亚谭氏宗亲会" not in client.get(register).content.decode()
    data = _registration(other_city, **{"party-1-role": "claimant"})
    data["party-1-association"] = str(association.pk)
    response = client.post(register, data)
    assert response.status_code == 200
    assert response.context["party_forms"].forms[1].errors["association"]
    assert not Case.objects.filter(handling_organisation=other_city).exists()
    with pytest.raises(PermissionDenied):
        services.add_case_party(
            case=case, actor=outsider, item=PartyInput(role="claimant", association=association)
        )
