from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    # Coordination meetings, mediation sessions and agreements arrive with [Q5] and [Q6].
    name = "mediation"
    verbose_name = _("Mediation")
