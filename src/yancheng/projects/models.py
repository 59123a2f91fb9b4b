"""重大项目「五制一平台」 (SPEC §3): projects through their life, their linked leader, unit
and task force, the approvals a 代办员 handles, factor needs, nodes with backward
scheduling, daily feedback, monthly investment reports, commitments and observation rounds.

Amounts are in 万元 (ten thousand yuan), as Chinese project offices report them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region

if TYPE_CHECKING:
    from yancheng.core.typing import MaybeActor



class Category(models.TextChoices):
    INDUSTRY = "industry", _("产业项目")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    LIVELIHOOD = "livelihood", _("社会民生")


class Stage(models.TextChoices):
    """招商引资 (在谈 → 签约) → 落地开工 → 在建实施 → 竣工 → 达产."""

    NEGOTIATING = "negotiating", _("在谈")
    SIGNED = "signed", _("签约")
    STARTED = "started", _("落地开工")
    CONSTRUCTION = "construction", _("在建实施")
    COMPLETED = "completed", _("竣工")
    PRODUCING = "producing", _("达产")


STAGE_ORDER = [s.value for s in Stage]


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: MaybeActor | None) -> QuerySet[Project]:
        from .permissions import projects_visible_to

        return projects_visible_to(user, self)


class Project(models.Model):
    """A major investment project followed from 招商引资 to 达产."""

    code = models.CharField(_("项目编号"), max_length=32, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("业主企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="projects")
    park = models.ForeignKey(
        Organisation, verbose_name=_("所在园区"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="park_projects", limit_choices_to={"kind": "park"},
    )
    chain = models.ForeignKey(
        IndustryChain, verbose_name=_("所属产业链"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="projects",
    )
    category = models.CharField(_("项目类别"), max_length=16, choices=Category.choices, default=Category.INDUSTRY)
    total_investment = models.DecimalField(_("总投资（万元）"), max_digits=14, decimal_places=2)
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices, default=Stage.NEGOTIATING)
    planned_start = models.DateField(_("计划开工月份"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工日期"), null=True, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("竣工日期"), null=True, blank=True)
    producing_on = models.DateField(_("达产日期"), null=True, blank=True)
    # 领导联系 / 链长负责 and the responsible unit.
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("联系领导"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="led_projects",
    )
    responsible_org = models.ForeignKey(
        Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="responsible_projects"
    )
    description = models.TextField(_("建设内容"), blank=True)
    is_confidential = models.BooleanField(
        _("涉密/敏感"), default=False, help_text=_("只有本区划、责任单位、联系领导和市级项目办可见")
    )
    is_active = models.BooleanField(_("在库"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("重大项目")
        verbose_name_plural = _("重大项目")
        ordering = ["code"]
        indexes = [models.Index(fields=["region", "stage"]), models.Index(fields=["stage", "planned_start"])]
        constraints = [models.CheckConstraint(condition=Q(total_investment__gte=0), name="project_investment_nonneg")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StageChange(models.Model):
    """A step in the project's life, with its date and who recorded it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    on = models.DateField(_("日期"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")

    def __str__(self) -> str:
        return f"{self.project_id} {self.to_stage}"


class AnnualPlan(models.Model):
    """The project's planned investment for one year (年度投资计划, 万元)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="annual_plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    planned_investment = models.DecimalField(_("年度计划投资（万元）"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["year"]
        verbose_name = _("年度投资计划")
        verbose_name_plural = _("年度投资计划")
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="annual_plan_one_per_year")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}"


class TaskForceMember(models.Model):
    """A named member of the project's 专班."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="task_force")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=64)
    organisation = models.ForeignKey(Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    duty = models.CharField(_("职责"), max_length=128, blank=True)
    is_lead = models.BooleanField(_("专班负责人"), default=False)

    class Meta:
        ordering = ["-is_lead", "pk"]
        verbose_name = _("专班成员")
        verbose_name_plural = _("专班成员")

    def __str__(self) -> str:
        return self.name


class ApprovalItem(models.Model):
    """项目代办: one approval the project needs, handled by an agent (代办员), with its
    planned and actual dates and the documents still missing (补缺清单)."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("立项（审批/核准/备案）")
        LAND_PRE_REVIEW = "land_pre_review", _("用地预审与选址")
        PLANNING = "planning", _("建设工程规划许可")
        CONSTRUCTION_PERMIT = "construction_permit", _("施工许可")
        EIA = "eia", _("环评")
        ENERGY = "energy", _("能评（节能审查）")
        FIRE = "fire", _("消防设计审查/验收")
        ACCEPTANCE = "acceptance", _("竣工验收")
        OTHER = "other", _("其他")

    class ItemStatus(models.TextChoices):
        PENDING = "pending", _("未启动")
        IN_PROGRESS = "in_progress", _("办理中")
        DONE = "done", _("已办结")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(_("审批事项"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=128, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("代办员"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="agent_approvals",
    )
    approving_org = models.ForeignKey(
        Organisation, verbose_name=_("审批部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    planned_on = models.DateField(_("计划办结"), null=True, blank=True)
    done_on = models.DateField(_("实际办结"), null=True, blank=True)
    missing_documents = models.TextField(_("补缺清单"), blank=True, help_text=_("每行一项尚缺的材料"))

    class Meta:
        ordering = ["planned_on", "pk"]
        verbose_name = _("代办事项")
        verbose_name_plural = _("代办事项")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def missing_list(self) -> list[str]:
        return [line.strip() for line in self.missing_documents.splitlines() if line.strip()]


class FactorNeed(models.Model):
    """要素保障: a need of land, power, water, gas, labour or finance, and who arranges it."""

    class Kind(models.TextChoices):
        LAND = "land", _("用地")
        POWER = "power", _("用电")
        WATER = "water", _("用水")
        GAS = "gas", _("用气")
        LABOUR = "labour", _("用工")
        FINANCE = "finance", _("融资")

    class NeedStatus(models.TextChoices):
        REQUESTED = "requested", _("已提出")
        ARRANGED = "arranged", _("已落实")
        DELIVERED = "delivered", _("已保障到位")

    UNITS = {"land": "亩", "power": "kVA", "water": "吨/日", "gas": "立方米/日", "labour": "人", "finance": "万元"}

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="factor_needs")
    kind = models.CharField(_("要素"), max_length=16, choices=Kind.choices)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=2)
    status = models.CharField(_("状态"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.REQUESTED)
    responsible_org = models.ForeignKey(
        Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="factor_needs"
    )
    needed_by = models.DateField(_("需要时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["needed_by", "pk"]
        verbose_name = _("要素保障")
        verbose_name_plural = _("要素保障")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="factor_need_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity}"

    @property
    def unit(self) -> str:
        return self.UNITS.get(self.kind, "")


class Node(models.Model):
    """A project node (节点) with a duration in working days, planned and actual dates."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="nodes")
    name = models.CharField(_("节点"), max_length=128)
    duration_days = models.PositiveSmallIntegerField(_("工期（工作日）"), default=1)
    planned_start = models.DateField(_("计划开始"), null=True, blank=True)
    planned_finish = models.DateField(_("计划完成"), null=True, blank=True)
    actual_start = models.DateField(_("实际开始"), null=True, blank=True)
    actual_finish = models.DateField(_("实际完成"), null=True, blank=True)
    responsible_org = models.ForeignKey(
        Organisation, verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "planned_start", "pk"]
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="node_name_unique_in_project"),
            models.CheckConstraint(condition=Q(duration_days__gte=1), name="node_duration_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class NodeLink(models.Model):
    """Precedence: `successor` starts `lag_days` working days after `predecessor` finishes."""

    predecessor = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="predecessor_links")
    lag_days = models.SmallIntegerField(_("间隔（工作日）"), default=0)

    class Meta:
        verbose_name = _("节点前后关系")
        verbose_name_plural = _("节点前后关系")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="node_link_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="node_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id}→{self.successor_id}"


class DailyFeedback(models.Model):
    """日反馈: the task force's note on a day's progress."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="daily_feedback")
    day = models.DateField(_("日期"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    progress = models.TextField(_("当日进展"))
    problems = models.TextField(_("存在问题"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("日反馈")
        verbose_name_plural = _("日反馈")
        constraints = [models.UniqueConstraint(fields=["project", "day"], name="daily_feedback_one_per_day")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.day}"


class MonthlyReport(models.Model):
    """Monthly investment report: invested this month and year to date (万元). The year to
    date never decreases from one month to the next without a correction note."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="monthly_reports")
    month = models.DateField(_("月份"), help_text=_("该月 1 日"))
    invested_this_month = models.DecimalField(_("本月完成投资（万元）"), max_digits=14, decimal_places=2)
    invested_ytd = models.DecimalField(_("年度累计完成投资（万元）"), max_digits=14, decimal_places=2)
    progress_percent = models.PositiveSmallIntegerField(_("形象进度（%）"), default=0)
    correction_note = models.CharField(_("更正说明"), max_length=500, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("月度投资报表")
        verbose_name_plural = _("月度投资报表")
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="monthly_report_one_per_month"),
            models.CheckConstraint(condition=Q(invested_this_month__gte=0), name="monthly_report_month_nonneg"),
            models.CheckConstraint(condition=Q(invested_ytd__gte=0), name="monthly_report_ytd_nonneg"),
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="monthly_report_progress_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m}"


class Commitment(models.Model):
    """承诺兑现: a county's or park's commitment (start date, annual investment, schedule)
    tracked against what happened."""

    class Kind(models.TextChoices):
        START_DATE = "start_date", _("开工时间")
        ANNUAL_INVESTMENT = "annual_investment", _("年度投资")
        MILESTONE = "milestone", _("进度节点")

    organisation = models.ForeignKey(Organisation, verbose_name=_("承诺单位"), on_delete=models.PROTECT,
                                     related_name="commitments")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("承诺类型"), max_length=24, choices=Kind.choices)
    promise = models.CharField(_("承诺内容"), max_length=255)
    promised_date = models.DateField(_("承诺日期"), null=True, blank=True)
    promised_amount = models.DecimalField(_("承诺金额（万元）"), null=True, blank=True, max_digits=14, decimal_places=2)
    actual_date = models.DateField(_("实际日期"), null=True, blank=True)
    actual_amount = models.DecimalField(_("实际金额（万元）"), null=True, blank=True, max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["year", "organisation", "pk"]
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")

    def __str__(self) -> str:
        return self.promise


class ObservationRound(models.Model):
    """现场观摩: a round of on-site observation with scores per county/park."""

    title = models.CharField(_("名称"), max_length=128)
    held_on = models.DateField(_("日期"))

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("现场观摩")
        verbose_name_plural = _("现场观摩")

    def __str__(self) -> str:
        return self.title


class ObservationScore(models.Model):
    round = models.ForeignKey(ObservationRound, on_delete=models.CASCADE, related_name="scores")
    organisation = models.ForeignKey(Organisation, verbose_name=_("被观摩单位"), on_delete=models.PROTECT,
                                     related_name="+")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    remark = models.CharField(_("点评"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("观摩得分")
        verbose_name_plural = _("观摩得分")
        constraints = [
            models.UniqueConstraint(fields=["round", "organisation", "project"], name="observation_score_unique"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="observation_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.score}"


class LightSettings(models.Model):
    """Thresholds of the project lights (a single row; defaults from 银川's rules)."""

    start_red_months = models.PositiveSmallIntegerField(_("未开工亮红灯（月）"), default=3)
    progress_yellow_points = models.PositiveSmallIntegerField(_("进度落后亮黄灯（百分点）"), default=10)
    progress_red_points = models.PositiveSmallIntegerField(_("进度落后亮红灯（百分点）"), default=30)

    class Meta:
        verbose_name = _("项目亮灯阈值")
        verbose_name_plural = _("项目亮灯阈值")

    def __str__(self) -> str:
        return "project lights"


class WeeklyMeeting(models.Model):
    """周调度: a weekly dispatch meeting. Its agenda fills itself (red and yellow cases, late
    nodes, unmet factor needs, new problems); its decisions become assigned cases."""

    title = models.CharField(_("会议名称"), max_length=128)
    held_on = models.DateField(_("会议日期"))
    organiser = models.ForeignKey(Organisation, verbose_name=_("召集单位"), on_delete=models.PROTECT,
                                  related_name="weekly_meetings")
    region = models.ForeignKey(Region, verbose_name=_("范围"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text=_("留空为全市"))
    chair = models.CharField(_("主持人"), max_length=64, blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    is_closed = models.BooleanField(_("已结束"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("周调度会议")
        verbose_name_plural = _("周调度会议")

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class AgendaItem(models.Model):
    """One item on a meeting's agenda, frozen when the agenda was built (what was on the
    table that day), with a soft reference to its source."""

    class Source(models.TextChoices):
        RED_CASE = "red_case", _("红灯事项")
        YELLOW_CASE = "yellow_case", _("黄灯事项")
        NEW_CASE = "new_case", _("新增问题")
        LATE_NODE = "late_node", _("滞后节点")
        FACTOR_NEED = "factor_need", _("未落实要素")
        MANUAL = "manual", _("临时议题")

    meeting = models.ForeignKey(WeeklyMeeting, on_delete=models.CASCADE, related_name="agenda")
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    ref_id = models.PositiveBigIntegerField(_("来源ID"), null=True, blank=True)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("议题"), max_length=255)
    detail = models.CharField(_("情况"), max_length=500, blank=True)
    responsible = models.CharField(_("责任单位"), max_length=128, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("会议议题")
        verbose_name_plural = _("会议议题")

    def __str__(self) -> str:
        return self.title


class MeetingDecision(models.Model):
    """A decision of the meeting; each becomes a case assigned to its unit (调度会议交办事项)."""

    meeting = models.ForeignKey(WeeklyMeeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("议定事项"))
    lead_org = models.ForeignKey(Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    due_working_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=5)
    case_id = models.PositiveBigIntegerField(_("交办事项"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("会议议定事项")
        verbose_name_plural = _("会议议定事项")

    def __str__(self) -> str:
        return self.text[:40]
