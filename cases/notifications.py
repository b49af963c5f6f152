"""E-mail to staff, in each person's own language and time zone, through the outbox
(``cases.mail``). In the demo the console backend prints them."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .mail import MessageAttachment, queue_message
from .models import Case, Membership, Organisation, Role, User
from .registry import email_template


def site_url(path: str) -> str:
    """Links in e-mails point at the site's public address."""
    return settings.SITE_URL.rstrip("/") + path


def render_message(user: User, name: str, context: dict) -> tuple[str, str]:
    """The template's first line is the subject, the rest the body."""
    with translation.override(user.language), timezone.override(user.time_zone):
        text = render_to_string(email_template(name), {"user": user, **context})
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
