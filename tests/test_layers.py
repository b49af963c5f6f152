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


def test_it_starts_the_process_with_every_case(intake, db):
    case = intake()
    assert CaseProcess.objects.filter(case=case).count() == 1


def test_it_leaves_no_demo_case_without_its_process(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Case.objects.filter(processes__isnull=True).exists()
    assert Case.objects.count() >= 9
