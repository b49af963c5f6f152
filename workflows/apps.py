from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        # The flow class registers itself with viewflow, placing the stages' nodes (they
        # registered first); the case page's own panels join the stages'.
        from . import case_panels, flows, party_links  # noqa: F401
