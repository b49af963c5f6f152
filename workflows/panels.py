"""The case page is a list of panels, and a stage plugs its own in here.

A panel is a template and a function that gives its context for one case and one person,
or None when that person is not to see it (the capability table decides). The case page
shows the registered panels in order; a stage registers its panel in its ``apps.py``
``ready()`` with ``register(Panel(...))``. This module imports no stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

from cases.models import Case, User


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    # (case, user, what the user may do on it) -> the template's context, or None to hide
    context: Callable[[Case, User, dict], dict | None]
    order: int


PANELS: dict[str, Panel] = {}
T = TypeVar("T")


def register(panel: Panel) -> None:
    if panel.name in PANELS:
        raise ImproperlyConfigured(f"The panel “{panel.name}” is registered twice.")
    PANELS[panel.name] = panel


def read_once(case: Case, name: str, read: Callable[[Case], T]) -> T:
    """What more than one panel reads of the case (its clocks, its process runs): read by
    the first panel that asks and kept on the case instance for the others. A request
    reads its case afresh, so nothing is kept beyond the page it builds."""
    kept = case.__dict__.setdefault("_panel_reads", {})
    if name not in kept:
        kept[name] = read(case)
    return kept[name]


def one_panel(case: Case, user: User, can: dict[str, bool], name: str) -> tuple[str, dict] | None:
    """The template and context of one panel the user sees on the case page (to refresh
    it alone), or None."""
    panel = PANELS.get(name)
    found = panel.context(case, user, can) if panel else None
    return None if found is None else (panel.template, found)


def case_page(case: Case, user: User, can: dict[str, bool]) -> tuple[list[str], dict]:
    """The templates of the panels this user sees, in order, and their joint context."""
    templates, context = [], {}
    for panel in sorted(PANELS.values(), key=lambda p: p.order):
        found = panel.context(case, user, can)
        if found is not None:
            templates.append(panel.template)
            context.update(found)
    return templates, context
