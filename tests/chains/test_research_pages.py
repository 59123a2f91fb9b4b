"""The research pages: the list (TRL labels, node chips, match counts, filters, .xlsx, a
pinned number of queries), a result's page and the office's steps, the forms, the import
(row errors, the export importing back), the enterprise's own page (A never sees B's), and
the to-dos."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yancheng.chains.importers_research import research_import
from yancheng.chains.models import MatchStatus, ResearchMatch, ResearchResult
from yancheng.chains.services.research import (
    match_close,
    match_dismiss,
    match_start_docking,
    match_suggest,
    result_add,
)
from yancheng.core.workbench import todos_for
from yancheng.lib.xlsx import write_workbook
from yancheng.testing.exports import read_export

from .research_world import build_research

pytestmark = pytest.mark.django_db
LIST = "/chains/nonferrous/research/"


@pytest.fixture
def rw(cw):
    return build_research(cw)


def _match(result, enterprise):
    return ResearchMatch.objects.get(result=result, enterprise=enterprise)


def test_the_list_shows_trl_words_ip_nodes_and_counts(client, rw, django_assert_max_num_queries):
    match_suggest(rw.copper_foil, actor=None)
    for i in range(5):
        result_add(rw.nonferrous, actor=None, title=f"成果{i}", institution="衡阳师范学院", maturity=3,
                   nodes=[rw.nodes["mining"], rw.nodes["materials"]])
    client.force_login(rw.chain_leader)
    with django_assert_max_num_queries(16):  # with the menu's one check of the chains the user reads
        page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "TRL 6 · 相关环境中系统原型演示" in html and "发明专利" in html and "精深加工" in html
    assert f'data-matches="{_count(rw.copper_foil)}"' in html
    assert "登记科研成果" not in html  # the 链长 reads
    filtered = client.get(LIST, {"maturity": "6"})
    assert filtered.context["page"].paginator.count == 1
    assert client.get(LIST, {"node": "smelting"}).context["page"].paginator.count == 1
    assert client.get(LIST, {"institution": "衡阳师范学院"}).context["page"].paginator.count == 5
    assert client.get(LIST, {"q": "铜箔"}).context["page"].paginator.count == 2
    assert client.get(LIST, {"ip_kind": "invention"}).context["page"].paginator.count == 1


def _count(result):
    return ResearchMatch.objects.filter(result=result).exclude(status=MatchStatus.DISMISSED).count()


def test_the_export_is_the_lists_rows_and_imports_back(client, rw):
    client.force_login(rw.lianban)
    response = client.get(LIST, {"format": "xlsx", "maturity": "5"})
    export = read_export(response, "有色金属-科研成果清单")
    assert export.column("成果名称") == ["高性能电解铜箔制备技术", "再生铅低温冶炼技术"]
    assert export.column("技术成熟度") == [6, 5]  # numbers as numbers
    assert export.column("对应环节") == ["processing", "smelting"]
    report = research_import(response.content, actor=rw.lianban, dry_run=False)
    assert report.ok and report.created == 2
    assert ResearchResult.objects.filter(chain=rw.nonferrous).count() == 2  # updated, not doubled


def test_the_import_reports_every_bad_cell_and_writes_nothing(rw):
    headers = ["产业链", "成果名称", "完成单位", "技术成熟度", "对应环节", "知识产权"]
    data = write_workbook("导入", headers, [
        ["nonferrous", "稀土永磁回收技术", "南华大学", "TRL 4", "mining、materials", "发明专利"],
        ["nowhere", "", "湖南工学院", "12", "", "商标"],
        ["有色金属", "铜基复合材料", "湖南工学院", 5, "nothing", ""],
        ["nonferrous", "稀土永磁回收技术", "南华大学", 4, "", ""],
    ])
    report = research_import(data, actor=rw.lianban, dry_run=False)
    assert not report.ok and report.created == 0
    assert {(e.row, e.column) for e in report.errors} == {
        (3, "产业链"), (3, "成果名称"), (3, "技术成熟度"), (3, "知识产权"), (4, "对应环节"), (5, "成果名称")}
    assert not ResearchResult.objects.filter(title="稀土永磁回收技术").exists()
    good = write_workbook("导入", headers, [["nonferrous", "稀土永磁回收技术", "南华大学", "TRL 4", "mining、materials",
                                            "发明专利"]])
    assert research_import(good, actor=rw.lianban, dry_run=True).created == 1
    assert not ResearchResult.objects.filter(title="稀土永磁回收技术").exists()
    refused = research_import(good, actor=rw.lianban_dz, dry_run=False)  # another chain's office
    assert not refused.ok and not ResearchResult.objects.filter(title="稀土永磁回收技术").exists()
    done = research_import(good, actor=rw.lianban, dry_run=False)
    assert done.ok
    imported = ResearchResult.objects.get(title="稀土永磁回收技术")
    assert imported.maturity == 4 and sorted(imported.nodes.values_list("code", flat=True)) == ["materials", "mining"]


def test_the_import_pages_check_then_confirm(client, rw):
    client.force_login(rw.lianban)
    url = reverse("chains:research_import", args=["nonferrous"])
    template = client.get(reverse("chains:research_import_template", args=["nonferrous"]))
    assert template.status_code == 200
    data = write_workbook("导入", ["产业链", "成果名称", "完成单位", "技术成熟度"],
                          [["nonferrous", "铅锌冶炼烟气治理", "湖南工学院", 7]])
    checked = client.post(url, {"file": SimpleUploadedFile("r.xlsx", data)})
    assert checked.status_code == 200 and checked.context["token"]
    done = client.post(reverse("chains:research_import_confirm", args=["nonferrous"]), {"token": checked.context["token"]})
    assert done.status_code == 302 and done["Location"] == LIST
    assert ResearchResult.objects.filter(title="铅锌冶炼烟气治理").exists()


def test_the_office_adds_and_edits_a_result_with_errors_on_the_form(client, rw):
    client.force_login(rw.lianban)
    add = reverse("chains:research_add", args=["nonferrous"])
    bad = client.post(add, {"title": "新型铝合金", "institution": "南华大学", "maturity": "5", "ip_kind": "none",
                            "ip_number": "ZL2"})
    assert bad.status_code == 400 and "没有知识产权时不填知识产权号" in bad.content.decode()
    ok = client.post(add, {"title": "新型铝合金", "institution": "南华大学", "maturity": "5", "ip_kind": "utility",
                           "ip_number": "ZL2", "nodes": [rw.nodes["materials"].pk], "keywords": "铝合金"})
    result = ResearchResult.objects.get(title="新型铝合金")
    assert ok.status_code == 302 and ok["Location"] == f"{LIST}{result.pk}/"
    edit = reverse("chains:research_edit", args=["nonferrous", result.pk])
    stale = client.post(edit, {"title": "新型铝合金2", "institution": "南华大学", "maturity": "5", "ip_kind": "none",
                               "version": "9"})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    done = client.post(edit, {"title": "新型铝合金2", "institution": "南华大学", "maturity": "6", "ip_kind": "none",
                              "version": "1"})
    assert done.status_code == 302
    result.refresh_from_db()
    assert (result.title, result.maturity, result.version) == ("新型铝合金2", 6, 2)


def test_the_office_suggests_docks_and_the_owner_unit_closes_from_the_page(client, rw):
    page = f"{LIST}{rw.copper_foil.pk}/"
    client.force_login(rw.lianban)
    suggested = client.post(reverse("chains:research_act", args=["nonferrous", rw.copper_foil.pk, "suggest"]))
    assert suggested.status_code == 302
    b = _match(rw.copper_foil, rw.enterprise_b)
    step = reverse("chains:research_match_act", args=["nonferrous", rw.copper_foil.pk, b.pk, "dock"])
    p = f"m{b.pk}-"
    refused = client.post(step, {p + "owner_org": rw.enterprise_a.organisation.pk, p + "due_on": "2099-01-01",
                                 p + "version": b.version})
    assert refused.status_code == 400
    docked = client.post(step, {p + "owner_org": rw.world.city_ndrc.pk, p + "due_on": "2099-01-01",
                                p + "version": b.version})
    assert docked.status_code == 302 and _match(rw.copper_foil, rw.enterprise_b).status == MatchStatus.DOCKING
    close = reverse("chains:research_match_act", args=["nonferrous", rw.copper_foil.pk, b.pk, "close"])
    client.force_login(rw.chain_leader)
    assert client.post(close, {p + "status": "succeeded", p + "outcome": "x"}).status_code == 403
    client.force_login(rw.handler_ndrc)  # the owner unit, a reader of the chain through its backing
    html = client.get(page).content.decode()
    assert "记录对接结果" in html and "发起对接" not in html
    closed = client.post(close, {p + "status": "succeeded", p + "outcome": "签订许可合同", p + "version": 2})
    assert closed.status_code == 302
    assert _match(rw.copper_foil, rw.enterprise_b).outcome == "签订许可合同"
    dismiss = reverse("chains:research_match_act", args=["nonferrous", rw.copper_foil.pk, b.pk, "dismiss"])
    assert client.post(dismiss, {p + "reason": "x"}).status_code == 403


def test_the_enterprise_sees_only_its_own_placements_and_matches(client, rw, django_assert_max_num_queries):
    match_suggest(rw.copper_foil, actor=None)
    match_suggest(rw.lead_recovery, actor=None)
    b_on_lead = _match(rw.lead_recovery, rw.enterprise_b)
    match_dismiss(b_on_lead, actor=None, reason="无关")
    b = match_start_docking(_match(rw.copper_foil, rw.enterprise_b), actor=None, owner_org=rw.world.city_ndrc,
                            due_on=dt.date.today() + dt.timedelta(days=9))
    match_close(b, actor=None, status=MatchStatus.SUCCEEDED, outcome="共建中试线")
    client.force_login(rw.enterprise_b_user)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("chains:mine"))
    assert page.status_code == 200
    assert [p.enterprise_id for p in page.context["placements"]] == [rw.enterprise_b.pk]
    assert [m.pk for m in page.context["matches"]] == [b.pk]  # the dismissed one is not shown
    html = page.content.decode()
    assert "精深加工" in html and "铜箔" in html and "共建中试线" in html and "衡阳市发展和改革委员会" in html
    assert "粗铅" not in html and "再生铅低温冶炼技术" not in html
    client.force_login(rw.enterprise_a_user)
    a_page = client.get(reverse("chains:mine"))
    assert {m.enterprise_id for m in a_page.context["matches"]} == {rw.enterprise_a.pk}
    assert [p.enterprise_id for p in a_page.context["placements"]] == [rw.enterprise_a.pk]
    assert "共建中试线" not in a_page.content.decode() and "铜箔" not in a_page.content.decode().split("匹配的科研成果")[0]
    exported = read_export(client.get(reverse("chains:mine"), {"format": "xlsx"}), "匹配的科研成果")
    assert exported.column("企业") == [rw.enterprise_a.name] * len(a_page.context["matches"])
    for staff in (rw.lianban, rw.chain_leader, rw.handler_ndrc):
        client.force_login(staff)
        assert client.get(reverse("chains:mine")).status_code == 403
    client.force_login(rw.chain_leader)
    matches = read_export(client.get(f"{LIST}{rw.copper_foil.pk}/", {"format": "xlsx"}),
                          "高性能电解铜箔制备技术-匹配企业")
    assert matches.column("企业")[0] == rw.enterprise_b.name and matches.column("对接期限")[0].date() == b.due_on
    assert isinstance(matches.column("匹配度")[0], int)


def test_the_to_dos_count_what_their_lists_show(client, rw):
    match_suggest(rw.copper_foil, actor=None)
    match_suggest(rw.lead_recovery, actor=None)
    with time_machine.travel(dt.datetime(2026, 5, 11, 9, tzinfo=dt.UTC), tick=False):
        match_start_docking(_match(rw.copper_foil, rw.enterprise_b), actor=None, owner_org=rw.world.city_ndrc,
                            due_on=dt.date(2026, 5, 20))
        match_start_docking(_match(rw.lead_recovery, rw.enterprise_a), actor=None, owner_org=rw.office,
                            due_on=dt.date(2026, 5, 21))
    with time_machine.travel(dt.datetime(2026, 5, 21, 9, tzinfo=dt.UTC), tick=False):
        # the 21st is still on time for the second; the first is a day late
        items = {t.key: t for t in todos_for(rw.lianban)}
        todo = items["chains.research.overdue.nonferrous"]
        assert (todo.count, todo.light) == (1, "red")
        client.force_login(rw.lianban)
        listed = client.get(todo.url)
        assert listed.context["page"].paginator.count == 1
        assert [r.pk for r in listed.context["page"]] == [rw.copper_foil.pk]
        assert not [t for t in todos_for(rw.lianban_dz) if t.key.startswith("chains.research")]
    items = {t.key: t for t in todos_for(rw.enterprise_b_user)}
    mine = items["chains.research.matched"]
    client.force_login(rw.enterprise_b_user)
    assert mine.count == len(client.get(mine.url).context["matches"]) == 2


def test_the_pages_read_in_english(client, rw):
    from django.conf import settings

    from yancheng.chains.services.research import match_suggest as suggest

    suggest(rw.copper_foil, actor=None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(rw.lianban)
    html = client.get(LIST).content.decode()
    assert "Research results ready for industry" in html
    assert "TRL 6 · System prototype demonstrated in a relevant environment" in html and "Invention patent" in html
    detail = client.get(f"{LIST}{rw.copper_foil.pk}/").content.decode()
    assert "Start brokering" in detail and "Matched enterprises" in detail and "To broker" in detail
    client.force_login(rw.enterprise_b_user)
    mine = client.get(reverse("chains:mine")).content.decode()
    assert "My industry chains" in mine and "Where our enterprise sits on the chain maps" in mine
