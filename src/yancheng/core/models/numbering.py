from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberCounter(models.Model):
    """The last number given in a series and year (信访件编号, each organ's 文号 of each kind,
    督办 notices, hazards …). The row is locked while a number is taken, so two clerks never
    get the same one; see ``core.kit.numbering``."""

    series = models.CharField(_("编号序列"), max_length=48)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="core_number_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"
