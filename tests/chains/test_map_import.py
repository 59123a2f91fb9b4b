"""The map's exchange with Excel: the export's three sheets (numbers as numbers), the import's
row errors by sheet and row (nothing written), and the round trip."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from yancheng.chains.importers_map import map_import
from yancheng.chains.models import MapLink, MapNode, Placement

pytestmark = pytest.mark.django_db


def _state(chain):
    nodes = sorted(MapNode.objects.filter(chain=chain).values_list(
        "code", "name", "segment", "in_current", "in_target", "sort_order", "strength_override", "override_reason"))
    links = sorted(MapLink.objects.filter(chain=chain).values_list("source__code", "target__code"))
    placements = sorted(Placement.objects.filter(node__chain=chain).values_list(
        "node__code", "enterprise__uscc", "role", "products", "annual_output"))
    return nodes, links, placements


def _export(client, cw):
    client.force_login(cw.lianban)
    response = client.get(reverse("chains:map_export", args=["nonferrous"]))
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_export_has_three_sheets_with_numbers_as_numbers(client, cw):
    book = load_workbook(io.BytesIO(_export(client, cw)))
    assert book.sheetnames == ["环节", "环节关系", "企业落位"]
    placements = list(book["企业落位"].iter_rows(values_only=True))
    row = next(r for r in placements if r[1] == "processing")
    assert row[3] == cw.enterprise_b.uscc and row[7] == 120000 and isinstance(row[7], int | float)
    nodes = list(book["环节"].iter_rows(values_only=True))
    assert nodes[0][:4] == ("产业链", "编码", "环节名称", "链位")
    assert len(list(book["环节关系"].iter_rows(values_only=True))) == 1 + 4  # every link among active nodes


def test_importing_the_export_back_changes_nothing(client, cw):
    data = _export(client, cw)
    before = _state(cw.nonferrous)
    report = map_import(data, actor=cw.lianban, dry_run=False)
    assert report.ok, report.errors
    assert _state(cw.nonferrous) == before


def test_an_edited_export_adds_and_updates_and_a_wrong_row_writes_nothing(client, cw):
    book = load_workbook(io.BytesIO(_export(client, cw)))
    book["环节"].append(["nonferrous", "recycling", "再生利用", "下游", "", "", "否", "是", 9, "缺", "规划新建"])
    book["环节关系"].append(["nonferrous", "materials", "", "recycling", "", "否", "是"])
    book["企业落位"].append(["nonferrous", "recycling", "", cw.enterprise_a.uscc, "", "配套", "再生铅", 700])
    good = io.BytesIO()
    book.save(good)
    book["企业落位"].append(["nonferrous", "nowhere", "", "91430400MA4L0000XX", "", "骨干", "", "abc"])
    book["环节"].append(["nonferrous", "bad", "", "左游"])
    bad = io.BytesIO()
    book.save(bad)
    before = _state(cw.nonferrous)
    report = map_import(bad.getvalue(), actor=cw.lianban, dry_run=False)
    assert not report.ok and report.created == 0
    columns = {(e.row, e.column) for e in report.errors}
    assert (8, "环节 · 环节名称") in columns and (8, "环节 · 链位") in columns
    assert (5, "企业落位 · 环节编码") in columns and (5, "企业落位 · 统一社会信用代码") in columns
    assert _state(cw.nonferrous) == before
    report = map_import(good.getvalue(), actor=cw.lianban, dry_run=True)
    assert report.ok and _state(cw.nonferrous) == before
    report = map_import(good.getvalue(), actor=cw.lianban, dry_run=False)
    assert report.ok, report.errors
    node = MapNode.objects.get(chain=cw.nonferrous, code="recycling")
    assert (node.segment, node.in_current, node.strength_override) == ("down", False, "missing")
    assert Placement.objects.get(node=node).annual_output == 700


def test_another_chains_office_cannot_import_into_it(client, cw):
    data = _export(client, cw)
    report = map_import(data, actor=cw.lianban_dz, dry_run=True)
    assert not report.ok
    client.force_login(cw.lianban_dz)
    assert client.get(reverse("chains:map_import", args=["nonferrous"])).status_code == 403


def test_the_import_page_checks_then_confirms(client, cw):
    wb = Workbook()
    sheet = wb.active
    sheet.title = "环节"
    sheet.append(["产业链", "编码", "环节名称", "链位"])
    sheet.append(["nonferrous", "alloys", "合金材料", "中游"])
    buffer = io.BytesIO()
    wb.save(buffer)
    client.force_login(cw.lianban)
    url = reverse("chains:map_import", args=["nonferrous"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"file": SimpleUploadedFile("map.xlsx", buffer.getvalue())})
    assert response.status_code == 200 and response.context["token"]
    assert not MapNode.objects.filter(code="alloys").exists()
    response = client.post(reverse("chains:map_import_confirm", args=["nonferrous"]),
                           {"token": response.context["token"]})
    assert response.status_code == 302
    assert MapNode.objects.filter(chain=cw.nonferrous, code="alloys").exists()


def test_the_result_sheet_marks_each_error_on_its_own_sheet(client, cw):
    from django.core.files.uploadedfile import SimpleUploadedFile

    book = load_workbook(io.BytesIO(_export(client, cw)))
    book["环节关系"].append(["nonferrous", "mining", "", "nowhere", "", "是", "是"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(reverse("chains:map_import", args=["nonferrous"]),
                           {"file": SimpleUploadedFile("map.xlsx", buffer.getvalue())})
    report = response.context["report"]
    assert [(e.row, e.column) for e in report.errors] == [(6, "环节关系 · 下游环节编码")]
    job = response.context["job"]
    result = client.get(reverse("core:import_job_result", args=[job.pk]))
    marked = load_workbook(io.BytesIO(b"".join(result.streaming_content) if result.streaming else result.content))
    links = list(marked["环节关系"].iter_rows(values_only=True))
    assert links[0][-1] == "校验结果" and "nowhere" in links[5][-1]
    assert not any("nowhere" in str(cell) for row in marked["环节"].iter_rows(values_only=True) for cell in row)
