"""The department's side: the inspector registry, published items, plans, joint inspections and time slots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, Organisation

if TYPE_CHECKING:
    pass




class InspectorLicence(models.Model):
    """An entry of a department's inspector registry: a person with an enforcement
    certificate (执法证). Only licensed, active, unexpired staff may be named on a
    registration (网格员、临时工、辅助人员 without a certificate may not inspect)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        SUSPENDED = "suspended", _("暂停")
        REVOKED = "revoked", _("注销")

    department = models.ForeignKey(
        Organisation, verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="inspector_licences"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("系统账号"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="inspector_licence",
    )
    full_name = models.CharField(_("姓名"), max_length=64)
    certificate_no = models.CharField(_("执法证号"), max_length=32, unique=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("执法人员")
        verbose_name_plural = _("执法人员名录")
        ordering = ["department", "full_name"]
        constraints = [
            models.CheckConstraint(condition=~Q(certificate_no=""), name="licence_certificate_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.certificate_no}）"


class InspectionItem(models.Model):
    """An item of a department's published inspection list (检查事项清单). An item that is
    not published (or was withdrawn) cannot be inspected: "未经公布的，不得实施"."""

    department = models.ForeignKey(
        Organisation, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="inspection_items"
    )
    code = models.CharField(_("事项编码"), max_length=32)
    name = models.CharField(_("检查事项"), max_length=200)
    legal_basis = models.TextField(_("检查依据"))
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("停止实施时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查事项")
        verbose_name_plural = _("检查事项清单")
        ordering = ["department", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="item_code_unique_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.withdrawn_at is None


class InspectionPlan(models.Model):
    """A department's annual plan (month empty) or monthly plan for a year. Filed plans are
    what registrations refer to and what joint proposals are matched from."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        FILED = "filed", _("已报备")

    department = models.ForeignKey(
        Organisation, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="inspection_plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"), null=True, blank=True, help_text=_("年度计划留空"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    filed_at = models.DateTimeField(_("报备时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报备人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查计划")
        verbose_name_plural = _("检查计划")
        ordering = ["-year", "department", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year"], condition=Q(month__isnull=True), name="one_annual_plan_per_year"
            ),
            models.UniqueConstraint(
                fields=["department", "year", "month"], condition=Q(month__isnull=False),
                name="one_monthly_plan_per_month",
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12), name="plan_month_valid"
            ),
        ]

    def __str__(self) -> str:
        if self.month:
            return f"{self.department} {self.year}-{self.month:02d}"
        return f"{self.department} {self.year}"


class JointProposal(models.Model):
    """联合检查 proposal: plan entries of several departments for the same enterprise whose
    windows overlap ("进一次门、查多项事"). Once every department has accepted it, one
    registration covers them all and counts once against every cap."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        ACCEPTED = "accepted", _("已确认联合")
        DECLINED = "declined", _("未联合")
        DONE = "done", _("已实施")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="joint_proposals"
    )
    window_start = models.DateField(_("窗口开始"))
    window_end = models.DateField(_("窗口结束"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    lead_department = models.ForeignKey(
        Organisation, verbose_name=_("牵头部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联合检查建议")
        verbose_name_plural = _("联合检查建议")
        ordering = ["window_start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")), name="joint_window_order"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.window_start:%Y-%m-%d}–{self.window_end:%Y-%m-%d}"


class JointAcceptance(models.Model):
    """One department's answer to a joint proposal."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("同意联合")
        DECLINED = "declined", _("不同意")

    proposal = models.ForeignKey(JointProposal, on_delete=models.CASCADE, related_name="acceptances")
    department = models.ForeignKey(Organisation, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("意见"), max_length=16, choices=Decision.choices)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("确认时间"))

    class Meta:
        verbose_name = _("联合检查确认")
        verbose_name_plural = _("联合检查确认")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "department"], name="one_answer_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} · {self.department} · {self.get_decision_display()}"


class PlanEntry(models.Model):
    """A line of a plan: an enterprise (or a class of enterprises), the month and window,
    the item and its legal basis; announced entries are told to the enterprise, which
    may pick preferred time slots (双向预约; not for unannounced 双随机 checks)."""

    plan = models.ForeignKey(InspectionPlan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="entries")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="inspection_plan_entries",
    )
    enterprise_class = models.CharField(
        _("企业类别"), max_length=100, blank=True, help_text=_("按类别抽查时填写，例如“规上工业企业”")
    )
    item = models.ForeignKey(InspectionItem, verbose_name=_("检查事项"), on_delete=models.PROTECT, related_name="+")
    legal_basis = models.TextField(_("检查依据"))
    month = models.PositiveSmallIntegerField(_("月份"))
    window_start = models.DateField(_("计划开始"))
    window_end = models.DateField(_("计划结束"))
    announced = models.BooleanField(_("提前告知企业"), default=True)
    joint_proposal = models.ForeignKey(
        JointProposal, verbose_name=_("联合检查建议"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="entries",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("计划事项")
        verbose_name_plural = _("计划事项")
        ordering = ["window_start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="entry_month_valid"),
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")), name="entry_window_order"),
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | ~Q(enterprise_class=""), name="entry_has_target"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "window_start"])]

    def __str__(self) -> str:
        target = self.enterprise or self.enterprise_class
        return f"{target} · {self.item} · {self.window_start:%Y-%m-%d}"


class TimeSlotPreference(models.Model):
    """A half-day the enterprise prefers for an announced inspection (双向预约)."""

    class Period(models.TextChoices):
        MORNING = "am", _("上午")
        AFTERNOON = "pm", _("下午")

    entry = models.ForeignKey(PlanEntry, verbose_name=_("计划事项"), on_delete=models.CASCADE, related_name="slots")
    day = models.DateField(_("日期"))
    period = models.CharField(_("时段"), max_length=2, choices=Period.choices)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("选择人"), on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(_("选择时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["day", "period"]
        constraints = [models.UniqueConstraint(fields=["entry", "day", "period"], name="slot_unique_per_entry")]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_period_display()}"
