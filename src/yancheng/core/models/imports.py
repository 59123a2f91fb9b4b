from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A job that has said nothing for this long is no longer running: its worker stopped (the
# write transaction died with it, so nothing of it was kept).
STALE_AFTER = timedelta(minutes=30)


class ImportJob(models.Model):
    """One upload of an .xlsx import: its dry run or its confirmed write, run in the request
    (small files) or as a background task (more than ``IMPORT_BACKGROUND_ROWS`` rows), with
    its progress, its outcome and the result sheet (the uploaded sheet with an error column).
    Seen only by the uploader and by a system administrator holding `permission`."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("上传人"))
    importer = models.CharField(_("导入程序"), max_length=200)
    permission = models.CharField(_("所需权限"), max_length=100, blank=True)
    dry_run = models.BooleanField(_("仅校验"), default=True)
    language = models.CharField(_("语言"), max_length=16, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    source = models.CharField(_("暂存文件"), max_length=64, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created = models.PositiveIntegerField(_("通过/导入行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    result = models.CharField(_("结果文件"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("最近更新"), auto_now=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "importer", "state"], name="core_importjob_active")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def stale(self) -> bool:
        """Running, but silent for longer than a write can take: its worker stopped."""
        return self.state == self.State.RUNNING and timezone.now() - self.updated_at > STALE_AFTER

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED) or self.stale

    @property
    def failed(self) -> bool:
        return self.state == self.State.FAILED or self.stale

    @property
    def ok(self) -> bool:
        return self.state == self.State.DONE and not self.error_count

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
