"""What a party sends through their own link (``cases.links``): a statement, a file, or
both. A file is checked and cleaned as the officer's uploads are (``services``: a readable
PDF of at most 20 MB, kept without anything active) and kept with the case's evidence; the
``Submission`` says who sent it. Only that party and the case's staff read it."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases.models import Case, CaseEvent, PartyLink
from cases.notifications import case_officers, notify, site_url
from cases.timeline import fields as said
from cases.timeline import line

from .models import Evidence, Submission
from .services import MAX_EVIDENCE_BYTES, _cleaned_pdf

EMAIL = "party_submission"  # cases/templates/email/party_submission.txt


def send_submission(*, link: PartyLink, text: str = "", upload=None, title: str = "") -> Submission:
    """Keep what the party sent and tell the case's officer. The file is cleaned first,
    before the case is locked: cleaning a large PDF takes a while."""
    text = text.strip()
    if not text and upload is None:
        raise ValidationError(_("Write a statement or choose a file to send."), code="empty")
    cleaned = _cleaned(upload) if upload is not None else None
    return _keep(link=link, text=text, cleaned=cleaned, title=_file_title(upload, title))


def _cleaned(upload) -> tuple[bytes, int]:
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."), code="size")
    return _cleaned_pdf(upload.read())


def _file_title(upload, title: str) -> str:
    """What the party called the file, or its name without the extension."""
    if upload is None:
        return ""
    return (title.strip() or PurePath(upload.name or "").stem or _("File"))[:150]


@transaction.atomic
def _keep(*, link: PartyLink, text: str, cleaned: tuple[bytes, int] | None, title: str):
    case = Case.objects.select_for_update().get(pk=link.case_id)
    # Revoked or expired while the file was being cleaned: nothing is kept.
    link = PartyLink.objects.select_related("party__person", "created_by").get(pk=link.pk)
    if not link.is_live:
        raise ValidationError(_("This link is no longer in use."), code="link")
    evidence = _evidence(case, link, title, cleaned) if cleaned else None
    submission = Submission.objects.create(
        case=case,
        party=link.party,
        link=link,
        kind=Submission.Kind.EVIDENCE if evidence else Submission.Kind.STATEMENT,
        text=text,
        evidence=evidence,
    )
    who = link.party.subject
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.COMMUNICATION,
        transition="submission",
        **said(
            line(
                gettext_noop("%(who)s sent a file through their own link: %(title)s."),
                who=who,
                title=title,
            )
            if evidence
            else line(gettext_noop("%(who)s sent a statement through their own link."), who=who)
        ),
    )
    url = site_url(case.get_absolute_url())
    for officer in case_officers(case):
        notify(officer, EMAIL, {"case": case, "submission": submission, "who": who, "url": url})
    return submission


def _evidence(case: Case, link: PartyLink, title: str, cleaned: tuple[bytes, int]) -> Evidence:
    content, pages = cleaned
    evidence = Evidence(
        case=case,
        item=Evidence.Item.EVIDENCE,
        title=f"{link.party.subject}：{title}"[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        page_count=pages,
        # A party has no user: the upload is in the name of the officer who sent the link,
        # and the submission says who sent it.
        uploaded_by=link.created_by,
    )
    evidence.file.save("upload.pdf", ContentFile(content), save=False)
    evidence.save()
    return evidence
