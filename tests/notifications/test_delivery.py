"""notify(): the inbox row in the caller's transaction, deliveries on commit, and each
channel's real format, failures, retries and giving up (SPEC §2.5)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import urllib.parse

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from yancheng.core.audit.models import AuditEvent
from yancheng.core.jobs import enqueue_due_jobs, registered_jobs
from yancheng.core.notifications.models import Delivery, Notification, OrganisationChannel
from yancheng.core.notifications.sending import delivery_attempt
from yancheng.core.notifications.services import channel_create, delivery_retry, notify
from yancheng.core.notifications.tasks import deliveries_retry_due
from yancheng.core.services import user_set_active

SITE = "https://yc.example.cn"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.YANCHENG_SITE_URL = SITE


def wecom_robot(world, server, **kw):
    return channel_create(
        organisation=world.qidong_park,
        kind="wecom",
        name="园区调度工作群",
        webhook_url=server.url(),
        actor=world.system_admin,
        **kw,
    )


def dingtalk_robot(world, server, secret="SEC0123456789abcdefSECRET"):  # noqa: S107 - a test value
    return channel_create(
        organisation=world.power_company,
        kind="dingtalk",
        name="供电保障群",
        webhook_url=server.url("/robot/send?access_token=ding-token-abcd9876"),
        secret=secret,
        actor=world.system_admin,
    )


def tell(world, recipients, **kw):
    kw.setdefault("organisations", ())
    return notify(
        recipients=recipients,
        verb="case.assigned",
        title="新交办事项：高压专线未接入",
        body="祁东经济开发区交办，请于 3 个工作日内受理。",
        url="/cases/42/",
        actor=world.dispatcher,
        **kw,
    )


# --- the inbox and the transaction ------------------------------------------------------------


def test_notify_puts_one_notification_in_each_active_recipients_inbox(world, reachable, django_capture_on_commit_callbacks):
    user_set_active(reachable[1], active=False, actor=world.system_admin)
    with django_capture_on_commit_callbacks(execute=True):
        created = tell(world, [reachable[0], reachable[0], reachable[1], world.handler_power], obj=world.enterprise_a)
    assert [n.recipient for n in created] == [reachable[0], world.handler_power]
    n = Notification.objects.get(recipient=reachable[0])
    assert (n.verb, n.url, n.read_at) == ("case.assigned", "/cases/42/", None)
    assert (n.object_type, n.object_id) == ("core.enterprise", str(world.enterprise_a.pk))
    assert not Notification.objects.filter(recipient=reachable[1]).exists()
    event = AuditEvent.objects.get(action="notification.create")
    assert event.actor_id == world.dispatcher.pk
    assert event.after["recipients"] == [reachable[0].pk, world.handler_power.pk]


def test_deliveries_are_queued_only_when_the_callers_transaction_commits(world, reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell(world, reachable[:1])
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 0
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_leaves_no_notification_and_sends_nothing(
    world, reachable, robot_server, django_capture_on_commit_callbacks
):
    wecom_robot(world, robot_server)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tell(world, reachable, organisations=[world.qidong_park])
        raise RuntimeError("the business change failed")
    assert callbacks == []
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert mail.outbox == [] and robot_server.received == []


# --- email ------------------------------------------------------------------------------------------


def test_email_goes_to_each_recipient_with_an_address_through_the_mail_backend(
    world, reachable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [reachable[0], world.handler_power])  # the persona has no email address
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["park_handler_1@qidong.example.cn"]
    assert message.subject == "新交办事项：高压专线未接入"
    assert "请于 3 个工作日内受理" in message.body and f"{SITE}/cases/42/" in message.body
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_no_email_is_sent_when_the_caller_asks_for_none(world, reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, reachable, email=False)
    assert mail.outbox == [] and not Delivery.objects.exists()
    assert Notification.objects.count() == 2


# --- 企业微信 and 钉钉 group robots ------------------------------------------------------------------


def test_the_wecom_robot_receives_its_markdown_message(world, reachable, robot_server, django_capture_on_commit_callbacks):
    wecom_robot(world, robot_server)
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [], organisations=[world.qidong_park])
    [received] = robot_server.received
    assert received.path == "/cgi-bin/webhook/send"
    assert received.query == {"key": ["6f1c2e7a-robot-key-1234"]}
    assert received.headers["content-type"].startswith("application/json")
    assert received.json == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**新交办事项：高压专线未接入**\n祁东经济开发区交办，请于 3 个工作日内受理。\n"
            f"[查看详情]({SITE}/cases/42/)"
        },
    }
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts) == ("wecom", "sent", 1)


def test_the_dingtalk_robot_receives_a_markdown_message_signed_with_its_secret(
    world, robot_server, django_capture_on_commit_callbacks
):
    secret = "SEC0123456789abcdefSECRET"
    dingtalk_robot(world, robot_server, secret=secret)
    before_ms = int(timezone.now().timestamp() * 1000)
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [], organisations=[world.power_company])
    [received] = robot_server.received
    assert received.path == "/robot/send"
    assert received.json == {
        "msgtype": "markdown",
        "markdown": {
            "title": "新交办事项：高压专线未接入",
            "text": "#### 新交办事项：高压专线未接入\n\n祁东经济开发区交办，请于 3 个工作日内受理。\n\n"
            f"[查看详情]({SITE}/cases/42/)",
        },
    }
    assert received.query["access_token"] == ["ding-token-abcd9876"]
    timestamp = received.query["timestamp"][0]
    assert abs(int(timestamp) - before_ms) < 60_000
    # The signature as DingTalk documents it, computed here independently.
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert received.query["sign"] == [expected]  # parse_qs undoes the URL encoding
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_dingtalk_robot_without_a_secret_is_called_unsigned(world, robot_server, django_capture_on_commit_callbacks):
    dingtalk_robot(world, robot_server, secret="")
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [], organisations=[world.power_company])
    assert set(robot_server.received[0].query) == {"access_token"}


def test_only_the_enabled_robots_of_the_named_organisations_are_called(
    world, robot_server, django_capture_on_commit_callbacks
):
    from yancheng.core.notifications.services import channel_update

    robot = wecom_robot(world, robot_server)
    dingtalk_robot(world, robot_server)
    channel_update(robot, enabled=False, actor=world.system_admin)
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [], organisations=[world.qidong_park])
    assert robot_server.received == [] and not Delivery.objects.exists()


# --- failures, retries, giving up --------------------------------------------------------------------


def test_a_nonzero_errcode_fails_the_delivery_and_schedules_a_retry(
    world, robot_server, django_capture_on_commit_callbacks, caplog
):
    robot_server.answer((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    wecom_robot(world, robot_server)
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            tell(world, [], organisations=[world.qidong_park])
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
        assert delivery.last_error == "errcode=93000 invalid webhook url"
        assert delivery.next_attempt_at == timezone.now() + dt.timedelta(minutes=1)
        assert delivery_attempt(delivery.pk) == "skipped"  # not due yet
    assert len(robot_server.received) == 1
    assert "robot-key" not in caplog.text and "6f1c2e7a" not in caplog.text


def test_an_http_error_or_an_unreachable_robot_is_a_failure_that_names_no_key(
    world, robot_server, django_capture_on_commit_callbacks
):
    robot_server.answer((502, {"error": "bad gateway"}))
    robot = wecom_robot(world, robot_server)
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [], organisations=[world.qidong_park])
    assert Delivery.objects.get().last_error == "HTTP 502"
    OrganisationChannel.objects.filter(pk=robot.pk).update(webhook_url="http://127.0.0.1:9/send?key=secret-key-zzzz")
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [], organisations=[world.qidong_park])
    failed = Delivery.objects.order_by("-pk").first()
    assert failed.status == Delivery.Status.FAILED and failed.last_error.startswith("连接失败")
    assert "secret-key" not in failed.last_error


def test_a_delivery_is_given_up_after_five_failed_attempts(world, robot_server, django_capture_on_commit_callbacks):
    robot_server.answer((200, {"errcode": 310000, "errmsg": "sign not match"}))
    dingtalk_robot(world, robot_server)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            tell(world, [], organisations=[world.power_company])
        delivery = Delivery.objects.get()
        waits = []
        for _ in range(4):
            delivery.refresh_from_db()
            assert delivery.status == Delivery.Status.FAILED
            waits.append(delivery.next_attempt_at - timezone.now())
            clock.move_to(delivery.next_attempt_at)
            with django_capture_on_commit_callbacks(execute=True):
                assert deliveries_retry_due() == 1
        delivery.refresh_from_db()
    assert waits == [dt.timedelta(minutes=m) for m in (1, 5, 30, 120)]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("given_up", 5, None)
    assert delivery.last_error == "errcode=310000 sign not match"
    assert len(robot_server.received) == 5
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        assert deliveries_retry_due() == 0


def test_retry_now_gives_a_given_up_delivery_one_more_attempt(world, robot_server, django_capture_on_commit_callbacks):
    robot_server.answer((200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    wecom_robot(world, robot_server)
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [], organisations=[world.qidong_park])
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="given_up", attempts=5, next_attempt_at=None)
    robot_server.answer((200, {"errcode": 0, "errmsg": "ok"}))
    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(delivery, actor=world.system_admin)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 6, "")
    assert AuditEvent.objects.filter(action="notification.delivery_retry", actor_id=world.system_admin.pk).exists()


def test_nobody_but_the_system_administrator_may_retry_a_delivery(world, reachable, django_capture_on_commit_callbacks):
    from yancheng.core.errors import PermissionDeniedError

    with django_capture_on_commit_callbacks(execute=False):
        tell(world, reachable[:1])
    delivery = Delivery.objects.get()
    for persona in ("dispatcher", "security_admin", "audit_admin", "enterprise_a"):
        with pytest.raises(PermissionDeniedError):
            delivery_retry(delivery, actor=world.users[persona])


def test_the_periodic_retry_job_is_registered_every_five_minutes():
    [job] = [job for job in registered_jobs() if job.name == "notifications.retry"]
    assert job.every == dt.timedelta(minutes=5)


def test_the_scheduler_runs_the_retry_job_which_sends_due_deliveries(
    world, robot_server, django_capture_on_commit_callbacks
):
    robot_server.answer((200, {"errcode": 93000, "errmsg": "x"}), (200, {"errcode": 0, "errmsg": "ok"}))
    wecom_robot(world, robot_server)
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [], organisations=[world.qidong_park])
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert "notifications.retry" in enqueue_due_jobs()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


@pytest.mark.django_db(transaction=True)
def test_the_retry_job_queues_each_due_delivery_once_on_the_database_queue(world, robot_server):
    from django_tasks_db.models import DBTaskResult

    robot_server.answer((200, {"errcode": 93000, "errmsg": "x"}))
    wecom_robot(world, robot_server)
    tell(world, [], organisations=[world.qidong_park])  # immediate backend: fails at once
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.enqueued_at is None
    robot_server.answer((200, {"errcode": 0, "errmsg": "ok"}))
    with override_settings(TASKS=DB_TASKS), time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert deliveries_retry_due() == 1
        assert deliveries_retry_due() == 0  # already on the queue
        assert DBTaskResult.objects.filter(task_path__endswith="notifications.tasks.deliver").count() == 1
        call_command("worker", "--batch")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


@pytest.mark.django_db(transaction=True)
def test_on_a_queue_that_can_defer_a_failed_delivery_is_queued_again_for_its_next_attempt(world, robot_server):
    from django_tasks_db.models import DBTaskResult

    robot_server.answer((200, {"errcode": 93000, "errmsg": "x"}))
    wecom_robot(world, robot_server)
    with override_settings(TASKS=DB_TASKS):
        tell(world, [], organisations=[world.qidong_park])
        call_command("worker", "--batch")
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.FAILED and delivery.enqueued_at is not None
        retry = DBTaskResult.objects.filter(task_path__endswith="notifications.tasks.deliver", status="READY").get()
        assert retry.run_after == delivery.next_attempt_at
        assert deliveries_retry_due(now=delivery.next_attempt_at) == 0  # no second task for it


# --- SMS --------------------------------------------------------------------------------------------


class RecordingGateway:
    """A stand-in for a city's SMS gateway (the outside world)."""

    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, message: str) -> None:
        self.sent.append((phone, message))


def test_sms_goes_only_when_asked_and_only_to_people_with_a_phone(
    world, reachable, settings, django_capture_on_commit_callbacks
):
    settings.YANCHENG_SMS_BACKEND = "tests.notifications.test_delivery.RecordingGateway"
    RecordingGateway.sent = []
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [reachable[0], world.handler_power], email=False)
    assert RecordingGateway.sent == []
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, [reachable[0], world.handler_power], email=False, sms=True)
    assert RecordingGateway.sent == [("13812345678", f"【{settings.YANCHENG_SITE_NAME}】新交办事项：高压专线未接入 {SITE}/cases/42/")]
    assert Delivery.objects.get(channel="sms").status == Delivery.Status.SENT


def test_the_default_sms_backend_logs_only_a_masked_number(world, reachable, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger="yancheng.notifications")
    with django_capture_on_commit_callbacks(execute=True):
        tell(world, reachable[:1], email=False, sms=True)
    assert "138****5678" in caplog.text
    assert "13812345678" not in caplog.text
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == Delivery.Status.SENT and delivery.target_display == "138****5678"


# --- configuration --------------------------------------------------------------------------------------


def test_a_robot_url_must_be_https_outside_the_loopback_interface(world):
    from yancheng.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        channel_create(
            organisation=world.qidong_park,
            kind="wecom",
            name="明文地址",
            webhook_url="http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
            actor=world.system_admin,
        )


def test_the_audit_trail_keeps_no_robot_key_or_secret(world, robot_server):
    dingtalk_robot(world, robot_server, secret="SECtopsecretvalue")
    event = AuditEvent.objects.get(action="notification.channel_create")
    text = str(event.after)
    assert "ding-token" not in text and "SECtopsecret" not in text
    assert event.after["webhook"] == "127.0.0.1 …9876" and event.after["has_secret"] is True


def test_only_the_system_administrator_configures_robots(world, robot_server):
    from yancheng.core.errors import PermissionDeniedError

    for persona in ("dispatcher", "handler_power", "leader", "security_admin", "audit_admin", "enterprise_a"):
        with pytest.raises(PermissionDeniedError):
            channel_create(
                organisation=world.users[persona].organisation,
                kind="wecom",
                name="自建群",
                webhook_url=robot_server.url(),
                actor=world.users[persona],
            )
    assert not OrganisationChannel.objects.exists()


def test_a_notification_link_must_be_a_relative_address(world, reachable):
    from yancheng.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        notify(recipients=reachable, verb="x", title="t", url="https://evil.example/", actor=None)


def test_signing_follows_dingtalks_documented_example():
    from yancheng.core.notifications.channels import dingtalk_signed_url

    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=T", "SECabc", timestamp_ms=1700000000000)
    digest = hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign="
        + urllib.parse.quote_plus(base64.b64encode(digest))
    )
