"""The mediation stage's own requests: the case's mediation page (sessions in each
attendee's zone, consent, the thread, the clock), scheduling, moving and cancelling a
session, recording consent and the month's extension, a session's calendar file, and the
mediator's own list of cases. A case someone may not read is a 404."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases import services as case_services
from cases.capabilities import may
from cases.models import Consent
from cases.selectors import case_for, latest_consents, party_list

from . import ics, record_selectors, records, selectors, services, times
from .forms import CancelForm, ConsentForm, ExtendForm, MoveForm, RecordForm, SessionForm
from .models import MediationSession


def _failed(request, error: ValidationError | PermissionDenied) -> None:
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


def _consent_rows(case) -> list[dict]:
    """Each party and where their consents stand (the latest of each purpose)."""
    latest = latest_consents(case)
    return [
        {"party": party, "consents": [(p, latest.get((party.pk, p))) for p in Consent.Purpose]}
        for party in party_list(case)
    ]


def _people(case, details) -> list[tuple[str, ZoneInfo]]:
    """Who would attend a session being scheduled, each with their zone: the parties
    chosen, the others named, and the mediator."""
    people = [(str(p.subject), ZoneInfo(str(p.person.time_zone))) for p in details.parties]
    people += [(g.name, ZoneInfo(g.time_zone)) for g in details.guests]
    mediator = selectors.serving_mediator(case)
    if mediator is not None:
        people.append((str(mediator.user), ZoneInfo(str(mediator.user.time_zone))))
    return people


def _page(request, case, session_form=None):
    user = request.user
    sessions = selectors.sessions(case)
    context = {
        "case": case,
        "assignment": selectors.current_assignment(case),
        "mediation_sessions": [(s, times.local_times(s)) for s in sessions],
        # One session is planned at a time: the next is scheduled once it is held or
        # cancelled.
        "planned": any(s.status == MediationSession.Status.PLANNED for s in sessions),
        "consent_rows": _consent_rows(case),
        "online_missing": selectors.online_refused_because(case),
        "thread": record_selectors.thread(case),
        "clock": selectors.mediation_clock(case),
        "extensions": list(case.mediation_extensions.all()),
        "result": selectors.latest_result(case),
        "can_schedule": may(user, "sessions.schedule", case),
        "can_record": may(user, "sessions.record", case),
        "can_consent": may(user, "cases.record_consent", case),
        "can_extend": may(user, "sessions.extend", case),
        "session_form": session_form or SessionForm(case=case),
        "move_form": MoveForm(),
        "cancel_form": CancelForm(),
        "consent_form": ConsentForm(case=case),
        "extend_form": ExtendForm(),
    }
    return render(request, "sessions/case.html", context)


@login_required
@require_safe
def case_page(request, pk: int):
    return _page(request, case_for(request.user, pk))


@login_required
@require_POST
def schedule(request, pk: int):
    case = case_for(request.user, pk, "sessions.schedule")
    form = SessionForm(request.POST, case=case)
    if form.is_valid():
        details = form.details()
        warnings = times.out_of_hours(
            details.starts_at, details.duration_minutes, _people(case, details)
        )
        if warnings and not form.cleaned_data["despite_hours"]:
            form.warnings = warnings
            return _page(request, case, session_form=form)
        try:
            services.schedule_session(case=case, actor=request.user, details=details)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The session is scheduled; the invitations are sent."))
            return redirect("sessions:case", case.pk)
    return _page(request, case, session_form=form)


def _session(request, pk: int, action: str) -> MediationSession:
    session = get_object_or_404(MediationSession.objects.select_related("case"), pk=pk)
    case_for(request.user, session.case_id, action)
    return session


@login_required
@require_POST
def move(request, pk: int):
    session = _session(request, pk, "sessions.schedule")
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new date, time and duration."))
        return redirect("sessions:case", session.case_id)
    try:
        services.move_session(
            case=session.case,
            session_pk=session.pk,
            actor=request.user,
            starts_at=form.cleaned_data["starts_at"],
            duration_minutes=form.cleaned_data["duration_minutes"],
        )
    except ValidationError as error:
        _failed(request, error)
    else:
        messages.success(request, _("The session is moved; the attendees are told."))
    return redirect("sessions:case", session.case_id)


@login_required
@require_POST
def cancel(request, pk: int):
    session = _session(request, pk, "sessions.schedule")
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for cancelling."))
        return redirect("sessions:case", session.case_id)
    try:
        services.cancel_session(
            case=session.case,
            session_pk=session.pk,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        _failed(request, error)
    else:
        messages.success(request, _("The session is cancelled; the attendees are told."))
    return redirect("sessions:case", session.case_id)


@login_required
@require_safe
def calendar_file(request, pk: int):
    session = _session(request, pk, "cases.read_case")
    response = HttpResponse(
        ics.session_calendar(session, request.user.time_zone),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="mediation-{session.pk}.ics"'
    return response


@login_required
@require_POST
def consent(request, pk: int):
    case = case_for(request.user, pk, "cases.record_consent")
    form = ConsentForm(request.POST, case=case)
    if not form.is_valid():
        messages.error(request, _("Choose the party, what the consent is for, how and by whom."))
        return redirect("sessions:case", case.pk)
    try:
        case_services.record_consent(case=case, actor=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        _failed(request, error)
    else:
        messages.success(request, _("The consent is recorded."))
    return redirect("sessions:case", case.pk)


@login_required
@require_POST
def extend(request, pk: int):
    case = case_for(request.user, pk, "sessions.extend")
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the days, who agreed and the reason."))
        return redirect("sessions:case", case.pk)
    try:
        services.extend_month(case=case, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        _failed(request, error)
    else:
        messages.success(request, _("The extension both parties agreed is recorded."))
    return redirect("sessions:case", case.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def mine(request):
    if not request.user.has_perm("sessions.see_own"):
        raise PermissionDenied
    return render(
        request, "sessions/mine.html", {"assignments": selectors.mediator_cases(request.user)}
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record(request, pk: int):
    """The mediator writes a session's 调解笔录 (saved as a draft), then issues it to the
    attendees to confirm through their links."""
    session = _session(request, pk, "sessions.record")
    found = getattr(session, "record", None)
    form = RecordForm(
        request.POST or None,
        session=session,
        open_proposals=record_selectors.open_proposals(session.case),
        initial={"statements": found.statements, "summary": found.summary} if found else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            records.write_record(
                session_pk=session.pk,
                actor=request.user,
                statements=form.cleaned_data["statements"],
                summary=form.cleaned_data["summary"],
                attended=form.attendance(),
                proposals=form.proposals(),
            )
            if "issue" in request.POST:
                records.issue_record(session_pk=session.pk, actor=request.user)
        except ValidationError as error:
            _failed(request, error)
        else:
            done = (
                _("The record is issued to the attendees.")
                if "issue" in request.POST
                else _("The draft is saved.")
            )
            messages.success(request, done)
            return redirect("sessions:case", session.case_id)
    return render(
        request,
        "sessions/record.html",
        {"session": session, "case": session.case, "record": found, "form": form},
    )
