"""Imports run one way (cases ← documents ← stages ← workflows), and a case never exists
without its process."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from cases.models import Case
from workflows.models import CaseProcess

BELOW = {"cases": {"documents", "workflows", "mediation"}, "documents": {"workflows", "mediation"}}


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("app", sorted(BELOW))
def test_it_keeps_the_lower_layers_free_of_the_upper_ones(app):
    offending = {
        str(path.relative_to(settings.BASE_DIR)): sorted(_imported_apps(path) & BELOW[app])
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
        if "migrations" not in path.parts and _imported_apps(path) & BELOW[app]
    }
    assert offending == {}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


# What a stage may use of the process layer above it: the task-screen framework, the
# panel and stage registries. Nothing else (not the process, its services or screens).
STAGE_MAY_IMPORT = {"workflows.taskforms", "workflows.panels", "workflows.stages"}


def test_it_keeps_the_legal_review_stage_below_the_process():
    stage = Path(settings.BASE_DIR) / "workflows" / "review"
    offending = {
        str(path.relative_to(settings.BASE_DIR)): sorted(
            m
            for m in _imported_modules(path)
            if m.split(".")[0] in {"workflows", "mediation"}
            and m not in STAGE_MAY_IMPORT
            and not m.startswith("workflows.review")
        )
        for path in stage.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: found for path, found in offending.items() if found} == {}


def test_it_starts_the_process_with_every_case(intake, db):
    case = intake()
    assert CaseProcess.objects.filter(case=case).count() == 1


def test_it_leaves_no_demo_case_without_its_process(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Case.objects.filter(processes__isnull=True).exists()
    assert Case.objects.count() >= 9
