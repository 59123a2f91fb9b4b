"""Opening a case reads what one was told about it: the user's notifications about that
case turn read, and nobody else's, nor those about other cases."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from yancheng.cases.services import case_assign, case_submit, case_urge
from yancheng.core.notifications.models import Notification

SH = dt.timezone(dt.timedelta(hours=8))
TUESDAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)


@pytest.fixture
def cases(world):
    with time_machine.travel(TUESDAY, tick=False):
        one = case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="专线尚未接入。")
        two = case_submit(actor=world.enterprise_a_user, title="用地指标不足", description="二期用地。")
        for case in (one, two):
            case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
        case_urge(one, actor=world.enterprise_a_user, note="请尽快")
    return one, two


def unread(user, case):
    return Notification.objects.filter(recipient=user, read_at__isnull=True, object_id=str(case.pk)).count()


def test_opening_a_case_marks_my_notifications_about_it_read(client, world, cases):
    one, two = cases
    assert unread(world.handler_power, one) >= 2 and unread(world.handler_power, two) >= 1
    others_before = {u.pk: unread(u, one) for u in (world.dispatcher, world.enterprise_a_user)}

    client.force_login(world.handler_power)
    assert client.get(reverse("cases:case_detail", args=[one.pk])).status_code == 200

    assert unread(world.handler_power, one) == 0
    assert unread(world.handler_power, two) >= 1
    assert {u.pk: unread(u, one) for u in (world.dispatcher, world.enterprise_a_user)} == others_before
    inbox = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    assert "用地指标不足" in inbox and "高压专线未接入" not in inbox
