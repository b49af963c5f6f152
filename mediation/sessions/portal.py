"""The 调解笔录 on a party's own page (``workflows.stages.PortalSection``): the records of
the sessions the party was invited to, each with its PDF and the PDF's SHA-256, to confirm
as written or to comment on. An answer names the PDF the party was shown by its hash: a
record issued again since is answered again."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases.models import PartyLink
from documents.models import Document
from workflows.stages import PortalSection, portal_page

from . import records
from .models import NOTE_MAX, SessionRecord
from .record_selectors import records_for_party

NAME = "session_records"
TEMPLATE = "sessions/portal/records.html"
CONFIRM, COMMENT = "confirm", "comment"


class AnswerForm(forms.Form):
    record = forms.IntegerField(widget=forms.HiddenInput)
    # The hash of the PDF the page showed: the answer is to that version.
    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Your comment (what is missing or wrong)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    answer = forms.ChoiceField(choices=[(CONFIRM, CONFIRM), (COMMENT, COMMENT)])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == COMMENT and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Write what should be changed in the record."))
        return cleaned


def _form(record: SessionRecord, data=None) -> AnswerForm:
    # One form a record on the page: the same names, ids of its own.
    return AnswerForm(
        data,
        initial={"record": record.pk, "sha256": record.document.sha256},
        auto_id=f"id_record{record.pk}_%s",
    )


def _entries(link: PartyLink) -> list[dict]:
    """The records ready to read (their PDF rendered), oldest round first, each with the
    party's latest answer and whether it is to the PDF as it is now."""
    shown = []
    for entry in records_for_party(link.party):
        document = entry.record.document
        if document.rendering != Document.Rendering.READY:
            continue
        answer = entry.answer
        shown.append(
            {
                "record": entry.record,
                "session": entry.record.session,
                "document": document,
                # The hash in groups of eight, which a narrow screen may break between.
                "sha256_groups": [document.sha256[i : i + 8] for i in range(0, 64, 8)],
                "answer": answer,
                "answered": bool(answer and answer.document_sha256 == document.sha256),
                "form": _form(entry.record),
            }
        )
    return shown


def context(link: PartyLink) -> dict | None:
    """The section's context, or None (left out) while no record is issued to the party."""
    entries = _entries(link)
    return {"records": entries} if entries else None


def documents(link: PartyLink) -> QuerySet[Document]:
    """The record PDFs the party may open from their page."""
    return Document.objects.filter(
        pk__in=[entry.record.document_id for entry in records_for_party(link.party)]
    )


def _again(request: HttpRequest, link: PartyLink, entries: list[dict], found: dict):
    """The section again, the form that failed with its errors in its record's place."""
    return render(
        request,
        "sessions/portal/answer.html",
        {
            "link": link,
            "token": request.resolver_match.kwargs["token"],
            "section": NAME,
            "records": entries,
            "form": found["form"],
        },
        status=400,
    )


@require_POST
def confirm(request: HttpRequest, link: PartyLink) -> HttpResponse:
    """The party confirms a record, or comments on it; then back to their page."""
    entries = _entries(link)
    found = next((e for e in entries if str(e["record"].pk) == request.POST.get("record")), None)
    if found is None:
        raise Http404
    record = found["record"]
    form = found["form"] = _form(record, request.POST)
    if form.is_valid():
        try:
            records.respond(
                record_pk=record.pk,
                party=link.party,
                link=link,
                confirmed=form.cleaned_data["answer"] == CONFIRM,
                comment=form.cleaned_data["comment"],
                seen_sha256=form.cleaned_data["sha256"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(f"{portal_page(request)}#record-{record.pk}")
    return _again(request, link, entries, found)


# The stage registers it (``Stage.portal``): after the next session's section, before the
# documents.
SECTION = PortalSection(
    name=NAME,
    template=TEMPLATE,
    context=context,
    views={"confirm": confirm},
    order=20,
    documents=documents,
)
