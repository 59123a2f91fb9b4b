"""The monthly 安全生产通报: issued once a month by a 安委办, numbered, its figures kept; read
by leaders as a 公文 and a workbook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.lib.deadlines import due_day_label
from yancheng.safety.bulletin import bulletin_docx
from yancheng.safety.models import Bulletin, Hazard
from yancheng.safety.services.stats import bulletin_issue
from yancheng.testing.documents import body_tables, check_official_document, download_name

from .stats_world import NOW, at, build_stats_world

pytestmark = pytest.mark.django_db
APRIL = dt.date(2026, 4, 1)
SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def stats(sw):
    return build_stats_world(sw)


def issue(actor, month=APRIL):
    with at(NOW):
        return bulletin_issue(month=month, actor=actor)


def test_the_city_office_issues_april_with_its_figures_and_lists(sw, stats):
    bulletin = issue(sw.anweiban)
    assert bulletin.number.endswith("〔2026〕1号") and "安通" in bulletin.number
    data = bulletin.data
    assert data["totals"]["found"] == 5 and data["totals"]["major_found"] == 1
    assert [r["number"] for r in data["major"]] == [stats.hazards["major"].number]
    major = stats.hazards["major"]
    major.refresh_from_db()
    # the deadline is a day: D for 24:00 of D, never the instant's date (D + 1)
    assert data["major"][0]["deadline"] == due_day_label(major.case.solve_due_at) != ""
    assert data["major"][0]["deadline"] != major.case.solve_due_at.astimezone(SH).date().isoformat()
    assert data["major"][0]["stage"] == "rectifying"
    exposed = {r["org"]: r["overdue"] for r in data["exposed"]}
    assert exposed == {sw.emergency_bureau.name: 2, sw.fire_brigade.name: 1}
    assert {r["number"] for r in data["overdue"]} == {
        stats.hazards[n].number for n in ("overdue", "repeat", "fire")}
    assert [r["number"] for r in data["repeats"]] == [stats.hazards["repeat"].number]
    units = {r["unit"]: (r["tasks"], r["done"], r["overdue"]) for r in data["units"]}
    assert units == {sw.emergency_bureau.name: (1, 1, 0), sw.qidong_emergency.name: (1, 0, 1)}
    # 祁东 closed its April hazard on time; 石鼓 closed none in April: 祁东 ranks first.
    assert [(r["rank"], r["region"]) for r in data["regions"]] == [(1, "祁东县"), (2, "石鼓区")]


def test_the_figures_stay_as_issued(sw, stats):
    bulletin = issue(sw.anweiban)
    Hazard.objects.filter(pk=stats.hazards["overdue"].pk).update(stage="closed", closed_at=NOW,
                                                                 closed_by=sw.safety_emergency2)
    assert Bulletin.objects.get(pk=bulletin.pk).data["totals"]["overdue_open"] == 3


def test_a_month_is_issued_once_and_never_ahead(sw, stats):
    issue(sw.anweiban)
    with pytest.raises(ValidationFailed):
        issue(sw.anweiban)
    with pytest.raises(ValidationFailed):
        issue(sw.anweiban, dt.date(2026, 6, 1))
    second = issue(sw.anweiban, dt.date(2026, 3, 1))
    assert second.number.endswith("〔2026〕2号")


def test_a_county_office_issues_its_own_with_its_region_only(sw, stats):
    bulletin = issue(sw.anweiban_qidong)
    assert bulletin.data["totals"]["found"] == 3
    assert [r["region"] for r in bulletin.data["regions"]] == ["祁东县"]
    assert bulletin.number.startswith(sw.qidong_office.short_name or sw.qidong_office.name)


@pytest.mark.parametrize("name", ["safety_emergency", "grid_park", "leader"])
def test_departments_grid_persons_and_leaders_do_not_issue(sw, stats, name):
    user = sw.users.get(name) or sw.world.users[name]
    with pytest.raises(PermissionDeniedError):
        issue(user)


def test_the_docx_is_an_official_document_with_every_part(sw, stats):
    bulletin = issue(sw.anweiban)
    document = check_official_document(bulletin_docx(bulletin), landscape=True)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2026年4月安全生产通报" in text and bulletin.number in text
    assert "发现隐患 5 项" in text
    cells = {cell.text for table in body_tables(document) for row in table.rows for cell in row.cells}
    assert stats.hazards["major"].number in cells and stats.hazards["repeat"].number in cells
    assert sw.qidong_emergency.name in cells and "祁东县" in cells


def test_leaders_read_it_as_docx_and_xlsx_and_others_do_not(client, sw, stats):
    bulletin = issue(sw.anweiban)
    url = reverse("safety:bulletin_download", args=[bulletin.pk])
    client.force_login(sw.world.users["leader"])
    listed = client.get(reverse("safety:bulletin_list"))
    assert f'data-bulletin="{bulletin.pk}"' in listed.content.decode()
    docx = client.get(url)
    assert docx.status_code == 200 and download_name(docx).endswith(".docx")
    check_official_document(docx.content, landscape=True)
    xlsx = client.get(url, {"format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    assert sheets["通报"][1][0] == bulletin.number
    assert sheets["总体情况"][1][0] == 5
    assert [row[1] for row in sheets["各县市区排名"][1:]] == ["祁东县", "石鼓区"]
    assert stats.hazards["major"].number in [row[0] for row in sheets["重大事故隐患挂牌督办情况"][1:]]
    for name in ("enterprise_a", "handler_power", "supervisor"):
        client.force_login(sw.world.users[name])
        assert client.get(url).status_code == 403
    client.force_login(sw.safety_emergency)
    assert client.get(url).status_code == 403


def test_a_county_office_reads_the_city_s_bulletin_and_the_city_reads_the_county_s(client, sw, stats):
    county = issue(sw.anweiban_qidong)
    city = issue(sw.anweiban)
    client.force_login(sw.anweiban_qidong)
    assert client.get(reverse("safety:bulletin_download", args=[city.pk])).status_code == 200  # the city's: yes
    client.force_login(sw.anweiban)
    assert client.get(reverse("safety:bulletin_download", args=[county.pk])).status_code == 200  # citywide


def test_the_issue_form_refuses_a_bad_month_in_the_user_s_words(client, sw, stats):
    client.force_login(sw.anweiban)
    with at(NOW):
        bad = client.post(reverse("safety:bulletin_list"), {"month": "2026-13"})
        ahead = client.post(reverse("safety:bulletin_list"), {"month": "2026-07"})
        ok = client.post(reverse("safety:bulletin_list"), {"month": "2026-04"})
    assert bad.status_code == 400 and "请选择通报月份" in bad.content.decode()
    assert ahead.status_code == 400 and "尚未到来" in ahead.content.decode()
    assert ok.status_code == 302 and Bulletin.objects.count() == 1
    client.force_login(sw.world.users["leader"])
    assert client.post(reverse("safety:bulletin_list"), {"month": "2026-04"}).status_code == 403
