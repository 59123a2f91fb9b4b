"""The case page offers only what applies now, as the user sees it: no 审核延期申请 form
without a pending request, no 回访 question before it is due, 删除 only on one's own
attachments, and a second, confirming press before a file is gone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yancheng.cases.models import Case
from yancheng.cases.services import (
    case_accept,
    case_assign,
    case_rate,
    case_request_extension,
    case_resolve,
    case_submit,
)
from yancheng.core.attachments.models import Attachment
from yancheng.core.attachments.services import attachment_add

from .test_views import tiny_png

SH = dt.timezone(dt.timedelta(hours=8))
TUESDAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)


@pytest.fixture
def frozen():
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(world, frozen):
    case = case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="专线尚未接入。")
    return case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)


def page(client, user, case):
    client.force_login(user)
    response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_dispatcher_is_offered_the_extension_review_only_while_a_request_waits(client, world, case):
    assert "审核延期申请" not in page(client, world.dispatcher, case)
    case_request_extension(case, actor=world.handler_power, working_days=3, reason="线路走廊手续未办完")
    body = page(client, world.dispatcher, case)
    assert "审核延期申请" in body and "申请延长 3 个工作日" in body


def test_the_handler_is_not_offered_a_second_extension_request_while_one_waits(client, world, case):
    assert 'id="act-request_extension"' in page(client, world.handler_power, case)
    case_request_extension(case, actor=world.handler_power, working_days=3, reason="线路走廊手续未办完")
    assert 'id="act-request_extension"' not in page(client, world.handler_power, case)


def test_the_revisit_question_waits_until_it_is_due(client, world, case, frozen):
    case_accept(case, actor=world.handler_power)
    case_resolve(case, actor=world.handler_power, resolution="已接入")
    case_rate(case, actor=world.enterprise_a_user, satisfaction="satisfied")
    assert 'id="act-revisit"' not in page(client, world.enterprise_a_user, case)
    frozen.shift(dt.timedelta(days=3))
    assert 'id="act-revisit"' not in page(client, world.enterprise_a_user, case)
    case.refresh_from_db()
    frozen.move_to(case.revisit_due_at + dt.timedelta(minutes=1))
    assert 'id="act-revisit"' in page(client, world.enterprise_a_user, case)


def _row_of(body: str, name: str) -> str:
    rows = [row for row in re.findall(r"<tr>.*?</tr>", body, re.S) if name in row]
    assert len(rows) == 1, rows
    return rows[0]


def test_delete_is_offered_on_ones_own_attachments_only_and_asks_for_confirmation(client, world, case):
    attachment_add(case, file=SimpleUploadedFile("现场照片.png", tiny_png(), "image/png"), actor=world.enterprise_a_user)
    attachment_add(case, file=SimpleUploadedFile("回复函.png", tiny_png(), "image/png"), actor=world.handler_power)

    body = page(client, world.handler_power, case)
    assert "删除" not in _row_of(body, "现场照片.png")
    own = _row_of(body, "回复函.png")
    # The first press only opens the question; the form's button is the second press.
    assert re.search(r"<details[^>]*>\s*<summary>删除</summary>.*?<form[^>]*attachments/.*?确定删除", own, re.S)
    assert "onclick" not in own and "<script" not in own

    body = page(client, world.enterprise_a_user, case)
    assert "删除" not in _row_of(body, "回复函.png")
    assert "确定删除" in _row_of(body, "现场照片.png")

    mine = Attachment.objects.get(original_name="现场照片.png")
    response = client.post(reverse("attachments:delete", args=[mine.pk]),
                           {"next": reverse("cases:case_detail", args=[case.pk])})
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=mine.pk).exists()
    assert Case.objects.filter(pk=case.pk).exists()


def test_the_dispatcher_reads_the_problem_before_the_forms_to_act_on_it(client, world, frozen):
    case = case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="10kV 专线尚未接入，无法试生产。")
    body = page(client, world.dispatcher, case)
    assert 'id="act-assign"' in body
    assert body.index("10kV 专线尚未接入，无法试生产。") < body.index('id="actions-h"') < body.index('id="act-assign"')
