from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit record."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk changes are refused in Python too, before the database triggers refuse them.
    The archive operation deletes with SQL of its own (see archive.py)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit records are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit records are append-only")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit records are append-only")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit records are append-only")


class _AppendOnly(models.Model):
    """Refuses ``save()`` on an existing row and ``delete()`` (the triggers do the same in SQL)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit records are append-only")


class AuditEvent(_AppendOnly):
    """One entry of the audit trail (留痕): who did what to which object, when, from where,
    with the object's state before and after.

    Append-only and hash-chained: ``hash = SHA-256(prev_hash ‖ canonical JSON of the
    record)``. The database refuses UPDATE and DELETE (triggers, see the migrations), and
    signed checkpoints (``AuditCheckpoint``) catch a chain recomputed or cut off by
    someone who can write to the database.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        DENIED = "denied", _("拒绝")
        FAILURE = "failure", _("失败")

    seq = models.BigIntegerField(_("序号"), unique=True)
    ts = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (actor, ts) index below serves it
        related_name="+",
    )
    actor_repr = models.CharField(_("操作人"), max_length=150, blank=True)
    organisation_id = models.BigIntegerField(_("单位ID"), null=True, blank=True)
    organisation_repr = models.CharField(_("单位"), max_length=128, blank=True)
    action = models.CharField(_("动作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    ip = models.CharField(_("IP"), max_length=45, blank=True)
    request_id = models.CharField(_("请求ID"), max_length=64, blank=True)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        # Every audited write in the product maintains these, so only what a query uses:
        # unique=True / db_index=True on a CharField would add a second, LIKE-pattern index
        # on PostgreSQL (about 1 GB for the two hashes at 5 million records) that nothing
        # reads. prev_hash unique: the chain cannot fork (security checklist §9). hash has
        # no index: a random 64-character key costs every append a random page of a large
        # tree, and only verify's diagnosis of a misplaced checkpoint looks a hash up.
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "ts"]),
            models.Index(fields=["action"], name="audit_event_action_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["prev_hash"], name="audit_event_prev_hash_unique"),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class AuditCheckpoint(_AppendOnly):
    """A signed statement "the chain had this hash at this sequence number".

    The HMAC key lives outside the database (settings.YANCHENG_AUDIT_KEY or the key file),
    so a writer who recomputes the chain or cuts its tail cannot forge a checkpoint.
    """

    seq = models.BigIntegerField(_("序号"), unique=True)
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("时间"))
    key_id = models.CharField(_("密钥标识"), max_length=32)
    signature = models.CharField(_("签名"), max_length=64)
    # An archive checkpoint marks where records before it were exported and cut.
    is_archive_cut = models.BooleanField(_("归档截断点"), default=False)

    class Meta:
        verbose_name = _("审计检查点")
        verbose_name_plural = _("审计检查点")
        ordering = ["-seq"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"checkpoint @{self.seq}"
