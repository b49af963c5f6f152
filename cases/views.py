from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from documents import selectors as document_selectors
from documents.forms import EvidenceForm
from workflows import selectors as workflow_selectors
from workflows import services as workflow_services

from . import capabilities, selectors, services
from .forms import (
    CaseForm,
    CommunicationForm,
    ExtensionForm,
    InviteForm,
    NoteForm,
    PartyFormSet,
    PreferencesForm,
)
from .models import Case, CaseStatus
from .params import choice_param, search_text

PAGE_SIZE = 25


@login_required
@require_safe
def case_list(request):
    # A status or category the screen does not offer counts as no filter.
    query = search_text(request.GET.get("q"))
    status = choice_param(request.GET.get("status"), CaseStatus.values)
    category = choice_param(request.GET.get("category"), Case.Category.values)
    cases = selectors.case_list(request.user, query=query, status=status, category=category)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "q": query,
            "status": status,
            "category": category,
            "statuses": CaseStatus.choices,
            "categories": Case.Category.choices,
        },
    )


@login_required
@require_safe
def case_detail(request, pk: int):
    case = get_object_or_404(
        selectors.visible_cases(request.user).select_related("handling_organisation", "officer"),
        pk=pk,
    )
    documents = list(document_selectors.case_documents(case))
    can = capabilities.allowed_actions(request.user, case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "parties": selectors.case_parties(case),
            "clocks": selectors.case_clocks(case),
            "timeline": selectors.case_timeline(case),
            "can": can,
            "participants": selectors.case_participants(case),
            "case_messages": selectors.case_messages(case),
            "invite_form": InviteForm(case=case) if can["invite_participant"] else None,
            "communication_form": CommunicationForm(),
            "note_form": NoteForm(),
            "documents": documents,
            # The page reloads itself until every document has been rendered.
            "rendering_pending": any(d.rendering == "pending" for d in documents),
            "missing_items": document_selectors.missing_case_file_items(case),
            "evidence": case.evidence.all(),
            "evidence_form": EvidenceForm(),
            "extension_form": ExtensionForm() if selectors.can_extend(request.user, case) else None,
            "actions": workflow_selectors.case_actions(case, request.user),
            "lower_units": case.handling_organisation.descendants() if can["send_down"] else [],
            # SVG made by viewflow from the flow definition: node names, no user data.
            "flow_chart": mark_safe(workflow_selectors.flow_chart(case)),
        },
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
            services.PartyInput(
                role=f.cleaned_data["role"],
                person=f.cleaned_data["person"],
                association=f.cleaned_data["association"],
                new_person=f.new_person(),
            )
            for f in party_forms
            if f.cleaned_data
        ]
        try:
            case = workflow_services.register_case(
                actor=request.user, parties=parties, **form.cleaned_data
            )
        except ValidationError as error:
            # The service's error may name model fields this form does not have (a rule
            # of Person.full_clean, say): show its messages above the form.
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Case %s registered.") % case.number)
            return redirect(case)
    return render(request, "cases/case_register.html", {"form": form, "party_forms": party_forms})


def _post_form(request, pk: int, action: str, make_form, write, done: str) -> object:
    """Validate a small form posted from the case page and hand it to a service. Who may
    post it is checked first, so a refusal is a refusal whatever was posted."""
    case = selectors.case_for(request.user, pk, action)
    form = make_form(request.POST, case)
    if form.is_valid():
        try:
            write(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect(case)


@login_required
@require_POST
def add_communication(request, pk: int):
    return _post_form(
        request,
        pk,
        "cases.record_communication",
        lambda data, case: CommunicationForm(data),
        services.record_communication,
        _("Saved to the timeline."),
    )


@login_required
@require_POST
def add_note(request, pk: int):
    return _post_form(
        request,
        pk,
        "cases.add_note",
        lambda data, case: NoteForm(data),
        services.add_note,
        _("Saved to the timeline."),
    )


@login_required
@require_POST
def invite(request, pk: int):
    return _post_form(
        request,
        pk,
        "cases.invite_participant",
        lambda data, case: InviteForm(data, case=case),
        services.invite_participant,
        _("Added to the case."),
    )


@login_required
@require_POST
def extend_deadline(request, pk: int):
    return _post_form(
        request,
        pk,
        "cases.approve_extension",
        lambda data, case: ExtensionForm(data),
        services.extend_handling_deadline,
        _("Saved to the timeline."),
    )


@login_required
def preferences(request):
    """Each person chooses the language of their e-mails and the time zone times are shown in."""
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        return redirect("cases:preferences")
    return render(request, "cases/preferences.html", {"form": form})
