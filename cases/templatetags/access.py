"""What the refusal page (templates/403.html) tells a person: their roles, and whom to ask
for another.

``{% load access %}``:

- ``{% roles_of user as roles %}``: "Case officer, 河源市侨联" for each of their roles;
- ``{% who_to_ask user as people %}``: those who give roles in their organisations, the
  administrators (else the supervisors), "name (organisation)".
"""

from __future__ import annotations

from django import template
from django.utils.translation import pgettext

from cases.models import Membership, Role

register = template.Library()


def _named(membership: Membership) -> str:
    return pgettext("a person and where", "%(who)s (%(where)s)") % {
        "who": membership.user,
        "where": membership.organisation,
    }


@register.simple_tag
def roles_of(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        pgettext("a person and where", "%(who)s (%(where)s)")
        % {"who": m.get_role_display(), "where": m.organisation}
        for m in Membership.objects.filter(user=user).select_related("organisation")
    ]


@register.simple_tag
def who_to_ask(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    theirs = Membership.objects.filter(user=user).values("organisation")
    for role in (Role.ADMINISTRATOR, Role.SUPERVISOR):
        found = (
            Membership.objects.filter(organisation__in=theirs, role=role)
            .exclude(user=user)
            .select_related("user", "organisation")
            .order_by("organisation__name", "user__username")
        )
        if found:
            return [_named(m) for m in found]
    return []
