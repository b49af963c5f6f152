from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import exports, selectors, services
from .forms import (
    AddPartyForm,
    CommunicationForm,
    CorrectPartyForm,
    InviteForm,
    NoteForm,
    PreferencesForm,
)
from .models import Case, CaseStatus
from .params import choice_param, search_text
from .templatetags.error_summary import FIELD_TAG, field_anchor, field_name, said

PAGE_SIZE = 25


def _list_filters(request) -> dict[str, str]:
    """The case list's filters in the address; a status or category the screen does not
    offer counts as no filter."""
    return {
        "query": search_text(request.GET.get("q")),
        "status": choice_param(request.GET.get("status"), CaseStatus.values),
        "category": choice_param(request.GET.get("category"), Case.Category.values),
    }


def say_form_errors(request, form, auto_id: str | None = None) -> None:
    """A form posted from a panel of the case page: its errors as messages on the page,
    each with its field's name and, for the page's error summary, the id its field has on
    the page (``auto_id``, as the page renders the form) to link to."""
    if auto_id:
        form.auto_id = auto_id
    for name, errors in form.errors.items():
        if name in form.fields:
            bound = form[name]
            for error in errors:
                tag = f"{FIELD_TAG}{field_anchor(bound)}"
                messages.error(request, said(field_name(bound), error), extra_tags=tag)
        else:
            for error in errors:
                messages.error(request, error)


@login_required
@require_safe
def case_list(request):
    filters = _list_filters(request)
    cases = selectors.case_list(request.user, **filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "q": filters["query"],
            "status": filters["status"],
            "category": filters["category"],
            "statuses": CaseStatus.choices,
            "categories": Case.Category.choices,
        },
    )


@login_required
@require_safe
def case_list_export(request):
    """The case list as an Excel file: every case (not one page) for the list's filters."""
    cases = selectors.case_list(request.user, **_list_filters(request))
    return exports.xlsx_response(exports.case_list_workbook(cases), _("Cases"), "cases")


def post_case_form(request, pk: int, action: str, make_form, write, done) -> object:
    """Validate a small form posted from the case page and hand it to a service. Who may
    post it is checked first, so a refusal is a refusal whatever was posted. ``done``: the
    message on success, or a function of the case that makes it once the step is taken
    (a stage adds what happens next)."""
    case = selectors.case_for(request.user, pk, action)
    form = make_form(request.POST, case)
    if form.is_valid():
        try:
            write(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done(case) if callable(done) else done)
    else:
        say_form_errors(request, form)
    return redirect(case)


@login_required
@require_POST
def add_communication(request, pk: int):
    return post_case_form(
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
    return post_case_form(
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
    return post_case_form(
        request,
        pk,
        "cases.invite_participant",
        lambda data, case: InviteForm(data, case=case),
        services.invite_participant,
        _("Added to the case."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def add_party(request, pk: int):
    """Add a party to a registered case: the registration screen's row, and for whom a
    representative or relative acts."""
    case = selectors.case_for(request.user, pk, "cases.edit_parties")
    form = AddPartyForm(
        request.POST or None,
        case=case,
        people=selectors.visible_people(request.user),
        bodies=selectors.visible_bodies(request.user),
        associations=selectors.visible_associations(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_case_party(case=case, actor=request.user, item=form.party_input())
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Party added."))
            return redirect(case)
    return render(
        request, "cases/party_form.html", {"case": case, "form": form, "title": _("Add a party")}
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def correct_party(request, pk: int, party_pk: int):
    """Correct a party's role, or a person's details; the timeline names what changed."""
    case = selectors.case_for(request.user, pk, "cases.edit_parties")
    party = get_object_or_404(selectors.case_parties(case), pk=party_pk)
    # A person's details are one record for all their cases: corrected only by someone
    # who may edit every one of them, and otherwise not shown here either.
    shared = party.person is not None and bool(selectors.cases_beyond(request.user, party.person))
    form = CorrectPartyForm(request.POST or None, party=party, with_details=not shared)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_party(case=case, actor=request.user, party=party, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Saved to the timeline."))
            return redirect(case)
    return render(
        request,
        "cases/party_form.html",
        {
            "case": case,
            "form": form,
            "party": party,
            "title": _("Correct a party"),
            "shared": services.shared_person_message(party.person) if shared else "",
        },
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
