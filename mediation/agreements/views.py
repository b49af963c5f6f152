"""The agreement's page of a case: the draft and its versions, the confirmations, the
mediator's signature, judicial confirmation, each term's performance and the follow-up
visits; each form posts to its own small view, which calls one service.

A form sent back (bad input, or its service refused it) shows the page again with the
form's errors next to its fields (200); done, it goes back to the page with a message. A
case someone may not read is a 404; an action they may not take on it, a 403."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases.calendar import organisation_today
from cases.capabilities import may
from cases.models import Case
from cases.selectors import case_for, party_list
from workflows.stages import ask
from workflows.taskservice import open_task_id

from . import selectors, services
from .forms import (
    ApplyForm,
    DraftForm,
    FilingForm,
    PaperForm,
    PerformedForm,
    ResolveForm,
    RulingForm,
    TermFormSet,
    UnperformedForm,
    VisitForm,
    terms_of,
)
from .models import JudicialConfirmation, SettlementAgreement, Term, TermEvent

ACTIONS = ("draft", "sign", "resolve", "file_paper", "track", "visit")
Status = SettlementAgreement.Status


def _can(user, case: Case) -> dict[str, bool]:
    return {action: may(user, f"agreements.{action}", case) for action in ACTIONS}


# The forms of the page, unbound -----------------------------------------------------------


def _draft_forms(case: Case, agreement: SettlementAgreement | None, data=None):
    """The draft and its terms: as saved, or for a new draft prefilled from the case
    (its summary and claims) and the proposals the parties accepted in mediation."""
    if agreement is not None:
        initial = {name: getattr(agreement, name) for name in DraftForm.base_fields}
        terms = [
            {
                "obligor": t.obligor_id,
                "text": t.text,
                "text_en": t.text_en,
                "method": t.method,
                "method_en": t.method_en,
                "due_on": t.due_on,
            }
            for t in agreement.terms.all()
        ]
    else:
        initial = {"facts": case.summary, "disputes": case.claims}
        terms = [{"text": p["text"]} for p in ask("agreed_proposals", case, default=[])]
    form = DraftForm(data, case=case, initial=initial)
    formset = TermFormSet(data, prefix="terms", initial=terms, form_kwargs={"case": case})
    return form, formset


def _paper_parties(agreement: SettlementAgreement, confirmations: list | None = None) -> list:
    """Who may still file a signed paper copy: those who sign for a signatory and have not
    confirmed this version themselves."""
    if confirmations is None:
        confirmations = selectors.current_confirmations(agreement)
    return [
        party
        for party in party_list(agreement.case)
        if selectors.may_confirm(agreement, party)
        and not selectors.has_confirmed(agreement, party, confirmations)
    ]


def _paper_form(agreement: SettlementAgreement, data=None, files=None, parties=None) -> PaperForm:
    return PaperForm(
        data,
        files,
        prefix="paper",
        parties=_paper_parties(agreement) if parties is None else parties,
        initial={"sha256": agreement.document.sha256},
    )


def _visit_form(request, case: Case, data=None) -> VisitForm:
    return VisitForm(data, case=case, user=request.user, prefix="visit")


TERM_FORMS = {"done": PerformedForm, "undone": UnperformedForm, "resolve": ResolveForm}


def _term_form(kind: str, term_pk: int, data=None, files=None):
    return TERM_FORMS[kind](data, files, prefix=f"term{term_pk}-{kind}")


# The page ----------------------------------------------------------------------------------


def _version(agreement: SettlementAgreement | None, can: dict, failed: dict) -> dict:
    """The current version, its confirmations, and what may be done about them."""
    if agreement is None or agreement.document_id is None:
        return {}
    confirming = agreement.status == Status.CONFIRMING
    confirmations = selectors.current_confirmations(agreement)
    unconfirmed = selectors.unconfirmed(agreement, confirmations)
    context = {
        "confirmations": confirmations,
        "unconfirmed": unconfirmed,
        "ready": selectors.version_ready(agreement),
    }
    paper_parties = _paper_parties(agreement, confirmations) if can["file_paper"] else []
    if confirming and context["ready"] and paper_parties:
        context["paper_form"] = failed.get("paper") or _paper_form(agreement, parties=paper_parties)
    if can["sign"] and confirming and not unconfirmed:
        # The signing task's own screen: reached from the case page's tasks.
        task_id = open_task_id(agreement.case_id, "sign_agreement")
        context["sign_url"] = (
            reverse("workflows:task", args=[task_id])
            if task_id
            else agreement.case.get_absolute_url()
        )
    return context


def _judicial(case: Case, agreement, can: dict, failed: dict) -> dict:
    window = selectors.judicial_window(case)
    found = (
        JudicialConfirmation.objects.filter(agreement=agreement)
        .select_related("application", "ruling_copy")
        .first()
        if agreement is not None
        else None
    )
    context = {
        "window": window,
        "days_left": (window.due_on - organisation_today()).days if window else None,
        "judicial": found,
    }
    if not (can["track"] and agreement is not None and agreement.status == Status.EFFECTIVE):
        return context
    if found is None:
        context["apply_form"] = failed.get("apply") or ApplyForm(prefix="apply")
    elif found.applied_on is None:
        context["filing_form"] = failed.get("filing") or FilingForm(prefix="filing")
    elif not found.ruling:
        context["ruling_form"] = failed.get("ruling") or RulingForm(prefix="ruling")
    return context


def _term_rows(agreement, can: dict, failed: dict) -> list[dict]:
    if agreement is None or agreement.status != Status.EFFECTIVE:
        return []
    events: dict[int, list] = {}
    for event in TermEvent.objects.filter(term__agreement=agreement).select_related(
        "evidence", "by", "party__person", "party__association", "party__organisation"
    ):
        events.setdefault(event.term_id, []).append(event)
    today = organisation_today()
    rows = []
    if agreement.case.is_finished:  # a closed case's terms are a record, done with
        can = {**can, "track": False, "resolve": False}
    for term in agreement.terms.all():
        open_to = {
            "done": can["track"] and term.status in (Term.Status.PENDING, Term.Status.DISPUTED),
            "undone": can["track"] and term.status in (Term.Status.PENDING, Term.Status.DONE),
            "resolve": can["resolve"] and term.status == Term.Status.DISPUTED,
        }
        row = {
            "term": term,
            "events": events.get(term.pk, []),
            "overdue": term.status == Term.Status.PENDING and term.due_on < today,
        }
        for kind, shown in open_to.items():
            if shown:
                row[f"{kind}_form"] = failed.get((kind, term.pk)) or _term_form(kind, term.pk)
        rows.append(row)
    return rows


def _page(request: HttpRequest, case: Case, failed: dict | None = None) -> HttpResponse:
    """The page; ``failed``: a form sent back with its errors, in place of its blank one."""
    failed = failed or {}
    user = request.user
    agreement = selectors.agreement_of(case)
    can = _can(user, case)
    context = {
        "case": case,
        "agreement": agreement,
        "can": can,
        "signatories": selectors.signatories(case),
        "needs_english": selectors.needs_english(case),
        "visits": list(selectors.visits(case)),
        **_version(agreement, can, failed),
        **_judicial(case, agreement, can, failed),
        "term_rows": _term_rows(agreement, can, failed),
    }
    editable = agreement is None or agreement.status != Status.EFFECTIVE
    if "draft" in failed or (can["draft"] and editable and case.status == "mediating"):
        form, formset = failed.get("draft") or _draft_forms(case, agreement)
        context.update(draft_form=form, term_formset=formset)
    if can["visit"] and case.status in ("settled", "following_up"):
        context["visit_form"] = failed.get("visit") or _visit_form(request, case)
    # The form sent back, for the error summary at the top: also when the page no longer
    # shows it (a term settled meanwhile).
    others = [form for key, form in failed.items() if key != "draft"]
    if others:
        context["failed_form"] = others[0]
    return render(request, "agreements/case.html", context)


@login_required
@require_safe
def case_page(request: HttpRequest, case_pk: int) -> HttpResponse:
    return _page(request, case_for(request.user, case_pk))


def _back(case: Case) -> HttpResponse:
    return redirect("agreements:case", case.pk)


def _submit(
    request: HttpRequest, case: Case, key, form, call: Callable[[dict], object], done: str
) -> HttpResponse:
    """One form of the page: valid, its service is called; refused, the page again with
    the form's errors; done, back to the page with ``done`` said."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, done)
            return _back(case)
    return _page(request, case, {key: form})


# Drafting ----------------------------------------------------------------------------------


@login_required
@require_POST
def draft(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Save the draft; with "send", send it to the parties to confirm. Once they have it,
    a changed text is sent as a new version and every confirmation so far is void."""
    case = case_for(request.user, case_pk, "agreements.draft")
    before = selectors.agreement_of(case)
    form, formset = _draft_forms(case, before, request.POST)
    if form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                saved = services.save_draft(
                    case=case, actor=request.user, draft=form.draft(terms_of(formset))
                )
                sent = "send" in request.POST and saved.status == Status.DRAFT
                if sent:
                    services.send_for_confirmation(case=case, actor=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _draft_said(before, saved, sent))
            return _back(case)
    return _page(request, case, {"draft": (form, formset)})


def _draft_said(before: SettlementAgreement | None, saved: SettlementAgreement, sent: bool) -> str:
    if sent:
        return _("The draft is saved and sent to the parties to confirm (version 1).")
    if before is not None and before.document_id and saved.version != before.version:
        return _(
            "The text changed: version %(version)d is sent to the parties to confirm; every "
            "confirmation of the earlier version is void."
        ) % {"version": saved.version}
    return _("The draft is saved.")


# Confirmation ------------------------------------------------------------------------------


@login_required
@require_POST
def paper(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for(request.user, case_pk, "agreements.file_paper")
    agreement = selectors.agreement_of(case)
    if agreement is None or agreement.document_id is None:
        messages.error(request, _("The agreement has not been sent to the parties yet."))
        return _back(case)
    form = _paper_form(agreement, request.POST, request.FILES)
    return _submit(
        request,
        case,
        "paper",
        form,
        lambda data: services.file_paper_copy(
            case=case,
            actor=request.user,
            party_pk=data["party"],
            upload=data["upload"],
            sha256=data["sha256"],
        ),
        _("The signed paper copy is filed: it counts as the party's confirmation."),
    )


# Judicial confirmation ---------------------------------------------------------------------


@login_required
@require_POST
def judicial_apply(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for(request.user, case_pk, "agreements.track")
    return _submit(
        request,
        case,
        "apply",
        ApplyForm(request.POST, prefix="apply"),
        lambda data: services.apply_for_judicial_confirmation(
            case=case, actor=request.user, court=data["court"]
        ),
        _("The application for judicial confirmation is drawn up."),
    )


@login_required
@require_POST
def judicial_filed(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for(request.user, case_pk, "agreements.track")
    return _submit(
        request,
        case,
        "filing",
        FilingForm(request.POST, prefix="filing"),
        lambda data: services.record_filing(
            case=case, actor=request.user, applied_on=data["applied_on"]
        ),
        _("The filing with the court is recorded."),
    )


@login_required
@require_POST
def judicial_ruling(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for(request.user, case_pk, "agreements.track")
    return _submit(
        request,
        case,
        "ruling",
        RulingForm(request.POST, request.FILES, prefix="ruling"),
        lambda data: services.record_ruling(
            case=case,
            actor=request.user,
            ruling=data["ruling"],
            number=data["number"],
            ruled_on=data["ruled_on"],
            upload=data["upload"],
        ),
        _("The court's ruling is recorded."),
    )


# Performance -------------------------------------------------------------------------------


def _term_case(request: HttpRequest, case_pk: int, term_pk: int, action: str) -> Case:
    """The case, if the user may do the action on it, and one of its terms (else a 404)."""
    case = case_for(request.user, case_pk, action)
    get_object_or_404(Term, pk=term_pk, agreement__case=case)
    return case


@login_required
@require_POST
def term_done(request: HttpRequest, case_pk: int, term_pk: int) -> HttpResponse:
    case = _term_case(request, case_pk, term_pk, "agreements.track")
    return _submit(
        request,
        case,
        ("done", term_pk),
        _term_form("done", term_pk, request.POST, request.FILES),
        lambda data: services.record_performance(
            case=case,
            actor=request.user,
            term_pk=term_pk,
            note=data["note"],
            upload=data["upload"],
        ),
        _("The term is recorded as performed, with its proof."),
    )


@login_required
@require_POST
def term_undone(request: HttpRequest, case_pk: int, term_pk: int) -> HttpResponse:
    case = _term_case(request, case_pk, term_pk, "agreements.track")
    return _submit(
        request,
        case,
        ("undone", term_pk),
        _term_form("undone", term_pk, request.POST),
        lambda data: services.report_unperformed(
            case=case, actor=request.user, term_pk=term_pk, note=data["note"]
        ),
        _("Recorded: the term goes back to the mediator."),
    )


@login_required
@require_POST
def term_resolve(request: HttpRequest, case_pk: int, term_pk: int) -> HttpResponse:
    case = _term_case(request, case_pk, term_pk, "agreements.resolve")
    return _submit(
        request,
        case,
        ("resolve", term_pk),
        _term_form("resolve", term_pk, request.POST),
        lambda data: services.resolve_dispute(
            case=case,
            actor=request.user,
            term_pk=term_pk,
            outcome=data["outcome"],
            note=data["note"],
            due_on=data.get("due_on"),
        ),
        _("Your decision on the term is recorded."),
    )


# Follow-up ---------------------------------------------------------------------------------


@login_required
@require_POST
def visit(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for(request.user, case_pk, "agreements.visit")
    return _submit(
        request,
        case,
        "visit",
        _visit_form(request, case, request.POST),
        lambda data: services.record_visit(
            case=case, actor=request.user, visit=VisitForm.visit_input(data)
        ),
        _("The visit is recorded; its 回访记录 is being prepared."),
    )
