from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    # The case process in viewflow arrives with [Q3].
    name = "workflows"
    verbose_name = _("Workflows")
