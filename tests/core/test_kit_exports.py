"""The kit's download response: the Office content types, and the file name as RFC 6266 has
it (an ASCII fallback and the UTF-8 name)."""

import datetime as dt
import io
from decimal import Decimal

import time_machine
from django.template import Context, Template
from django.urls import reverse
from openpyxl import load_workbook

from yancheng.core.audit.models import AuditEvent
from yancheng.core.kit.exports import DOCX, XLSX, content_disposition, download, stamped, xlsx_response

NOON = dt.datetime(2026, 12, 7, 4, 5, tzinfo=dt.UTC)  # 12:05 in Asia/Shanghai


def test_a_download_carries_the_content_type_and_the_file_name():
    response = download(b"PK", "projects-20261207-1205.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="projects-20261207-1205.xlsx"'
    assert response.content == b"PK"
    assert download(b"", "notice.docx", DOCX)["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert XLSX.endswith("spreadsheetml.sheet")


def test_a_chinese_file_name_goes_in_filename_star_with_an_ascii_fallback():
    disposition = download(b"", "周调度通知.xlsx")["Content-Disposition"]
    assert disposition == (
        "attachment; filename=\"download.xlsx\"; "
        "filename*=UTF-8''%E5%91%A8%E8%B0%83%E5%BA%A6%E9%80%9A%E7%9F%A5.xlsx"
    )
    # The raw header is plain ASCII: no RFC 2047 "=?utf-8?b?" word a browser would show as is.
    assert b"=?utf-8?" not in download(b"", "周调度通知.xlsx").serialize_headers()


def test_the_ascii_fallback_keeps_what_it_can():
    assert content_disposition("2026年第3周调度通知.docx") == (
        "attachment; filename=\"2026_3.docx\"; filename*=UTF-8''"
        "2026%E5%B9%B4%E7%AC%AC3%E5%91%A8%E8%B0%83%E5%BA%A6%E9%80%9A%E7%9F%A5.docx"
    )
    assert content_disposition("Café.xlsx") == "attachment; filename=\"Cafe.xlsx\"; filename*=UTF-8''Caf%C3%A9.xlsx"
    # Quotes, spaces and line breaks cannot break out of the header.
    assert content_disposition('a "b"\r\nX: y.xlsx') == (
        "attachment; filename=\"a_b_X_y.xlsx\"; filename*=UTF-8''a%20%22b%22%20%20X%3A%20y.xlsx"
    )
    assert content_disposition("报告", "inline") == "inline; filename=\"download\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A"


def test_a_stamped_name_is_made_in_local_time():
    assert stamped("cases", at=NOON) == "cases-20261207-1205.xlsx"
    assert stamped("report", "docx", at=NOON) == "report-20261207-1205.docx"
    with time_machine.travel(NOON, tick=False):
        assert stamped("projects") == "projects-20261207-1205.xlsx"


def test_the_project_export_keeps_its_headers(world, client):
    client.force_login(world.dispatcher)
    with time_machine.travel(NOON, tick=False):
        response = client.get(reverse("projects:project_list"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    # The file is named for the list, in the user's language (an ASCII fallback for old clients).
    assert response["Content-Disposition"] == (
        "attachment; filename=\"20261207-1205.xlsx\"; "
        "filename*=UTF-8''%E9%87%8D%E5%A4%A7%E9%A1%B9%E7%9B%AE-20261207-1205.xlsx"
    )


def test_the_organisations_export_in_tree_order(world, client):
    client.force_login(world.dispatcher)
    page = client.get(reverse("core:organisation_list"))
    shown = [node["org"].name for node in page.context["tree"]]
    response = client.get(reverse("core:organisation_list"), {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("机构编码", "名称", "简称", "类型", "所在区划", "上级单位", "启用")
    assert len(rows) - 1 == page.context["count"]
    names = [r[1] for r in rows[1:]]
    assert names[0] == shown[0] and set(shown) <= set(names)
    assert {r[6] for r in rows[1:]} <= {"是", "否"}
    assert sheet.auto_filter.ref == f"A1:G{len(rows)}"
    assert AuditEvent.objects.filter(action="organisation.export", actor=world.dispatcher).exists()


def test_a_list_export_is_one_typed_sheet_named_for_the_list():
    response = xlsx_response(
        "通知", ["时间", "标题", "金额（万元）", "日期"],
        [[dt.datetime(2026, 12, 7, 4, 5, tzinfo=dt.UTC), "开会", Decimal("8.5"), dt.date(2026, 12, 31)]],
        at=NOON,
    )
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith("filename*=UTF-8''%E9%80%9A%E7%9F%A5-20261207-1205.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.title == "通知" and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:D2"
    at, title, amount, day = (sheet.cell(row=2, column=c) for c in range(1, 5))
    assert at.value == dt.datetime(2026, 12, 7, 12, 5) and at.number_format == "yyyy-mm-dd hh:mm"
    assert title.data_type == "s" and amount.data_type == "n" and amount.number_format == "#,##0.00"
    assert day.is_date and day.number_format == "yyyy-mm-dd"
    assert xlsx_response("Notices", ["a"], [], name="notices-2026", at=NOON)["Content-Disposition"] == (
        'attachment; filename="notices-2026-20261207-1205.xlsx"'
    )


def test_the_export_link_keeps_the_page_filters_but_not_its_page_number(rf):
    template = Template('{% load exports %}<a href="{% xlsx_href %}">')
    request = rf.get("/x/", {"status": "open", "q": "a&b", "page": "3", "format": "html"})
    html = template.render(Context({"request": request}))
    assert html == '<a href="?status=open&amp;q=a%26b&amp;format=xlsx">'
    assert template.render(Context({"request": rf.get("/x/")})) == '<a href="?format=xlsx">'
