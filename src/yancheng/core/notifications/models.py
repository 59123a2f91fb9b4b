"""Notifications (SPEC §2.5): the in-app inbox, and the deliveries of each message to
the outside world (email, 企业微信/钉钉 group robots, SMS), each with its own status."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yancheng.core.typing import MaybeActor


def mask_phone(phone: str) -> str:
    """138****5678: enough to tell numbers apart, not enough to call one."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_email(address: str) -> str:
    """z***@example.com"""
    local, _sep, domain = address.partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_webhook(url: str) -> str:
    """Only the host and the last four characters: the key of a robot URL is its secret."""
    if not url:
        return ""
    host = urlsplit(url).hostname or "?"
    return f"{host} …{url[-4:]}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: MaybeActor | None) -> NotificationQuerySet:
        """A user sees their own notifications and nobody else's, whatever their role."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message in one user's inbox: something happened that they should know of
    (a case assigned to their unit, a deadline near, a reply). Kept whether or not any
    email, robot or SMS delivery succeeds."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(_("类型"), max_length=64, help_text=_("如 case.assigned"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read"),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OrganisationChannel(models.Model):
    """A group robot (群机器人) of an organisation's 企业微信 or 钉钉 group: messages for
    the organisation are posted there. The webhook URL carries the robot's key, so it is a
    secret: pages and logs show only its host and last four characters."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="notification_channels"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=64, help_text=_("如“园区调度工作群”"))
    webhook_url = models.CharField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=128, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["organisation__path", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["wecom", "dingtalk"]), name="notif_channel_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def webhook_display(self) -> str:
        return mask_webhook(self.webhook_url)

    def to_audit(self) -> dict[str, Any]:
        """What the audit trail keeps: never the key nor the signing secret."""
        return {
            "organisation": self.organisation_id,
            "kind": self.kind,
            "name": self.name,
            "webhook": self.webhook_display,
            "has_secret": bool(self.secret),
            "enabled": self.enabled,
        }


class Delivery(models.Model):
    """One attempt-tracked sending of a message through one channel: an inbox
    notification by email or SMS, or a message to an organisation's group robot.
    Retried with backoff; given up after MAX_ATTEMPTS failed attempts."""

    MAX_ATTEMPTS = 5

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败待重试")
        GIVEN_UP = "given_up", _("已放弃")

    notification = models.ForeignKey(
        Notification, verbose_name=_("通知"), null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    organisation_channel = models.ForeignKey(
        OrganisationChannel,
        verbose_name=_("群机器人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    # Email address. Never a phone (SMS: the recipient's encrypted phone is read at sending
    # time) nor, for robots, the URL (read from the channel at sending time).
    target = models.CharField(_("发送对象"), max_length=255, blank=True)
    verb = models.CharField(_("类型"), max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    # When a task was last put on the queue for this delivery (cleared when a worker
    # takes it), so the periodic retry job does not queue it a second time.
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A worker holds the delivery until then while it talks to the outside world.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_delivery_due")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(channel__in=["email", "sms"], notification__isnull=False, organisation_channel__isnull=True)
                    | Q(channel__in=["wecom", "dingtalk"], organisation_channel__isnull=False)
                ),
                name="notif_delivery_has_its_source",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed", "given_up"]), name="notif_delivery_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target_display}"

    @property
    def target_display(self) -> str:
        """Who or where, masked: phones and webhook keys are never shown in full."""
        if self.channel == self.Channel.SMS:
            recipient = self.notification.recipient if self.notification is not None else None
            return recipient.phone.masked if recipient is not None and recipient.phone else "—"

        if self.channel == self.Channel.EMAIL:
            return mask_email(self.target)
        channel = self.organisation_channel
        if channel is None:
            return "—"
        return f"{channel.organisation} · {channel.name} · {channel.webhook_display}"

    def sms_phone(self) -> str:
        """The number an SMS goes to: the recipient's phone now, decrypted for the gateway."""
        recipient = self.notification.recipient if self.notification is not None else None
        return recipient.phone.reveal() if recipient is not None else ""

    @property
    def can_retry(self) -> bool:
        return self.status != self.Status.SENT
