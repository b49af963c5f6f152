from django.conf import settings
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


class Outcome(models.Model):
    """What the outcome step of a run found: settled (and since when the agreement holds)
    or not (and the route forward the parties were given). A record to read, not timeline
    text to parse; the case's status change, with its reason, stays on the timeline."""

    class Result(models.TextChoices):
        SETTLED = "settled", _("Settled")
        UNRESOLVED = "unresolved", _("Not settled")

    class RouteForward(models.TextChoices):
        LITIGATION = "litigation", _("Guidance on litigation")
        ARBITRATION = "arbitration", _("Arbitration")
        ADMINISTRATIVE = "administrative", _("Administrative channel")

    # One outcome a run: the step comes once in a process (a reopened case runs another).
    process = models.OneToOneField(
        CaseProcess,
        verbose_name=_("case process"),
        on_delete=models.PROTECT,
        related_name="outcome",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="outcomes"
    )
    result = models.CharField(_("Outcome"), max_length=20, choices=Result.choices)
    agreement_on = models.DateField(_("Date the agreement took effect"), null=True, blank=True)
    route_forward = models.CharField(
        _("Route forward if not settled"), max_length=20, choices=RouteForward.choices, blank=True
    )
    notes = models.TextField(_("Notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            # A settlement has its date and no route forward; the other way round if not.
            models.CheckConstraint(
                condition=(
                    models.Q(result="settled", agreement_on__isnull=False, route_forward="")
                    | (
                        models.Q(result="unresolved", agreement_on__isnull=True)
                        & ~models.Q(route_forward="")
                    )
                ),
                name="outcome_fits_its_result",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_result_display()}"
