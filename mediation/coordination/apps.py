from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    """Multi-department coordination meetings (协调会): a stage of a case."""

    name = "mediation.coordination"
    label = "coordination"
    verbose_name = _("Coordination meetings")

    def ready(self) -> None:
        from . import stage

        stage.register()
