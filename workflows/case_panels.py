"""The case page's own panels: the process's (tasks, lifecycle) and the case core's
(summary, parties, documents, taking part, notifications, record, timeline). Registered
when the app is ready (``workflows.apps``); a stage registers its own (``workflows.stages``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.safestring import mark_safe

from cases import selectors
from cases.forms import CommunicationForm, ExtensionForm, InviteForm, NoteForm
from cases.models import Case, User
from documents import selectors as document_selectors
from documents.forms import EvidenceForm

from . import lifecycle, progress
from . import selectors as workflow_selectors
from .panels import Panel, register


def _tasks(case: Case, user: User, can: dict) -> dict:
    return {
        "actions": workflow_selectors.case_actions(case, user),
        # What happens next: who does the open task and by when, or why the process ended.
        "next_step": progress.next_step(case, user),
        "lower_units": case.handling_organisation.descendants() if can["send_down"] else [],
        # SVG made by viewflow from the flow definition: node names, no user data.
        "flow_chart": mark_safe(workflow_selectors.flow_chart(case)),
    }


def _lifecycle(case: Case, user: User, can: dict) -> dict | None:
    return lifecycle.panel(case, user, can)


def _summary(case: Case, user: User, can: dict) -> dict:
    return {
        "clocks": selectors.case_clocks(case),
        "extension_form": ExtensionForm() if selectors.can_extend(user, case) else None,
    }


def _documents(case: Case, user: User, can: dict) -> dict:
    documents = list(document_selectors.case_documents(case))
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
        lambda case, user, can: {"parties": selectors.case_parties(case)},
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
