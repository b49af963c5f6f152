"""[Q6c] The registration screen: one party block at first, another on request (without
JavaScript too), only the chosen kind of party's fields counted, required fields marked,
and a likely existing person offered before a second record of them is made."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Case, Party, Person
from cases.services import PartyInput

from .factories import PersonFactory

REGISTER = "workflows:register"


def _registration(city, **overrides) -> dict:
    """The screen's form as a browser sends it: one party block, a new claimant."""
    data = {
        "handling_organisation": city.pk,
        "title": "陈美华反映侨房被占用",
        "category": "houses",
        "channel": "visit",
        "received_on": "2026-11-20",
        "risk_level": "low",
        "summary": "陈美华来访反映其侨房被他人占用。",
        "claims": "请求协调腾退。",
        "party-TOTAL_FORMS": "1",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "1",
        "party-MAX_NUM_FORMS": "20",
        "party-0-role": "claimant",
        "party-0-kind": "new_person",
        "party-0-new_name_zh": "陈美华",
        "party-0-new_identity": "guiqiao",
        "party-0-new_residence_country": "CN",
        "party-0-new_phone": "0762-3388001",
        "party-0-new_email": "meihua.chen@example.cn",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _post(client, city, **overrides):
    return client.post(reverse(REGISTER), _registration(city, **overrides))


def _party_blocks(page: str) -> int:
    return page.count('<fieldset class="party"')


# The form as it comes -----------------------------------------------------------------


def test_it_shows_one_party_block_and_marks_what_is_required(officer_client):
    response = officer_client.get(reverse(REGISTER))
    page = response.content.decode()

    assert _party_blocks(page) == 1
    assert 'name="party-TOTAL_FORMS" value="1"' in page
    assert 'name="add_party"' in page
    form = response.context["form"]
    required = [name for name, field in form.fields.items() if field.required]
    assert {"title", "category", "channel", "received_on", "summary", "claims"} <= set(required)
    for name in required:
        assert 'class="required-mark" aria-hidden="true">*</span>' in str(form[name].label_tag())
        assert 'aria-required="true"' in str(form[name])
    assert 'aria-required="true"' in str(response.context["party_forms"].forms[0]["role"])
    # The choice of kind waits, hidden and disabled, for the script; each group of fields
    # names the kinds it serves.
    assert re.search(r'<fieldset class="party-kind" data-party-kind hidden>', page)
    assert page.count('name="party-0-kind"') == 5
    assert page.count('name="party-0-kind" value="person" disabled') == 1
    for kinds in ("person", "new_person", "association", "body", "body new_body", "new_body"):
        assert f'data-kinds="{kinds}"' in page
    assert len(response.content) < 100_000  # four blocks of every option weighed 191 KB


# Without JavaScript -------------------------------------------------------------------


def test_it_adds_a_party_block_without_javascript_and_saves_nothing(officer_client, city):
    data = _registration(city, **{"party-0-kind": None, "title": "", "add_party": "1"})

    response = officer_client.post(reverse(REGISTER), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert _party_blocks(page) == 2
    assert 'name="party-TOTAL_FORMS" value="2"' in page
    assert "陈美华" in page and "0762-3388001" in page  # what was typed comes back
    assert not response.context["form"].errors  # not checked yet: nothing was sent
    assert not any(f.errors for f in response.context["party_forms"])
    assert "autofocus" in str(response.context["party_forms"].forms[1]["role"])
    assert not Case.objects.exists() and not Person.objects.exists()

    # The second block, left empty, is no party; the first registers as typed, with no
    # kind sent (a browser without the script sends none).
    del data["add_party"]
    data.update({"title": "陈美华反映侨房被占用", "party-TOTAL_FORMS": "2"})
    data.update({"party-1-role": "", "party-1-new_identity": "other"})
    response = officer_client.post(reverse(REGISTER), data)

    assert response.status_code == 302
    case = Case.objects.get()
    assert [p.person.name_zh for p in case.parties.all()] == ["陈美华"]


def test_it_stops_adding_blocks_at_the_most_a_screen_takes(officer_client, city):
    data = _registration(city, **{"party-TOTAL_FORMS": "20", "add_party": "1"})
    response = officer_client.post(reverse(REGISTER), data)
    assert response.status_code == 200
    assert len(response.context["party_forms"].forms) == 20
    assert 'name="add_party"' not in response.content.decode()

    data = _registration(city, **{"party-TOTAL_FORMS": "many", "add_party": "1"})
    assert officer_client.post(reverse(REGISTER), data).status_code == 200


# The kind of party chosen -------------------------------------------------------------


def test_it_counts_only_the_fields_of_the_kind_chosen(officer_client, city, claimant):
    # Without the script the new person's fields are sent too: the kind decides.
    response = _post(
        officer_client, city, **{"party-0-kind": "person", "party-0-person": claimant.pk}
    )

    assert response.status_code == 302
    assert Case.objects.get().parties.get().person == claimant
    assert not Person.objects.filter(name_zh="陈美华").exists()


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("person", "person"),
        ("association", "association"),
        ("body", "organisation"),
        ("new_body", "new_body_name"),
        ("new_person", "new_name_zh"),
    ],
)
def test_it_says_what_the_kind_chosen_lacks(officer_client, city, kind, field):
    response = _post(
        officer_client,
        city,
        **{"party-0-kind": kind, "party-0-new_name_zh": "" if kind == "new_person" else "陈美华"},
    )

    assert response.status_code == 200
    assert response.context["party_forms"].forms[0].errors[field]
    assert not Case.objects.exists()


def test_it_ignores_errors_in_the_fields_of_another_kind(officer_client, city, claimant):
    response = _post(
        officer_client,
        city,
        **{
            "party-0-kind": "person",
            "party-0-person": claimant.pk,
            "party-0-new_email": "not an e-mail",
        },
    )
    assert response.status_code == 302


# The same person twice ------------------------------------------------------------------


def test_it_offers_the_existing_person_before_making_a_second_record(officer_client, city):
    assert _post(officer_client, city).status_code == 302
    [first] = Person.objects.filter(name_zh="陈美华")

    # The same claimant comes again: the phone written another way.
    again = {"title": "陈美华再次来访", "party-0-new_phone": "0762 338 8001"}
    response = _post(officer_client, city, **again)

    assert response.status_code == 200
    block = response.context["party_forms"].forms[0]
    assert block.errors["same_as"]
    assert [p.pk for p in block.matches] == [first.pk]
    page = response.content.decode()
    assert f'name="party-0-same_as" value="{first.pk}"' in page
    assert 'name="party-0-same_as" value="new"' in page
    assert Person.objects.filter(name_zh="陈美华").count() == 1
    assert Case.objects.count() == 1

    # The officer takes the existing person.
    response = _post(officer_client, city, **again, **{"party-0-same_as": str(first.pk)})
    assert response.status_code == 302
    assert Case.objects.get(title="陈美华再次来访").parties.get().person == first
    assert Person.objects.filter(name_zh="陈美华").count() == 1


def test_it_makes_a_new_person_anyway_when_the_officer_says_so(officer_client, city):
    _post(officer_client, city)
    # Another 陈美华 who shares the family's e-mail.
    again = {"title": "另一位陈美华", "party-0-new_phone": "", "party-0-same_as": "new"}

    response = _post(officer_client, city, **again)

    assert response.status_code == 302
    assert Person.objects.filter(name_zh="陈美华").count() == 2


def test_it_offers_no_one_the_officer_may_not_see(officer_client, city, other_city):
    PersonFactory(name_zh="陈美华", phone="0762-3388001", registered_by=other_city)

    response = _post(officer_client, city)

    assert response.status_code == 302  # nothing said about another city's registry
    assert Person.objects.filter(name_zh="陈美华").count() == 2


def test_it_offers_the_existing_person_on_the_case_page_too(officer_client, case, claimant):
    claimant.phone = "+60 12-345 6789"
    claimant.save()
    url = reverse("cases:add_party", args=[case.pk])
    data = {
        "role": "relative",
        "kind": "new_person",
        "new_name_latin": "THAM WENG HONG",
        "new_identity": "other",
        "new_phone": "+60123456789",
    }

    response = officer_client.post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors["same_as"]
    assert case.parties.count() == 1
    response = officer_client.post(url, {**data, "same_as": str(claimant.pk)})
    assert response.status_code == 302
    assert case.parties.get(role="relative").person == claimant


def test_it_refuses_a_likely_second_record_in_the_service_unless_confirmed(intake, claimant):
    claimant.phone = "0762-3388001"
    claimant.save()
    typed = {"name_zh": claimant.name_zh, "phone": "07623388001"}

    with pytest.raises(ValidationError) as refused:
        intake(parties=[PartyInput(role=Party.Role.CLAIMANT, new_person=typed)])
    assert refused.value.code == "likely_duplicate"

    case = intake(parties=[PartyInput(role="claimant", new_person=typed, confirmed_new=True)])
    assert case.parties.get().person != claimant
