import rules
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from .capabilities import CAPABILITIES
from .models import Membership

CAPABILITY_CODENAMES = [name.split(".", 1)[1] for name in CAPABILITIES]


class MembershipBackend(ModelBackend):
    """Grants the model permissions (the administration pages) of the groups a user is in
    and of the roles the user holds in any organisation. A permission named like a case
    capability is never granted here, even if an administrator put it in a group: those
    are decided per case by ``cases.capabilities``."""

    def has_perm(self, user_obj, perm, obj=None):
        # What `rules` decides (a case capability, a stage's rule such as the menu's
        # review.see_committee) is no model permission: not looked for in the user's
        # groups and roles, which would cost two queries a page to find nothing.
        if rules.perm_exists(perm):
            return False
        return super().has_perm(user_obj, perm, obj)

    def _get_group_permissions(self, user_obj):
        roles = Membership.objects.filter(user=user_obj).values("role")
        return Permission.objects.filter(
            Q(group__user=user_obj) | Q(group__name__in=roles)
        ).exclude(content_type__app_label="cases", codename__in=CAPABILITY_CODENAMES)

    def _get_user_permissions(self, user_obj):
        return (
            super()
            ._get_user_permissions(user_obj)
            .exclude(content_type__app_label="cases", codename__in=CAPABILITY_CODENAMES)
        )
