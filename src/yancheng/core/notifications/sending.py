"""One attempt at one delivery (the `deliver` task's work): claim it, send it outside any
transaction, then record the outcome and when to try again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.crypto import FieldCryptoError
from yancheng.core.webhooks import DeliveryError

from . import channels
from .models import Delivery

logger = logging.getLogger("yancheng.notifications")

# Wait after the n-th failed attempt before the next one (the 5th failure gives up).
BACKOFF = {1: timedelta(minutes=1), 2: timedelta(minutes=5), 3: timedelta(minutes=30), 4: timedelta(hours=2)}
# How long one worker holds a delivery while it sends it (well above the HTTP timeout).
CLAIM_LEASE = timedelta(minutes=5)

# Queues a delivery (its id) again for its next attempt (when).
Requeue = Callable[[int, datetime | None], None]


def backoff_after(attempts: int) -> timedelta:
    return BACKOFF.get(attempts, max(BACKOFF.values()))


def _send(delivery: Delivery) -> None:
    if delivery.channel == Delivery.Channel.EMAIL:
        channels.send_email(to=delivery.target, title=delivery.title, body=delivery.body, url=delivery.url)
    elif delivery.channel == Delivery.Channel.SMS:
        try:
            phone = delivery.sms_phone()
        except FieldCryptoError as exc:
            raise DeliveryError(_("无法读取收件人的手机号：字段加密密钥不可用。")) from exc
        if not phone:
            raise DeliveryError(_("收件人已没有手机号。"))
        channels.send_sms(phone=phone, title=delivery.title, url=delivery.url)
    else:
        robot = delivery.organisation_channel
        assert robot is not None  # the check constraint
        if delivery.channel == Delivery.Channel.WECOM:
            channels.send_wecom(webhook_url=robot.webhook_url, title=delivery.title, body=delivery.body, url=delivery.url)
        else:
            channels.send_dingtalk(
                webhook_url=robot.webhook_url,
                secret=robot.secret,
                title=delivery.title,
                body=delivery.body,
                url=delivery.url,
            )


def _refusal(delivery: Delivery) -> str:
    """Why this delivery must not be attempted at all (it will never succeed), or ''."""
    if delivery.notification_id is not None:
        recipient = delivery.notification.recipient  # type: ignore[union-attr]
        if not recipient.is_active:
            return _("接收人账号已停用")
    robot = delivery.organisation_channel
    if robot is not None and not robot.enabled:
        return _("群机器人已停用")
    return ""


def delivery_attempt(
    delivery_id: int, *, now: datetime | None = None, requeue: Requeue | None = None
) -> str:
    """Make one attempt at a delivery (the `deliver` task). Returns the delivery's status
    afterwards, or "skipped" when it is not due, already sent or held by another worker.

    A failure records the error and schedules the next attempt; after Delivery.MAX_ATTEMPTS
    failures it is given up. ``requeue`` queues the delivery again for its next attempt, on
    commit, where the task queue can defer a task (the `deliver` task passes it); without
    it the periodic job `notifications.retry` queues the delivery when it is due.
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return "skipped"
        if (
            delivery.status not in (Delivery.Status.PENDING, Delivery.Status.FAILED)
            or (delivery.next_attempt_at is not None and delivery.next_attempt_at > now)
            or (delivery.claimed_until is not None and delivery.claimed_until > now)
        ):
            return "skipped"
        refusal = _refusal(delivery)
        if refusal:
            delivery.status = Delivery.Status.GIVEN_UP
            delivery.last_error = refusal
            delivery.next_attempt_at = None
            delivery.enqueued_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at", "enqueued_at", "updated_at"])
            return str(delivery.status)
        delivery.claimed_until = now + CLAIM_LEASE
        delivery.enqueued_at = None
        delivery.save(update_fields=["claimed_until", "enqueued_at", "updated_at"])

    # Outside any transaction: a slow server must not hold a database lock.
    error = ""
    try:
        _send(delivery)
    except DeliveryError as exc:
        error = str(exc) or _("发送失败")
    except Exception as exc:
        # Unexpected: keep the class only, the text could carry an address or a key.
        error = _("内部错误：%(kind)s") % {"kind": type(exc).__name__}
        logger.error("delivery %s raised %s", delivery.pk, type(exc).__name__)

    defer = False
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        finished = timezone.now()
        delivery.attempts += 1
        delivery.claimed_until = None
        if not error:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = finished
            delivery.last_error = ""
            delivery.next_attempt_at = None
        elif delivery.attempts >= Delivery.MAX_ATTEMPTS:
            delivery.status = Delivery.Status.GIVEN_UP
            delivery.last_error = error[:500]
            delivery.next_attempt_at = None
        else:
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = error[:500]
            delivery.next_attempt_at = finished + backoff_after(delivery.attempts)
            defer = requeue is not None
            if defer:
                delivery.enqueued_at = finished
        delivery.save(
            update_fields=[
                "attempts",
                "claimed_until",
                "status",
                "sent_at",
                "last_error",
                "next_attempt_at",
                "enqueued_at",
                "updated_at",
            ]
        )
        if requeue is not None and defer:
            pk, when, again = delivery.pk, delivery.next_attempt_at, requeue
            transaction.on_commit(lambda: again(pk, when))
    # Channel and outcome only: no address, phone number or webhook key in the logs.
    logger.info("delivery %s (%s): %s after %s attempt(s)", delivery.pk, delivery.channel, delivery.status, delivery.attempts)
    return str(delivery.status)
