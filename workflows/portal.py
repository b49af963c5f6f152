"""A party's own page: what their link (``cases.links``) opens, without a login.

Every request opens the link first (``open_link``: checked, rate-limited and logged), then
answers in the link's language and the party's time zone. A refused link gets a page that
says why in the three languages of the links, with 404 (not a link), 410 (expired or
revoked) or 429 (too many requests); a page the link may not reach (another case's
document) gets the same 404, whether or not it exists. Every answer is private: not kept
by any cache, and the address (which holds the token) is not sent to other sites.

The page shows the case's stage in words a party understands and what happens next, the
stages' own sections (``workflows.stages.PortalSection``), the documents shared with the
party, what they sent, and a form to send a statement or a file.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import wraps
from pathlib import PurePath

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from cases import links
from cases.models import CaseStatus, LinkUse, Party, PartyLink
from cases.security import client_ip
from documents.kinds import KINDS
from documents.models import Document, Submission
from documents.services import MAX_EVIDENCE_BYTES
from documents.submissions import send_submission

from . import stages

Outcome = LinkUse.Outcome
ANSWER_STATUS = {
    Outcome.INVALID: 404,
    Outcome.REFUSED: 404,
    Outcome.EXPIRED: 410,
    Outcome.REVOKED: 410,
    Outcome.LIMITED: 429,
}
S = CaseStatus
# Where the case stands and what happens next, as a party reads it.
STAGE_WORDS = {
    S.REGISTERED: (
        _("We have received your request and registered it."),
        _("We are checking it, and will tell you whether we take the case on."),
    ),
    S.SCREENING: (
        _("We are checking your request."),
        _("We will tell you whether we take the case on."),
    ),
    S.ACCEPTED: (
        _("We have taken your case on."),
        _("Your case officer is preparing the next step, and will tell you."),
    ),
    S.DECLINED: (
        _("We could not take this case on."),
        _("The letter we sent you says why, and where you may turn instead."),
    ),
    S.REFERRED: (
        _("Your case was passed to the body responsible for it."),
        _("That body will contact you."),
    ),
    S.LEGAL_REVIEW: (
        _("Lawyers of our legal advisory committee are studying your case."),
        _("Their opinion decides how we go on; we will tell you."),
    ),
    S.COORDINATING: (
        _("The government departments concerned are meeting to settle your case."),
        _("We will tell you what they agree and who does what."),
    ),
    S.MEDIATING: (
        _("Your case is in mediation: a mediator helps both sides reach an agreement."),
        _(
            "The mediator talks with each side; the next session, or an agreement for you to "
            "confirm, is shown on this page."
        ),
    ),
    S.SETTLED: (
        _("An agreement has been reached."),
        _("Each side does what was agreed; we will check with you that it is done."),
    ),
    S.UNRESOLVED: (
        _("No agreement could be reached."),
        _("The letter we sent you says where you may turn next, such as a court."),
    ),
    S.FOLLOWING_UP: (
        _("We are checking that what was agreed is being done."),
        _("We will contact you to ask how it went."),
    ),
    S.CLOSED: (
        _("Your case is closed."),
        _("Nothing more is needed from you. Keep the documents below for your records."),
    ),
    S.WITHDRAWN: (
        _("The case was withdrawn."),
        _("Nothing more will happen on it unless you bring it to us again."),
    ),
    S.SUSPENDED: (
        _("Work on your case is paused for now."),
        _("It goes on once the reason for the pause is resolved; we will tell you."),
    ),
}
PDF_ONLY = _("Send the file as a PDF: other kinds of file are not accepted.")


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        required=False,
        max_length=Submission._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    upload = forms.FileField(
        label=_("A file (PDF, at most 20 MB)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    title = forms.CharField(label=_("What the file is"), required=False, max_length=150)

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if upload.size > MAX_EVIDENCE_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."), code="size")
        head = upload.read(5)
        upload.seek(0)
        if PurePath(upload.name or "").suffix.lower() != ".pdf" or head != b"%PDF-":
            raise ValidationError(PDF_ONLY, code="type")
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("text", "").strip() or cleaned.get("upload")):
            raise ValidationError(_("Write a statement or choose a file to send."), code="empty")
        return cleaned


# What a link reaches ------------------------------------------------------------------


def acts_for_claimant(party: Party) -> bool:
    """A claimant, or someone acting for one: the documents sent to the claimant are theirs."""
    principal = party.on_behalf_of if party.on_behalf_of_id else party
    return principal.role == Party.Role.CLAIMANT


def shared_documents(link: PartyLink) -> QuerySet[Document]:
    """The documents of the link's case shared with its party: those sent to the claimant
    (to a claimant and whoever acts for one), and those the stages' sections share. Only
    the current version of each, once it is ready; never another case's."""
    shared = Q(pk__in=[])
    if acts_for_claimant(link.party):
        shared |= Q(kind__in=[kind for kind, spec in KINDS.items() if spec.to_party])
    for section in stages.portal_sections():
        if section.documents is not None:
            shared |= Q(pk__in=section.documents(link).values("pk"))
    return Document.objects.filter(
        shared,
        case=link.case_id,
        status=Document.Status.FINAL,
        rendering=Document.Rendering.READY,
    ).order_by("issued_at", "pk")


def own_submissions(link: PartyLink) -> QuerySet[Submission]:
    """What the link's party sent: never another party's."""
    return Submission.objects.filter(case=link.case_id, party=link.party_id).select_related(
        "evidence"
    )


# Every request ------------------------------------------------------------------------


def private(response: HttpResponse) -> HttpResponse:
    """The token is in the address: no cache keeps the answer, and no other site is told
    the address. ``same-origin``, not ``no-referrer``: under ``no-referrer`` a browser
    posts a form with ``Origin: null``, which Django's CSRF check refuses."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Every use is in the LinkUse log; Django's request log would write the address, and
    # so the token, of each refusal (a flag its ``log_response`` reads).
    response._has_been_logged = True
    return response


def refused(
    request: HttpRequest,
    outcome: str,
    message=None,
    status: int | None = None,
    retry_after: int | None = None,
) -> HttpResponse:
    """The page of a refused link, in the three languages of the links."""
    response = render(
        request,
        "workflows/portal/refused.html",
        {
            "message": message or links.REFUSALS[outcome],
            "languages": PartyLink.Language.values,
        },
        status=status or ANSWER_STATUS[outcome],
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return private(response)


def party_view(action: str | Callable[[dict], str]):
    """A view of the party's page: ``view(request, link, token, **kwargs)``, reached only
    through ``open_link``. ``action``: what the log calls the request."""

    def wrap(view):
        @wraps(view)
        def opened(request: HttpRequest, token: str, **kwargs) -> HttpResponse:
            try:
                link = links.open_link(
                    token,
                    action=action(kwargs) if callable(action) else action,
                    ip=client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except links.LinkRefused as refusal:
                return refused(
                    request, refusal.outcome, refusal.message, retry_after=refusal.retry_after
                )
            zone = link.party.person.time_zone
            with translation.override(link.language), timezone.override(zone):
                try:
                    return private(view(request, link, token, **kwargs))
                except Http404:
                    links.refuse_use(link)
                    return refused(request, Outcome.REFUSED)
                except PermissionDenied:  # a section's view: not now, or not this party
                    links.refuse_use(link)
                    return refused(request, Outcome.REFUSED, status=403)

        return opened

    return wrap


# The pages ----------------------------------------------------------------------------


def _sections(request: HttpRequest, link: PartyLink, token: str) -> list[str]:
    """The stages' sections the party sees, rendered, in order."""
    shown = []
    for section in stages.portal_sections():
        found = section.context(link)
        if found is not None:
            context = {**found, "link": link, "token": token, "section": section.name}
            shown.append(mark_safe(render_to_string(section.template, context, request=request)))
    return shown


def _page(request, link: PartyLink, token: str, form: SubmissionForm) -> HttpResponse:
    where, then = STAGE_WORDS.get(link.case.status, (None, None))
    return render(
        request,
        "workflows/portal/home.html",
        {
            "link": link,
            "token": token,
            "case": link.case,
            "party": link.party,
            "where": where,
            "then": then,
            "sections": _sections(request, link, token),
            "documents": shared_documents(link),
            "submissions": own_submissions(link),
            "form": form,
            "languages": PartyLink.Language.choices,
            "sent": request.GET.get("sent") == "1",
        },
    )


@require_safe
@party_view("page")
def home(request, link: PartyLink, token: str) -> HttpResponse:
    return _page(request, link, token, SubmissionForm())


@require_safe
@party_view(lambda kwargs: f"document:{kwargs['pk']}")
def document(request, link: PartyLink, token: str, pk: int) -> HttpResponse:
    found = shared_documents(link).filter(pk=pk).first()
    if found is None:
        raise Http404
    name = f"{link.case.number} {found.get_kind_display()}.pdf"
    return FileResponse(found.file.open("rb"), filename=name, content_type="application/pdf")


@require_POST
@party_view("send")
def send(request, link: PartyLink, token: str) -> HttpResponse:
    form = SubmissionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            send_submission(link=link, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("upload" if form.cleaned_data.get("upload") else None, error)
        else:
            return redirect(f"{reverse('portal:home', args=[token])}?sent=1#send")
    return _page(request, link, token, form)


@require_POST
@party_view("language")
def language(request, link: PartyLink, token: str) -> HttpResponse:
    # A language the page does not offer: it stays as it was.
    with suppress(ValidationError):
        links.set_language(link=link, language=request.POST.get("language", ""))
    return redirect("portal:home", token)


@party_view(lambda kwargs: f"{kwargs['section']}:{kwargs['name']}")
def section(request, link: PartyLink, token: str, section: str, name: str) -> HttpResponse:
    """A view of a stage's section (``PortalSection.views``)."""
    found = stages.PORTAL_SECTIONS.get(section)
    view = found.views.get(name) if found else None
    if view is None:
        raise Http404
    return view(request, link)
