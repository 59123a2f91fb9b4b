"""The inbox and the delivery status as .xlsx: one's own notifications only; the deliveries
for the system administrator only, the robot's address masked as on the page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.notifications.models import Delivery
from yancheng.core.notifications.services import channel_create, notification_mark_read, notify
from yancheng.testing.exports import read_export

TOKEN = "0123456789abcdefTOKEN7q3z"
NOT_SYSTEM_ADMIN = ["dispatcher", "leader", "security_admin", "audit_admin", "enterprise_a_user"]


@pytest.fixture(scope="module")
def built(module_world, django_db_blocker):
    """Two notifications of the dispatcher (one read), one of the leader; a robot of the park
    and its delivery (queued, never sent: the module's transaction never commits)."""
    w = module_world
    with django_db_blocker.unblock():
        [first] = notify(recipients=[w.dispatcher], verb="case.assigned", title="新交办事项", body="请及时受理。",
                         url="/cases/1/", actor=None)
        notify(recipients=[w.dispatcher], verb="case.urged", title="催办", body="请加快办理。", url="/cases/1/", actor=None)
        notify(recipients=[w.leader], verb="case.reported", title="领导的通知", body="", url="", actor=None)
        notification_mark_read(first, actor=w.dispatcher)
        channel_create(organisation=w.qidong_park, kind="dingtalk", name="园区调度工作群",
                       webhook_url=f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
                       secret="SECsigningsecretvalue", actor=w.system_admin)
        notify(recipients=[], verb="case.assigned", title="交办", organisations=[w.qidong_park], actor=None)
        Delivery.objects.update(status="failed", attempts=2, last_error="errcode=310000 sign not match")
    return SimpleNamespace(w=w)


@pytest.fixture
def nw(built, shared_world):
    return built


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"notifications:{name}"), params)


def test_the_inbox_export_has_my_notifications_and_nobody_elses(client, nw):
    export = read_export(get(client, nw.w.dispatcher, "inbox", format="xlsx"), "我的通知")
    assert export.header == ("时间", "标题", "内容", "状态", "阅读时间")
    assert export.column("标题") == ["催办", "新交办事项"]
    assert export.column("状态") == ["未读", "已读"]
    assert export.cell(0, "时间").is_date and export.cell(0, "时间").number_format == "yyyy-mm-dd hh:mm"
    assert export.cell(1, "阅读时间").is_date and export.cell(0, "阅读时间").value is None
    assert "领导的通知" not in export.column("标题")


def test_the_inbox_export_follows_the_unread_filter(client, nw):
    export = read_export(get(client, nw.w.dispatcher, "inbox", unread="1", format="xlsx"), "我的通知")
    assert export.column("标题") == ["催办"]


def test_the_inbox_offers_the_export_of_what_it_shows(client, nw):
    html = get(client, nw.w.dispatcher, "inbox", unread="1").content.decode()
    assert '<a class="button no-print" href="?unread=1&amp;format=xlsx">导出 Excel</a>' in html


def test_the_delivery_export_masks_the_robot_address_as_the_page_does(client, nw):
    export = read_export(get(client, nw.w.system_admin, "delivery_list", status="failed", format="xlsx"), "消息投递")
    assert export.column("标题") == ["交办"]
    assert export.column("发送对象") == [f"{nw.w.qidong_park.name} · 园区调度工作群 · oapi.dingtalk.com …7q3z"]
    assert export.cell(0, "尝试次数").value == 2 and export.cell(0, "尝试次数").data_type == "n"
    assert export.column("最近错误") == ["errcode=310000 sign not match"]
    cells = [str(value) for row in export.rows for value in row]
    assert not any(TOKEN in cell or "SECsigning" in cell for cell in cells)
    assert AuditEvent.objects.filter(action="delivery.export", actor=nw.w.system_admin).exists()
    sent = get(client, nw.w.system_admin, "delivery_list", status="sent", format="xlsx")
    assert read_export(sent, "消息投递").rows == []


@pytest.mark.parametrize("persona", NOT_SYSTEM_ADMIN)
def test_the_delivery_export_is_refused_to_everyone_else(client, nw, persona):
    assert get(client, getattr(nw.w, persona), "delivery_list", format="xlsx").status_code == 403


def test_anonymous_visitors_get_no_export(client, nw):
    for name in ("inbox", "delivery_list"):
        response = client.get(reverse(f"notifications:{name}"), {"format": "xlsx"})
        assert response.status_code == 302 and "/login" in response["Location"]
