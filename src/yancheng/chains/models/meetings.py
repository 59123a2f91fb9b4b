"""链长 meetings: the 链长 holds a meeting on their chain. Its agenda fills itself from the
chain's red items (targets behind, stale leads, red problems and projects, missing nodes) and
is frozen when built; decisions become assigned cases when the meeting closes — the 周调度
meeting's pattern (``projects/services/meetings.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import IndustryChain, Organisation


class ChainMeeting(models.Model):
    """A 链长 meeting (链长办公会 / 产业链推进会)."""

    chain = models.ForeignKey(IndustryChain, verbose_name=_("产业链"), on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("会议名称"), max_length=128)
    held_on = models.DateField(_("会议日期"))
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("主持人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    organiser = models.ForeignKey(Organisation, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+")
    minutes = models.TextField(_("会议纪要"), blank=True)
    is_closed = models.BooleanField(_("已结束"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("链长会议")
        verbose_name_plural = _("链长会议")

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class ChainAgendaItem(models.Model):
    """One agenda item, frozen when the agenda was built, with a soft reference to its source."""

    class Source(models.TextChoices):
        TARGET = "target", _("目标滞后")
        LEAD = "lead", _("招商滞后")
        CASE = "case", _("红灯问题")
        PROJECT = "project", _("项目滞后")
        NODE = "node", _("缺失环节")
        MANUAL = "manual", _("临时议题")

    meeting = models.ForeignKey(ChainMeeting, on_delete=models.CASCADE, related_name="agenda")
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    ref_id = models.PositiveBigIntegerField(_("来源ID"), null=True, blank=True)
    title = models.CharField(_("议题"), max_length=255)
    detail = models.CharField(_("情况"), max_length=500, blank=True)
    responsible = models.CharField(_("责任单位"), max_length=128, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("链长会议议题")
        verbose_name_plural = _("链长会议议题")

    def __str__(self) -> str:
        return self.title


class ChainDecision(models.Model):
    """A decision of the meeting; it becomes a case assigned to its unit when the meeting closes."""

    meeting = models.ForeignKey(ChainMeeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(ChainAgendaItem, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    text = models.TextField(_("议定事项"))
    lead_org = models.ForeignKey(Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    due_working_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=10)
    case_id = models.PositiveBigIntegerField(_("交办事项"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("链长会议议定事项")
        verbose_name_plural = _("链长会议议定事项")

    def __str__(self) -> str:
        return self.text[:40]
