"""`seed_demo` loads the Zijin example and cases at every stage, and is idempotent."""

import pytest
from django.apps import apps
from django.core.management import call_command

from cases.demo import DEMO_PASSWORD
from cases.models import Case, Party


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"cases", "documents", "auth"}
    }


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_it_is_idempotent(seeded):
    before = _counts()
    numbers = sorted(Case.objects.values_list("number", "status"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == before
    assert sorted(Case.objects.values_list("number", "status")) == numbers


def test_it_registers_the_zijin_case_for_the_clan_association(seeded):
    case = Case.objects.get(title__contains="谭氏宗亲会")
    assert case.status == "registered"
    assert case.category == "ancestral_graves"
    assert case.handling_organisation.name == "紫金县义容镇侨胞之家"
    claimant = case.parties.get(role=Party.Role.CLAIMANT)
    assert claimant.association.name == "马来西亚谭氏宗亲会"
    representatives = case.parties.filter(role=Party.Role.REPRESENTATIVE, on_behalf_of=claimant)
    assert representatives.count() == 2
    assert {str(p.person.time_zone) for p in representatives} == {"Asia/Kuala_Lumpur"}


def test_it_has_cases_in_many_states_and_categories(seeded):
    assert Case.objects.count() >= 9
    assert len(set(Case.objects.values_list("status", flat=True))) >= 8
    assert len(set(Case.objects.values_list("category", flat=True))) >= 6


@pytest.mark.parametrize(
    ("username", "permission"),
    [
        ("admin", "cases.approve_closure"),
        ("officer", "cases.add_case"),
        ("city_officer", "cases.handle_case"),
        ("supervisor", "cases.decide_acceptance"),
        ("adviser", "cases.view_case"),
        ("mediator", "cases.view_case"),
        ("liaison", "cases.view_case"),
    ],
)
def test_it_creates_the_demo_logins(seeded, client, django_user_model, username, permission):
    assert client.login(username=username, password=DEMO_PASSWORD)
    assert django_user_model.objects.get(username=username).has_perm(permission)


def test_it_gives_the_officer_only_her_organisation_s_cases(seeded, client):
    client.login(username="officer", password=DEMO_PASSWORD)
    page = client.get("/cases/").content.decode()
    assert "谭氏宗亲会" in page
    assert "侨商投资合同纠纷" not in page
