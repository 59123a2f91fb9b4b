"""The dashboard's circulated documents: 月排名通报, 季讲评, 年考核 and 红黄榜 as 公文 (.docx
reopened and held to GB/T 9704-2012 by ``testing.documents``) and as sheets with numbers as
numbers; Chinese file names; refused like the pages to people who may not see them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from yancheng.core.audit.models import AuditEvent
from yancheng.dashboard import services
from yancheng.dashboard.rankings import Month
from yancheng.lib.numbers import plain
from yancheng.testing.documents import body_tables, check_official_document, download_name, imprint_lines

MARCH = Month(2026, 3)
STAMPED_NAME = "红黄榜-20260415-1000.docx"  # stamped at the frozen NOW of the conftest, local time
FORBIDDEN = ["enterprise_a_user", "handler_power", "inspector", "system_admin"]


def docx_cells(document):
    return [[cell.text for cell in row.cells] for table in body_tables(document) for row in table.rows]


def test_the_monthly_ranking_is_a_landscape_notice_with_numbers_for_people(client, world, month_data):
    snapshot, _ = services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    client.force_login(world.leader)
    response = client.get(reverse("dashboard:ranking_docx", args=[snapshot.pk]))
    assert download_name(response) == "月排名通报-县市区-2026年3月-第1版.docx"
    document = check_official_document(response.content, landscape=True)
    assert document.paragraphs[0].text == "衡阳市2026年3月重大项目县市区月排名通报"
    headings = [p.text for p in document.paragraphs if p.style.style_id == "Heading1"]
    assert headings == ["一、计分办法", "二、排名情况"]
    rows = docx_cells(document)
    top = snapshot.rows[0]
    assert rows[1][:2] == ["1", "祁东县"]
    investment = rows[0].index("投资完成率（%）")
    assert rows[1][investment] == "60"  # 60.0 written for people
    assert not any(cell.endswith(".0") for row in rows for cell in row)
    assert rows[1][-1] == plain(top["score"])
    closing = [p.text for p in document.paragraphs if p.style.style_id == "Closing"]
    assert closing[-1] == "2026年4月15日"
    assert imprint_lines(document)[-1].endswith("2026年4月15日印发")
    xlsx = client.get(reverse("dashboard:ranking_xlsx", args=[snapshot.pk]))
    assert download_name(xlsx) == "月排名通报-县市区-2026年3月-第1版.xlsx"


@pytest.mark.parametrize(("name", "args", "stem"), [
    ("dashboard:quarterly_review", [2026, 1], "季讲评-县市区-2026年第1季度"),
    ("dashboard:annual_assessment", [2026], "年考核-县市区-2026年"),
])
def test_the_quarterly_review_and_annual_assessment_download_as_docx_and_xlsx(client, world, month_data, name,
                                                                               args, stem):
    snapshot, _ = services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    client.force_login(world.leader)
    page = client.get(reverse(name, args=args), {"kind": "region"}).content.decode()
    assert "format=docx" in page and "format=xlsx" in page

    docx = client.get(reverse(name, args=args), {"kind": "region", "format": "docx"})
    assert docx.status_code == 200 and download_name(docx) == f"{stem}.docx"
    document = check_official_document(docx.content, landscape=True)
    assert document.paragraphs[0].text.startswith("衡阳市2026年") and document.paragraphs[0].text.endswith("（县市区）")
    rows = docx_cells(document)
    assert rows[0][:4] == ["名次", "单位", "平均得分", "计入月数"]
    top = snapshot.rows[0]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["单位"] == top["name"] and first["计入月数"] == "1" and first["3月"] == first["平均得分"]
    assert first["1月"] == "—"
    assert not any(cell.endswith(".0") or cell.endswith(".00") for row in rows for cell in row)
    assert imprint_lines(document)

    xlsx = client.get(reverse(name, args=args), {"kind": "region", "format": "xlsx"})
    assert xlsx.status_code == 200 and download_name(xlsx) == f"{stem}.xlsx"
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = values[0]
    line = dict(zip(header, values[1], strict=False))
    assert line["名次"] == 1 and line["单位"] == top["name"] and line["计入月数"] == 1
    assert isinstance(line["平均得分"], float | int) and line["3月得分"] == pytest.approx(float(top["score"]))
    assert line["3月名次"] == 1 and line["1月得分"] is None
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert AuditEvent.objects.filter(action="dashboard.review_export", actor=world.leader).count() == 2


@pytest.mark.parametrize("persona", FORBIDDEN)
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_people_who_may_not_see_the_reviews_get_403_on_their_downloads_too(client, world, month_data, persona, fmt):
    services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    client.force_login(getattr(world, persona))
    for url in (reverse("dashboard:quarterly_review", args=[2026, 1]), reverse("dashboard:annual_assessment", args=[2026]),
                reverse("dashboard:red_yellow")):
        response = client.get(url, {"format": fmt})
        assert response.status_code == 403, url
        assert "Content-Disposition" not in response


def test_anonymous_visitors_get_no_review_download(client, world):
    response = client.get(reverse("dashboard:quarterly_review", args=[2026, 1]), {"format": "docx"})
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_red_and_yellow_lists_print_as_a_notice(client, world, month_data):
    services.red_yellow_add(board="yellow", project=month_data.p1, month=MARCH, reason="进度滞后",
                            deadline=dt.date(2026, 5, 31), rectification_plan="倒排工期", actor=world.supervisor)
    services.red_yellow_add(board="red", project=month_data.p2, month=MARCH, reason="提前开工", actor=world.supervisor)
    client.force_login(world.supervisor)
    page = client.get(reverse("dashboard:red_yellow")).content.decode()
    assert "format=docx" in page
    response = client.get(reverse("dashboard:red_yellow"), {"format": "docx"})
    assert response.status_code == 200 and download_name(response) == STAMPED_NAME
    document = check_official_document(response.content, landscape=True)
    assert document.paragraphs[0].text == "衡阳市重大项目红黄榜"
    headings = [p.text for p in document.paragraphs if p.style.style_id == "Heading1"]
    assert headings == ["一、红榜（1 项）", "二、黄榜（1 项）"]
    rows = docx_cells(document)
    yellow = next(row for row in rows if month_data.p1.code in row)
    assert yellow[0] == "2026-03" and yellow[4] == "进度滞后" and yellow[5] == "2026-05-31"
    assert AuditEvent.objects.filter(action="dashboard.red_yellow_export", actor=world.supervisor).exists()

    only_yellow = client.get(reverse("dashboard:red_yellow"), {"board": "yellow", "format": "docx"})
    document = check_official_document(only_yellow.content, landscape=True)
    assert document.paragraphs[0].text == "衡阳市重大项目黄榜"
    assert month_data.p2.code not in {cell for row in docx_cells(document) for cell in row}
