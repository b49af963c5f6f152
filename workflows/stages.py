"""Where a stage of a case plugs in: the one place it is registered.

A stage (legal review, coordination meetings, online mediation, the agreement) is a Django
app of its own with models, services, selectors, forms, views, templates and tests. In its
``apps.py`` ``ready()`` it calls ``register_stage(Stage(...))`` once, which adds

- its panels to the case page (``workflows.panels``),
- its document kinds (``documents.kinds``: a print template under
  ``templates/documents/print/<kind>.html`` in the stage's app),
- its actions to the capability table (``cases.capabilities``),

and its task nodes are named in ``workflows/flows.py``, whose task screen gives the stage's
form the case, the task and the user. The rows of its routes go into the permission
matrix (``tests/test_permission_matrix.py``), which fails until they are there. This module
imports no stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cases import capabilities
from documents import kinds

from . import panels


@dataclass(frozen=True)
class Stage:
    name: str
    panels: tuple[panels.Panel, ...] = ()
    document_kinds: tuple[kinds.KindSpec, ...] = ()
    # action → {relation: roles}, as in cases.capabilities.CAPABILITIES
    capabilities: dict[str, dict] = field(default_factory=dict)


STAGES: dict[str, Stage] = {}


def register_stage(stage: Stage) -> None:
    for panel in stage.panels:
        panels.register(panel)
    for spec in stage.document_kinds:
        kinds.register_kind(spec)
    for action, table in stage.capabilities.items():
        capabilities.register(action, table)
    STAGES[stage.name] = stage
