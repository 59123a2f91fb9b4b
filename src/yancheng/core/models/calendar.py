from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayYear(models.Model):
    """One year's State Council holiday notice (国务院办公厅关于某年部分节假日安排的通知),
    entered or imported by an administrator. A year present here overrides the
    chinesecalendar package; a year in neither is counted as weekends only and flagged
    provisional."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    notice = models.CharField(_("通知文号/标题"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("节假日年度安排")
        verbose_name_plural = _("节假日年度安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class HolidayDay(models.Model):
    """A date that differs from the plain weekday/weekend rule: a statutory holiday on a
    weekday, or an adjusted working day (调休上班) on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
