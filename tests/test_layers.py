"""A case never exists without its process; and what the layer checks cannot see for
themselves. The layers (cases ← documents ← stages ← workflows) are import-linter's
contracts in .importlinter, run by `make lint`; ruff's TID251 bans dynamic imports."""

import ast
import configparser
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings

from cases.models import Case
from workflows.models import CaseProcess

BASE = Path(settings.BASE_DIR)
CORE = {"cases", "documents", "workflows"}


def _contract(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser()
    parser.read(BASE / ".importlinter", encoding="utf-8")
    return parser[f"importlinter:contract:{name}"]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _tails(layer: str) -> set[str]:
    return {tail.strip().strip("()") for tail in layer.replace("|", ":").split(":")}


def _stages() -> set[str]:
    """The project's apps above documents and below the process. An app that holds others
    (mediation, once coordination, sessions and agreements are apps) is not a stage itself."""
    ours = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(BASE / config.name.split(".")[0])
        and not config.name.startswith("tests.")
    } - CORE
    return {name for name in ours if not any(other.startswith(f"{name}.") for other in ours)}


def test_the_layer_contracts_name_every_stage():
    """import-linter checks only the modules a contract names: a new stage is added there."""
    stages = _stages()
    assert "workflows.review" in stages
    assert set(_lines(_contract("stages-independent")["modules"])) == stages
    assert set(_lines(_contract("stages-no-activations")["source_modules"])) == stages
    top_layers = _lines(_contract("layers")["layers"])
    # Inside workflows: the process, then the stages, then the task-screen framework.
    stage_layer = _tails(_lines(_contract("inside-workflows")["layers"])[1])
    for stage in stages:
        package, _, rest = stage.partition(".")
        placed = rest in stage_layer if package == "workflows" else package in top_layers
        assert placed, f"{stage} is in no layer of .importlinter"


def _bare_import(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "__import__"
        for node in ast.walk(tree)
    )


SKIPPED = {".venv", ".git", "var", "staticfiles", "test-artifacts", "node_modules"}


def _python_files() -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(BASE):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED]
        found += [Path(folder) / name for name in files if name.endswith(".py")]
    return found


def test_no_module_imports_by_a_bare___import__():
    """ruff's banned-api misses the builtin called by its bare name (astral-sh/ruff#10079)."""
    offending = [str(path.relative_to(BASE)) for path in _python_files() if _bare_import(path)]
    assert offending == []


def test_it_starts_the_process_with_every_case(intake, db):
    case = intake()
    assert CaseProcess.objects.filter(case=case).count() == 1


def test_it_leaves_no_demo_case_without_its_process(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Case.objects.filter(processes__isnull=True).exists()
    assert Case.objects.count() >= 9
