"""The case engine's data (SPEC §2.3): one unit of work for problems, complaints, hazards
and petitions, with its assignment, clocks, sub-tasks, extensions and history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, Organisation, Region

if TYPE_CHECKING:
    from yancheng.core.typing import MaybeActor


class CaseKind(models.TextChoices):
    PROJECT_PROBLEM = "project_problem", _("项目问题")
    ENTERPRISE_REQUEST = "enterprise_request", _("企业诉求")
    INSPECTION_COMPLAINT = "inspection_complaint", _("涉企检查投诉")
    HAZARD = "hazard", _("安全隐患")
    PETITION = "petition", _("信访事项")
    PETITION_REVIEW = "petition_review", _("信访复查复核")
    MEETING_TASK = "meeting_task", _("调度会议交办事项")
    CHAIN_PROBLEM = "chain_problem", _("产业链问题")


# The 信访 kinds (issue 13): dispatched by the 信访 staff, counted in natural days, kept out
# of the generic case dashboards (the petitions module has its own figures).
PETITION_KINDS = (CaseKind.PETITION, CaseKind.PETITION_REVIEW)


class DayUnit(models.TextChoices):
    """How a policy's limits count (SPEC §8): the 条例's "N日" are natural days, everything
    else in the engine is working days."""

    WORKING = "working", _("工作日")
    NATURAL = "natural", _("自然日")


class ExtensionApprover(models.TextChoices):
    DISPATCHER = "dispatcher", _("受理（交办）单位")
    LEAD_HEAD = "lead_head", _("承办单位负责人")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ASSIGNED = "assigned", _("已交办")
    RETURNED = "returned", _("已退回待审核")
    ACCEPTED = "accepted", _("已签收")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已评价")
    WITHDRAWN = "withdrawn", _("已撤回")
    MERGED = "merged", _("已并单")


OPEN_STATUSES = (Status.SUBMITTED, Status.ASSIGNED, Status.RETURNED, Status.ACCEPTED)
# Statuses whose clocks run (a unit has the case).
CLOCK_STATUSES = (Status.ASSIGNED, Status.RETURNED, Status.ACCEPTED)


class Light(models.TextChoices):
    """A case's light (SPEC §2.3): computed, never stored (see ``selectors.annotate_lights``
    and ``clocks.clock_light``). The same values in the HTML, the API and the dashboard."""

    RED = "red", _("红灯·逾期")
    YELLOW = "yellow", _("黄灯·临期")
    GREEN = "green", _("绿灯·正常")
    PAUSED = "paused", _("已挂起·停止计时")
    WAITING = "waiting", _("待受理")
    ONTIME = "ontime", _("按期办结")
    LATE = "late", _("逾期办结")
    NONE = "none", _("未计时")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("未升级")
    PRESSED = 1, _("催办")
    SUPERVISED = 2, _("督办")
    REPORTED = 3, _("通报")


class SlaPolicy(models.Model):
    """Time limits per case kind and urgency (configurable in the admin), counted in the
    policy's ``day_unit``: working days unless the policy says natural days (petitions).
    The fields keep their historical ``*_working_days`` names; the objection window, 督办
    and 通报 are always working days.

    Default for project problems: 1 working day to accept, 5 to solve, 2 when urgent."""

    kind = models.CharField(_("事项类型"), max_length=32, choices=CaseKind.choices)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices)
    accept_working_days = models.PositiveSmallIntegerField(_("签收时限（天）"), default=1)
    solve_working_days = models.PositiveSmallIntegerField(_("办结时限（天）"), default=5)
    objection_working_days = models.PositiveSmallIntegerField(_("退回异议时限（工作日）"), default=1)
    supervise_after_working_days = models.PositiveSmallIntegerField(
        _("逾期多少工作日后督办"), default=3, help_text=_("办结期限过后仍未办结，再过这么多个工作日升级督办")
    )
    report_after_working_days = models.PositiveSmallIntegerField(
        _("督办后多少工作日通报"), default=5, help_text=_("督办后仍未办结，再过这么多个工作日列入通报")
    )
    revisit_after_days = models.PositiveSmallIntegerField(
        _("回访间隔（自然日）"), default=7, help_text=_("评价后过这么多天向企业回访“问题是否真正解决”")
    )
    yellow_remaining_percent = models.PositiveSmallIntegerField(
        _("黄灯阈值（剩余时间百分比）"), default=33, help_text=_("剩余时间少于允许时间的这个百分比时亮黄灯")
    )
    # Issue 13: the 条例's limits are natural days; the objection window stays in working days.
    day_unit = models.CharField(
        _("签收、办结和延期时限的计日方式"), max_length=8, choices=DayUnit.choices, default=DayUnit.WORKING,
        help_text=_("退回异议时限、督办和通报时点始终按工作日计算"),
    )
    roll_to_working_day = models.BooleanField(
        _("期限末日为节假日的顺延"), default=True,
        help_text=_("按自然日计算的期限，最后一日是节假日的，以节假日后的第一个工作日为期限届满日"),
    )
    solve_from_acceptance = models.BooleanField(
        _("办结时限自受理之日起算"), default=False, help_text=_("不勾选时自交办之日起算")
    )
    extension_approver = models.CharField(
        _("延期审批"), max_length=16, choices=ExtensionApprover.choices, default=ExtensionApprover.DISPATCHER
    )
    max_extension_days = models.PositiveSmallIntegerField(
        _("累计延期上限（天）"), null=True, blank=True, help_text=_("留空表示每次申请按系统上限，不限累计")
    )

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["kind", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "urgency"], name="sla_one_per_kind_urgency"),
            models.CheckConstraint(condition=Q(yellow_remaining_percent__lte=100), name="sla_yellow_percent_le_100"),
            models.CheckConstraint(condition=Q(solve_working_days__gte=1), name="sla_solve_at_least_one_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_urgency_display()}"


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: MaybeActor | None) -> QuerySet[Case]:
        from .permissions import cases_visible_to

        return cases_visible_to(user, self)

    def with_lights(self, now: datetime | None = None) -> QuerySet[Case]:
        from .selectors import annotate_lights

        return annotate_lights(self, now)


class Case(models.Model):
    """事项: a problem an enterprise reports, a complaint, a hazard or a petition, handled by
    one lead unit (主办) with optional co-units (协办) under working-day clocks."""

    number = models.CharField(_("编号"), max_length=24, unique=True)
    kind = models.CharField(_("类型"), max_length=32, choices=CaseKind.choices, default=CaseKind.PROJECT_PROBLEM)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("问题描述"))
    subject = models.CharField(
        _("所涉项目/事项"), max_length=200, blank=True, help_text=_("例如所涉的建设项目名称")
    )
    # What the case is about, as "<app>:<id>" (e.g. "project:42"): domain apps above the
    # engine link their objects without the engine importing them.
    subject_ref = models.CharField(_("关联对象"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    reporter_org = models.ForeignKey(
        Organisation, verbose_name=_("提交单位"), on_delete=models.PROTECT, related_name="reported_cases"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="cases")
    dispatch_org = models.ForeignKey(
        Organisation, verbose_name=_("受理单位"), on_delete=models.PROTECT, related_name="dispatched_cases",
        help_text=_("接收并交办事项的园区、县市区或市级办公室"),
    )
    lead_org = models.ForeignKey(
        Organisation, verbose_name=_("主办单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="led_cases",
    )

    # Clocks (aware datetimes). yellow_at is when the light turns yellow, computed with the
    # policy's threshold when the deadline is set, so lights are plain SQL comparisons.
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    # The clocks run from clock_started_at (the assignment, or a reopening) for accept_days
    # and solve_days working days; extensions and pauses add to solve_days, so deadlines
    # can always be recomputed exactly (e.g. when next year's holidays are imported).
    clock_started_at = models.DateTimeField(_("计时起点"), null=True, blank=True)
    accept_days = models.PositiveSmallIntegerField(_("签收时限（天）"), default=0)
    solve_days = models.PositiveSmallIntegerField(_("办结时限（天，含延期）"), default=0)
    # The unit accept_days/solve_days count in, copied from the policy when the clocks start,
    # so a later change of the policy never reinterprets a running case's days.
    day_unit = models.CharField(_("计日方式"), max_length=8, choices=DayUnit.choices, default=DayUnit.WORKING)
    # When the solve clock counts from the acceptance (信访: 60日 from 受理), not the assignment.
    solve_started_at = models.DateTimeField(_("办结计时起点"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("签收期限"), null=True, blank=True)
    accept_yellow_at = models.DateTimeField(null=True, blank=True, editable=False)
    solve_due_at = models.DateTimeField(_("办结期限"), null=True, blank=True)
    solve_yellow_at = models.DateTimeField(null=True, blank=True, editable=False)
    supervise_at = models.DateTimeField(_("督办时点"), null=True, blank=True, editable=False)
    report_at = models.DateTimeField(_("通报时点"), null=True, blank=True, editable=False)
    deadlines_provisional = models.BooleanField(
        _("期限为暂定"), default=False, help_text=_("期限跨入尚无节假日安排的年份，只按周末计算")
    )
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("挂起时间"), null=True, blank=True)
    suspended_reason = models.CharField(_("挂起原因"), max_length=255, blank=True)

    resolution = models.TextField(_("办理结果"), blank=True)
    satisfaction = models.CharField(_("评价"), max_length=16, choices=Satisfaction.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    dissatisfied_count = models.PositiveSmallIntegerField(_("不满意次数"), default=0)

    escalation_level = models.PositiveSmallIntegerField(
        _("升级"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_to = models.ForeignKey(
        Organisation, verbose_name=_("督办单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="escalated_cases",
    )
    pressed_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    supervised_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("通报时间"), null=True, blank=True)
    last_urged_at = models.DateTimeField(_("企业最近催办"), null=True, blank=True)
    revisit_due_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    revisit_asked_at = models.DateTimeField(_("回访发出时间"), null=True, blank=True)
    revisit_answered_at = models.DateTimeField(_("回访答复时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("并入"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    # An organisation that must never see this case, whatever its role (检举控告: the organ
    # complained about; 条例 第三十条). cases_visible_to excludes it and its sub-units.
    withheld_from = models.ForeignKey(
        Organisation, verbose_name=_("回避单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="withheld_cases",
    )

    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "solve_due_at"], name="case_status_solve_due"),
            models.Index(fields=["lead_org", "status"], name="case_lead_status"),
            models.Index(fields=["dispatch_org", "status"], name="case_dispatch_status"),
            models.Index(fields=["reporter_org", "status"], name="case_reporter_status"),
            models.Index(fields=["escalation_level", "status"], name="case_escalation_status"),
            # The monthly ranking reads the cases resolved, rated or escalated in a month.
            # Partial (only rows where it happened), so a new case adds nothing to them.
            *[
                models.Index(fields=[moment], name=f"case_{moment}", condition=Q(**{f"{moment}__isnull": False}))
                for moment in ("resolved_at", "closed_at", "pressed_at", "supervised_at", "reported_at")
            ],
            models.Index(fields=["assigned_at"], name="case_assigned_unresolved",
                         condition=Q(resolved_at__isnull=True, lead_org__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="case_merged_has_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class CaseTask(models.Model):
    """A co-unit's (协办) sub-task. The lead unit cannot resolve while one is open."""

    class TaskStatus(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    org = models.ForeignKey(Organisation, verbose_name=_("协办单位"), on_delete=models.PROTECT, related_name="case_tasks")
    instruction = models.CharField(_("协办内容"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    due_at = models.DateTimeField(_("完成期限"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("交办时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(_("协办结果"), blank=True)

    class Meta:
        verbose_name = _("协办任务")
        verbose_name_plural = _("协办任务")
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "org"], condition=Q(status="open"), name="case_task_one_open_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.org}"


class ExtensionRequest(models.Model):
    """延期: the lead unit asks for more working days; the dispatcher approves or refuses."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    working_days = models.PositiveSmallIntegerField(_("延长天数"))
    reason = models.CharField(_("延期理由"), max_length=500)
    status = models.CharField(_("审核结果"), max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"), name="extension_one_pending"),
            models.CheckConstraint(condition=Q(working_days__gte=1), name="extension_at_least_one_day"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} +{self.working_days}"


# The words of a case's steps (CaseEvent.action), on the case page and in the audit trail.
EVENT_LABELS = {
    "submit": _("提交"),
    "assign": _("交办"),
    "accept": _("签收"),
    "return": _("退回"),
    "reassign": _("改派"),
    "insist": _("维持交办"),
    "request_extension": _("申请延期"),
    "approve_extension": _("批准延期"),
    "refuse_extension": _("不批准延期"),
    "suspend": _("挂起"),
    "resume": _("恢复计时"),
    "decide_extension": _("审核延期申请"),
    "complete_task": _("协办完成"),
    "resolve": _("办结"),
    "rate": _("评价"),
    "revisit": _("回访"),
    "withdraw": _("撤回"),
    "urge": _("企业催办"),
    "merge": _("并单"),
    "merged_in": _("并入重复事项"),
    "note": _("备注"),
    "press": _("逾期催办"),
    "supervise": _("升级督办"),
    "report": _("列入通报"),
}


class CaseEvent(models.Model):
    """One line of a case's history: who did what, when, from which state to which, why.
    The reporter sees all but the internal ones; staff see all."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_org = models.ForeignKey(
        Organisation, verbose_name=_("操作单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("动作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    note = models.TextField(_("说明"), blank=True)
    internal = models.BooleanField(_("内部"), default=False)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class CaseCounter(models.Model):
    """Per-year sequence for case numbers (WT2026-000001), locked while incremented."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数")
        verbose_name_plural = _("编号计数")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
