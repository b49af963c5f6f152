"""Where a stage of a case plugs in: the one contract and the one place it is registered.

A stage (legal review, coordination meetings, online mediation, the agreement) is one
package and one registration: in its ``apps.py`` ``ready()`` it calls
``register_stage(Stage(...))``, which declares everything the layers below and the process
need to know about it. They read the registry instead of lists that name stages:

- ``urls``: its URL conf and prefix (``config.urls`` includes ``urlpatterns()``);
- ``templates``: its own templates folder, searched before every app's
  (``cases.templating``), so its print and e-mail templates cannot be shadowed;
- ``flow``: its task nodes and where the process places them (``Segment``; read by
  ``workflows.flows`` when it is built, so stages come before ``workflows`` in
  ``INSTALLED_APPS``);
- ``panels``: its panels on the case page (``workflows.panels``);
- ``capabilities``: its rows of the capability table (``cases.capabilities``), and
  ``queue_actions``: those of its actions whose tasks wait in a team queue;
- ``clocks``: its kinds of clock, held by the case, a person or an organisation, and
  whether each is reminded, escalated and stopped by a transition of the case;
- ``emails``: its e-mail templates (name → template in its own folder);
- ``timeline_kinds``: its kinds of timeline entry;
- ``document_kinds``: its documents, each with its number mark and print template, and
  ``slots``: their places in the case file (a slot of their own, after another), or
  ``slot_kinds``: (label, kind) pairs, a kind joining a slot there already (the
  调解笔录 in the Ministry's "7 调解记录");
- ``hooks``: what happens to its open work on withdraw, suspend, resume, report_up,
  send_down and reopen (called by ``workflows.lifecycle`` and ``workflows.services``
  after the case's own change, inside the same transaction);
- ``recommends_route``: the route it recommends for a case, if any (the route step);
- ``case_gate``: where a person who must do something first is sent instead of the case
  page (an adviser who has not declared a conflict);
- ``menu``: its links in the site menu, each shown to those with its permission
  (``menu``, a context processor);
- ``portal``: its sections of a party's own page, the page a party's link opens
  (``PortalSection``, read by ``workflows.portal`` through ``portal_sections()``);
- ``slot_requirements``: when a slot is required, by its own rule (the 调解协议书 once a
  written agreement was drafted);
- ``answers``: what it answers other stages through ``ask(name, ...)`` (the mediation's
  agreed proposals, for the agreement drafted from them);
- ``sweeps``: what it sends or checks on the hour, with the clocks' sweep
  (``workflows.services.fire_clocks``): name → a function that returns how many it did,
  safe to run again (a session's reminder the day before);
- ``demo``: its part of ``make demo`` (``workflows.demo``).

Registering a stage, name, action, clock, mark, e-mail, timeline kind, panel, portal
section or document kind twice fails at start-up. This module imports no stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.template.autoreload import reset_loaders
from django.urls import include, path, reverse

from cases import capabilities, registry
from cases.models import Case, Membership, Organisation, PartyLink, User
from cases.registry import ClockKind
from documents import casefile, kinds

from . import panels

LIFECYCLE_EVENTS = ("withdraw", "suspend", "resume", "report_up", "send_down", "reopen")
# The places of the dispute flow a stage's nodes may fill (``workflows.flows``): "review"
# runs after acceptance and hands on to the officer's route; "coordination" follows the
# route that asks for it and hands on to mediation (both routes) or the outcome;
# "mediation" follows either and hands on to the outcome (a written agreement) or, when
# its own outcome moved the case (settled, unresolved), to the follow-up.
# "agreement" follows a mediation that reached a written agreement and hands on to the
# closure's approval (its last node starts the follow-up).
SLOTS = ("review", "coordination", "mediation", "agreement")


@dataclass(frozen=True)
class Segment:
    """A stage's part of the flow. ``build(then)`` gives its nodes by name, the last of
    them going on to ``then`` (a ``viewflow.this`` reference); ``entry`` is the first.
    ``hands_on``: the nodes whose records the task after the segment shows."""

    slot: str
    entry: str
    build: Callable[[object], dict]
    hands_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Demo:
    """A stage's part of the demo: ``prepare(organisations, users)`` before the cases;
    ``steps``: the demo's steps of a case that are the stage's own, name → (case, user,
    data); ``as_sent(data, users, case)``: its steps' data as its screens would send it
    (for the case as it stands: the minutes name the meeting's agenda items)."""

    prepare: Callable[[dict, dict], None] | None = None
    steps: dict[str, Callable] = field(default_factory=dict)
    as_sent: Callable[[dict, dict], dict] | None = None


# The demo's one password (``make demo`` prints the logins).
DEMO_PASSWORD = "qiaowei-demo"


def demo_login(
    username: str, display: str, names: tuple[str, str], organisation: Organisation, role: str
) -> User:
    """A demo login with its role in the organisation, made once (a stage's people: the
    departments' liaisons, the mediators)."""
    surname, given = names
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": display,
            "last_name": surname,
            "first_name": given,
            "email": f"{username}@qiaowei.example",
            "password": make_password(DEMO_PASSWORD),
        },
    )
    Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return user


@dataclass(frozen=True)
class MenuItem:
    label: object  # a lazy translation
    url_name: str
    permission: str  # a `rules` permission asked without an object


@dataclass(frozen=True)
class PortalSection:
    """A stage's section of a party's own page (``workflows.portal``, ``p/<token>/``).

    ``context(link)``: its template's context for the link's party, or None to leave it
    out; the template also gets ``link`` and ``token`` (for ``{% url 'portal:section'
    token name view %}``). ``views``: its own pages and forms, name → ``view(request,
    link)``, at ``p/<token>/s/<section>/<view>/``; the portal has opened (and logged) the
    link, set its language and the party's time zone, and marks the answer private; a view
    sends the party back with ``redirect(portal_page(request))``. ``documents(link)``: the
    case's documents the section shares with the party (a ``Document`` queryset), listed
    with the others and served at ``p/<token>/documents/<pk>/``.

    A section answers about ``link.case`` and ``link.party`` only: of the parties' private
    records (their submissions) never another party's. A view raises ``Http404`` for
    anything else, and the portal answers as it does for a page that does not exist."""

    name: str
    template: str
    context: Callable[[PartyLink], dict | None]
    views: dict[str, Callable] = field(default_factory=dict)
    order: int = 100
    documents: Callable[[PartyLink], object] | None = None


@dataclass(frozen=True)
class Stage:
    name: str
    urls: tuple[str, str] | None = None  # (prefix, URL conf module)
    templates: Path | None = None
    flow: Segment | None = None
    panels: tuple[panels.Panel, ...] = ()
    # action → {relation: roles}, as in cases.capabilities.CAPABILITIES
    capabilities: dict[str, dict] = field(default_factory=dict)
    queue_actions: tuple[str, ...] = ()
    clocks: tuple[ClockKind, ...] = ()
    emails: dict[str, str] = field(default_factory=dict)
    timeline_kinds: dict[str, object] = field(default_factory=dict)
    document_kinds: tuple[kinds.KindSpec, ...] = ()
    # (slot, label of the slot before, or labels: after the last of them that is there)
    slots: tuple[tuple[casefile.Slot, str | tuple[str, ...]], ...] = ()
    slot_kinds: tuple[tuple[str, str], ...] = ()
    # (slot label, (case) -> bool): when a slot is required, by the stage's own rule
    slot_requirements: tuple[tuple[str, Callable[[Case], bool]], ...] = ()
    # name → function: what the stage answers other stages, which may not import it
    # (``ask``): the mediation's thread of proposals, for the agreement drafted from it
    answers: dict[str, Callable] = field(default_factory=dict)
    # event → hook(case=, actor=, **details); see LIFECYCLE_EVENTS
    hooks: dict[str, Callable] = field(default_factory=dict)
    recommends_route: Callable[[Case], str | None] | None = None
    case_gate: Callable[[int, User], str | None] | None = None
    menu: tuple[MenuItem, ...] = ()
    portal: tuple[PortalSection, ...] = ()
    sweeps: dict[str, Callable[[], int]] = field(default_factory=dict)
    demo: Demo | None = None


STAGES: dict[str, Stage] = {}
PORTAL_SECTIONS: dict[str, PortalSection] = {}
ANSWERS: dict[str, Callable] = {}
# Set once the flow has read the segments: a stage registered later could not be placed.
_FLOW_BUILT: list[bool] = []


def register_stage(stage: Stage) -> None:
    """Add everything the stage declares, or, if any of it is taken already, nothing."""
    _check(stage)
    undo: list = []
    try:
        _add(stage, undo)
    except ImproperlyConfigured:
        for step in reversed(undo):
            step()
        raise
    STAGES[stage.name] = stage


def _add(stage: Stage, undo: list) -> None:
    for panel in stage.panels:
        panels.register(panel)
        undo.append(lambda name=panel.name: panels.PANELS.pop(name))
    for section in stage.portal:
        _add_section(section)
        undo.append(lambda name=section.name: PORTAL_SECTIONS.pop(name))
    for action, table in stage.capabilities.items():
        capabilities.register(action, table)
        undo.append(lambda action=action: capabilities.unregister(action))
    entries = [
        (registry.QUEUE_ACTIONS, {action: stage.name for action in stage.queue_actions}),
        (registry.CLOCK_KINDS, {clock.kind: clock for clock in stage.clocks}),
        (registry.EMAILS, stage.emails),
        (registry.TIMELINE_KINDS, stage.timeline_kinds),
        (registry.TEMPLATE_DIRS, {stage.name: stage.templates} if stage.templates else {}),
    ]
    for found, items in entries:
        for name, value in items.items():
            found.add(name, value)
            undo.append(lambda found=found, name=name: found.pop(name))
    for spec in stage.document_kinds:
        kinds.register_kind(spec)
        undo.append(lambda kind=spec.kind: kinds.unregister_kind(kind))
    for slot, after in stage.slots:
        casefile.register_slot(slot, after=after)
        undo.append(lambda label=slot.label: casefile.unregister_slot(label))
    for label, kind in stage.slot_kinds:
        casefile.register_slot_kind(label, kind)
        undo.append(lambda label=label, kind=kind: casefile.unregister_slot_kind(label, kind))
    for label, required in stage.slot_requirements:
        casefile.register_slot_requirement(label, required)
        undo.append(lambda label=label: casefile.unregister_slot_requirement(label))
    for name, answer in stage.answers.items():
        _add_answer(name, answer)
        undo.append(lambda name=name: ANSWERS.pop(name))
    if stage.templates is not None:
        reset_loaders()  # a template looked up before is looked up again


def _add_answer(name: str, answer: Callable) -> None:
    if name in ANSWERS:
        raise ImproperlyConfigured(f"The answer “{name}” is registered twice.")
    ANSWERS[name] = answer


def _add_section(section: PortalSection) -> None:
    if section.name in PORTAL_SECTIONS:
        raise ImproperlyConfigured(f"The portal section “{section.name}” is registered twice.")
    PORTAL_SECTIONS[section.name] = section


def _check(stage: Stage) -> None:
    """What would be wrong only later, refused now."""
    if stage.name in STAGES:
        raise ImproperlyConfigured(f"The stage “{stage.name}” is registered twice.")
    unknown = set(stage.hooks) - set(LIFECYCLE_EVENTS)
    if unknown:
        raise ImproperlyConfigured(f"Stage {stage.name}: no lifecycle event {sorted(unknown)}.")
    if stage.flow is not None:
        if _FLOW_BUILT:
            raise ImproperlyConfigured(
                f"Stage {stage.name} came after the flow was built: list it before "
                "“workflows” in INSTALLED_APPS."
            )
        if stage.flow.slot not in SLOTS:
            raise ImproperlyConfigured(f"Stage {stage.name}: no slot “{stage.flow.slot}”.")
        if any(s.flow and s.flow.slot == stage.flow.slot for s in STAGES.values()):
            raise ImproperlyConfigured(f"The slot “{stage.flow.slot}” is filled twice.")
    for action in stage.queue_actions:
        if action not in stage.capabilities:
            raise ImproperlyConfigured(f"Stage {stage.name}: “{action}” is not its action.")


def unregister_stage(name: str) -> None:
    """Take a stage out again (a test's stage, after the test)."""
    stage = STAGES.pop(name)
    for panel in stage.panels:
        panels.PANELS.pop(panel.name)
    for section in stage.portal:
        PORTAL_SECTIONS.pop(section.name)
    for action in stage.capabilities:
        capabilities.unregister(action)
    for found, names in (
        (registry.QUEUE_ACTIONS, stage.queue_actions),
        (registry.CLOCK_KINDS, [clock.kind for clock in stage.clocks]),
        (registry.EMAILS, stage.emails),
        (registry.TIMELINE_KINDS, stage.timeline_kinds),
    ):
        for item in names:
            found.pop(item)
    for spec in stage.document_kinds:
        kinds.unregister_kind(spec.kind)
    for slot, _after in stage.slots:
        casefile.unregister_slot(slot.label)
    for label, kind in stage.slot_kinds:
        casefile.unregister_slot_kind(label, kind)
    for label, _required in stage.slot_requirements:
        casefile.unregister_slot_requirement(label)
    for name in stage.answers:
        ANSWERS.pop(name)
    if registry.TEMPLATE_DIRS.pop(stage.name, None):
        reset_loaders()


# What the process reads of the stages.


def segment(slot: str) -> Segment | None:
    """The stage's nodes in this place of the flow, if a stage fills it; the flow is
    built once, so no stage can be placed after this."""
    _FLOW_BUILT.append(True)
    return next((s.flow for s in STAGES.values() if s.flow and s.flow.slot == slot), None)


def urlpatterns() -> list:
    return [path(s.urls[0], include(s.urls[1])) for s in STAGES.values() if s.urls]


def on(event: str, *, case: Case, actor: User | None, **details) -> None:
    """Tell every stage what happened to the case (its hooks act on their open work)."""
    for stage in STAGES.values():
        hook = stage.hooks.get(event)
        if hook is not None:
            hook(case=case, actor=actor, **details)


def recommended_route(case: Case) -> str | None:
    for stage in STAGES.values():
        route = stage.recommends_route(case) if stage.recommends_route else None
        if route:
            return route
    return None


def case_gate(case_pk: int, user: User) -> str | None:
    for stage in STAGES.values():
        url = stage.case_gate(case_pk, user) if stage.case_gate else None
        if url:
            return url
    return None


def menu(request) -> dict:
    """The stages' links in the site menu this person may follow (a context processor)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"stage_menu": []}
    return {
        "stage_menu": [
            (item.label, reverse(item.url_name))
            for stage in STAGES.values()
            for item in stage.menu
            if user.has_perm(item.permission)
        ]
    }


def portal_sections() -> list[PortalSection]:
    """The stages' sections of a party's own page, in order."""
    return sorted(PORTAL_SECTIONS.values(), key=lambda section: section.order)


def portal_page(request) -> str:
    """The party's own page, for a section's view to send them back to (the token is the
    request's own)."""
    return reverse("portal:home", args=[request.resolver_match.kwargs["token"]])


def ask(name: str, *args, default=None):
    """What a stage answers to ``name`` (its ``answers``), or ``default`` when no stage
    registered one: a stage asks another's records without importing it."""
    answer = ANSWERS.get(name)
    return answer(*args) if answer is not None else default


def sweeps() -> dict[str, Callable[[], int]]:
    return {name: sweep for s in STAGES.values() for name, sweep in s.sweeps.items()}


def demos() -> list[Demo]:
    return [s.demo for s in STAGES.values() if s.demo is not None]
