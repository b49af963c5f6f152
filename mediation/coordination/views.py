"""The coordination stage's own requests: the meeting page and its calendar file; a
department's hand-over, written position and corrections; the officer's draft minutes,
new time and reissue; the supervisor's override; the liaison's list of action items and
their progress reports. A meeting or item someone may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases.capabilities import may
from cases.selectors import case_for
from cases.views import say_form_errors

from . import ics, mail, selectors, services
from .forms import (
    CorrectionForm,
    DelegateForm,
    MinutesForm,
    MoveForm,
    OverrideForm,
    PositionForm,
    ProgressForm,
)
from .models import ActionItem, Invitation, Meeting


def _meeting(request, pk: int) -> Meeting:
    meeting = selectors.meeting_for(request.user, pk)
    if meeting is None:
        raise Http404("No such meeting for you.")
    return meeting


def _own_invitation(request, pk: int) -> Invitation:
    """A department's invitation, for its own liaisons only (anyone else: 404)."""
    return get_object_or_404(
        Invitation.objects.select_related("meeting__case", "organisation"),
        pk=pk,
        organisation__in=selectors.liaison_organisation_ids(request.user),
    )


def _failed(request, error: ValidationError | PermissionDenied) -> None:
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


@login_required
@require_safe
def meeting(request, pk: int):
    found = _meeting(request, pk)
    case = found.case
    user = request.user
    own = [i for i in found.shown_invitations if not found.sees_whole]
    context = {
        "meeting": found,
        "case": case,
        "is_officer": may(user, "coordination.convene", case),
        "can_override": may(user, "coordination.override", case),
        "move_form": MoveForm(
            initial={
                "day": found.starts_at.date(),
                "time": found.starts_at.time(),
                "duration_minutes": found.duration_minutes,
                "place": found.place,
                "online_link": found.online_link,
            }
        ),
        "override_form": OverrideForm(),
        "own_invitations": [
            (i, DelegateForm(invitation=i, user=user), PositionForm(initial={"text": i.position}))
            for i in own
        ],
        "correction_form": CorrectionForm(),
        "progress_form": ProgressForm(),
        "corrections": found.corrections.select_related("organisation", "author")
        if found.sees_whole
        else found.corrections.filter(organisation__in=[i.organisation for i in own]),
    }
    return render(request, "coordination/meeting.html", context)


@login_required
@require_safe
def calendar(request, pk: int):
    """The meeting as an iCalendar file, to add to one's own calendar."""
    found = _meeting(request, pk)
    content = ics.invitation(mail.event(found, []))
    response = HttpResponse(content, content_type=ics.content_type("REQUEST"))
    response["Content-Disposition"] = f'attachment; filename="meeting-{found.pk}.ics"'
    return response


@login_required
@require_POST
def delegate(request, pk: int):
    invitation = _own_invitation(request, pk)
    form = DelegateForm(request.POST, invitation=invitation, user=request.user)
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect("coordination:meeting", invitation.meeting_id)
    try:
        services.delegate_reply(
            invitation_pk=invitation.pk, actor=request.user, to=form.cleaned_data["colleague"]
        )
    except (ValidationError, PermissionDenied) as error:
        _failed(request, error)
    else:
        messages.success(
            request, _("The reply is now %s's to give.") % form.cleaned_data["colleague"]
        )
    return redirect("coordination:meeting", invitation.meeting_id)


@login_required
@require_POST
def position(request, pk: int):
    invitation = _own_invitation(request, pk)
    form = PositionForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect("coordination:meeting", invitation.meeting_id)
    try:
        services.send_position(
            invitation_pk=invitation.pk, actor=request.user, text=form.cleaned_data["text"]
        )
    except (ValidationError, PermissionDenied) as error:
        _failed(request, error)
    else:
        messages.success(request, _("Written position sent to the officer."))
    return redirect("coordination:meeting", invitation.meeting_id)


@login_required
@require_POST
def correction(request, pk: int):
    found = _meeting(request, pk)
    own = [i.organisation for i in found.shown_invitations if not found.sees_whole]
    if not own:
        raise Http404("Only an invited department corrects the minutes.")
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect("coordination:meeting", found.pk)
    try:
        services.note_correction(
            meeting_pk=found.pk,
            actor=request.user,
            organisation=own[0],
            text=form.cleaned_data["text"],
        )
    except (ValidationError, PermissionDenied) as error:
        _failed(request, error)
    else:
        messages.success(request, _("Correction noted; the officer has been told."))
    return redirect("coordination:meeting", found.pk)


def _officer_meeting(request, pk: int, action: str) -> Meeting:
    found = _meeting(request, pk)
    if not may(request.user, action, found.case):
        raise Http404("Not the officer's page for you.")
    return found


@login_required
@require_POST
def move(request, pk: int):
    found = _officer_meeting(request, pk, "coordination.convene")
    form = MoveForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect("coordination:meeting", found.pk)
    data = form.cleaned_data
    try:
        services.move_meeting(
            meeting_pk=found.pk,
            actor=request.user,
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            place=data.get("place", ""),
            online_link=data.get("online_link", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        _failed(request, error)
    else:
        messages.success(request, _("Meeting moved; the departments get the new time."))
    return redirect("coordination:meeting", found.pk)


@login_required
@require_POST
def draft(request, pk: int):
    """The officer saves the minutes as they stand, and (``send``) sends the draft to the
    departments for corrections. Finalising is the minutes task's."""
    found = _officer_meeting(request, pk, "coordination.record_minutes")
    if not found.is_open:
        messages.error(request, _("The minutes of this meeting are final."))
        return redirect("coordination:meeting", found.pk)
    form = MinutesForm(request.POST, case=found.case, user=request.user, meeting=found)
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect(request.POST.get("back") or found.case.get_absolute_url())
    data = form.cleaned_data
    try:
        services.save_minutes(
            meeting_pk=found.pk,
            actor=request.user,
            sign_in=data["sign_in"],
            items=data["items"],
            actions=data["actions"],
        )
        if "send" in request.POST:
            services.send_draft(meeting_pk=found.pk, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        _failed(request, error)
    else:
        messages.success(
            request,
            _("Draft sent to the departments for corrections.")
            if "send" in request.POST
            else _("Draft minutes saved."),
        )
    return redirect(_task_or_case(request, found))


def _task_or_case(request, found: Meeting) -> str:
    """Back where the officer came from: the minutes task (a path of this site) or the
    case page."""
    back = request.POST.get("back", "")
    if back.startswith("/") and not back.startswith("//"):
        return back
    return found.case.get_absolute_url()


@login_required
@require_POST
def reissue(request, pk: int):
    found = _officer_meeting(request, pk, "coordination.record_minutes")
    try:
        services.reissue_minutes(meeting_pk=found.pk, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        _failed(request, error)
    else:
        messages.success(request, _("The minutes are issued again as a new version."))
    return redirect("coordination:meeting", found.pk)


@login_required
@require_POST
def override(request, case_pk: int):
    case = case_for(request.user, case_pk, "coordination.override")
    form = OverrideForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect(case)
    try:
        count = services.override(case=case, actor=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        _failed(request, error)
    else:
        messages.success(request, _("The case goes on without %d open items.") % count)
    return redirect(case)


@login_required
@require_safe
def items(request):
    if not request.user.has_perm("coordination.see_items"):
        raise PermissionDenied(_("The list of action items is for department liaisons."))
    found = list(selectors.department_items(request.user))
    return render(
        request,
        "coordination/items.html",
        {
            "open_items": [i for i in found if i.is_open],
            "other_items": [i for i in found if not i.is_open],
            "progress_form": ProgressForm(),
        },
    )


@login_required
@require_POST
def progress(request, pk: int):
    item = get_object_or_404(
        ActionItem.objects.select_related("meeting"),
        pk=pk,
        organisation__in=selectors.liaison_organisation_ids(request.user),
    )
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect("coordination:items")
    try:
        services.report_action(
            item_pk=item.pk,
            actor=request.user,
            text=form.cleaned_data["text"],
            upload=form.cleaned_data.get("upload"),
        )
    except (ValidationError, PermissionDenied) as error:
        _failed(request, error)
    else:
        messages.success(request, _("Progress reported."))
    return redirect("coordination:items")
