from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class CaseProcess(Process):
    """A run of the dispute flow for one case. A reopened case runs a new process."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        related_name="processes",
    )
    # The officer's choice of route, which later gates read: no case status tells
    # "coordination, then mediation" from "coordination" alone.
    route = models.CharField(_("route"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("case process")
        verbose_name_plural = _("case processes")
