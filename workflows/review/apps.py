from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """Legal review by the advisory committee (法顾委): the first stage of a case."""

    name = "workflows.review"
    label = "review"
    verbose_name = _("Legal review")

    def ready(self) -> None:
        from . import stage

        stage.register()
