"""The screens composed from every layer: the case page (its panels, see ``panels``),
registration (intake) and the supervisor's extension."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases import capabilities, selectors
from cases.forms import CaseForm, ExtensionForm, PartyFormSet
from cases.services import PartyInput
from cases.views import post_case_form

from . import panels, services


@login_required
@require_safe
def case_detail(request, pk: int):
    case = selectors.case_for(request.user, pk)
    can = capabilities.allowed_actions(request.user, case)
    templates, context = panels.case_page(case, request.user, can)
    return render(
        request,
        "workflows/case_detail.html",
        {"case": case, "can": can, "panels": templates, **context},
    )


@login_required
@permission_required("cases.register_case", raise_exception=True)
def case_register(request):
    organisations = selectors.registering_organisations(request.user).order_by("name")
    form = CaseForm(request.POST or None, organisations=organisations)
    party_forms = PartyFormSet(
        request.POST or None,
        prefix="party",
        form_kwargs={"people": selectors.visible_people(request.user)},
    )
    if request.method == "POST" and form.is_valid() and party_forms.is_valid():
        parties = [
            PartyInput(
                role=f.cleaned_data["role"],
                person=f.cleaned_data["person"],
                association=f.cleaned_data["association"],
                new_person=f.new_person(),
            )
            for f in party_forms
            if f.cleaned_data
        ]
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
        request, "workflows/case_register.html", {"form": form, "party_forms": party_forms}
    )


@login_required
@require_POST
def extend_deadline(request, pk: int):
    return post_case_form(
        request,
        pk,
        "cases.approve_extension",
        lambda data, case: ExtensionForm(data),
        services.extend_handling_deadline,
        _("Saved to the timeline."),
    )
