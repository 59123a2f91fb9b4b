from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto.fields import BlindIndexField, EncryptedTextField, SealedFieldsMixin
from .organisations import Organisation


class Role(models.TextChoices):
    """The roles of SPEC §1. A user holds exactly one role: this is what keeps the three
    administrators separated (等保 三权分立) — no account can be two of them."""

    ENTERPRISE = "enterprise", _("企业用户")
    HANDLER = "handler", _("承办人")
    DISPATCHER = "dispatcher", _("调度员")
    INSPECTOR = "inspector", _("检查员")
    LEADER = "leader", _("领导")
    SUPERVISOR = "supervisor", _("督查员")
    CHAIN_OFFICE = "chain_office", _("链办")
    PETITION = "petition", _("信访工作人员")
    SAFETY = "safety", _("安委办")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that must pass a TOTP second factor (SPEC §12): everyone but enterprise staff.
SECOND_FACTOR_ROLES = frozenset(set(Role) - {Role.ENTERPRISE})


class User(SealedFieldsMixin, AbstractUser):
    """A person who logs in. Belongs to exactly one organisation and holds one role."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    # Encrypted at rest (SPEC §12): reads give a Sealed value whose str() is masked;
    # find a user by phone through phone_digest (core.crypto.digest_for).
    phone = EncryptedTextField(_("手机号"), kind="phone", blank=True)
    phone_digest = BlindIndexField(source="phone")
    enforcement_certificate_no = models.CharField(_("执法证号"), max_length=32, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        constraints = [
            # Every user but a bootstrap superuser belongs to an organisation.
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(is_superuser=True), name="user_has_organisation"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES or self.is_superuser


class PasswordHistory(models.Model):
    """One password a user has had: its hash only, never the password (等保 8.1.4.1a;
    ASVS 5.0-6.2). A new password may not be any of the last
    ``YANCHENG_PASSWORD_HISTORY`` (the current one included); older rows are deleted when a
    new one is written, so the table holds at most that many rows per user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("密码哈希"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="pwhistory_user_created")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"
