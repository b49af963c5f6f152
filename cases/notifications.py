"""E-mail to staff, in each person's own language and time zone, notices to the parties
of a case who consented to them, and e-mail to someone known by an address alone, through
the outbox (``cases.mail``). In the demo the console backend prints them."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .mail import MessageAttachment, queue_message
from .models import Case, Language, Membership, Message, Organisation, Party, Person, Role, User
from .registry import email_template
from .selectors import email_recipients


def site_url(path: str) -> str:
    """Links in e-mails point at the site's public address."""
    return settings.SITE_URL.rstrip("/") + path


def render_message(user: User, name: str, context: dict) -> tuple[str, str]:
    """The template's first line is the subject, the rest the body."""
    with translation.override(user.language), timezone.override(user.time_zone):
        text = render_to_string(email_template(name), {"user": user, **context})
    return _subject_and_body(text)


def _subject_and_body(text: str) -> tuple[str, str]:
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def notify(
    user: User, name: str, context: dict, attachment: MessageAttachment | None = None
) -> None:
    """Put the message in the outbox with the surrounding step: a rolled-back step mails
    nobody, and a committed one is sent by a worker however long the mail server is down.
    ``attachment``: a file sent with it (a stage's calendar invitation)."""
    if not user.email or not user.is_active:
        return
    subject, body = render_message(user, name, context)
    case = context.get("case")
    queue_message(
        recipient=user,
        kind=name,
        subject=subject,
        body=body,
        case=case if isinstance(case, Case) else None,
        attachment=attachment,
    )


def party_language(person: Person) -> str:
    """The language of a party's e-mail: Chinese in the script they read, else English
    (the messages are written in these three)."""
    return message_language(person.preferred_language)


def message_language(language: str) -> str:
    """The language an e-mail is written in for a reader of ``language``: Chinese in
    their script, else English."""
    if language in (Language.ZH_HANS, Language.ZH_HANT):
        return language
    return Language.EN


def render_party_message(party: Party, name: str, context: dict) -> tuple[str, str]:
    """A party's e-mail in their language and time zone; the template has ``party`` and
    ``person`` besides the caller's context."""
    person = party.person
    with translation.override(party_language(person)), timezone.override(person.time_zone):
        text = render_to_string(email_template(name), {"party": party, "person": person, **context})
    return _subject_and_body(text)


def notify_party(
    *,
    party: Party,
    name: str,
    context: dict,
    attachment: MessageAttachment | None = None,
    reference: str = "",
) -> Message | None:
    """E-mail a notice to a party of a case, in the outbox with the surrounding step, only
    if they can be reached (``selectors.why_not_by_email``: an address and their consents);
    an association or a body through each of those acting for it who can. Returns the
    message to the party (for an association or a body, the first of them), or None when
    nothing was sent. ``reference``: what the notice delivers (``"document:12"``); a party
    who was sent it already is not sent it again. The caller puts dates and times in the
    context as the party should read them."""
    sent = [
        _queue_to_party(person, name, context, attachment, reference)
        for person in email_recipients(party)
    ]
    return next((message for message in sent if message), None)


def _queue_to_party(
    party: Party,
    name: str,
    context: dict,
    attachment: MessageAttachment | None,
    reference: str,
) -> Message | None:
    if reference and Message.objects.filter(party=party, reference=reference).exists():
        return None
    subject, body = render_party_message(party, name, context)
    return queue_message(
        party=party,
        kind=name,
        subject=subject,
        body=body,
        case=party.case,
        attachment=attachment,
        reference=reference,
    )


def notify_address(
    *,
    address: str,
    language: str,
    zone: str,
    name: str,
    context: dict,
    case: Case | None = None,
    attachment: MessageAttachment | None = None,
    reference: str = "",
) -> Message | None:
    """E-mail someone who is neither a user nor a party, known by an address alone (an
    interpreter attending a mediation session), in the outbox with the surrounding step:
    in ``language`` (``message_language``) and ``zone``; the template has the caller's
    context only. ``reference``: what it delivers; an address sent it already is not sent
    it again. Returns the message, or None when nothing was sent (no address, or sent
    already). No consent is looked for (``selectors.why_not_by_email`` is a party's): the
    address was given to be sent these."""
    if not address:
        return None
    if reference and _sent_to_address(address, reference):
        return None
    with translation.override(message_language(language)), timezone.override(zone):
        text = render_to_string(email_template(name), context)
    subject, body = _subject_and_body(text)
    return queue_message(
        address=address,
        kind=name,
        subject=subject,
        body=body,
        case=case,
        attachment=attachment,
        reference=reference,
    )


def _sent_to_address(address: str, reference: str) -> bool:
    return Message.objects.filter(
        recipient__isnull=True, party__isnull=True, to_address=address, reference=reference
    ).exists()


def members(organisation: Organisation, role: str) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(organisation=organisation, role=role).select_related(
            "user"
        )
    ]


def supervisors_of(organisation: Organisation) -> list[User]:
    return members(organisation, Role.SUPERVISOR)


def officers_of(organisation: Organisation) -> list[User]:
    return members(organisation, Role.CASE_OFFICER)


def staff_of(organisation: Organisation) -> list[User]:
    """Who works an organisation's own clock (a department's reply, its action item): its
    officers and liaisons. Its head hears of it when it runs out (the escalation)."""
    roles = (Role.CASE_OFFICER, Role.DEPARTMENT_LIAISON)
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=organisation, role__in=roles, user__is_active=True
        ).select_related("user")
    ]


def case_officers(case: Case) -> list[User]:
    """Who is told about a case's work: its officer, or, with none, the handling
    organisation's officers."""
    return [case.officer] if case.officer else officers_of(case.handling_organisation)
