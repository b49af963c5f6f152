"""Each role is a Django group; its permissions apply to whoever holds the role in an
organisation (see ``cases.auth.MembershipBackend``). An administrator may grant a group more
in the admin; ``migrate`` adds back any default that was removed."""

from django.contrib.auth.models import Group, Permission

from .models import Role

_OFFICER = [
    "cases.respond_to_referral",
    "cases.view_case",
    "cases.add_case",
    "cases.change_case",
    "cases.handle_case",
    "cases.view_party",
    "cases.add_party",
    "cases.view_person",
    "cases.add_person",
    "cases.change_person",
    "cases.view_association",
    "cases.add_association",
    "cases.view_caseevent",
    "cases.add_caseevent",
]

DEFAULT_PERMISSIONS: dict[str, list[str]] = {
    Role.CASE_OFFICER: _OFFICER,
    Role.SUPERVISOR: [
        *_OFFICER,
        "cases.decide_acceptance",
        "cases.approve_closure",
        "cases.approve_extension",
    ],
    Role.LEGAL_ADVISER: ["cases.view_case", "cases.view_party", "cases.view_caseevent"],
    Role.DEPARTMENT_LIAISON: [
        "cases.view_case",
        "cases.view_caseevent",
        "cases.respond_to_referral",
    ],
    Role.MEDIATOR: ["cases.view_case", "cases.view_party", "cases.view_caseevent"],
    Role.ADMINISTRATOR: [
        *_OFFICER,
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
