"""隐患排查治理: a hazard from its report to 销号. Its rectification runs on the case engine
(kind ``hazard``): the case is opened when the supervising department accepts the report, its
solve clock is the rectification deadline, and the engine's ladder escalates it when late.
The hazard's own stages (``workflow.py``) carry what the engine does not: the 重大隐患 report
(安监总局令第16号: 现状及原因、危害程度和整改难易程度、治理方案 with 措施、责任人、资金、时限、预案),
挂牌督办, the rectifier's evidence and the verification by someone else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yancheng.cases.models import Case
from yancheng.core.crypto.fields import EncryptedTextField, SealedFieldsMixin
from yancheng.core.models import Enterprise, Organisation, Region

from .checks import SafetyCheck
from .registry import SafetySystem, SystemChecklistItem

if TYPE_CHECKING:
    from yancheng.core.typing import MaybeActor


class HazardLevel(models.TextChoices):
    """安监总局令第16号 第三条: 一般 (low harm, fixed at once) and 重大 (needs a shutdown, time or outside help)."""

    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大事故隐患")


class HazardSource(models.TextChoices):
    DEPARTMENT = "department", _("部门检查")
    SELF_CHECK = "self_check", _("企业自查")
    GRID = "grid", _("网格员巡查")
    PUBLIC = "public", _("群众举报")


class HazardStage(models.TextChoices):
    # "hazard stage": 待受理 and 不予受理 say other things elsewhere (a case's, a button's)
    REPORTED = "reported", pgettext_lazy("hazard stage", "待受理")
    RECTIFYING = "rectifying", pgettext_lazy("hazard stage", "整改中")
    AWAITING_VERIFICATION = "awaiting_verification", pgettext_lazy("hazard stage", "待验收")
    CLOSED = "closed", pgettext_lazy("hazard stage", "已销号")
    REJECTED = "rejected", pgettext_lazy("hazard stage", "不予受理")


OPEN_STAGES = (HazardStage.REPORTED, HazardStage.RECTIFYING, HazardStage.AWAITING_VERIFICATION)

# The fields a 重大隐患's report must fill before the department may accept it.
MAJOR_REPORT_FIELDS = (
    "situation_cause", "harm_difficulty", "plan_measures", "plan_owner", "plan_funds", "plan_deadline", "plan_contingency",
)


class HazardQuerySet(models.QuerySet["Hazard"]):
    def visible_to(self, user: MaybeActor | None) -> QuerySet[Hazard]:
        from ..permissions import hazards_visible_to

        return hazards_visible_to(user, self)

    def open(self) -> QuerySet[Hazard]:
        return self.filter(stage__in=OPEN_STAGES)


class Hazard(SealedFieldsMixin, models.Model):
    """One hazard (隐患) of an enterprise, or of a place when the public reports one outside any
    enterprise. ``supervising_org`` is the department that accepts, supervises and verifies it
    (the system's department for the enterprise's region, from the registry)."""

    number = models.CharField(_("隐患编号"), max_length=24, unique=True)
    level = models.CharField(_("隐患等级"), max_length=16, choices=HazardLevel.choices)
    stage = models.CharField(_("状态"), max_length=24, choices=HazardStage.choices, default=HazardStage.REPORTED)
    source = models.CharField(_("来源"), max_length=16, choices=HazardSource.choices)
    system = models.ForeignKey(SafetySystem, verbose_name=_("责任制"), on_delete=models.PROTECT, related_name="hazards")
    item = models.ForeignKey(
        SystemChecklistItem, verbose_name=_("对应检查项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="hazards"
    )
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    supervising_org = models.ForeignKey(
        Organisation, verbose_name=_("监管部门"), on_delete=models.PROTECT, related_name="supervised_hazards"
    )
    title = models.CharField(_("隐患名称"), max_length=120)
    description = models.TextField(_("隐患描述"))
    location = models.CharField(_("具体位置"), max_length=200, blank=True)
    found_in = models.ForeignKey(
        SafetyCheck, verbose_name=_("发现于检查"), null=True, blank=True, on_delete=models.PROTECT, related_name="hazards"
    )
    repeat_of = models.ForeignKey(
        "self", verbose_name=_("重复于"), null=True, blank=True, on_delete=models.PROTECT, related_name="repeats"
    )
    # Who reported it: an account, or (the public form) nobody, with optional contact.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reporter_org = models.ForeignKey(
        Organisation, verbose_name=_("报告单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reporter_name = EncryptedTextField(_("举报人姓名"), kind="text", blank=True)
    reporter_phone = EncryptedTextField(_("举报人电话"), kind="phone", blank=True)
    reported_at = models.DateTimeField(_("报告时间"))
    accept_due_at = models.DateTimeField(_("受理期限"))
    # The rectification: who answers for it, and the case whose solve clock is the deadline.
    responsible_person = models.CharField(_("整改责任人"), max_length=64, blank=True)
    case = models.OneToOneField(
        Case, verbose_name=_("整改事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="hazard"
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("受理人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejection_reason = models.CharField(_("不予受理理由"), max_length=300, blank=True)
    enforcement_measures = models.TextField(
        _("执法措施"), blank=True, help_text=_("《安全生产法》第六十五条：责令排除、撤出人员、停产停业等")
    )
    # 重大隐患 report (安监总局令第16号 第十四条 and the 五定).
    situation_cause = models.TextField(_("隐患现状及产生原因"), blank=True)
    harm_difficulty = models.TextField(_("危害程度和整改难易程度"), blank=True)
    plan_measures = models.TextField(_("治理措施"), blank=True)
    plan_owner = models.CharField(_("治理责任人"), max_length=64, blank=True)
    plan_funds = models.DecimalField(_("治理资金（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    plan_deadline = models.DateField(_("治理时限"), null=True, blank=True)
    plan_contingency = models.TextField(_("应急预案"), blank=True)
    # 挂牌督办 (第四十一条): set once when a 重大隐患 is accepted.
    supervised_at = models.DateTimeField(_("挂牌督办时间"), null=True, blank=True)
    supervising_level = models.ForeignKey(
        Organisation, verbose_name=_("督办单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice_number = models.CharField(_("督办通知文号"), max_length=64, blank=True)
    # 销号
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("销号人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verification = models.ForeignKey(
        SafetyCheck, verbose_name=_("验收核查"), null=True, blank=True, on_delete=models.PROTECT, related_name="verified_hazards"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全隐患")
        verbose_name_plural = _("安全隐患")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="closed") | (Q(closed_at__isnull=False) & Q(closed_by__isnull=False)),
                name="safety_hazard_closed_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["reported", "rejected"]) | Q(case__isnull=False), name="safety_hazard_accepted_has_case"
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "level"]),
            models.Index(fields=["supervising_org", "stage"]),
            models.Index(fields=["enterprise", "item", "reported_at"]),
            models.Index(fields=["region", "reported_at"]),
            models.Index(fields=["system", "reported_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_major(self) -> bool:
        return self.level == HazardLevel.MAJOR

    def missing_report_fields(self) -> list[str]:
        """The 重大隐患 report's fields still empty (none for a 一般隐患)."""
        if not self.is_major:
            return []
        return [name for name in MAJOR_REPORT_FIELDS if getattr(self, name) in (None, "")]


class Rectification(models.Model):
    """One submission of rectification evidence (the 'after' photos are its attachments) and
    what the verifier decided on it: accepted (销号) or sent back with the reason."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待验收")
        ACCEPTED = "accepted", _("验收通过")
        SENT_BACK = "sent_back", _("退回整改")

    hazard = models.ForeignKey(Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="rectifications")
    measures_taken = models.TextField(_("整改情况"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))
    outcome = models.CharField(_("验收结果"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("验收人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    decision_note = models.CharField(_("验收意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("整改提交")
        verbose_name_plural = _("整改提交")
        ordering = ["hazard", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["hazard"], condition=Q(outcome="pending"), name="safety_one_pending_rectification"),
        ]

    def __str__(self) -> str:
        return f"{self.hazard.number} {self.submitted_at:%Y-%m-%d}"
