"""E-mail to staff, in each person's own language and time zone. In the demo the console
backend prints them."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cases.models import Membership, Organisation, Role, User


def site_url(path: str) -> str:
    """Links in e-mails point at the site's public address."""
    return settings.SITE_URL.rstrip("/") + path


def render_message(user: User, name: str, context: dict) -> tuple[str, str]:
    """The template's first line is the subject, the rest the body."""
    with translation.override(user.language), timezone.override(user.time_zone):
        text = render_to_string(f"workflows/email/{name}.txt", {"user": user, **context})
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def notify(user: User, name: str, context: dict) -> None:
    """Send after the surrounding transaction commits, so a rolled-back step mails nobody."""
    if not user.email or not user.is_active:
        return
    subject, body = render_message(user, name, context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
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
