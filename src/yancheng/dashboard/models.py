"""挂图作战 (SPEC §3 item 5, §9): the ranking formula, the monthly ranking snapshots
(月排名, immutable), the 红黄榜 and the 争资 amounts that feed the 规模榜单.

Everything else the dashboard shows is read from the other apps; nothing here is a
copy of live data except the frozen snapshots."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yancheng.core.errors import DomainError
from yancheng.core.models import Organisation, Region
from yancheng.projects.models import Project


def _weight(label: Any) -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(label, max_digits=6, decimal_places=2, default=Decimal("0"))


class SnapshotImmutable(DomainError):
    code = "snapshot_immutable"
    http_status = 409


class RankingKind(models.TextChoices):
    REGION = "region", _("县市区")
    UNIT = "unit", _("责任单位")


# The metrics of a ranking row, in the order the formula and the tables show them.
# (field name on RankingFormula, metric key in a row, label, sign)
METRICS: tuple[tuple[str, str, Any, int], ...] = (
    ("w_investment", "investment_rate", _("投资完成率"), 1),
    ("w_nodes", "nodes_rate", _("节点按期率"), 1),
    ("w_cases", "cases_rate", _("事项按期办结率"), 1),
    ("w_satisfaction", "satisfaction_rate", _("满意率"), 1),
    ("w_attracted", "attracted_index", _("引资指数"), 1),
    ("w_won", "won_index", _("争资指数"), 1),
    ("w_escalations", "escalations", _("升级次数"), -1),
    # 信访 (issue 13): per handling organ (unit ranking) or problem region (region ranking).
    ("w_petition_ontime", "petition_ontime_rate", _("信访按期办结率"), 1),
    ("w_petition_satisfaction", "petition_satisfaction_rate", _("信访满意率"), 1),
    ("w_petition_repeat", "petition_repeat_rate", _("重复信访率"), -1),
    # 安全生产 (issue 14): per region of the hazard (region ranking only).
    ("w_hazard_ontime", "hazard_ontime_rate", _("隐患按期整改率"), 1),
    ("w_major_hazards_overdue", "major_hazards_overdue", _("重大隐患逾期数"), -1),
    # 产业链 (issue 15): per unit (unit ranking only).
    ("w_lead_conversion", "lead_conversion_rate", _("招商转化率"), 1),
    ("w_target_completion", "target_completion_rate", _("产业链目标完成率"), 1),
)


class RankingFormula(models.Model):
    """The weighted score of the monthly ranking (configurable; one row is active).

    score = Σ weight × rate (rates in %, 0–100) + weights × 引资/争资 indices (amount ÷ the
    month's highest amount × 100) − weight × escalations (催办、督办、通报 each count once)
    − weight × 重复信访率 (%)."""

    name = models.CharField(_("名称"), max_length=64, default="月排名计分办法")
    w_investment = _weight(_("投资完成率权重"))
    w_nodes = _weight(_("节点按期率权重"))
    w_cases = _weight(_("事项按期办结率权重"))
    w_satisfaction = _weight(_("满意率权重"))
    w_attracted = _weight(_("引资指数权重"))
    w_won = _weight(_("争资指数权重"))
    w_escalations = _weight(_("每次升级扣分"))
    # 信访 terms: 0 by default, so a ranking is unchanged until the office gives them a weight.
    w_petition_ontime = _weight(_("信访按期办结率权重"))
    w_petition_satisfaction = _weight(_("信访满意率权重"))
    w_petition_repeat = _weight(_("重复信访率扣分权重"))
    # 安全生产 terms: 0 by default too.
    w_hazard_ontime = _weight(_("隐患按期整改率权重"))
    w_major_hazards_overdue = _weight(_("每项逾期重大隐患扣分"))
    # 产业链 terms (unit ranking): 0 by default, so existing rankings keep their numbers.
    w_lead_conversion = _weight(_("招商转化率权重"))
    w_target_completion = _weight(_("产业链目标完成率权重"))
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("排名计分办法")
        verbose_name_plural = _("排名计分办法")
        ordering = ["-is_active", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(w_investment__gte=0) & Q(w_nodes__gte=0) & Q(w_cases__gte=0)
                & Q(w_satisfaction__gte=0) & Q(w_attracted__gte=0) & Q(w_won__gte=0) & Q(w_escalations__gte=0),
                name="ranking_formula_weights_nonneg",
            ),
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="ranking_formula_one_active"),
            models.CheckConstraint(
                condition=Q(w_petition_ontime__gte=0) & Q(w_petition_satisfaction__gte=0) & Q(w_petition_repeat__gte=0),
                name="ranking_formula_petition_weights_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(w_hazard_ontime__gte=0) & Q(w_major_hazards_overdue__gte=0),
                name="ranking_formula_safety_weights_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(w_lead_conversion__gte=0) & Q(w_target_completion__gte=0),
                name="ranking_formula_chain_weights_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def weights(self) -> dict[str, str]:
        return {field: str(getattr(self, field)) for field, _key, _label, _sign in METRICS}


class RankingSnapshot(models.Model):
    """月排名: one month's ranking of regions or units, frozen with the formula it was
    computed with. Rows are never changed (save() refuses updates, database triggers
    refuse UPDATE and DELETE); 重新生成 adds a new version and keeps the old."""

    kind = models.CharField(_("排名对象"), max_length=8, choices=RankingKind.choices)
    month = models.DateField(_("月份"), help_text=_("该月 1 日"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    formula = models.JSONField(_("计分办法"), encoder=DjangoJSONEncoder)
    rows = models.JSONField(_("排名"), encoder=DjangoJSONEncoder)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("月排名")
        verbose_name_plural = _("月排名")
        ordering = ["-month", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "month", "version"], name="ranking_snapshot_unique_version"),
            models.CheckConstraint(condition=Q(month__day=1), name="ranking_snapshot_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise SnapshotImmutable(_("月排名一经生成不可修改；如需更正请重新生成新版本。"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise SnapshotImmutable(_("月排名一经生成不可删除。"))


class RedYellowEntry(models.Model):
    """红黄榜: projects that advanced go on the red list (红榜, with incentives); lagging
    ones on the yellow list (黄榜) with a deadline and a rectification plan (整改方案)."""

    class Board(models.TextChoices):
        RED = "red", _("红榜")
        YELLOW = "yellow", _("黄榜")

    class EntryStatus(models.TextChoices):
        LISTED = "listed", _("在榜")
        RECTIFIED = "rectified", _("已整改销号")

    board = models.CharField(_("榜单"), max_length=8, choices=Board.choices)
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("上榜月份"), help_text=_("该月 1 日"))
    reason = models.CharField(_("上榜理由"), max_length=500)
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    rectification_plan = models.TextField(_("整改方案"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.LISTED)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closing_note = models.CharField(_("销号说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上榜时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("红黄榜")
        verbose_name_plural = _("红黄榜")
        ordering = ["-month", "board", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(board="red") | (Q(deadline__isnull=False) & ~Q(rectification_plan="")),
                name="yellow_entry_has_deadline_and_plan",
            ),
            models.UniqueConstraint(fields=["board", "project", "month"], name="red_yellow_once_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.get_board_display()} {self.project_id} {self.month:%Y-%m}"


class FundsWon(models.Model):
    """争资: funds won from higher levels (中央预算内投资、专项债 …) in a month, by region and,
    where known, by the unit that won them (规模榜单制)."""

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("争取单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("月份"), help_text=_("该月 1 日"))
    amount = models.DecimalField(_("金额（万元）"), max_digits=14, decimal_places=2)
    title = models.CharField(_("资金名称"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("争资到位")
        verbose_name_plural = _("争资到位")
        ordering = ["-month", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_won_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="funds_won_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.amount}"
