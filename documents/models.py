from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """The last number issued for one prefix, year and kind of document (文号 registry).

    One row per sequence, locked while a number is taken, so numbers are gapless: a
    transaction that rolls back gives its number back with it.
    """

    prefix = models.CharField(_("prefix"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=30)
    last_value = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year", "kind"], name="unique_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.kind}: {self.last_value}"
