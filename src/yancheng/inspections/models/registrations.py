"""Registrations (扫码入企): the inspection, its departments, inspectors and items, and the alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, Organisation

if TYPE_CHECKING:
    from yancheng.core.typing import MaybeActor

from .choices import EntryMode, FoundBy, Grade, InspectionKind, OutsidePlanReason, VisitPurpose
from .codes import SupervisionCode
from .planning import InspectionItem, InspectorLicence, JointProposal, PlanEntry
from .rules import CapRule, ExemptionReason


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def visible_to(self, user: MaybeActor | None) -> QuerySet[Inspection]:
        from ..permissions import inspections_visible_to

        return inspections_visible_to(user, self)


class Inspection(models.Model):
    """扫码入企 registration: one visit to one enterprise by one department, or by several
    for a joint inspection (which counts once against every cap)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("检查中")
        FINISHED = "finished", _("已结束")

    class Outcome(models.TextChoices):
        NO_ISSUE = "no_issue", _("未发现问题")
        RECTIFY = "rectify", _("责令整改")
        CASE_FILED = "case_filed", _("立案调查")
        GUIDANCE = "guidance", _("指导服务")
        OTHER = "other", _("其他")

    number = models.CharField(_("登记编号"), max_length=24, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="inspections"
    )
    department = models.ForeignKey(
        Organisation, verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="led_inspections"
    )
    departments = models.ManyToManyField(
        Organisation, verbose_name=_("参与部门"), through="InspectionDepartment", related_name="inspections"
    )
    code = models.ForeignKey(
        SupervisionCode, verbose_name=_("所扫监督码"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="inspections",
    )
    found_by = models.CharField(_("查找方式"), max_length=16, choices=FoundBy.choices, default=FoundBy.CODE)
    kind = models.CharField(_("类型"), max_length=16, choices=InspectionKind.choices)
    purpose = models.CharField(_("入企目的"), max_length=16, choices=VisitPurpose.choices, blank=True)
    items = models.ManyToManyField(
        InspectionItem, verbose_name=_("检查事项"), through="InspectionItemChecked", related_name="inspections"
    )
    legal_basis = models.TextField(_("检查依据"), blank=True)
    plan_entry = models.ForeignKey(
        PlanEntry, verbose_name=_("所依计划"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="inspections",
    )
    joint_proposal = models.ForeignKey(
        JointProposal, verbose_name=_("联合检查"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="inspections",
    )
    outside_plan_reason = models.CharField(
        _("计划外事由"), max_length=16, choices=OutsidePlanReason.choices, blank=True
    )
    exemption_reason = models.ForeignKey(
        ExemptionReason, verbose_name=_("豁免事由"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exemption_evidence = models.TextField(_("豁免证明"), blank=True, help_text=_("例如投诉举报编号、交办文号"))
    entry_mode = models.CharField(_("登记方式"), max_length=16, choices=EntryMode.choices, default=EntryMode.SCANNED)
    entry_mode_reason = models.TextField(_("先查后扫/补录原因"), blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    outcome = models.CharField(_("检查结果"), max_length=16, choices=Outcome.choices, blank=True)
    result = models.TextField(_("结果说明"), blank=True)
    grade_at_registration = models.CharField(_("登记时企业等级"), max_length=1, choices=Grade.choices)
    counts_toward_caps = models.BooleanField(
        _("计入频次"), default=True, help_text=_("豁免检查和非执法入企不计入检查频次上限")
    )
    warnings = models.JSONField(_("登记时的提示"), default=list, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("登记时间"))
    version = models.PositiveIntegerField(default=1)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("入企检查登记")
        verbose_name_plural = _("入企检查登记")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="inspection_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress") | (Q(ended_at__isnull=False) & ~Q(outcome="")),
                name="inspection_finished_has_result",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "started_at"]),
            models.Index(fields=["department", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise}"


class InspectionDepartment(models.Model):
    """A department taking part in a registration (the lead included)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="department_links")
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("参与部门")
        verbose_name_plural = _("参与部门")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "department"], name="inspection_department_once"),
        ]
        indexes = [models.Index(fields=["department", "inspection"])]

    def __str__(self) -> str:
        return str(self.department)


class InspectionInspector(models.Model):
    """A licensed inspector on a registration; name and certificate are copied so the record
    stays true when the registry changes."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="inspectors")
    licence = models.ForeignKey(InspectorLicence, on_delete=models.PROTECT, related_name="inspections")
    full_name = models.CharField(_("姓名"), max_length=64)
    certificate_no = models.CharField(_("执法证号"), max_length=32)

    class Meta:
        verbose_name = _("检查人员")
        verbose_name_plural = _("检查人员")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["inspection", "licence"], name="inspector_once")]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.certificate_no}）"


class InspectionItemChecked(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="item_links")
    item = models.ForeignKey(InspectionItem, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("已查事项")
        verbose_name_plural = _("已查事项")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspection_item_once")]
        indexes = [models.Index(fields=["item", "inspection"])]

    def __str__(self) -> str:
        return str(self.item)


class InspectionAlert(models.Model):
    """A rule reached or broken, for the supervisor (and the department concerned)."""

    class Kind(models.TextChoices):
        CAP_REACHED = "cap_reached", _("达到频次上限")
        CAP_EXCEEDED = "cap_exceeded", _("超过频次上限")
        GRADE_A = "grade_a", _("对A级企业主动检查")
        QUIET_PERIOD = "quiet_period", _("宁静期入企")
        HIGH_FREQUENCY = "high_frequency", _("高频入企")
        EMERGENCY = "emergency", _("先查后扫")
        BACKFILL = "backfill", _("事后补录")
        UNREGISTERED = "unregistered", _("企业举报未登记入企")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        HANDLED = "handled", _("已处理")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Organisation, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("登记"), null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    cap_rule = models.ForeignKey(
        CapRule, verbose_name=_("频次规则"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    count = models.PositiveIntegerField(_("次数"), default=0)
    limit = models.PositiveIntegerField(_("上限"), null=True, blank=True)
    message = models.CharField(_("说明"), max_length=300)
    created_at = models.DateTimeField(_("预警时间"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handling_note = models.CharField(_("处理意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("检查预警")
        verbose_name_plural = _("检查预警")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["department", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.enterprise}"
