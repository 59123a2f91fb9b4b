"""The kit's download response: the Office content types and the file name exactly as the
exports have always sent them."""

import datetime as dt

import time_machine
from django.http import HttpResponse
from django.urls import reverse

from yancheng.core.kit.exports import DOCX, XLSX, download, stamped

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


def test_a_chinese_file_name_is_sent_byte_for_byte_as_before():
    before = HttpResponse(b"", content_type=XLSX)
    before["Content-Disposition"] = 'attachment; filename="周调度通知.xlsx"'
    assert download(b"", "周调度通知.xlsx").serialize_headers() == before.serialize_headers()


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
    assert response["Content-Disposition"] == 'attachment; filename="projects-20261207-1205.xlsx"'
