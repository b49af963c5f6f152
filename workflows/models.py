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
    # Decisions recorded by tasks that later gates read.
    decision = models.CharField(_("acceptance decision"), max_length=20, blank=True)
    route = models.CharField(_("route"), max_length=20, blank=True)
    objected = models.BooleanField(_("referral objected to"), default=False)

    class Meta:
        verbose_name = _("case process")
        verbose_name_plural = _("case processes")
