"""招商引资重点项目清单: target investors and leads through 接触 → 洽谈 → 签约 → 落地.

Each lead has an owner (a unit and a person), a next step with its date, and says which gap
of the map it would fill (强链/补链/延链). A signed lead becomes a project in ``projects`` with
one action; the lead keeps its history (``LeadEvent``) and the project it became."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import IndustryChain, Organisation, Region

from .registry import MapNode


class LeadStage(models.TextChoices):
    CONTACT = "contact", _("接触")
    NEGOTIATING = "negotiating", _("洽谈")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("落地")
    DROPPED = "dropped", _("终止")


class InvestorKind(models.TextChoices):
    GLOBAL_500 = "global500", _("世界500强")
    CHINA_500 = "china500", _("中国500强")
    LISTED = "listed", _("上市公司")
    CHAIN_LEADER = "chain_leader", _("行业龙头（外地链主）")
    OTHER = "other", _("其他")


class FillKind(models.TextChoices):
    STRENGTHEN = "strengthen", _("强链")
    COMPLETE = "complete", _("补链")
    EXTEND = "extend", _("延链")


class Lead(models.Model):
    """A 招商 lead: an investor and the project it might bring, owned by a unit."""

    chain = models.ForeignKey(IndustryChain, verbose_name=_("产业链"), on_delete=models.PROTECT, related_name="leads")
    number = models.CharField(_("编号"), max_length=24, unique=True)
    investor = models.CharField(_("目标企业"), max_length=128)
    investor_kind = models.CharField(_("企业类型"), max_length=16, choices=InvestorKind.choices,
                                     default=InvestorKind.OTHER)
    investor_origin = models.CharField(_("来源地"), max_length=64, blank=True)
    project_name = models.CharField(_("拟引进项目"), max_length=128)
    planned_investment = models.DecimalField(_("计划投资（万元）"), max_digits=14, decimal_places=2, null=True,
                                             blank=True)
    node = models.ForeignKey(MapNode, verbose_name=_("补位环节"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="leads")
    fill_kind = models.CharField(_("招商方向"), max_length=16, choices=FillKind.choices, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("拟落户地"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    stage = models.CharField(_("阶段"), max_length=16, choices=LeadStage.choices, default=LeadStage.CONTACT)
    owner_org = models.ForeignKey(Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                                  related_name="chain_leads")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="chain_leads")
    next_step = models.CharField(_("下一步"), max_length=255, blank=True)
    next_step_on = models.DateField(_("下一步时间"), null=True, blank=True)
    last_activity_on = models.DateField(_("最近跟进"))
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    landed_on = models.DateField(_("落地日期"), null=True, blank=True)
    dropped_reason = models.CharField(_("终止原因"), max_length=255, blank=True)
    # The project it became (a string reference: the table lives in projects, read through
    # projects.shared; no import of that app's models here).
    project = models.ForeignKey("projects.Project", verbose_name=_("转化项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="chain_leads")
    note = models.TextField(_("情况说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("招商线索")
        verbose_name_plural = _("招商线索")
        ordering = ["chain", "-created_at", "-pk"]
        indexes = [models.Index(fields=["chain", "stage"]), models.Index(fields=["owner_org", "stage"])]

    def __str__(self) -> str:
        return f"{self.number} {self.project_name}"


class LeadEvent(models.Model):
    """The lead's history: created, a follow-up, a stage change, the conversion into a project."""

    class Kind(models.TextChoices):
        CREATED = "created", _("登记")
        FOLLOW_UP = "follow_up", _("跟进")
        STAGE = "stage", _("阶段变更")
        CONVERTED = "converted", _("转为项目")
        EDITED = "edited", _("修改")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    from_stage = models.CharField(max_length=16, choices=LeadStage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=LeadStage.choices, blank=True)
    text = models.TextField(_("内容"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    on = models.DateField(_("日期"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("线索记录")
        verbose_name_plural = _("线索记录")
        ordering = ["lead", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.kind}"
