"""The targets pages, their export and import, the 链办's to-do and the API: what the office
does, what readers see, and what everyone else is refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.chains.targets_world import add_targets
from yancheng.api.testing import api_client_for
from yancheng.chains.importers_targets import targets_import
from yancheng.chains.models import ChainTarget, TargetActual
from yancheng.chains.services.targets import target_add
from yancheng.core.audit.models import AuditEvent
from yancheng.testing.exports import read_export

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
JULY = dt.datetime(2026, 7, 10, 10, tzinfo=SH)


@pytest.fixture
def july():
    with time_machine.travel(JULY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def tw(cw, july):
    cw.targets = add_targets(cw)
    return cw


def _list(client, user, code="nonferrous", **params):
    client.force_login(user)
    return client.get(reverse("chains:targets", args=[code]), {"year": 2026, **params})


def test_the_list_shows_lights_as_text_and_its_chips_agree_with_its_filters(client, tw):
    response = _list(client, tw.lianban)
    assert response.status_code == 200
    rows = {r.target.pk: r for r in response.context["rows"]}
    output, firms, tax = tw.targets["output"], tw.targets["firms"], tw.targets["tax"]
    # output: 240 of 600 by May = 40% against 41.7% (green); firms: 1 of 20 by Q1 = 5% against 25% (yellow)
    assert rows[output.pk].light == "green" and rows[firms.pk].light == "yellow" and rows[tax.pk].light == "none"
    # On 10 July, June and Q2 have ended: output lacks June, firms lack Q2, tax lacks June.
    assert all(r.missing for r in rows.values())
    html = response.content.decode()
    assert "黄灯" in html and "6月缺报" in html and "二季度缺报" in html
    counts = response.context["counts"]
    for chip in response.context["chips"]:
        filtered = client.get(chip["url"])
        assert len(filtered.context["rows"]) == chip["count"], chip["light"]
    assert len(client.get(response.context["missing_url"]).context["rows"]) == counts["missing"] == 3
    assert counts["total"] == 3 and (counts["green"], counts["yellow"], counts["none"]) == (1, 1, 1)


def test_the_list_reads_in_a_constant_number_of_queries(client, tw, django_assert_max_num_queries):
    for n in range(10):
        target_add(tw.nonferrous, actor=None, year=2026, metric="other", name=f"指标{n}", unit="个", target_value=10)
    client.force_login(tw.chain_leader)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("chains:targets", args=["nonferrous"]), {"year": 2026})
    assert len(response.context["rows"]) == 13


def test_readers_read_but_only_the_office_writes(client, tw):
    assert _list(client, tw.chain_leader).context["may_manage"] is False
    assert _list(client, tw.lianban_dz).status_code == 200  # a city-level office reads every chain
    assert _list(client, tw.lianban_qd).status_code == 404
    assert _list(client, tw.world.enterprise_b_user).status_code == 404
    tax = tw.targets["tax"]
    for user in (tw.lianban_dz, tw.chain_leader, tw.handler_ndrc):
        client.force_login(user)
        assert client.get(reverse("chains:target_actuals", args=["nonferrous", tax.pk])).status_code == 403
        assert client.post(reverse("chains:target_remove", args=["nonferrous", tax.pk])).status_code == 403
    client.force_login(tw.lianban)
    # Another chain's target under this chain's code is not there.
    assert client.get(reverse("chains:target_edit", args=["nonferrous", tw.targets["electronics"].pk])).status_code == 404
    assert ChainTarget.objects.filter(pk=tax.pk).exists()


def test_the_office_adds_edits_reports_and_removes(client, tw):
    client.force_login(tw.lianban)
    url = reverse("chains:target_new", args=["nonferrous"])
    refused = client.post(url, {"year": 2026, "metric": "other", "unit": "个", "target_value": "5", "cadence": "monthly"})
    assert refused.status_code == 200 and "“其他指标”须填写指标名称" in refused.content.decode()
    duplicate = client.post(url, {"year": 2026, "metric": "tax", "unit": "亿元", "target_value": "5",
                                  "cadence": "monthly"})
    assert duplicate.status_code == 302  # a conflict: said as a message, back to the list
    assert ChainTarget.objects.filter(chain=tw.nonferrous, year=2026, metric="tax").count() == 1
    done = client.post(url, {"year": 2026, "metric": "employment", "unit": "人", "baseline": "9000",
                             "target_value": "10000", "cadence": "quarterly"})
    assert done.status_code == 302
    target = ChainTarget.objects.get(chain=tw.nonferrous, metric="employment")
    grid = reverse("chains:target_actuals", args=["nonferrous", target.pk])
    future = client.post(grid, {"version": target.version, "p1": "9100", "p4": "9300"})
    assert future.status_code == 200 and "该期尚未开始" in future.content.decode()
    assert not target.actuals.exists()  # nothing of the grid was kept
    assert client.post(grid, {"version": target.version, "p1": "9100", "p2": "9400"}).status_code == 302
    assert dict(target.actuals.values_list("period", "value")) == {1: 9100, 2: 9400}
    event = AuditEvent.objects.filter(action="chain.actual_record").latest("pk")
    assert event.after["period"] == 2 and event.actor_id == tw.lianban.pk
    target.refresh_from_db()
    stale = client.post(grid, {"version": 1, "p2": "9500"})
    assert stale.status_code == 302 and target.actuals.get(period=2).value == 9400  # someone reported since
    edit = reverse("chains:target_edit", args=["nonferrous", target.pk])
    refused = client.post(edit, {"metric": "employment", "unit": "人", "baseline": "9000", "target_value": "10000",
                                 "cadence": "monthly", "version": target.version})
    assert "不能修改报送频次" in refused.content.decode()
    assert client.post(edit, {"metric": "employment", "unit": "人", "baseline": "9000", "target_value": "10500",
                              "cadence": "quarterly", "version": target.version}).status_code == 302
    target.refresh_from_db()
    assert target.target_value == 10500
    client.post(reverse("chains:target_remove", args=["nonferrous", target.pk]), {"version": target.version})
    assert ChainTarget.objects.filter(pk=target.pk).exists()  # it has actuals
    tax = tw.targets["tax"]
    client.post(reverse("chains:target_remove", args=["nonferrous", tax.pk]), {"version": tax.version})
    assert not ChainTarget.objects.filter(pk=tax.pk).exists()


def test_the_export_holds_the_targets_and_a_sheet_of_actuals(client, tw):
    response = _list(client, tw.lianban, format="xlsx", light="yellow")
    export = read_export(response, "发展目标清单")
    assert len(export.rows) == 1 and export.rows[0][2] == "规上企业数" and export.rows[0][20] == 101
    sheets = load_workbook(io.BytesIO(response.content)).worksheets
    actuals = list(sheets[1].iter_rows(values_only=True))[1:]
    assert [(a[4], a[5]) for a in actuals] == [("一季度", 101)]
    assert AuditEvent.objects.filter(action="chain.targets_export").exists()


def _xlsx(rows, header=None):
    header = header or ["年度", "指标", "指标名称", "单位", "上年基数", "年度目标", "报送频次", "1月", "2月", "8月",
                        "一季度"]
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_import_reports_every_wrong_row_and_writes_nothing(tw):
    data = _xlsx([
        [2026, "从业人员", None, "人", 9000, 10000, "按月", 9100, 9200, None, None],
        [2026, "营业收入", None, "亿元", 0, 10, "按月", None, None, None, None],  # unknown metric
        [2026, "税收", None, "亿元", 0, 10, "按季", 1, None, None, None],  # a month for a quarterly target
        [2026, "产业投资", None, "亿元", 0, "很多", "按月", None, None, None, None],  # not a number
        [2026, "其他指标", "专利", "件", 0, 10, "按月", 1, 2, 9, None],  # August has not begun
        [2026, "从业人员", None, "人", 9000, 10000, "按月", None, None, None, None],  # twice
    ])
    report = targets_import(data, actor=tw.lianban, dry_run=False)
    errors = {(e.row, e.column) for e in report.errors}
    assert errors == {(3, "指标"), (4, "1月"), (5, "年度目标"), (6, "8月"), (7, "指标")}, report.errors
    assert report.created == 0
    assert not ChainTarget.objects.filter(metric__in=["employment", "other"]).exists()


def test_an_office_imports_only_its_own_chains(tw):
    data = _xlsx([[2026, "从业人员", None, "人", 0, 10, "按月", 1, None, None, None]],
                 header=["年度", "指标", "指标名称", "单位", "上年基数", "年度目标", "报送频次", "1月", "2月", "8月",
                         "一季度"])
    ok = targets_import(data, actor=tw.lianban, dry_run=False)
    assert ok.ok and ok.created == 1 and ChainTarget.objects.get(metric="employment").chain == tw.nonferrous
    other = _xlsx([["nonferrous", 2026, "从业人员", None, "人", 0, 10, "按月"]],
                  header=["产业链", "年度", "指标", "指标名称", "单位", "上年基数", "年度目标", "报送频次"])
    refused = targets_import(other, actor=tw.lianban_dz, dry_run=False)
    assert [(e.row, e.column) for e in refused.errors] == [(2, "产业链")]


def test_the_export_imports_back_unchanged_and_an_edited_cell_updates(client, tw):
    response = _list(client, tw.lianban, format="xlsx")
    versions = dict(ChainTarget.objects.values_list("pk", "version"))
    dry = targets_import(response.content, actor=tw.lianban, dry_run=True)
    assert dry.ok and dry.created == 3
    report = targets_import(response.content, actor=tw.lianban, dry_run=False)
    assert report.ok, report.errors
    assert dict(ChainTarget.objects.values_list("pk", "version")) == versions
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[2].value == "规上工业总产值":
            row[header.index("6月")].value = 300
    buffer = io.BytesIO()
    book.save(buffer)
    assert targets_import(buffer.getvalue(), actor=tw.lianban, dry_run=False).ok
    assert TargetActual.objects.get(target=tw.targets["output"], period=6).value == 300


def test_the_import_pages_are_the_offices(client, tw):
    client.force_login(tw.lianban)
    page = client.post(reverse("chains:targets_import"), {"file": io.BytesIO(_xlsx(
        [[2026, "从业人员", None, "人", 0, 10, "按月", 1, None, None, None]]))})
    assert page.status_code == 200 and page.context["report"].ok and page.context["token"]
    done = client.post(reverse("chains:targets_import_confirm"), {"token": page.context["token"]})
    assert done.status_code == 302 and ChainTarget.objects.filter(metric="employment").exists()
    client.force_login(tw.chain_leader)
    assert client.get(reverse("chains:targets_import")).status_code == 403


def test_the_office_s_to_do_counts_the_rows_of_its_list(client, tw):
    from yancheng.core.workbench import todos_for

    items = {t.key: t for t in todos_for(tw.lianban)}
    todo = items["chains.targets_missing"]
    assert todo.count == 3 and todo.light == "yellow"
    client.force_login(tw.lianban)
    listed = client.get(todo.url)
    assert len(listed.context["rows"]) == todo.count
    assert "chains.targets_missing" not in {t.key for t in todos_for(tw.lianban_qd)}
    dz = {t.key: t for t in todos_for(tw.lianban_dz)}["chains.targets_missing"]
    assert dz.count == 1  # 电子信息's own target only
    client.force_login(tw.lianban_dz)
    assert len(client.get(dz.url).context["rows"]) == 1
    home = client.get(reverse("core:home"))
    assert 'data-todo="chains.targets_missing"' in home.content.decode()


API = "/api/v1/chains/nonferrous/targets"


def test_the_api_lists_with_the_pages_filters_and_writes_with_if_match(tw):
    office = api_client_for(tw.lianban)
    listed = office.get(API, {"year": 2026})
    assert listed.status_code == 200 and listed.json()["count"] == 3
    for light, n in (("green", 1), ("yellow", 1), ("red", 0), ("none", 1)):
        assert office.get(API, {"year": 2026, "light": light}).json()["count"] == n
    assert office.get(API, {"year": 2026, "missing": "true"}).json()["count"] == 3
    created = office.post(API, {"year": 2026, "metric": "employment", "unit": "人", "baseline": "100",
                                "target_value": "200", "cadence": "monthly"}, headers={"Idempotency-Key": "t-1"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["light"] == "none" and body["missing"] is True
    path = f"{API}/{body['id']}"
    assert office.put(f"{path}/actuals/6", {"value": "150"}).status_code == 428
    assert office.put(f"{path}/actuals/6", {"value": "150"}, headers={"If-Match": '"9"'}).status_code == 412
    put = office.put(f"{path}/actuals/6", {"value": "150"}, headers={"If-Match": created["ETag"]})
    assert put.status_code == 200, put.json()
    assert (put.json()["completion"], put.json()["expected"], put.json()["light"]) == ("50.0", "50.0", "green")
    future = office.put(f"{path}/actuals/8", {"value": "1"}, headers={"If-Match": put["ETag"]})
    assert future.status_code == 422 and future.json()["error"]["code"] == "period_in_future"
    patched = office.patch(path, {"target_value": "400"}, headers={"If-Match": put["ETag"]})
    assert patched.status_code == 200 and patched.json()["light"] == "red"  # 16.7% against 50%
    refused = office.delete(path, headers={"If-Match": patched["ETag"]})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "target_has_actuals"
    tax = tw.targets["tax"]
    assert office.delete(f"{API}/{tax.pk}", headers={"If-Match": f'"{tax.version}"'}).status_code == 204


def test_the_api_refuses_as_the_pages_do(tw):
    tax = tw.targets["tax"]
    assert api_client_for(None).get(API).status_code == 401
    assert api_client_for(tw.lianban_qd).get(API).status_code == 404
    assert api_client_for(tw.world.enterprise_a_user).get(API).status_code == 404
    other = api_client_for(tw.lianban_dz)
    assert other.get(API).status_code == 200
    refused = other.put(f"{API}/{tax.pk}/actuals/1", {"value": "1"}, headers={"If-Match": f'"{tax.version}"'})
    assert refused.status_code == 403
    assert api_client_for(tw.chain_leader).post(API, {"year": 2026, "metric": "employment", "unit": "人",
                                                       "target_value": "1"},
                                                headers={"Idempotency-Key": "t-2"}).status_code == 403
    assert api_client_for(tw.lianban).get(f"/api/v1/chains/electronics/targets/{tax.pk}").status_code in (404, 405)
    assert not TargetActual.objects.filter(target=tax).exists()


def test_the_targets_pages_read_in_english(client, tw, settings):
    client.force_login(tw.lianban)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    output = tw.targets["output"]
    pages = [reverse("chains:targets", args=["nonferrous"]) + "?year=2026",
             reverse("chains:target_new", args=["nonferrous"]),
             reverse("chains:target_actuals", args=["nonferrous", output.pk]),
             reverse("chains:targets_missing"), reverse("chains:targets_import")]
    for url in pages:
        html = client.get(url).content.decode()
        for word in ("发展目标清单", "序时进度", "缺报", "完成进度", "新增目标", "上年基数", "年度目标", "季度", "黄灯",
                     "报送"):
            assert word not in html, (url, word)
    html = client.get(pages[0]).content.decode()
    assert "Development targets" in html and "Month 6 missing" in html and "Q2 missing" in html


def test_the_counts_for_the_dashboard_and_the_red_targets_for_the_meeting(tw, django_assert_max_num_queries):
    from yancheng.chains.selectors_targets import red_targets, targets_light_counts
    from yancheng.chains.services.targets import actual_record

    actual_record(tw.targets["tax"], actor=None, period=6, value=3)  # 10% against 50%: red
    with django_assert_max_num_queries(3):
        counts = targets_light_counts([tw.nonferrous, tw.electronics], 2026)
    assert counts[tw.nonferrous.pk] == {"red": 1, "yellow": 1, "green": 1, "none": 0, "missing": 2, "total": 3}
    assert counts[tw.electronics.pk]["none"] == 1 and counts[tw.electronics.pk]["missing"] == 1
    assert [r.target for r in red_targets(tw.nonferrous)] == [tw.targets["tax"]]
    assert red_targets(tw.electronics) == []


def test_the_missing_list_and_the_api_list_read_in_a_constant_number_of_queries(client, tw,
                                                                                django_assert_max_num_queries):
    for n in range(10):
        target_add(tw.nonferrous, actor=None, year=2026, metric="other", name=f"指标{n}", unit="个", target_value=10)
    client.force_login(tw.lianban)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("chains:targets_missing"))
    assert len(response.context["rows"]) == 13
    office = api_client_for(tw.lianban)
    with django_assert_max_num_queries(16):
        assert office.get(API, {"year": 2026}).json()["count"] == 13
