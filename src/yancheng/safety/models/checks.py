"""常态化: recurring check tasks per responsible unit, and check records. A department's check
of an enterprise is an enterprise inspection registered through the enterprise's supervision
code (SPEC §4): the record points at that registration and adds the safety findings; it never
registers a visit of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, Organisation

from .registry import SafetySystem, SystemChecklistItem, SystemDuty

if TYPE_CHECKING:
    from yancheng.core.typing import MaybeActor


class CheckTaskQuerySet(models.QuerySet["CheckTask"]):
    def visible_to(self, user: MaybeActor | None) -> QuerySet[CheckTask]:
        from ..permissions import tasks_visible_to

        return tasks_visible_to(user, self)


class CheckTask(models.Model):
    """One period's checks a responsible unit owes under a recurring duty: check ``target``
    enterprises of its scope between ``period_start`` and ``due_on`` (the period's last working
    day). Done when that many distinct enterprises have a check record in the period."""

    system = models.ForeignKey(SafetySystem, verbose_name=_("责任制"), on_delete=models.PROTECT, related_name="tasks")
    duty = models.ForeignKey(SystemDuty, verbose_name=_("职责"), on_delete=models.PROTECT, related_name="tasks")
    unit = models.ForeignKey(Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="safety_tasks")
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    due_on = models.DateField(_("完成期限"))
    yellow_on = models.DateField(
        _("黄灯起始日"), null=True, blank=True, help_text=_("周期最后三分之一的第一天：未完成的任务自此日起亮黄灯")
    )
    target = models.PositiveIntegerField(_("应检企业数"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = CheckTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查任务")
        verbose_name_plural = _("检查任务")
        ordering = ["due_on", "unit__code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "unit", "period_start"], name="safety_task_once_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="safety_task_period"),
        ]
        indexes = [models.Index(fields=["unit", "due_on"]), models.Index(fields=["system", "period_start"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.duty} · {self.period_start:%Y-%m}"


class CheckKind(models.TextChoices):
    DEPARTMENT = "department", _("部门检查")
    SELF = "self", _("企业自查")
    GRID = "grid", _("网格巡查")
    VERIFICATION = "verification", _("销号核查")


class SafetyCheckQuerySet(models.QuerySet["SafetyCheck"]):
    def visible_to(self, user: MaybeActor | None) -> QuerySet[SafetyCheck]:
        from ..permissions import checks_visible_to

        return checks_visible_to(user, self)


class SafetyCheck(models.Model):
    """A check record: who checked which enterprise under which system, the result per
    checklist item, photos (attachments of this row) and the hazards found (``Hazard.found_in``).
    A department check names the inspection registration it belongs to (``inspection_id``)."""

    number = models.CharField(_("记录编号"), max_length=24, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=CheckKind.choices)
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="safety_checks")
    system = models.ForeignKey(SafetySystem, verbose_name=_("责任制"), on_delete=models.PROTECT, related_name="checks")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="+",
        help_text=_("企业自查为企业本身"),
    )
    inspection = models.ForeignKey(
        "inspections.Inspection", verbose_name=_("入企检查登记"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    task = models.ForeignKey(
        CheckTask, verbose_name=_("检查任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="checks"
    )
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="+")
    performed_on = models.DateField(_("检查日期"))
    summary = models.TextField(_("检查情况"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))

    objects = SafetyCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全检查记录")
        verbose_name_plural = _("安全检查记录")
        ordering = ["-performed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "system"], condition=Q(inspection__isnull=False), name="safety_check_once_per_inspection"
            ),
            models.CheckConstraint(
                condition=~Q(kind="department") | Q(inspection__isnull=False), name="safety_department_check_registered"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "system", "performed_on"]),
            models.Index(fields=["enterprise", "performed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise}"


class CheckOutcome(models.TextChoices):
    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")
    NOT_APPLICABLE = "na", _("不适用")


class CheckResult(models.Model):
    """The result of one checklist item in a check."""

    check_record = models.ForeignKey(SafetyCheck, verbose_name=_("检查记录"), on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(SystemChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("结果"), max_length=8, choices=CheckOutcome.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("检查项结果")
        verbose_name_plural = _("检查项结果")
        ordering = ["check_record", "item__position", "item__code"]
        constraints = [models.UniqueConstraint(fields=["check_record", "item"], name="safety_result_once")]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.get_outcome_display()}"
