from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import selectors as document_selectors
from documents.forms import EvidenceForm
from workflows import selectors as workflow_selectors
from workflows import services as workflow_services

from . import selectors, services
from .forms import (
    CaseForm,
    CommunicationForm,
    ExtensionForm,
    NoteForm,
    PartyFormSet,
    PreferencesForm,
)
from .models import Case, CaseStatus, Organisation

PAGE_SIZE = 25


@login_required
def case_list(request):
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
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
def case_detail(request, pk: int):
    case = get_object_or_404(
        selectors.visible_cases(request.user).select_related("handling_organisation", "officer"),
        pk=pk,
    )
    documents = list(document_selectors.case_documents(case))
    can_work = selectors.can_work_on(request.user, case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "parties": selectors.case_parties(case),
            "clocks": selectors.case_clocks(case),
            "timeline": selectors.case_timeline(case),
            "can_work": can_work,
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
            "lower_units": case.handling_organisation.descendants() if can_work else [],
            # SVG made by viewflow from the flow definition: node names, no user data.
            "flow_chart": mark_safe(workflow_selectors.flow_chart(case)),
        },
    )


@login_required
@permission_required("cases.add_case", raise_exception=True)
def case_register(request):
    organisations = Organisation.objects.filter(
        pk__in=selectors.organisation_ids(request.user)
    ).order_by("name")
    form = CaseForm(request.POST or None, organisations=organisations)
    party_forms = PartyFormSet(request.POST or None, prefix="party")
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
            form.add_error(None, error)
        else:
            messages.success(request, _("Case %s registered.") % case.number)
            return redirect(case)
    return render(request, "cases/case_register.html", {"form": form, "party_forms": party_forms})


def _visible_case(request, pk: int) -> Case:
    return get_object_or_404(selectors.visible_cases(request.user), pk=pk)


def _post_form(request, pk: int, form_class, write) -> object:
    """Validate a small form posted from the case page and hand it to a service."""
    case = _visible_case(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            write(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved to the timeline."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect(case)


@login_required
@require_POST
def add_communication(request, pk: int):
    return _post_form(request, pk, CommunicationForm, services.record_communication)


@login_required
@require_POST
def add_note(request, pk: int):
    return _post_form(request, pk, NoteForm, services.add_note)


@login_required
@require_POST
def extend_deadline(request, pk: int):
    return _post_form(request, pk, ExtensionForm, services.extend_handling_deadline)


@login_required
def preferences(request):
    """Each person chooses the language of their e-mails and the time zone times are shown in."""
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        return redirect("cases:preferences")
    return render(request, "cases/preferences.html", {"form": form})
