"""The supervisor's pages and API of 企业赋码保护, tried as the supervisor, as a county's
supervisor and as the people who must not get in (department clerk, inspector, enterprise).

Registrations, alerts and ratings are made with the ORM (see routes_supervisor.py)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse

from yancheng.api.testing import api_client_for
from yancheng.cases.models import CaseKind
from yancheng.cases.services import case_submit
from yancheng.inspections.models import (
    CapRule,
    ExemptionReason,
    InspectionAlert,
    InspectionPolicy,
    QuietPeriod,
)
from yancheng.inspections.supervision.access import quiet_periods_visible_to
from yancheng.testing.documents import check_official_document, download_name

from .routes_supervisor import SHANGHAI, county_supervisor, make_alert, make_inspection, make_rating

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)
OUTSIDERS = ["clerk_market", "inspector", "inspector_emergency", "enterprise_a_user", "leader"]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sw(frozen, iw):
    """October 2026: a joint inspection of enterprise A (祁东), a solo one of B (石鼓区),
    alerts for each, a complaint and ratings."""
    w = iw.world
    iw.joint = make_inspection(iw, departments=[w.market_regulation, w.emergency_bureau],
                               started_at=NOW - dt.timedelta(days=3))
    iw.solo_b = make_inspection(iw, departments=[w.market_regulation], enterprise=w.enterprise_b,
                                started_at=NOW - dt.timedelta(days=2))
    iw.alert_a = make_alert(iw, "cap_exceeded", created_at=NOW - dt.timedelta(days=3), inspection=iw.joint,
                            department=w.market_regulation)
    iw.alert_b = make_alert(iw, "high_frequency", created_at=NOW - dt.timedelta(days=1), inspection=iw.solo_b,
                            department=w.market_regulation)
    iw.handled = make_alert(iw, "backfill", created_at=NOW - dt.timedelta(days=5), inspection=iw.solo_b,
                            department=w.market_regulation, status="handled")
    iw.complaint = case_submit(actor=None, title="检查过于频繁", description="一周三次",
                               kind=CaseKind.INSPECTION_COMPLAINT, subject_ref=f"inspection:{iw.joint.pk}",
                               enterprise=w.enterprise_a, dispatch_org=w.justice_bureau)
    for score in (5, 4):
        make_rating(w.market_regulation, score, NOW.date() - dt.timedelta(days=1))
    return iw


def login(client, user):
    client.force_login(user)
    return client


def _cell(html: str, department_pk: int | str, cell: str) -> str:
    row = re.search(rf'<tr[^>]*data-department="{department_pk}".*?</tr>', html, re.S)
    assert row, f"no row for {department_pk}"
    match = re.search(rf'data-cell="{cell}"[^>]*>([^<]*)<', row.group(0))
    assert match, f"no cell {cell}"
    return match.group(1).strip()


# --- the dashboard page --------------------------------------------------------------------------


def test_the_supervisor_sees_each_departments_figures_on_the_dashboard(client, sw):
    response = login(client, sw.world.supervisor).get(reverse("inspections:inspection_supervision_home"))
    assert response.status_code == 200
    html = response.content.decode()
    market, emergency = sw.world.market_regulation.pk, sw.world.emergency_bureau.pk
    assert _cell(html, market, "enforcement") == "2" and _cell(html, market, "joint") == "1"
    assert _cell(html, market, "joint-rate") == "50%"  # written for people: never "50.0%"
    assert _cell(html, emergency, "joint-rate") == "100%"
    assert _cell(html, "total", "enforcement") == "2" and _cell(html, "total", "joint-rate") == "50%"
    assert _cell(html, market, "complaints") == "1" and _cell(html, emergency, "complaints") == "1"
    # Two ratings of a running month: the dashboard shows no rating figure, not even a count.
    assert _cell(html, market, "rating-average") in ("", "—") and "4.5" not in html.split('data-department="total"')[0]
    assert _cell(html, market, "alerts-open") == "2"
    assert "vendor/echarts/echarts.min.js" in html and 'id="dashboard-data"' in html


def test_the_dashboard_takes_a_quarter_or_a_year_and_refuses_a_bad_period_politely(client, sw):
    c = login(client, sw.world.supervisor)
    assert "2026年第4季度" in c.get(reverse("inspections:inspection_supervision_home"), {"period": "2026-Q4"}).content.decode()
    response = c.get(reverse("inspections:inspection_supervision_home"), {"period": "2026-13"})
    assert response.status_code == 200 and "统计期间格式不正确" in response.content.decode()


def test_a_county_supervisor_sees_its_regions_figures_and_no_ratings(client, sw):
    response = login(client, county_supervisor(sw.world)).get(reverse("inspections:inspection_supervision_home"),
                                                                {"region": sw.world.shigu.code})
    html = response.content.decode()
    assert response.status_code == 200 and sw.world.qidong.name in html
    market = sw.world.market_regulation.pk
    assert _cell(html, market, "enforcement") == "1"  # only A's joint inspection; B is in 石鼓区
    assert 'data-cell="rating-average"' not in html


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("route", ["inspections:inspection_supervision_home", "inspections:inspection_supervision_registrations",
                                   "inspections:inspection_alerts", "inspections:inspection_rules", "inspections:inspection_caps", "inspections:inspection_report"])
def test_people_other_than_supervisors_are_refused_every_page(client, sw, persona, route):
    assert login(client, getattr(sw.world, persona)).get(reverse(route)).status_code == 403


# --- registrations ------------------------------------------------------------------------------


def test_the_registration_list_filters_and_links_to_each_registration(client, sw, django_assert_max_num_queries):
    c = login(client, sw.world.supervisor)
    with django_assert_max_num_queries(14):  # +1: the menu asks whether the user reads a chain
        response = c.get(reverse("inspections:inspection_supervision_registrations"), {"joint": "1"})
    html = response.content.decode()
    assert sw.joint.number in html and sw.solo_b.number not in html
    assert f'href="/inspections/registrations/{sw.joint.pk}/"' in html


def test_the_registration_list_queries_do_not_grow_with_the_rows(client, sw):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = login(client, sw.world.supervisor)
    c.get(reverse("inspections:inspection_supervision_registrations"))
    with CaptureQueriesContext(connection) as small:
        c.get(reverse("inspections:inspection_supervision_registrations"))
    for day in range(10):
        make_inspection(sw, departments=[sw.world.emergency_bureau, sw.world.market_regulation],
                        started_at=NOW - dt.timedelta(days=day), enterprise=sw.world.enterprise_b)
    with CaptureQueriesContext(connection) as large:
        html = c.get(reverse("inspections:inspection_supervision_registrations")).content.decode()
    assert html.count("data-inspection=") == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_registration_list_exports_to_a_spreadsheet(client, sw):
    from openpyxl import load_workbook

    response = login(client, sw.world.supervisor).get(reverse("inspections:inspection_supervision_registrations"),
                                                      {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "登记编号"
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == {sw.joint.number, sw.solo_b.number}
    assert by_number[sw.joint.number][12] == "是"  # joint


def test_a_county_supervisor_lists_only_its_regions_registrations(client, sw):
    html = login(client, county_supervisor(sw.world)).get(reverse("inspections:inspection_supervision_registrations")).content
    assert sw.joint.number.encode() in html and sw.solo_b.number.encode() not in html


# --- alerts -------------------------------------------------------------------------------------


def test_open_alerts_come_first_and_can_be_handled_from_the_list(client, sw):
    c = login(client, sw.world.supervisor)
    html = c.get(reverse("inspections:inspection_alerts")).content.decode()
    order = [int(pk) for pk in re.findall(r'data-alert="(\d+)"', html)]
    assert order == [sw.alert_b.pk, sw.alert_a.pk, sw.handled.pk]
    response = c.post(reverse("inspections:inspection_alert_handle", args=[sw.alert_a.pk]),
                      {f"a{sw.alert_a.pk}-note": "已督促整改", "next": "/inspections/supervision/alerts/?status=open"})
    assert response.status_code == 302 and response["Location"] == "/inspections/supervision/alerts/?status=open"
    alert = InspectionAlert.objects.get(pk=sw.alert_a.pk)
    assert (alert.status, alert.handling_note, alert.handled_by) == ("handled", "已督促整改", sw.world.supervisor)


def test_an_alert_without_a_note_stays_open_and_the_page_says_why(client, sw):
    response = login(client, sw.world.supervisor).post(
        reverse("inspections:inspection_alert_handle", args=[sw.alert_a.pk]), {f"a{sw.alert_a.pk}-note": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    assert InspectionAlert.objects.get(pk=sw.alert_a.pk).status == "open"


def test_another_regions_alert_is_not_found_for_a_county_supervisor(client, sw):
    response = login(client, county_supervisor(sw.world)).post(
        reverse("inspections:inspection_alert_handle", args=[sw.alert_b.pk]), {f"a{sw.alert_b.pk}-note": "越权"})
    assert response.status_code == 404
    assert InspectionAlert.objects.get(pk=sw.alert_b.pk).status == "open"


@pytest.mark.parametrize("persona", ["clerk_market", "inspector", "enterprise_a_user"])
def test_department_staff_and_enterprises_cannot_handle_alerts(client, sw, persona):
    response = login(client, getattr(sw.world, persona)).post(
        reverse("inspections:inspection_alert_handle", args=[sw.alert_a.pk]), {f"a{sw.alert_a.pk}-note": "我处理"})
    assert response.status_code == 403
    assert InspectionAlert.objects.get(pk=sw.alert_a.pk).status == "open"


# --- rules --------------------------------------------------------------------------------------


def _policy_post(**changes):
    policy = InspectionPolicy.current()
    data = {
        "supervising_org": policy.supervising_org_id, "grade_a_proactive": policy.grade_a_proactive,
        "cap_exceeded": policy.cap_exceeded, "high_frequency_window_days": policy.high_frequency_window_days,
        "high_frequency_threshold": policy.high_frequency_threshold, "backfill_days": policy.backfill_days,
        "rating_min_count": policy.rating_min_count,
    }
    data.update(changes)
    return {k: "" if v is None else v for k, v in data.items()}


def test_the_rules_form_saves_and_refuses_a_rating_minimum_below_five(client, iw):
    c = login(client, iw.world.supervisor)
    response = c.post(reverse("inspections:inspection_rules"), _policy_post(rating_min_count=3, backfill_days=7))
    assert response.status_code == 400 and "不得小于 5" in response.content.decode()
    assert 'value="7"' in response.content.decode()  # nothing typed is lost
    assert InspectionPolicy.current().backfill_days == 10
    assert c.post(reverse("inspections:inspection_rules"), _policy_post(backfill_days=7)).status_code == 302
    assert InspectionPolicy.current().backfill_days == 7


def test_a_county_supervisor_reads_the_rules_but_cannot_post_them(client, iw):
    c = login(client, county_supervisor(iw.world))
    assert "市级行政执法监督机构" in c.get(reverse("inspections:inspection_rules")).content.decode()
    assert c.post(reverse("inspections:inspection_rules"), _policy_post(backfill_days=7)).status_code == 403


def test_the_cap_grid_sets_clears_and_refuses_cells_all_or_nothing(client, iw):
    c = login(client, iw.world.supervisor)
    market = iw.world.market_regulation.pk
    bad = c.post(reverse("inspections:inspection_caps"), {f"cell-department-{market}-C": "2", "cell-total-B": "abc"})
    assert bad.status_code == 400 and "0 至 365" in bad.content.decode()
    assert 'value="abc"' in bad.content.decode()
    assert not CapRule.objects.filter(grade="C", department_id=market).exists()
    ok = c.post(reverse("inspections:inspection_caps"), {f"cell-department-{market}-C": "2", "cell-total-B": "",
                                             f"cell-item-{iw.food.pk}-B": "2"})
    assert ok.status_code == 302
    assert CapRule.objects.get(grade="C", scope="department", department_id=market).max_per_year == 2
    assert not CapRule.objects.filter(pk=iw.caps["total_B"].pk).exists()
    page = c.get(reverse("inspections:inspection_caps")).content.decode()
    assert f'name="cell-item-{iw.food.pk}-B" value="2"' in page and "合计（全部部门）" in page


def test_exemption_reasons_are_added_and_deactivated_from_the_page(client, iw):
    c = login(client, iw.world.supervisor)
    refused = c.post(reverse("inspections:inspection_exemptions"), {"code": "follow_up", "name": "整改复查", "evidence_required": ""})
    assert refused.status_code == 400 and not ExemptionReason.objects.filter(code="follow_up").exists()
    assert c.post(reverse("inspections:inspection_exemptions"),
                  {"code": "follow_up", "name": "整改复查", "evidence_required": "整改通知书文号"}).status_code == 302
    reason = ExemptionReason.objects.get(code="follow_up")
    assert c.post(reverse("inspections:inspection_exemption_toggle", args=[reason.pk]), {"active": "0"}).status_code == 302
    assert not ExemptionReason.objects.get(pk=reason.pk).is_active


def test_quiet_periods_are_set_and_taken_back_from_the_page(client, sw):
    c = login(client, sw.world.supervisor)
    bad = c.post(reverse("inspections:inspection_quiet_periods"),
                 {"name": "春节", "starts_on": "2026-10-25", "ends_on": "2026-10-21"})
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.content.decode()
    ok = c.post(reverse("inspections:inspection_quiet_periods"), {"name": "春节宁静期", "starts_on": "2026-10-25",
                                                      "ends_on": "2026-10-30",
                                                      "enterprise_uscc": sw.world.enterprise_a.uscc})
    assert ok.status_code == 302
    period = QuietPeriod.objects.get(name="春节宁静期")
    assert period.enterprise == sw.world.enterprise_a
    assert c.post(reverse("inspections:inspection_quiet_period_remove", args=[period.pk])).status_code == 302
    assert not QuietPeriod.objects.filter(pk=period.pk).exists()


def test_a_county_supervisor_cannot_take_back_another_regions_quiet_period(client, sw):
    period = QuietPeriod.objects.create(name="石鼓", starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 11, 2),
                                        region=sw.world.shigu)
    c = login(client, county_supervisor(sw.world))
    assert c.post(reverse("inspections:inspection_quiet_period_remove", args=[period.pk])).status_code == 404
    assert QuietPeriod.objects.filter(pk=period.pk).exists()


# --- the list behind the complaints ----------------------------------------------------


def test_the_complaints_behind_a_departments_number_link_to_their_cases(client, sw):
    c = login(client, sw.world.supervisor)
    html = c.get(reverse("inspections:inspection_supervision_complaints"),
                 {"department": sw.world.emergency_bureau.pk}).content.decode()
    assert f'href="/cases/{sw.complaint.pk}/"' in html


# --- the 通报 -------------------------------------------------------------------------------------


def test_the_report_page_and_its_downloads(client, sw):
    from openpyxl import load_workbook

    c = login(client, sw.world.supervisor)
    page = c.get(reverse("inspections:inspection_report"), {"period": "2026-10"})
    assert "涉企行政检查情况通报（2026年10月）" in page.content.decode()
    docx = c.get(reverse("inspections:inspection_report"), {"period": "2026-10", "format": "docx"})
    assert download_name(docx) == "涉企检查通报-2026年10月.docx"
    text = "\n".join(p.text for p in check_official_document(docx.content, landscape=True).paragraphs)
    assert "涉企行政检查情况通报（2026年10月）" in text and "联合检查率 50%" in text
    xlsx = c.get(reverse("inspections:inspection_report"), {"period": "2026-10", "format": "xlsx"})
    assert download_name(xlsx) == "涉企检查通报-2026年10月.xlsx"
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "部门" and any(r[0] == sw.world.market_regulation.name for r in rows)


def test_a_county_supervisors_report_covers_its_region(client, sw):
    from docx import Document

    c = login(client, county_supervisor(sw.world))
    docx = c.get(reverse("inspections:inspection_report"), {"period": "2026-10", "format": "docx"})
    assert download_name(docx) == f"涉企检查通报-2026年10月-{sw.world.qidong.name}.docx"
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert f"范围：{sw.world.qidong.name}" in text and "行政检查 1 次" in text


# --- the API ------------------------------------------------------------------------------------

API = "/api/v1/inspections"


def test_the_api_dashboard_gives_each_departments_figures(sw):
    response = api_client_for(sw.world.supervisor).get(f"{API}/supervision/dashboard",
                                                       {"start": "2026-10-01", "end": "2026-10-31"})
    assert response.status_code == 200
    body = response.json()
    rows = {r["department"]: r for r in body["rows"]}
    market = rows[sw.world.market_regulation.pk]
    assert (market["enforcement"], market["joint"], market["joint_rate"], market["ratings"]) == (2, 1, 50.0, None)
    assert body["totals"]["enforcement"] == 2 and body["totals"]["complaints"] == 1
    bad = api_client_for(sw.world.supervisor).get(f"{API}/supervision/dashboard",
                                                  {"start": "2026-10-31", "end": "2026-10-01"})
    assert bad.status_code == 422


@pytest.mark.parametrize("persona", ["clerk_market", "inspector", "enterprise_a_user"])
@pytest.mark.parametrize("path", ["/supervision/dashboard", "/alerts", "/rules", "/caps", "/quiet-periods"])
def test_the_api_refuses_everyone_but_supervisors(sw, persona, path):
    assert api_client_for(getattr(sw.world, persona)).get(f"{API}{path}").status_code == 403


def test_alerts_are_listed_and_handled_through_the_api(sw):
    api = api_client_for(sw.world.supervisor)
    body = api.get(f"{API}/alerts", {"status": "open"}).json()
    assert {a["id"] for a in body["items"]} == {sw.alert_a.pk, sw.alert_b.pk} and body["count"] == 2
    handled = api.post(f"{API}/alerts/{sw.alert_a.pk}/handle", {"note": "已处理"})
    assert handled.status_code == 200 and handled.json()["status"] == "handled"
    assert api.post(f"{API}/alerts/{sw.alert_a.pk}/handle", {"note": "再次"}).status_code == 409
    county = api_client_for(county_supervisor(sw.world))
    assert county.post(f"{API}/alerts/{sw.alert_b.pk}/handle", {"note": "越权"}).status_code == 404


def test_the_rules_change_through_the_api_with_if_match(iw):
    api = api_client_for(iw.world.supervisor)
    got = api.get(f"{API}/rules")
    etag = got["ETag"]
    assert got.json()["rating_min_count"] == 5
    assert api.patch(f"{API}/rules", {"backfill_days": 7}).status_code == 428
    low = api.patch(f"{API}/rules", {"rating_min_count": 3}, headers={"If-Match": etag})
    assert low.status_code == 422 and "不得小于 5" in low.json()["error"]["message"]
    ok = api.patch(f"{API}/rules", {"backfill_days": 7}, headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.json()["backfill_days"] == 7 and ok["ETag"] != etag
    assert api.patch(f"{API}/rules", {"backfill_days": 8}, headers={"If-Match": etag}).status_code == 412
    assert InspectionPolicy.current().backfill_days == 7


def test_a_cap_cell_is_set_and_cleared_through_the_api(iw):
    api = api_client_for(iw.world.supervisor)
    got = api.get(f"{API}/caps")
    assert {(c["grade"], c["scope"], c["max_per_year"]) for c in got.json()["cells"]} >= {("B", "total", 4)}
    etag = got["ETag"]
    put = api.client.put(f"{API}/caps", {"grade": "C", "scope": "total", "max_per_year": 6},
                         content_type="application/json",
                         headers={"Authorization": f"Bearer {api.token}", "If-Match": etag})
    assert put.status_code == 200 and CapRule.objects.get(grade="C", scope="total").max_per_year == 6
    stale = api.client.put(f"{API}/caps", {"grade": "C", "scope": "total", "max_per_year": 7},
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {api.token}", "If-Match": etag})
    assert stale.status_code == 412
    cleared = api.client.put(f"{API}/caps", {"grade": "C", "scope": "total", "max_per_year": None},
                             content_type="application/json",
                             headers={"Authorization": f"Bearer {api.token}", "If-Match": put["ETag"]})
    assert cleared.status_code == 200 and not CapRule.objects.filter(grade="C", scope="total").exists()
    wrong = api.client.put(f"{API}/caps", {"grade": "C", "scope": "item", "max_per_year": 1},
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {api.token}", "If-Match": cleared["ETag"]})
    assert wrong.status_code == 422 and wrong.json()["error"]["fields"] == {"item": [wrong.json()["error"]["message"]]}


def test_quiet_periods_are_listed_and_set_through_the_api(frozen, iw):
    api = api_client_for(iw.world.supervisor)
    created = api.post(f"{API}/quiet-periods", {"name": "国庆后宁静期", "starts_on": "2026-10-21",
                                                "ends_on": "2026-10-31", "region": iw.world.qidong.code})
    assert created.status_code == 201 and created.json()["region"] == iw.world.qidong.code
    past = api.post(f"{API}/quiet-periods", {"name": "过去", "starts_on": "2026-10-01", "ends_on": "2026-10-02"})
    assert past.status_code == 422
    listed = api.get(f"{API}/quiet-periods").json()
    assert [p["name"] for p in listed["items"]] == ["国庆后宁静期"]
    county = api_client_for(county_supervisor(iw.world))
    assert county.post(f"{API}/quiet-periods", {"name": "全市", "starts_on": "2026-10-21",
                                                "ends_on": "2026-10-22"}).status_code == 403
    assert quiet_periods_visible_to(iw.world.clerk_market).count() == 0
