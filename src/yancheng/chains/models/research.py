"""可产业化的主要科研成果清单: research results of universities and institutes, their maturity
(TRL 1–9, GB/T 22900-2022 技术就绪水平) and IP, matched to enterprises by chain node and
keywords; a match becomes a 对接 task with an owner, a date and an outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, IndustryChain, Organisation

from .registry import MapNode


class IpKind(models.TextChoices):
    INVENTION = "invention", _("发明专利")
    UTILITY = "utility", _("实用新型专利")
    DESIGN = "design", _("外观设计专利")
    SOFTWARE = "software", _("软件著作权")
    VARIETY = "variety", _("植物新品种")
    KNOW_HOW = "know_how", _("技术秘密")
    NONE = "none", _("暂无")


class ResearchResult(models.Model):
    """A research result that could be industrialised, on one chain and some of its nodes."""

    chain = models.ForeignKey(IndustryChain, verbose_name=_("产业链"), on_delete=models.PROTECT,
                              related_name="research_results")
    title = models.CharField(_("成果名称"), max_length=200)
    institution = models.CharField(_("完成单位"), max_length=128)
    team = models.CharField(_("团队或联系人"), max_length=64, blank=True)
    summary = models.TextField(_("成果简介"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=255, blank=True)
    nodes = models.ManyToManyField(MapNode, verbose_name=_("对应环节"), blank=True, related_name="research_results")
    maturity = models.PositiveSmallIntegerField(_("技术成熟度（TRL）"))
    ip_kind = models.CharField(_("知识产权"), max_length=16, choices=IpKind.choices, default=IpKind.NONE)
    ip_number = models.CharField(_("知识产权号"), max_length=64, blank=True)
    transfer_mode = models.CharField(_("转化方式"), max_length=64, blank=True)
    is_active = models.BooleanField(_("在库"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("科研成果")
        verbose_name_plural = _("科研成果")
        ordering = ["chain", "-maturity", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(maturity__gte=1) & Q(maturity__lte=9), name="research_trl_range"),
        ]

    def __str__(self) -> str:
        return self.title


class MatchStatus(models.TextChoices):
    SUGGESTED = "suggested", _("待对接")
    DOCKING = "docking", _("对接中")
    SUCCEEDED = "succeeded", _("达成合作")
    FAILED = "failed", _("未达成")
    DISMISSED = "dismissed", _("不匹配")


class ResearchMatch(models.Model):
    """A result matched to an enterprise (by node and keywords, or by hand), and the 对接 task
    it became: owner unit, due date, outcome."""

    result = models.ForeignKey(ResearchResult, verbose_name=_("科研成果"), on_delete=models.CASCADE,
                               related_name="matches")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="research_matches")
    score = models.PositiveSmallIntegerField(_("匹配度"), default=0)
    reason = models.CharField(_("匹配依据"), max_length=255, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=MatchStatus.choices, default=MatchStatus.SUGGESTED)
    owner_org = models.ForeignKey(Organisation, verbose_name=_("对接责任单位"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("对接期限"), null=True, blank=True)
    outcome = models.TextField(_("对接结果"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("成果匹配")
        verbose_name_plural = _("成果匹配")
        ordering = ["result", "-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["result", "enterprise"], name="research_match_unique")]

    def __str__(self) -> str:
        return f"{self.result_id}->{self.enterprise_id}"
