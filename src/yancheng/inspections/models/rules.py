"""The supervisor's rules: the policy, the cap matrix, exemption reasons and quiet periods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, Organisation, Region

if TYPE_CHECKING:
    pass

from .choices import Grade
from .planning import InspectionItem


class InspectionPolicy(models.Model):
    """The city's inspection rules that are not a matrix (one row, edited by the supervisor)."""

    class Handling(models.TextChoices):
        REFUSE = "refuse", _("拒绝登记")
        ALERT = "alert", _("允许登记并预警")

    supervising_org = models.ForeignKey(
        Organisation, verbose_name=_("行政执法监督机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("投诉和未登记入企举报交由该机构处理"),
    )
    grade_a_proactive = models.CharField(
        _("对A级企业主动检查"), max_length=8, choices=Handling.choices, default=Handling.REFUSE
    )
    cap_exceeded = models.CharField(_("超过频次上限"), max_length=8, choices=Handling.choices, default=Handling.ALERT)
    high_frequency_window_days = models.PositiveSmallIntegerField(_("高频入企统计窗口（自然日）"), default=30)
    high_frequency_threshold = models.PositiveSmallIntegerField(
        _("高频入企预警次数"), default=3, help_text=_("窗口内各类入企（含非执法）达到该次数即预警")
    )
    backfill_days = models.PositiveSmallIntegerField(_("补录期限（自然日）"), default=10)
    rating_min_count = models.PositiveSmallIntegerField(
        _("评价汇总最少条数"), default=5, help_text=_("少于该条数不显示平均分，不得小于5")
    )

    class Meta:
        verbose_name = _("检查规则")
        verbose_name_plural = _("检查规则")
        constraints = [
            models.CheckConstraint(condition=Q(rating_min_count__gte=5), name="rating_min_count_at_least_5"),
            models.CheckConstraint(condition=Q(backfill_days__gte=1), name="backfill_days_positive"),
            models.CheckConstraint(condition=Q(high_frequency_threshold__gte=2), name="high_frequency_at_least_2"),
        ]

    def __str__(self) -> str:
        return str(_("检查规则"))

    @classmethod
    def current(cls) -> InspectionPolicy:
        """The city's policy, read only: the row (migration 0003 puts the defaults there), or
        the defaults unsaved when there is none (a flushed database). Reading never writes;
        changes go through `supervision.policy.policy_update`, which is audited."""
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls()


class CapRule(models.Model):
    """A cell of the cap matrix: at most `max_per_year` counted inspections a year of an
    enterprise of `grade` — for one item (scope item), by one department (scope
    department; no department = every department), or by all departments together
    (scope total). Exempt inspections do not count; a joint inspection counts once."""

    class Scope(models.TextChoices):
        ITEM = "item", _("单个事项")
        DEPARTMENT = "department", _("单个部门")
        TOTAL = "total", _("全部部门合计")

    grade = models.CharField(_("企业等级"), max_length=1, choices=Grade.choices)
    scope = models.CharField(_("范围"), max_length=16, choices=Scope.choices)
    item = models.ForeignKey(
        InspectionItem, verbose_name=_("检查事项"), null=True, blank=True, on_delete=models.CASCADE, related_name="caps"
    )
    department = models.ForeignKey(
        Organisation, verbose_name=_("部门"), null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text=_("范围为“单个部门”时留空表示适用于每个部门"),
    )
    max_per_year = models.PositiveSmallIntegerField(_("每年最多（次）"))

    class Meta:
        verbose_name = _("检查频次上限")
        verbose_name_plural = _("检查频次上限")
        ordering = ["grade", "scope", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="item", item__isnull=False, department__isnull=True)
                    | Q(scope="department", item__isnull=True)
                    | Q(scope="total", item__isnull=True, department__isnull=True)
                ),
                name="cap_scope_fields",
            ),
            models.UniqueConstraint(fields=["grade", "item"], condition=Q(scope="item"), name="cap_item_unique"),
            models.UniqueConstraint(
                fields=["grade", "department"], condition=Q(scope="department", department__isnull=False),
                name="cap_department_unique",
            ),
            models.UniqueConstraint(
                fields=["grade"], condition=Q(scope="department", department__isnull=True),
                name="cap_every_department_unique",
            ),
            models.UniqueConstraint(fields=["grade"], condition=Q(scope="total"), name="cap_total_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} · {self.get_scope_display()} · {self.max_per_year}"


class ExemptionReason(models.Model):
    """A reason an inspection does not count against caps and is admitted in quiet periods
    (个案检查: a complaint, a referral, follow-up of rectification, the enterprise's own
    request …), with the evidence it needs."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    evidence_required = models.CharField(_("所需证明材料"), max_length=200)
    requires_attachment = models.BooleanField(_("须上传附件"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("豁免事由")
        verbose_name_plural = _("豁免事由")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class QuietPeriod(models.Model):
    """企业宁静期: a window in which only exempt inspections are admitted — for the whole
    city, one region, or one enterprise."""

    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("留空表示全市"),
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业宁静期")
        verbose_name_plural = _("企业宁静期")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="quiet_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"
