"""The inbox (everyone, own notifications only), the delivery status page and the robot
configuration (the system administrator only), tried from the side of who must not."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from yancheng.core.notifications.models import Delivery, Notification, OrganisationChannel
from yancheng.core.notifications.services import channel_create, notify

PERSONAS = [
    "enterprise_a",
    "enterprise_b",
    "dispatcher",
    "handler_power",
    "handler_other",
    "inspector",
    "supervisor",
    "leader",
    "system_admin",
    "security_admin",
    "audit_admin",
]
NOT_SYSTEM_ADMIN = [p for p in PERSONAS if p != "system_admin"]


def tell(world, user, title="新交办事项", url="/cases/42/", actor=None):
    [n] = notify(recipients=[user], verb="case.assigned", title=title, body="请及时受理。", url=url, actor=actor)
    return n


@pytest.fixture
def robot(world):
    return channel_create(
        organisation=world.qidong_park,
        kind="dingtalk",
        name="园区调度工作群",
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdefTOKEN7q3z",
        secret="SECsigningsecretvalue",
        actor=world.system_admin,
    )


@pytest.fixture
def delivery(world, robot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=[], verb="case.assigned", title="交办", organisations=[world.qidong_park], actor=None)
    return Delivery.objects.get()


# --- inbox ----------------------------------------------------------------------------------------------


def test_the_inbox_lists_my_notifications_newest_first_with_the_unread_count(client, world):
    me = world.dispatcher
    tell(world, me, title="第一条")
    second = tell(world, me, title="第二条")
    tell(world, world.handler_power, title="别人的通知")
    second.read_at = second.created_at
    second.save(update_fields=["read_at"])
    client.force_login(me)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    titles = [n.title for n in response.context["page"]]
    assert titles == ["第二条", "第一条"]
    assert response.context["unread_count"] == 1
    assert "别人的通知" not in response.content.decode()


def test_the_inbox_can_show_only_unread_notifications(client, world):
    tell(world, world.dispatcher, title="未读")
    read = tell(world, world.dispatcher, title="已读")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client.force_login(world.dispatcher)
    response = client.get(reverse("notifications:inbox") + "?unread=1")
    assert [n.title for n in response.context["page"]] == ["未读"]


def test_the_inbox_costs_the_same_queries_for_many_notifications(client, world, django_assert_max_num_queries):
    for i in range(25):
        tell(world, world.dispatcher, title=f"通知{i}")
    client.force_login(world.dispatcher)
    client.get(reverse("notifications:inbox"))  # warm the session and caches
    with django_assert_max_num_queries(11):  # +1: the unread badge in the top bar; +1: the menu asks whether the user reads a chain
        client.get(reverse("notifications:inbox"))


def test_the_inbox_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_marking_a_notification_read_and_opening_its_object(client, world):
    n = tell(world, world.dispatcher)
    client.force_login(world.dispatcher)
    response = client.post(reverse("notifications:mark_read", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:inbox")
    n.refresh_from_db()
    assert n.read_at is not None
    other = tell(world, world.dispatcher)
    response = client.post(reverse("notifications:mark_read", args=[other.pk]), {"go": "1"})
    assert response["Location"] == "/cases/42/"


def test_someone_elses_notification_is_not_found_and_stays_unread(client, world):
    n = tell(world, world.handler_power)
    for persona in ("dispatcher", "system_admin", "security_admin", "audit_admin", "enterprise_a"):
        client.force_login(world.users[persona])
        assert client.post(reverse("notifications:mark_read", args=[n.pk])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_marking_read_is_post_only(client, world):
    n = tell(world, world.dispatcher)
    client.force_login(world.dispatcher)
    assert client.get(reverse("notifications:mark_read", args=[n.pk])).status_code == 405
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405


def test_mark_all_read_touches_only_my_notifications(client, world):
    tell(world, world.dispatcher)
    tell(world, world.dispatcher)
    theirs = tell(world, world.handler_power)
    client.force_login(world.dispatcher)
    assert client.post(reverse("notifications:mark_all_read")).status_code == 302
    assert not Notification.objects.filter(recipient=world.dispatcher, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_unread_badge_shows_my_count(world):
    tell(world, world.dispatcher)
    tell(world, world.dispatcher)
    request = RequestFactory().get("/")
    request.user = world.dispatcher
    html = Template("{% load notifications_tags %}{% notifications_badge %}").render(
        Context({"user": world.dispatcher, "request": request})
    )
    assert 'href="/notifications/"' in html and '<span class="badge">2</span>' in html
    count = Template("{% load notifications_tags %}{% unread_notifications_count %}").render(Context({"user": world.leader}))
    assert count == "0"


# --- delivery status page -----------------------------------------------------------------------------------


def test_the_system_administrator_sees_deliveries_with_status_attempts_and_error(client, world, delivery):
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=2, last_error="errcode=310000 sign not match")
    client.force_login(world.system_admin)
    response = client.get(reverse("notifications:delivery_list") + "?status=failed")
    html = response.content.decode()
    assert response.status_code == 200
    assert "errcode=310000 sign not match" in html and "失败待重试" in html
    assert "oapi.dingtalk.com …7q3z" in html
    assert "0123456789abcdefTOKEN" not in html
    # the title says how many match (the workbench's figure opens this list)
    assert 'title="符合条件的投递记录数">1</span></h1>' in html
    assert 'title="符合条件的投递记录数">0</span></h1>' in client.get(
        reverse("notifications:delivery_list") + "?status=given_up").content.decode()


@pytest.mark.parametrize("persona", NOT_SYSTEM_ADMIN)
def test_the_delivery_status_page_is_forbidden_to_everyone_else(client, world, persona):
    client.force_login(world.users[persona])
    assert client.get(reverse("notifications:delivery_list")).status_code == 403


@pytest.mark.parametrize("persona", NOT_SYSTEM_ADMIN)
def test_retry_now_is_forbidden_to_everyone_else(client, world, delivery, persona):
    client.force_login(world.users[persona])
    assert client.post(reverse("notifications:delivery_retry", args=[delivery.pk])).status_code == 403
    delivery.refresh_from_db()
    assert delivery.attempts == 0 and delivery.status == "pending"


def test_retry_now_from_the_status_page(client, world, delivery, django_capture_on_commit_callbacks):
    Delivery.objects.filter(pk=delivery.pk).update(status="given_up", attempts=5)
    client.force_login(world.system_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("notifications:delivery_retry", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending" and len(callbacks) == 1


@pytest.mark.parametrize(
    ("route", "method", "needs_pk"),
    [
        ("notifications:delivery_list", "get", False),
        ("notifications:delivery_retry", "post", "delivery"),
        ("notifications:channel_list", "get", False),
        ("notifications:channel_create", "get", False),
        ("notifications:channel_edit", "get", "robot"),
        ("notifications:channel_test", "post", "robot"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, world, delivery, robot, route, method, needs_pk):
    args = [{"delivery": delivery, "robot": robot}[needs_pk].pk] if needs_pk else []
    response = getattr(client, method)(reverse(route, args=args))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# --- group robots ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOT_SYSTEM_ADMIN)
def test_robot_configuration_is_forbidden_to_everyone_else(client, world, robot, persona):
    client.force_login(world.users[persona])
    assert client.get(reverse("notifications:channel_list")).status_code == 403
    assert client.get(reverse("notifications:channel_create")).status_code == 403
    assert client.get(reverse("notifications:channel_edit", args=[robot.pk])).status_code == 403
    post = {"organisation": world.qidong_park.pk, "kind": "wecom", "name": "x", "webhook_url": "https://h/x", "enabled": "on"}
    assert client.post(reverse("notifications:channel_create"), post).status_code == 403
    assert client.post(reverse("notifications:channel_edit", args=[robot.pk]), post).status_code == 403
    assert client.post(reverse("notifications:channel_test", args=[robot.pk])).status_code == 403
    assert OrganisationChannel.objects.count() == 1 and not Delivery.objects.exists()


def test_the_robot_list_shows_the_url_masked(client, world, robot):
    client.force_login(world.system_admin)
    html = client.get(reverse("notifications:channel_list")).content.decode()
    assert "oapi.dingtalk.com …7q3z" in html
    assert "access_token" not in html and "SECsigning" not in html


def test_the_system_administrator_adds_a_wecom_robot(client, world):
    client.force_login(world.system_admin)
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    response = client.post(
        reverse("notifications:channel_create"),
        {"organisation": world.power_company.pk, "kind": "wecom", "name": "供电保障群", "webhook_url": url, "enabled": "on"},
    )
    assert response.status_code == 302
    robot = OrganisationChannel.objects.get()
    assert (robot.organisation, robot.kind, robot.webhook_url, robot.enabled) == (world.power_company, "wecom", url, True)


def test_a_plain_http_robot_address_is_refused_with_a_message(client, world):
    client.force_login(world.system_admin)
    response = client.post(
        reverse("notifications:channel_create"),
        {"organisation": world.power_company.pk, "kind": "wecom", "name": "群", "webhook_url": "http://qyapi.weixin.qq.com/x?key=1"},
    )
    assert response.status_code == 200 and "https://" in response.content.decode()
    assert not OrganisationChannel.objects.exists()


def test_editing_a_robot_never_shows_its_url_or_secret_and_blank_keeps_them(client, world, robot):
    client.force_login(world.system_admin)
    page = client.get(reverse("notifications:channel_edit", args=[robot.pk])).content.decode()
    assert "0123456789abcdefTOKEN" not in page and "SECsigning" not in page and "…7q3z" in page
    response = client.post(
        reverse("notifications:channel_edit", args=[robot.pk]), {"name": "园区调度群（新）", "webhook_url": "", "secret": ""}
    )
    assert response.status_code == 302
    robot.refresh_from_db()
    assert robot.name == "园区调度群（新）" and robot.enabled is False
    assert robot.webhook_url.endswith("TOKEN7q3z") and robot.secret == "SECsigningsecretvalue"
    client.post(reverse("notifications:channel_edit", args=[robot.pk]), {"name": robot.name, "clear_secret": "on", "enabled": "on"})
    robot.refresh_from_db()
    assert robot.secret == "" and robot.enabled is True


def test_sending_a_test_message_queues_a_delivery_to_the_robot(client, world, robot, django_capture_on_commit_callbacks):
    client.force_login(world.system_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(reverse("notifications:channel_test", args=[robot.pk])).status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.organisation_channel == robot and delivery.channel == "dingtalk" and len(callbacks) == 1


def test_the_delivery_status_page_costs_the_same_queries_for_many_deliveries(
    client, world, robot, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    channel_create(
        organisation=world.power_company,
        kind="wecom",
        name="供电保障群",
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1234",
        actor=world.system_admin,
    )
    with django_capture_on_commit_callbacks(execute=False):
        for i in range(10):
            notify(
                recipients=[],
                verb="case.assigned",
                title=f"交办{i}",
                organisations=[world.qidong_park, world.power_company],
                actor=None,
            )
    assert Delivery.objects.count() == 20
    client.force_login(world.system_admin)
    client.get(reverse("notifications:delivery_list"))
    with django_assert_max_num_queries(12):  # no query per row (PostgreSQL adds 2 SAVEPOINTs)
        client.get(reverse("notifications:delivery_list"))
