"""发展目标清单: a chain's targets per year with their reported actuals.

Actuals are year-to-date cumulative values (1–N月累计, how statistics are reported) for a
month or a quarter. A target's light compares the latest actual with the linear plan from
the year's baseline (上年基数) to the target: yellow 10–30 points behind, red beyond 30 —
the projects' 序时进度 rule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import IndustryChain


class TargetMetric(models.TextChoices):
    OUTPUT = "output", _("规上工业总产值")
    ABOVE_SCALE = "above_scale", _("规上企业数")
    INVESTMENT = "investment", _("产业投资")
    TAX = "tax", _("税收")
    EMPLOYMENT = "employment", _("从业人员")
    OTHER = "other", _("其他指标")


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("按月")
    QUARTERLY = "quarterly", _("按季")


class ChainTarget(models.Model):
    """One target of a chain for a year (e.g. 2026 规上工业总产值 520 亿元)."""

    chain = models.ForeignKey(IndustryChain, verbose_name=_("产业链"), on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(_("年度"))
    metric = models.CharField(_("指标"), max_length=16, choices=TargetMetric.choices)
    name = models.CharField(_("指标名称"), max_length=64, blank=True, help_text=_("“其他指标”必填；其余留空用标准名称"))
    unit = models.CharField(_("单位"), max_length=16)
    baseline = models.DecimalField(_("上年基数"), max_digits=16, decimal_places=2, default=0)
    target_value = models.DecimalField(_("年度目标"), max_digits=16, decimal_places=2)
    cadence = models.CharField(_("报送频次"), max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("发展目标")
        verbose_name_plural = _("发展目标")
        ordering = ["chain", "-year", "metric", "name"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "year", "metric", "name"], name="chain_target_unique"),
            models.CheckConstraint(condition=~Q(metric="other") | ~Q(name=""), name="chain_target_other_named"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} {self.year} {self.name or self.get_metric_display()}"

    @property
    def label(self) -> str:
        return self.name or str(self.get_metric_display())

    @property
    def periods_per_year(self) -> int:
        return 12 if self.cadence == Cadence.MONTHLY else 4


class TargetActual(models.Model):
    """A reported actual: the year-to-date value at the end of a month (1–12) or a quarter (1–4)."""

    target = models.ForeignKey(ChainTarget, verbose_name=_("目标"), on_delete=models.CASCADE, related_name="actuals")
    period = models.PositiveSmallIntegerField(_("期次"))
    value = models.DecimalField(_("累计完成"), max_digits=16, decimal_places=2)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reported_at = models.DateTimeField(_("报送时间"), auto_now=True)

    class Meta:
        verbose_name = _("目标完成情况")
        verbose_name_plural = _("目标完成情况")
        ordering = ["target", "period"]
        constraints = [
            models.UniqueConstraint(fields=["target", "period"], name="chain_actual_unique"),
            models.CheckConstraint(condition=Q(period__gte=1) & Q(period__lte=12), name="chain_actual_period_range"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id}#{self.period}"
