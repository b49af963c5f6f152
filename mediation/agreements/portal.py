"""The agreement on a party's own page (``workflows.stages.PortalSection``).

"agreement": a party who signs the agreement (or acts for one who does) reads the current
version's PDF and its SHA-256, and confirms that exact PDF in two steps: a one-time code
sent to their e-mail address, then the code typed in. Both steps carry the hash the page
showed, so a version issued in between is refused, never confirmed unseen. Once the
agreement is in effect: its signed copy and each term's state, with a way to say a term
has not been done (it goes back to the mediator).

"follow_up": once the case is settled, the party answers the follow-up questions
(satisfaction 1–5, what has been done) instead of being visited."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases.models import Party, PartyLink
from cases.security import client_ip
from documents.models import Document
from workflows.stages import PortalSection, portal_page

from . import selectors, services
from .models import NOTE_MAX, ConfirmationCode, FollowUpVisit, SettlementAgreement, Term

NAME = "agreement"
FOLLOW_UP = "follow_up"
AGAIN = "agreements/portal/again.html"
Status = SettlementAgreement.Status


# Forms --------------------------------------------------------------------------------


class CodeRequestForm(forms.Form):
    # The hash of the PDF the page showed: the code is for that version only.
    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)


class CodeForm(forms.Form):
    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("The 6-digit code from the e-mail"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        # Pasted with spaces ("123 456") it is still the code.
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise ValidationError(_("Enter the 6 digits from the e-mail."), code="format")
        return code


class UnperformedForm(forms.Form):
    term = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("What has not been done?"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


SATISFACTION = [
    (5, _("5 – Very satisfied")),
    (4, _("4 – Satisfied")),
    (3, _("3 – Neither satisfied nor dissatisfied")),
    (2, _("2 – Dissatisfied")),
    (1, _("1 – Very dissatisfied")),
]


class FollowUpForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the outcome?"),
        choices=SATISFACTION,
        coerce=int,
        widget=forms.RadioSelect,
    )
    performance = forms.CharField(
        label=_("What has been done of what was agreed?"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


# The agreement section ----------------------------------------------------------------


def _agreement(link: PartyLink) -> SettlementAgreement | None:
    """The link's case's agreement, if this party signs it and it is with the parties or
    in effect; else None."""
    agreement = selectors.agreement_of(link.case)
    if agreement is None or agreement.status not in (Status.CONFIRMING, Status.EFFECTIVE):
        return None
    return agreement if selectors.may_confirm(agreement, link.party) else None


def _groups(sha256: str) -> list[str]:
    # In groups of eight, which a narrow screen may break between.
    return [sha256[i : i + 8] for i in range(0, len(sha256), 8)]


def _signer(party: Party) -> str:
    subject = str(party.subject)
    if party.on_behalf_of_id:
        principal = str(party.on_behalf_of.subject)
        return _("%(name)s for %(principal)s") % {"name": subject, "principal": principal}
    return subject


def _masked(email: str) -> str:
    """The address the code went to, enough to recognise it: t***@example.my."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _live_code(agreement: SettlementAgreement, party: Party) -> ConfirmationCode | None:
    """The party's latest code for the version as it is, if it may still be used."""
    code = agreement.codes.filter(party=party, used_at__isnull=True).order_by("-created_at").first()
    if (
        code is None
        or code.sha256 != agreement.document.sha256
        or code.expires_at <= timezone.now()
        or code.tries >= services.CODE_TRIES
    ):
        return None
    return code


def _confirming(agreement: SettlementAgreement, link: PartyLink) -> dict:
    document = agreement.document
    confirmations = selectors.party_confirmations(agreement)
    # The party's own: each of an association's representatives may confirm for it.
    mine = next((c for c in confirmations if c.party_id == link.party_id), None)
    code = None if mine else _live_code(agreement, link.party)
    initial = {"sha256": document.sha256}
    return {
        "document": document,
        "sha256_groups": _groups(document.sha256),
        "confirmed_by": [_signer(c.party) for c in confirmations],
        "mine": mine,
        "code": code,
        "sent_to": _masked(code.email) if code else "",
        "request_form": CodeRequestForm(initial=initial, auto_id="id_request_%s"),
        "code_form": CodeForm(initial=initial, auto_id="id_confirm_%s"),
    }


def _term_form(term: Term, data=None) -> UnperformedForm:
    # One form a term on the page: the same names, ids of its own.
    return UnperformedForm(data, initial={"term": term.pk}, auto_id=f"id_term{term.pk}_%s")


def _terms(agreement: SettlementAgreement) -> list[dict]:
    english = not get_language().startswith("zh")
    return [
        {
            "term": term,
            "text": term.text_en if english and term.text_en else term.text,
            "method": term.method_en if english and term.method_en else term.method,
            # The Chinese text prevails: shown beside its English.
            "original": term.text if english and term.text_en else "",
            "form": _term_form(term)
            if term.status in (Term.Status.PENDING, Term.Status.DONE)
            else None,
        }
        for term in agreement.terms.all()
    ]


def context(link: PartyLink) -> dict | None:
    """The section's context, or None (left out) while there is nothing for this party to
    read: no agreement with the parties, or not one they sign."""
    agreement = _agreement(link)
    if agreement is None:
        return None
    found = {"agreement": agreement, "version": agreement.version}
    if agreement.status == Status.EFFECTIVE:
        copy = agreement.effective_document
        return {
            **found,
            "effective": True,
            "copy_ready": copy.rendering == Document.Rendering.READY,
            "copy_groups": _groups(copy.sha256),
            "terms": _terms(agreement),
        }
    if not selectors.version_ready(agreement):
        return {**found, "preparing": True}
    return {**found, **_confirming(agreement, link)}


def documents(link: PartyLink) -> QuerySet[Document]:
    """The agreement's PDF the party may open: the version to confirm, then the copy in
    effect (the portal lists only the current version of each)."""
    agreement = _agreement(link)
    if agreement is None:
        return Document.objects.none()
    return Document.objects.filter(
        pk__in=[pk for pk in (agreement.document_id, agreement.effective_document_id) if pk]
    )


def _again(
    request: HttpRequest, link: PartyLink, section: PortalSection, found: dict, form: forms.Form
) -> HttpResponse:
    """The section again with the form that failed, its errors beside its field."""
    return render(
        request,
        AGAIN,
        {
            **found,
            "link": link,
            "token": request.resolver_match.kwargs["token"],
            "section": section.name,
            "template": section.template,
            "form": form,
        },
        status=400,
    )


def _opened(link: PartyLink) -> dict:
    found = context(link)
    if found is None:
        raise Http404
    return found


def _back(request: HttpRequest, anchor: str = NAME) -> HttpResponse:
    return redirect(f"{portal_page(request)}#{anchor}")


@require_POST
def request_code(request: HttpRequest, link: PartyLink) -> HttpResponse:
    """Step 1: e-mail the party a code for the version the page showed."""
    found = _opened(link)
    if "request_form" not in found:  # it moved on since the page was read: show it now
        return _back(request)
    form = found["request_form"] = CodeRequestForm(request.POST, auto_id="id_request_%s")
    if form.is_valid():
        try:
            services.request_code(
                link=link,
                sha256=form.cleaned_data["sha256"],
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _back(request)
    return _again(request, link, AGREEMENT, found, form)


@require_POST
def confirm(request: HttpRequest, link: PartyLink) -> HttpResponse:
    """Step 2: the code from the e-mail confirms the version the page showed."""
    found = _opened(link)
    if "code_form" not in found:  # it moved on since the page was read: show it now
        return _back(request)
    form = found["code_form"] = CodeForm(request.POST, auto_id="id_confirm_%s")
    if form.is_valid():
        try:
            services.confirm_with_code(
                link=link,
                code=form.cleaned_data["code"],
                sha256=form.cleaned_data["sha256"],
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            return _back(request)
    # The code step stays open whatever the refusal, so the field and its message show.
    found["code_step"] = True
    return _again(request, link, AGREEMENT, found, form)


@require_POST
def unperformed(request: HttpRequest, link: PartyLink) -> HttpResponse:
    """The party says a term of the agreement in effect has not been done."""
    found = _opened(link)
    entry = next(
        (e for e in found.get("terms", []) if str(e["term"].pk) == request.POST.get("term")),
        None,
    )
    if entry is None:
        raise Http404
    if entry["form"] is None:  # with the mediator already: show it as it is
        return _back(request, f"term-{entry['term'].pk}")
    form = entry["form"] = _term_form(entry["term"], request.POST)
    if form.is_valid():
        try:
            services.party_reports_unperformed(
                link=link, term_pk=entry["term"].pk, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error("note", error)
        else:
            return _back(request, f"term-{entry['term'].pk}")
    return _again(request, link, AGREEMENT, found, form)


# The follow-up section ----------------------------------------------------------------


def _follows_up(link: PartyLink) -> bool:
    """The case is settled and the party signed its outcome (or acts for one who did)."""
    if link.case.status not in ("settled", "following_up"):
        return False
    principal = selectors.signs_for(link.party).pk
    return any(party.pk == principal for party in selectors.signatories(link.case))


def follow_up_context(link: PartyLink) -> dict | None:
    if not _follows_up(link):
        return None
    answer = (
        FollowUpVisit.objects.filter(
            case=link.case,
            party=selectors.signs_for(link.party),
            method=FollowUpVisit.Method.LINK,
        )
        .order_by("-recorded_at", "-pk")
        .first()
    )
    return {
        "answer": answer,
        "satisfaction_words": dict(SATISFACTION).get(answer.satisfaction) if answer else "",
        "form": None if answer else FollowUpForm(auto_id="id_follow_%s"),
    }


@require_POST
def answer(request: HttpRequest, link: PartyLink) -> HttpResponse:
    """The party answers the follow-up questions: recorded as a follow-up visit."""
    found = follow_up_context(link)
    if found is None:
        raise Http404
    if found["form"] is None:  # answered already (sent twice)
        return _back(request, "follow-up")
    form = found["form"] = FollowUpForm(request.POST, auto_id="id_follow_%s")
    if form.is_valid():
        try:
            services.answer_by_link(link=link, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _back(request, "follow-up")
    return _again(request, link, FOLLOW_UP_SECTION, found, form)


# The stage registers them (``Stage.portal``): after the mediation's sessions and records.
AGREEMENT = PortalSection(
    name=NAME,
    template="agreements/portal/agreement.html",
    context=context,
    views={"code": request_code, "confirm": confirm, "unperformed": unperformed},
    order=30,
    documents=documents,
)
FOLLOW_UP_SECTION = PortalSection(
    name=FOLLOW_UP,
    template="agreements/portal/follow_up.html",
    context=follow_up_context,
    views={"answer": answer},
    order=40,
)
SECTIONS = (AGREEMENT, FOLLOW_UP_SECTION)
