from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    """Online mediation (调解): mediators, consent, sessions, the party's own link, the
    调解笔录 and the outcome: a stage of a case."""

    name = "mediation.sessions"
    # "sessions" is Django's own session store.
    label = "mediation_sessions"
    verbose_name = _("Mediation")

    def ready(self) -> None:
        from . import stage

        stage.register()
