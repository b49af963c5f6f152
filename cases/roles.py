"""Each role is a Django group; its model permissions apply to whoever holds the role in an
organisation (see ``cases.auth.MembershipBackend``). They open the administration pages
and nothing else: what a role may do on a case depends on its relation to the case and is
decided by ``cases.capabilities``. An administrator may grant a group more in the admin;
``migrate`` adds back any default that was removed."""

from django.contrib.auth.models import Group, Permission

from .models import Role

DEFAULT_PERMISSIONS: dict[str, list[str]] = {
    Role.CASE_OFFICER: [],
    Role.SUPERVISOR: [],
    Role.LEGAL_ADVISER: [],
    Role.DEPARTMENT_LIAISON: [],
    Role.MEDIATOR: [],
    Role.ADMINISTRATOR: [
        "cases.view_organisation",
        "cases.add_organisation",
        "cases.change_organisation",
        "cases.view_membership",
        "cases.add_membership",
        "cases.change_membership",
        "cases.delete_membership",
        "cases.view_calendaroverride",
        "cases.add_calendaroverride",
        "cases.change_calendaroverride",
        "cases.delete_calendaroverride",
        "cases.view_user",
        "cases.add_user",
        "cases.change_user",
    ],
}


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def ensure_role_groups(**kwargs) -> None:
    for role, names in DEFAULT_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(names))
