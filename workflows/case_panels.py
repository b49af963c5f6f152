"""The case page's own panels: the process's (tasks, lifecycle) and the case core's
(summary, parties, documents, taking part, notifications, record, timeline). Registered
when the app is ready (``workflows.apps``); a stage registers its own (``workflows.stages``)."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.safestring import mark_safe

from cases import selectors
from cases.forms import CommunicationForm, InviteForm, NoteForm
from cases.models import Case, User
from documents import selectors as document_selectors
from documents.forms import EvidenceForm

from . import lifecycle, progress
from .forms import ExtensionForm
from .panels import Panel, read_once, register

# What several panels read of the case, read once for the page (``panels.read_once``): its
# clocks (the summary's table, the next step's due date) and its process runs (the tasks
# panel's chart and next step, the lifecycle panel's list).


def _clocks(case: Case) -> list:
    return read_once(case, "clocks", selectors.case_clocks)


def _runs(case: Case) -> list:
    return read_once(case, "runs", progress.runs_of)


def _tasks(case: Case, user: User, can: dict) -> dict:
    runs = _runs(case)
    tasks = progress.tasks_of(runs)
    open_tasks = progress.open_among(tasks)
    actions = progress.case_actions(case, user, open_tasks)
    # The units a task can be sent down to: only beside a task this person can do.
    sends_down = can["send_down"] and any(a.can_do for a in actions)
    return {
        "actions": actions,
        # What happens next: who does the open task and by when, or why the process ended.
        "next_step": progress.next_step(
            case, user, tasks=open_tasks, clocks=_clocks(case), runs=runs
        ),
        "lower_units": case.handling_organisation.descendants() if sends_down else [],
        # SVG made by viewflow from the flow definition: node names, no user data.
        "flow_chart": mark_safe(progress.flow_chart(runs[-1] if runs else None, tasks)),
    }


def _lifecycle(case: Case, user: User, can: dict) -> dict | None:
    return lifecycle.panel(case, can, _runs(case))


def _summary(case: Case, user: User, can: dict) -> dict:
    clocks = _clocks(case)
    extends = can["approve_extension"] and selectors.can_extend(clocks)
    return {"clocks": clocks, "extension_form": ExtensionForm(case=case) if extends else None}


def _documents(case: Case, user: User, can: dict) -> dict:
    documents = document_selectors.case_documents(case)
    # The case file's check (missing_items) reads the case's documents, evidence and
    # events: the documents just read, the evidence this panel lists, the timeline's entries.
    prefetch_related_objects([case], "evidence", selectors.TIMELINE)
    return {
        "documents": documents,
        # Until every document has been rendered the panel refreshes itself in place
        # (static/js/panels.js fetches it from this URL), so nothing typed is lost.
        "rendering_pending": any(d.rendering == "pending" for d in documents),
        "documents_panel_url": reverse("workflows:case_panel", args=[case.pk, "documents"]),
        "missing_items": document_selectors.missing_case_file_items(case),
        "evidence": case.evidence.all(),
        "evidence_form": EvidenceForm(),
    }


def _participants(case: Case, user: User, can: dict) -> dict:
    invite = InviteForm(case=case) if can["invite_participant"] else None
    return {"participants": selectors.case_participants(case), "invite_form": invite}


def _record(case: Case, user: User, can: dict) -> dict | None:
    if not (can["record_communication"] or can["add_note"]):
        return None
    return {"communication_form": CommunicationForm(), "note_form": NoteForm()}


for _panel in (
    Panel("tasks", "workflows/panels/tasks.html", _tasks, 10),
    Panel("lifecycle", "workflows/panels/lifecycle.html", _lifecycle, 15),
    Panel("summary", "cases/panels/summary.html", _summary, 20),
    Panel(
        "parties",
        "cases/panels/parties.html",
        lambda case, user, can: {"parties": read_once(case, "parties", selectors.party_list)},
        30,
    ),
    Panel("documents", "documents/panels/documents.html", _documents, 40),
    Panel("participants", "cases/panels/participants.html", _participants, 50),
    Panel(
        "notifications",
        "cases/panels/notifications.html",
        lambda case, user, can: {"case_messages": selectors.case_messages(case)},
        60,
    ),
    Panel("record", "cases/panels/record.html", _record, 80),
    Panel(
        "timeline",
        "cases/panels/timeline.html",
        lambda case, user, can: {"timeline": selectors.case_timeline(case)},
        90,
    ),
):
    register(_panel)
