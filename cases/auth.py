from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from .models import Membership


class MembershipBackend(ModelBackend):
    """Grants the permissions of the groups a user is in and of the roles the user holds
    in any organisation. Which cases those permissions reach is decided by
    ``cases.selectors``, by organisation."""

    def _get_group_permissions(self, user_obj):
        roles = Membership.objects.filter(user=user_obj).values("role")
        return Permission.objects.filter(Q(group__user=user_obj) | Q(group__name__in=roles))
