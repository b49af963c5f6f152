from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """The settlement agreement (调解协议书) and what follows it: confirmation by every
    party and the mediator, judicial confirmation, performance, follow-up visits: a stage
    of a case."""

    name = "mediation.agreements"
    label = "agreements"
    verbose_name = _("Settlement agreements")

    def ready(self) -> None:
        from . import stage

        stage.register()
