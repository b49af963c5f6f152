"""A stage plugs in at one place: its panel shows on the case page, its document kind is
issued and named, and its action joins the capability table that every check asks."""

import pytest
from django.urls import reverse

from cases import capabilities
from cases.capabilities import STAFF, Relation
from documents import kinds
from documents.services import issue_document
from workflows import panels, stages

ACTION = "cases.review_demo"


@pytest.fixture
def demo_stage(settings):
    # A stage ships its panel template in its own app; this one lives with the test.
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {**engine, "DIRS": [*engine["DIRS"], settings.BASE_DIR / "tests" / "templates"]}
    ]
    stage = stages.Stage(
        name="demo",
        panels=(
            panels.Panel(
                "demo",
                "stage_demo/panel.html",
                lambda case, user, can: (
                    {"stage_demo_note": "意见已提交"} if user.has_perm(ACTION, case) else None
                ),
                45,
            ),
        ),
        document_kinds=(kinds.KindSpec("demo_opinion", "示例意见书", "Demo opinion", None, False),),
        capabilities={ACTION: {Relation.HANDLING: STAFF}},
    )
    stages.register_stage(stage)
    yield stage
    panels.PANELS.pop("demo")
    kinds.KINDS.pop("demo_opinion")
    capabilities.CAPABILITIES.pop(ACTION)
    stages.STAGES.pop("demo")


def test_it_shows_a_stage_s_panel_to_those_the_table_allows(
    client, case, officer, outsider, demo_stage
):
    client.force_login(officer)
    assert "意见已提交" in client.get(case.get_absolute_url()).content.decode()
    assert officer.has_perm(ACTION, case)
    assert not outsider.has_perm(ACTION, case)


def test_it_issues_and_names_a_stage_s_document(case, officer, demo_stage):
    document = issue_document(case=case, kind="demo_opinion", actor=officer)
    assert document.get_kind_display() == "示例意见书"


def test_it_names_the_core_kinds_in_the_reader_s_language(case):
    from django.utils import translation

    document = case.documents.get()
    with translation.override("en"):
        assert document.get_kind_display() == "Registration form (受理登记表)"
    with translation.override("zh-hans"):
        assert "受理登记表" in document.get_kind_display()


def test_it_lists_the_registered_stages(demo_stage, client, officer, case):
    assert stages.STAGES["demo"] is demo_stage
    client.force_login(officer)
    assert client.get(reverse("workflows:case", args=[case.pk])).status_code == 200
