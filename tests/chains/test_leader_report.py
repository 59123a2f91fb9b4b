"""The chain's monthly report: the 公文 (.docx) and the workbook (.xlsx) read back, the month's
figures (targets as of the month's end, signings and problems of the month, meeting decisions
with their cases), and who may have it."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.chains.leader_world import build_leader
from tests.chains.problems_world import build_problems
from yancheng.chains.report import parse_month
from yancheng.chains.services import meetings as meeting_svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def lw(cw):
    build_problems(cw)
    return build_leader(cw)


def _this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def test_parse_month_takes_a_begun_month_else_last_month():
    today = dt.date(2026, 3, 15)
    assert parse_month("2026-02", today) == (2026, 2)
    assert parse_month("2026-03", today) == (2026, 3)
    assert parse_month("2026-04", today) == (2026, 2)  # not begun
    assert parse_month("junk", today) == (2026, 2)
    assert parse_month("", dt.date(2026, 1, 5)) == (2025, 12)


def test_the_workbook_holds_each_part_with_typed_cells(client, lw):
    from openpyxl import load_workbook

    from yancheng.chains.services.leads import lead_advance

    signed = lead_advance(lead_advance(lw.green_lead, actor=None), actor=None)
    meeting = meeting_svc.meeting_create(lw.nonferrous, actor=lw.chain_leader, title="链长办公会",
                                         held_on=timezone.localdate())
    meeting_svc.decision_add(meeting, actor=lw.chain_leader, text="协调铜箔项目用地", lead_org=lw.world.city_ndrc)
    meeting_svc.meeting_close(meeting, actor=lw.chain_leader)
    client.force_login(lw.chain_leader)
    response = client.get(reverse("chains:report", args=["nonferrous"]), {"month": _this_month(), "format": "xlsx"})
    assert response.status_code == 200
    assert "有色金属产业链" in unquote(response["Content-Disposition"])
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["发展目标", "在建重大项目"]
    targets = book["发展目标"]
    assert targets.freeze_panes == "A2"
    rows = {r[0]: r for r in targets.iter_rows(min_row=2, values_only=True)}
    red = rows[lw.red_target.label]
    assert red[2] == 1200 and isinstance(red[2], int | float) and red[7] == "红灯"
    signings = list(book["本月签约"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in signings] == [signed.number]
    assert isinstance(signings[0][4], dt.datetime)  # a date cell
    stages = dict(book["招商线索阶段"].iter_rows(min_row=2, values_only=True))
    assert stages["签约"] == 1 and stages["接触"] == 2
    decisions = list(book["链长会议议定事项"].iter_rows(min_row=2, values_only=True))
    assert decisions[0][2] == "协调铜箔项目用地" and decisions[0][4]  # its case's number
    problems = list(book["重点问题"].iter_rows(min_row=2, values_only=True))
    assert any(r[0] == "红灯未办结" and r[1] == lw.request_case.number for r in problems)
    assert any(r[0] == "本月新增" for r in problems)  # the meeting's case was submitted this month


def test_the_targets_are_read_as_of_the_months_end(lw):
    from yancheng.chains.report import build_report
    from yancheng.chains.services.targets import actual_record

    today = timezone.localdate()
    if today.month < 3:
        pytest.skip("needs two months of this year behind")
    actual_record(lw.red_target, actor=None, period=1, value=900, today=dt.date(today.year, 12, 31))
    january = build_report(lw.chain_leader, lw.nonferrous, today.year, 1)
    row = next(r for r in january.targets if r.target == lw.red_target)
    assert row.latest is not None and row.latest.period == 1 and row.light == "green"


def test_the_document_is_a_gbt_9704_notice(client, lw):
    from docx import Document
    from docx.shared import Mm

    client.force_login(lw.lianban)
    response = client.get(reverse("chains:report", args=["nonferrous"]), {"month": _this_month(), "format": "docx"})
    assert (response.status_code == 200 and unquote(response["Content-Disposition"]).endswith("工作报告.docx\"")) or \
        "工作报告.docx" in unquote(response["Content-Disposition"])
    doc = Document(io.BytesIO(response.content))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "有色金属产业链" in doc.paragraphs[0].text and "工作报告" in doc.paragraphs[0].text
    assert "一、发展目标" in text and "二、在建重大项目" in text
    assert "红灯 1 项" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "1,200" in cells or "1200" in cells
    assert lw.office.name in text


def test_the_report_page_offers_both_files(client, lw):
    client.force_login(lw.chain_leader)
    body = client.get(reverse("chains:report", args=["nonferrous"])).content.decode()
    assert 'data-report="docx"' in body and 'data-report="xlsx"' in body


@pytest.mark.parametrize("persona, status", [("lianban_qd", 404), ("handler_power", 404), ("enterprise_b_user", 403)])
def test_the_report_is_refused_to_who_does_not_read_the_chain(client, lw, persona, status):
    client.force_login(getattr(lw, persona))
    url = reverse("chains:report", args=["nonferrous"])
    assert client.get(url, {"format": "docx"}).status_code == status
