from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from . import capabilities  # noqa: F401 - registers the case actions with `rules`
        from .roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
