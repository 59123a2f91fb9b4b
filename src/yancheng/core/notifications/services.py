"""Writes of notifications (SPEC §2.5).

`notify` is what the other services call: the inbox rows are written in the caller's
transaction; the deliveries to the outside world are queued only when that transaction
commits, and are sent by background tasks, so no request waits on a mail server or a
robot, and nothing is sent for a change that was rolled back. The queue is `tasks.py`;
one attempt at a delivery is `sending.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core import bulk
from yancheng.core.audit.services import AuditEntry, audit_record, audit_record_many
from yancheng.core.errors import ConflictError, NotFoundError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor
from yancheng.core.webhooks import check_webhook_url

from .models import Delivery, Notification, OrganisationChannel
from .tasks import enqueue_deliveries, queue_deliveries

# --- notify ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who a notification goes to: its active recipients and the enabled group robots of
    its organisations, as the database has them (``notify_audience``)."""

    users: tuple[Any, ...]
    org_ids: tuple[int, ...]
    robots: tuple[OrganisationChannel, ...]


def notify_audience(*, recipients: Iterable[Any], organisations: Iterable[Organisation] = ()) -> Audience:
    """Read who ``notify`` will tell. A service may read it before the part of its change
    that holds locks (a case's number, the audit chain) and hand it to ``notify``, so that
    these reads do not lengthen the time others wait on those locks.

    ``recipients`` may be a queryset of users: it is read once, here, and only its active
    users are kept; a list of users is checked against the database (active as the
    database has it now, not as the caller's copy remembers)."""
    if isinstance(recipients, QuerySet):
        users = list({user.pk: user for user in recipients.filter(is_active=True)}.values())
    else:
        wanted: list[int] = []
        for user in recipients:
            if user is not None and user.pk not in wanted:
                wanted.append(user.pk)
        active = {user.pk: user for user in get_user_model().objects.filter(pk__in=wanted, is_active=True)} if wanted else {}
        users = [active[pk] for pk in wanted if pk in active]
    org_ids = tuple(sorted({org.pk for org in organisations}))
    robots = (
        tuple(OrganisationChannel.objects.filter(organisation_id__in=org_ids, enabled=True).order_by("pk"))
        if org_ids
        else ()
    )
    return Audience(users=tuple(users), org_ids=org_ids, robots=robots)


def notify(
    *,
    recipients: Iterable[Any] = (),
    verb: str,
    title: str,
    body: str = "",
    url: str = "",
    obj: Model | None = None,
    actor: Actor | None,
    organisations: Iterable[Organisation] = (),
    email: bool = True,
    sms: bool = False,
    audience: Audience | None = None,
) -> list[Notification]:
    """Tell people that something happened.

    Every active recipient gets an inbox notification (in the caller's transaction). The
    deliveries are queued with the caller's change: an email to each recipient who has an
    address (if ``email``), an SMS to each who has a phone (if ``sms``), and a message to
    every enabled group robot of ``organisations``. ``url`` is the relative link to the
    object. ``actor`` is whoever caused it (None: the system); no permission is checked
    here — the calling service has decided that these people must be told.

    Who that is (``recipients`` and ``organisations``) is read here, or was read by the
    caller with ``notify_audience`` and comes as ``audience``.
    """
    if url and not url.startswith("/"):
        raise ValidationFailed(_("通知链接必须是本站的相对地址。"), field="url")
    if audience is None:
        audience = notify_audience(recipients=recipients, organisations=organisations)
    users = list(audience.users)
    org_ids = list(audience.org_ids)
    title = title[:200]
    url = url[:500]
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    now = timezone.now()
    # No savepoint of its own: inside a service's transaction the rows stand or fall with
    # the change they tell about (and a savepoint would cost two more statements).
    with transaction.atomic(savepoint=False):
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    verb=verb,
                    title=title,
                    body=body,
                    url=url,
                    object_type=object_type,
                    object_id=object_id,
                )
                for user in users
            ]
        )
        queued: dict[str, Any] = dict(enqueued_at=now, next_attempt_at=now, verb=verb, title=title, body=body, url=url)
        deliveries: list[Delivery] = []
        for notification, user in zip(created, users, strict=True):
            if email and user.email:
                deliveries.append(
                    Delivery(notification=notification, channel=Delivery.Channel.EMAIL, target=user.email, **queued)
                )
            if sms and user.phone:
                # No copy of the phone: it stays encrypted on the user and is read at sending time.
                deliveries.append(Delivery(notification=notification, channel=Delivery.Channel.SMS, **queued))
        for robot in audience.robots:
            deliveries.append(Delivery(organisation_channel=robot, channel=robot.kind, **queued))
        deliveries = Delivery.objects.bulk_create(deliveries)
        audit_record(
            "notification.create",
            obj,
            actor=actor,
            object_type=object_type or "notifications.notification",
            after={
                "verb": verb,
                "title": title,
                "recipients": [user.pk for user in users],
                "organisations": org_ids,
                "deliveries": {
                    channel: sum(1 for d in deliveries if d.channel == channel) for channel in Delivery.Channel.values
                },
            },
        )
        ids = [d.pk for d in deliveries]
        if ids:
            queue_deliveries(ids)
    return created


# --- retrying a delivery ----------------------------------------------------------------------


def delivery_retry(delivery: Delivery, *, actor: Actor) -> Delivery:
    """"Retry now" on the delivery status page: one more attempt, right away, even for a
    delivery that was given up (if it fails again it is given up again)."""
    require(actor, "notifications.retry_delivery")
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if locked is None:
            raise NotFoundError(_("投递记录不存在。"))
        if locked.status == Delivery.Status.SENT:
            raise ConflictError(_("该消息已发送成功，无需重试。"))
        before = {"status": locked.status, "attempts": locked.attempts}
        now = timezone.now()
        locked.status = Delivery.Status.PENDING
        locked.next_attempt_at = now
        locked.enqueued_at = now
        locked.claimed_until = None
        locked.save(update_fields=["status", "next_attempt_at", "enqueued_at", "claimed_until", "updated_at"])
        audit_record(
            "notification.delivery_retry",
            locked,
            actor=actor,
            object_repr=f"{locked.get_channel_display()} #{locked.pk}",
            before=before,
            after={"status": locked.status},
        )
        pk = locked.pk
        transaction.on_commit(lambda: enqueue_deliveries([pk]))
    return locked


# --- group robots -------------------------------------------------------------------------------


def _clean_channel(kind: str, webhook_url: str, name: str) -> None:
    if kind not in OrganisationChannel.Kind.values:
        raise ValidationFailed(_("未知的机器人类型。"), field="kind")
    if not name.strip():
        raise ValidationFailed(_("请填写名称。"), field="name")
    problem = check_webhook_url(webhook_url)
    if problem == "https":
        raise ValidationFailed(_("Webhook 地址必须以 https:// 开头。"), field="webhook_url")
    if problem is not None:
        raise ValidationFailed(_("Webhook 地址无效。"), field="webhook_url")


def channel_create(
    *,
    organisation: Organisation,
    kind: str,
    name: str,
    webhook_url: str,
    secret: str = "",
    enabled: bool = True,
    actor: Actor,
) -> OrganisationChannel:
    """Add a 企业微信/钉钉 group robot to an organisation."""
    require(actor, "notifications.manage_channels", organisation)
    webhook_url, secret = webhook_url.strip(), secret.strip()
    _clean_channel(kind, webhook_url, name)
    if kind != OrganisationChannel.Kind.DINGTALK:
        secret = ""  # 加签 is DingTalk's; 企业微信's key is in the URL
    with transaction.atomic():
        channel = OrganisationChannel.objects.create(
            organisation=organisation,
            kind=kind,
            name=name.strip(),
            webhook_url=webhook_url,
            secret=secret,
            enabled=enabled,
        )
        audit_record("notification.channel_create", channel, actor=actor, after=channel.to_audit())
    return channel


def channel_update(
    channel: OrganisationChannel,
    *,
    actor: Actor,
    name: str | None = None,
    webhook_url: str | None = None,
    secret: str | None = None,
    enabled: bool | None = None,
) -> OrganisationChannel:
    """Rename, re-key, (dis)able a group robot. ``None`` (or an empty URL) keeps a value;
    ``secret=""`` removes the signing secret."""
    require(actor, "notifications.manage_channels", channel.organisation)
    with transaction.atomic():
        locked = OrganisationChannel.objects.select_for_update().get(pk=channel.pk)
        before = locked.to_audit()
        changed: list[str] = []
        if name is not None and name.strip() != locked.name:
            locked.name = name.strip()
            changed.append("name")
        if webhook_url and webhook_url.strip() != locked.webhook_url:
            locked.webhook_url = webhook_url.strip()
            changed.append("webhook_url")
        if secret is not None and locked.kind == OrganisationChannel.Kind.DINGTALK and secret.strip() != locked.secret:
            locked.secret = secret.strip()
            changed.append("secret")
        if enabled is not None and enabled != locked.enabled:
            locked.enabled = enabled
            changed.append("enabled")
        _clean_channel(locked.kind, locked.webhook_url, locked.name)
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            after = locked.to_audit()
            if "secret" in changed:
                after["secret_changed"] = True
            audit_record("notification.channel_update", locked, actor=actor, before=before, after=after)
    return locked


def channel_send_test(channel: OrganisationChannel, *, actor: Actor) -> Delivery:
    """Queue a test message to a group robot, so its administrator sees it arrive (or the
    error on the delivery status page)."""
    require(actor, "notifications.manage_channels", channel.organisation)
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.create(
            organisation_channel=channel,
            channel=channel.kind,
            verb="notification.test",
            title=_("雁城平台测试消息"),
            body=_("这是一条测试消息：收到即说明群机器人配置正确。"),
            url="",
            next_attempt_at=now,
            enqueued_at=now,
        )
        audit_record("notification.channel_test", channel, actor=actor, after={"delivery": delivery.pk})
        pk = delivery.pk
        transaction.on_commit(lambda: enqueue_deliveries([pk]))
    return delivery


# --- inbox --------------------------------------------------------------------------------------


def notification_mark_read(notification: Notification, *, actor: Actor | None) -> Notification:
    """Mark one of the actor's own notifications read (personal state: not audited)."""
    if actor is None or notification.recipient_id != actor.pk:
        raise NotFoundError(_("通知不存在。"))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, actor: Actor) -> int:
    """Mark all of the actor's unread notifications read; returns how many."""
    return int(Notification.objects.visible_to(actor).unread().update(read_at=timezone.now()))


def notifications_mark_read_about(obj: Model, *, actor: Actor) -> int:
    """Opening an object (a case) reads what the actor was told about it: their unread
    notifications about that object are marked read (personal state: not audited)."""
    return int(
        Notification.objects.visible_to(actor).unread()
        .filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .update(read_at=timezone.now())
    )


# --- many notifications at once -------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One `notify` call of a `notify_many` batch (the arguments it would take, the
    organisations by id)."""

    recipients: Sequence[Any]
    verb: str
    title: str
    body: str = ""
    url: str = ""
    obj: Model | None = None
    organisation_ids: Sequence[int] = ()
    email: bool = True
    sms: bool = False


@dataclass(frozen=True)
class Notified:
    """What `notify_many` wrote for one message: its inbox rows and the audit record that
    `notify` would have appended."""

    notifications: list[Notification]
    audit: AuditEntry


def notify_many(messages: Sequence[Message], *, actor: Actor | None, defer_audit: bool = False) -> list[Notified]:
    """`notify` for many messages at once (the escalation job's nightly batch): the same
    inbox rows, deliveries and audit records, in one statement per kind of row for the
    whole batch instead of some ten per message — the recipients' active flags, the inbox
    rows, the group robots, the deliveries (COPY on PostgreSQL) and the audit append.

    ``defer_audit``: leave the audit records to the caller (``[n.audit for n in result]``),
    who appends them in its own `audit_record_many` call, interleaved with its own records
    in the order the one-by-one services would have written them.
    """
    for message in messages:
        if message.url and not message.url.startswith("/"):
            raise ValidationFailed(_("通知链接必须是本站的相对地址。"), field="url")
    wanted: list[list[int]] = []
    for message in messages:
        unique: dict[int, None] = {}
        for user in message.recipients:
            if user is not None:
                unique.setdefault(user.pk, None)
        wanted.append(list(unique))
    everyone = sorted({pk for pks in wanted for pk in pks})
    # Active as the database has it now, not as the caller's copy remembers.
    active = {user.pk: user for user in get_user_model().objects.filter(pk__in=everyone, is_active=True)} if everyone else {}
    org_ids = [sorted(set(message.organisation_ids)) for message in messages]
    all_orgs = sorted({pk for ids in org_ids for pk in ids})
    robots: dict[int, list[OrganisationChannel]] = {}
    if all_orgs:
        for robot in OrganisationChannel.objects.filter(organisation_id__in=all_orgs, enabled=True).order_by("pk"):
            robots.setdefault(robot.organisation_id, []).append(robot)
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        plans: list[tuple[Message, list[Any], list[Notification], list[int]]] = []
        for message, pks, ids in zip(messages, wanted, org_ids, strict=True):
            users = [active[pk] for pk in pks if pk in active]
            object_type = message.obj._meta.label_lower if message.obj is not None else ""
            object_id = str(message.obj.pk) if message.obj is not None else ""
            rows = [
                Notification(recipient_id=user.pk, verb=message.verb, title=message.title[:200], body=message.body,
                             url=message.url[:500], object_type=object_type, object_id=object_id)
                for user in users
            ]
            plans.append((message, users, rows, ids))
        bulk.insert_with_ids(Notification, [row for _m, _u, rows, _i in plans for row in rows])
        deliveries: list[Delivery] = []
        results: list[Notified] = []
        for message, users, rows, ids in plans:
            title, url = message.title[:200], message.url[:500]
            queued: dict[str, Any] = dict(
                enqueued_at=now, next_attempt_at=now, verb=message.verb, title=title, body=message.body, url=url
            )
            own: list[Delivery] = []
            for notification, user in zip(rows, users, strict=True):
                if message.email and user.email:
                    own.append(Delivery(notification_id=notification.pk, channel=Delivery.Channel.EMAIL,
                                        target=user.email, **queued))
                if message.sms and user.phone:
                    own.append(Delivery(notification_id=notification.pk, channel=Delivery.Channel.SMS, **queued))
            # Robots in id order across the message's organisations, as notify reads them.
            for robot in sorted((r for pk in ids for r in robots.get(pk, [])), key=lambda r: r.pk):
                own.append(Delivery(organisation_channel_id=robot.pk, channel=robot.kind, **queued))
            deliveries += own
            object_type = message.obj._meta.label_lower if message.obj is not None else ""
            entry = AuditEntry(
                "notification.create",
                message.obj,
                object_type=object_type or "notifications.notification",
                after={
                    "verb": message.verb,
                    "title": title,
                    "recipients": [user.pk for user in users],
                    "organisations": ids,
                    "deliveries": {
                        channel: sum(1 for d in own if d.channel == channel) for channel in Delivery.Channel.values
                    },
                },
            )
            results.append(Notified(notifications=rows, audit=entry))
        bulk.insert_with_ids(Delivery, deliveries)
        if not defer_audit:
            audit_record_many([result.audit for result in results], actor=actor)
        delivery_ids = [d.pk for d in deliveries]
        if delivery_ids:
            queue_deliveries(delivery_ids)
    return results

