"""The screens composed from every layer: the case page (its panels, see ``panels``),
registration (intake), the supervisor's extension, and the lifecycle steps of the case
page's lifecycle panel (withdraw, suspend, resume, reopen: ``lifecycle``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases import capabilities, selectors
from cases.forms import MAX_PARTIES, CaseForm, PartyFormSet, quiet
from cases.views import post_case_form

from . import lifecycle, panels, progress, services, stages
from .forms import ExtensionForm, ReopenForm, ResumeForm, SuspendForm, WithdrawForm


@login_required
@require_safe
def case_detail(request, pk: int):
    # Someone a stage asks to do something first (an adviser seated on the case who has
    # not yet declared any conflict) is taken there; anyone else who may not read the
    # case gets 404.
    gate = stages.case_gate(pk, request.user)
    if gate is not None:
        return redirect(gate)
    case = selectors.case_for(request.user, pk)
    can = capabilities.allowed_actions(request.user, case)
    templates, context = panels.case_page(case, request.user, can)
    return render(
        request,
        "workflows/case_detail.html",
        {"case": case, "can": can, "panels": templates, **context},
    )


@login_required
@require_safe
def case_panel(request, pk: int, name: str):
    """One panel of the case page alone, for the page to refresh it in place while it
    waits for work done elsewhere (static/js/panels.js): the same checks as the case
    page, and 404 for a panel this person does not see there."""
    case = selectors.case_for(request.user, pk)
    can = capabilities.allowed_actions(request.user, case)
    found = panels.one_panel(case, request.user, can, name)
    if found is None:
        raise Http404
    template, context = found
    return render(request, template, {"case": case, "can": can, **context})


def _with_one_more_party(data):
    """The posted registration with room for one more party block."""
    data = data.copy()
    try:
        count = int(data.get("party-TOTAL_FORMS", ""))
    except ValueError:
        count = 1
    data["party-TOTAL_FORMS"] = str(min(max(count, 1) + 1, MAX_PARTIES))
    return data


@login_required
@permission_required("cases.register_case", raise_exception=True)
def case_register(request):
    """Registration: the complaint and its parties, one block at first. "Add another
    party" posts the form back with one more block and saves nothing (it works without
    JavaScript); each block shows only the fields of the kind of party chosen
    (``cases.forms.PartyForm``)."""
    organisations = selectors.registering_organisations(request.user).order_by("name")
    adding = request.method == "POST" and "add_party" in request.POST
    data = _with_one_more_party(request.POST) if adding else (request.POST or None)
    form = CaseForm(data, organisations=organisations)
    party_forms = PartyFormSet(
        data,
        prefix="party",
        form_kwargs={
            "people": selectors.visible_people(request.user),
            "bodies": selectors.visible_bodies(request.user),
            "associations": selectors.visible_associations(request.user),
        },
    )
    if adding:
        quiet(form, party_forms)
        if party_forms.management_form.is_valid():
            new_block = party_forms.forms[-1]
            new_block.fields["role"].widget.attrs["autofocus"] = True
    elif request.method == "POST" and form.is_valid() and party_forms.is_valid():
        parties = [f.party_input() for f in party_forms if f.cleaned_data]
        try:
            case = services.register_case(actor=request.user, parties=parties, **form.cleaned_data)
        except ValidationError as error:
            # The service's error may name model fields this form does not have (a rule
            # of Person.full_clean, say): show its messages above the form.
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Case %s registered.") % case.number)
            return redirect(case)
    return render(
        request,
        "workflows/case_register.html",
        {
            "form": form,
            "party_forms": party_forms,
            "can_add_party": len(party_forms.forms) < MAX_PARTIES,
        },
    )


@login_required
@require_POST
def extend_deadline(request, pk: int):
    return post_case_form(
        request,
        pk,
        "cases.approve_extension",
        lambda data, case: ExtensionForm(data, case=case),
        services.extend_handling_deadline,
        _("Saved to the timeline."),
    )


# The lifecycle panel's steps. Who may post is checked first (post_case_form): a person who
# may not read the case gets 404, one who may read it but not take the step 403; a step
# the case's status does not allow, or bad input, comes back as a message. A step taken
# is said with what happens next on the case.


def _then_next_step(request, done: str):
    def said(case) -> str:
        step = progress.next_step_of(case.pk, request.user)
        return format_html("{} {}", done, step.as_html())

    return said


@login_required
@require_POST
def withdraw(request, pk: int):
    return post_case_form(
        request,
        pk,
        "cases.withdraw_case",
        lambda data, case: WithdrawForm(data, auto_id="id_withdraw_%s"),
        lifecycle.withdraw_case,
        _then_next_step(
            request, _("The withdrawal is recorded and the case is closed as withdrawn.")
        ),
    )


@login_required
@require_POST
def suspend(request, pk: int):
    return post_case_form(
        request,
        pk,
        "cases.suspend_case",
        lambda data, case: SuspendForm(data, auto_id="id_suspend_%s"),
        lifecycle.suspend_case,
        _then_next_step(request, _("The case is suspended; its clocks wait until it resumes.")),
    )


@login_required
@require_POST
def resume(request, pk: int):
    return post_case_form(
        request,
        pk,
        "cases.suspend_case",
        lambda data, case: ResumeForm(data, auto_id="id_resume_%s"),
        lifecycle.resume_case,
        _then_next_step(request, _("The case is resumed.")),
    )


@login_required
@require_POST
def reopen(request, pk: int):
    return post_case_form(
        request,
        pk,
        "cases.reopen_case",
        lambda data, case: ReopenForm(data, auto_id="id_reopen_%s"),
        lifecycle.reopen_case,
        _then_next_step(request, _("The case is reopened and goes back to screening.")),
    )
