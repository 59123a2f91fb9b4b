"""企业赋「码」保护 (SPEC §4): supervision codes, the inspector registry and published items,
plans and joint inspections, registrations (扫码入企), the rules (grades, caps, exemptions,
quiet periods), alerts, and anonymous ratings.

Anchors: 衡政办发〔2025〕6号 (grades A/B/C/D; grade A "企业自检+信用承诺", in principle no
proactive inspection for a year), 深府规〔2025〕6号 (scan before entering; emergency-then-scan;
back-fill within 10 natural days with a reason), 国办发〔2024〕54号 (published item lists,
annual caps, joint inspections counted once, alerts on repeated and high-frequency checks).

The anonymity of ratings is a property of the schema: `Rating` has no link to the
enterprise, the user, the inspection, an IP or an exact time; who may rate (and has) is a
keyed digest in `RatingReceipt`, apart from what was rated."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, Organisation, Region

if TYPE_CHECKING:
    from yancheng.core.models import User


Grade = Enterprise.Grade


class InspectionKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("行政检查")
    VISIT = "visit", _("非执法入企")


class VisitPurpose(models.TextChoices):
    """What a non-enforcement visit is for (they are monitored too: 龙华 files them apart)."""

    RESEARCH = "research", _("调研")
    CALL = "call", _("走访")
    PUBLICITY = "publicity", _("宣传")


class OutsidePlanReason(models.TextChoices):
    """Why an inspection is outside any filed plan (SPEC §4)."""

    COMPLAINT = "complaint", _("投诉举报")
    REFERRAL = "referral", _("转办交办")
    SUPERIOR = "superior", _("上级部署")
    EMERGENCY = "emergency", _("突发事件")


class EntryMode(models.TextChoices):
    """How the registration relates to the visit (深府规〔2025〕6号 and its 解读)."""

    SCANNED = "scanned", _("进门前扫码")
    EMERGENCY = "emergency", _("紧急情况先查后扫")
    BACKFILL = "backfill", _("系统故障事后补录")


class FoundBy(models.TextChoices):
    CODE = "code", _("扫监督码")
    USCC = "uscc", _("统一社会信用代码")
    LICENCE_QR = "licence_qr", _("营业执照二维码")


# --- the enterprise's code ----------------------------------------------------------------------


class SupervisionCode(models.Model):
    """企业监督码: a QR code pointing at the enterprise's registration page, carrying an
    unguessable token. Re-issuing revokes the old one at once; at most one is active."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="supervision_codes"
    )
    token = models.CharField(_("令牌"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作废人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("企业监督码")
        verbose_name_plural = _("企业监督码")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(revoked_at__isnull=True), name="one_active_code_per_enterprise"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.issued_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- the department's side: registry, items, plans ------------------------------------------------


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


# --- the supervisor's rules -------------------------------------------------------------------


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


# --- registrations --------------------------------------------------------------------------------


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def visible_to(self, user: User | Any) -> QuerySet[Inspection]:
        from .permissions import inspections_visible_to

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


# --- anonymous ratings ------------------------------------------------------------------------------


class Rating(models.Model):
    """An enterprise's rating of a visit, anonymous by construction: no enterprise, user,
    inspection, IP or exact time — the department rated, the kind of visit, the day and
    the score. Rows arrive only through the daily batch (`PendingRating`), inserted in a
    shuffled order with fresh random keys, so neither the keys nor the physical order of rows
    say in which order ratings arrived. Departments see only aggregates over at least
    `InspectionPolicy.rating_min_count` ratings; supervisors read single ratings by month."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    department = models.ForeignKey(
        Organisation, verbose_name=_("被评价部门"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("入企类型"), max_length=16, choices=InspectionKind.choices)
    rated_on = models.DateField(_("评价日期"))
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("评价意见"), blank=True)

    class Meta:
        verbose_name = _("匿名评价")
        verbose_name_plural = _("匿名评价")
        ordering = ["-rated_on"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
        ]
        indexes = [models.Index(fields=["department", "rated_on"])]

    def __str__(self) -> str:
        return f"{self.department} · {self.score}"


class PendingRating(models.Model):
    """A rating as submitted today, waiting for the daily batch (`ratings.ratings_batch_move`)
    that moves the day's ratings into `Rating` in random order and deletes these rows. The
    same fields as `Rating`, nothing more: the table only exists so that no stored order —
    SQLite's rowid, PostgreSQL's heap — follows the order in which ratings arrived, and so
    that the audit trail learns of ratings per department and day, not one at its moment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    department = models.ForeignKey(
        Organisation, verbose_name=_("被评价部门"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("入企类型"), max_length=16, choices=InspectionKind.choices)
    rated_on = models.DateField(_("评价日期"))
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("评价意见"), blank=True)

    class Meta:
        verbose_name = _("待汇总评价")
        verbose_name_plural = _("待汇总评价")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="pending_rating_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.rated_on}"


class RatingReceipt(models.Model):
    """Who has rated: a keyed digest of (enterprise, inspection), nothing else — not even a
    time. Lets an enterprise rate each visit once without the rating naming it."""

    digest = models.CharField(max_length=64, primary_key=True)

    class Meta:
        verbose_name = _("评价凭据")
        verbose_name_plural = _("评价凭据")

    def __str__(self) -> str:
        return self.digest[:8]
