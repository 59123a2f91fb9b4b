from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJobRun(models.Model):
    """When a periodic job (audit checkpoint, pruning, the escalation tick …) was last
    enqueued. The row is locked while deciding, so several workers enqueue it once."""

    name = models.CharField(_("任务"), max_length=64, unique=True)
    last_enqueued_at = models.DateTimeField(_("上次排入队列"), null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name
