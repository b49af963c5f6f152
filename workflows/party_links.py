"""The officer's side of the parties' own links: a panel of the case page (the case's links,
who used them last, and what the parties sent through them) and its two steps, send a
new link and revoke one (``cases.links``). Registered when the app is ready."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases import links, selectors
from cases.models import Case, LinkUse, Party, PartyLink, User
from cases.notifications import site_url
from cases.views import say_form_errors
from documents.models import Submission

from .panels import Panel, read_once, register


class PartyLinkForm(forms.Form):
    party = forms.ModelChoiceField(label=gettext_lazy("Party"), queryset=Party.objects.none())
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the page"), choices=PartyLink.Language.choices
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=links.MAX_DAYS, initial=30
    )

    def __init__(self, *args, case: Case, shown: list[Party] | None = None, **kwargs) -> None:
        """``shown``: the case's parties as the page read them already, to offer (the
        choice posted is checked against the database)."""
        super().__init__(*args, **kwargs)
        party = self.fields["party"]
        party.queryset = case.parties.filter(person__isnull=False).select_related("person")
        if shown is not None:
            people = [p for p in shown if p.person_id]
            party.choices = [("", party.empty_label), *((p.pk, _named(p)) for p in people)]
        party.label_from_instance = _named


def _named(party: Party) -> str:
    return _("%(name)s (%(role)s)") % {"name": party.subject, "role": party.get_role_display()}


def _panel(case: Case, user: User, can: dict) -> dict | None:
    if not can.get("manage_links"):
        return None
    used = Max("uses__at", filter=Q(uses__outcome=LinkUse.Outcome.OK))
    return {
        "party_links": case.party_links.select_related(
            "party__person", "created_by", "revoked_by"
        ).annotate(last_used=used),
        "party_link_form": PartyLinkForm(
            case=case, shown=read_once(case, "parties", selectors.party_list)
        ),
        "submissions": Submission.objects.filter(case=case).select_related(
            "party__person", "evidence"
        ),
    }


register(Panel("party_links", "workflows/panels/party_links.html", _panel, 35))


@login_required
@require_POST
def issue(request, pk: int):
    """Send the party a new link. One who cannot be e-mailed is given it by the officer:
    the page shows it this once (it is not kept)."""
    case = selectors.case_for(request.user, pk, "cases.manage_links")
    form = PartyLinkForm(request.POST, case=case)
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect(case)
    try:
        link, token = links.issue_link(case=case, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(case)
    why_not = selectors.why_not_by_email(link.party)
    if not why_not:
        messages.success(request, _("The link was e-mailed to %s.") % link.party.subject)
        return redirect(case)
    return render(
        request,
        "workflows/party_link_issued.html",
        {"case": case, "link": link, "url": site_url(links.page_path(token)), "why": why_not},
    )


@login_required
@require_POST
def revoke(request, pk: int, link_pk: int):
    case = selectors.case_for(request.user, pk, "cases.manage_links")
    link = get_object_or_404(
        PartyLink.objects.select_related("party__person"), pk=link_pk, case=case
    )
    try:
        links.revoke_link(link_pk=link.pk, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The link of %s opens nothing any more.") % link.party.subject)
    return redirect(case)
