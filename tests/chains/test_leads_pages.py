"""The leads pages, import, to-dos and API, from both sides."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from tests.chains.leads_world import make_lead, signed_lead
from yancheng.api.testing import api_client_for
from yancheng.chains.models import FillKind, Lead, LeadStage
from yancheng.chains.services.leads import lead_advance
from yancheng.core.workbench import todos_for
from yancheng.lib.xlsx import read_rows, write_workbook

pytestmark = pytest.mark.django_db
URL = "/api/v1/chains"


def _leads(client, cw, **params):
    return client.get(reverse("chains:leads", args=[cw.nonferrous.code]), params)


def test_the_list_chips_count_what_they_open_and_the_export_has_the_same_rows(client, cw,
                                                                              django_assert_max_num_queries):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        make_lead(cw)
        make_lead(cw, investor="江西铜业")
        lead_advance(make_lead(cw, investor="紫金矿业"), actor=None)
    with time_machine.travel(dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC), tick=False):
        make_lead(cw, investor="洛阳钼业")  # fresh: green; the older ones are idle 36 days: yellow
        client.force_login(cw.lianban)
        with django_assert_max_num_queries(20):
            page = _leads(client, cw)
        assert page.status_code == 200
        chips = {c["value"]: c["count"] for c in page.context["stage_chips"]}
        lights = {c["value"]: c["count"] for c in page.context["light_chips"]}
        assert chips["contact"] == 3 and chips["negotiating"] == 1
        assert lights == {"red": 0, "yellow": 3, "green": 1}
        yellow = _leads(client, cw, light="yellow")
        assert yellow.context["page"].paginator.count == 3
        negotiating = _leads(client, cw, light="yellow", stage="negotiating")
        assert negotiating.context["page"].paginator.count == 1
        assert {c["value"]: c["count"] for c in yellow.context["stage_chips"]}["contact"] == 2
        export = _leads(client, cw, light="yellow", format="xlsx")
        rows = read_rows(export.content, required=("编号",))
        assert len(rows) == 3 and rows[0].values["产业链"] == "nonferrous"
        todos = {t.key: t for t in todos_for(cw.lianban)}
        assert todos["chains.leads.stale.nonferrous"].count == 3
        assert _leads_url(client, todos["chains.leads.stale.nonferrous"].url) == 3
        client.force_login(cw.handler_ndrc)
        mine = {t.key: t for t in todos_for(cw.handler_ndrc)}["chains.leads.stale.mine"]
        assert mine.count == 3 and _leads_url(client, mine.url) == 3


def _leads_url(client, url):
    return client.get(url).context["page"].paginator.count


def test_the_lead_page_offers_only_the_buttons_the_user_may_press(client, cw):
    lead = make_lead(cw)
    url = reverse("chains:lead", args=[cw.nonferrous.code, lead.pk])
    client.force_login(cw.lianban)
    assert [s["name"] for s in client.get(url).context["steps"]] == ["follow_up", "advance", "drop"]
    client.force_login(cw.handler_ndrc)
    assert [s["name"] for s in client.get(url).context["steps"]] == ["follow_up", "advance"]
    client.force_login(cw.chain_leader)
    assert client.get(url).context["steps"] == []
    act = reverse("chains:lead_act", args=[cw.nonferrous.code, lead.pk, "drop"])
    assert client.post(act, {"reason": "x", "version": lead.version}).status_code == 403
    client.force_login(cw.handler_ndrc)
    assert client.post(act, {"reason": "x", "version": lead.version}).status_code == 403
    follow = reverse("chains:lead_act", args=[cw.nonferrous.code, lead.pk, "follow_up"])
    assert client.post(follow, {"text": "", "version": lead.version}).status_code == 400
    answer = client.post(follow, {"text": "拜访企业总部", "next_step": "报价", "next_step_on": "2030-01-01",
                                  "version": lead.version})
    assert answer.status_code == 302
    lead.refresh_from_db()
    assert lead.next_step == "报价" and lead.events.filter(kind="follow_up").exists()
    client.force_login(cw.handler_power)
    assert client.get(url).status_code == 404


def test_gaps_list_the_missing_and_weak_nodes_with_their_leads_and_prefill_a_new_lead(client, cw):
    lead = make_lead(cw, node="materials")
    client.force_login(cw.lianban)
    page = client.get(reverse("chains:gaps", args=[cw.nonferrous.code]))
    nodes = {n.code: n for n in page.context["nodes"]}
    assert set(nodes) == {"mining", "smelting", "processing", "materials", "application"}  # all 缺 or 弱
    assert [x.pk for x in nodes["materials"].gap_leads] == [lead.pk]
    assert nodes["application"].suggested == FillKind.EXTEND and nodes["materials"].suggested == FillKind.COMPLETE
    add = reverse("chains:lead_add", args=[cw.nonferrous.code])
    assert f'{add}?node=application&amp;fill_kind=extend' in page.content.decode()
    form = client.get(add, {"node": "application", "fill_kind": "extend"}).context["form"]
    assert form.initial == {"node": cw.nodes["application"].pk, "fill_kind": "extend"}
    created = client.post(add, {"investor": "宁德时代", "investor_kind": "listed", "project_name": "电池回收",
                                "node": cw.nodes["application"].pk, "owner_org": cw.city_ndrc.pk})
    assert created.status_code == 302
    assert Lead.objects.get(investor="宁德时代").fill_kind == FillKind.EXTEND
    refused = client.post(add, {"investor": "x", "investor_kind": "other", "project_name": "y",
                                "owner_org": cw.enterprise_a.organisation.pk})
    assert refused.status_code == 400
    client.force_login(cw.chain_leader)
    assert client.get(add).status_code == 403


def test_converting_from_the_page_files_the_project_and_the_lead_shows_it(client, cw):
    lead = signed_lead(cw)
    url = reverse("chains:lead_convert", args=[cw.nonferrous.code, lead.pk])
    client.force_login(cw.handler_ndrc)
    assert client.get(url).status_code == 403
    client.force_login(cw.lianban)
    form = client.get(url).context["form"]
    assert form.initial["total_investment"] == lead.planned_investment
    answer = client.post(url, {"name": "高性能铜合金", "region": cw.shigu.pk, "total_investment": "60000",
                               "responsible_org": cw.city_ndrc.pk, "version": lead.version})
    assert answer.status_code == 302
    lead.refresh_from_db()
    assert lead.project is not None and lead.project.total_investment == 60000
    page = client.get(reverse("chains:lead", args=[cw.nonferrous.code, lead.pk]))
    assert page.context["brief"].code == lead.project.code and not page.context["can_convert"]
    assert f'data-project="{lead.project.code}"' in page.content.decode()


def _xlsx(rows):
    headers = ["编号", "产业链", "目标企业", "拟引进项目", "责任单位", "补位环节", "计划投资（万元）"]
    return write_workbook("leads", headers, rows)


def test_the_import_reports_every_row_error_and_writes_nothing_until_all_rows_are_good(cw):
    from yancheng.chains.importers_leads import leads_import

    bad = _xlsx([
        ["", "nonferrous", "五矿", "铜箔", cw.city_ndrc.name, "materials", "100"],
        ["", "nope", "", "铝材", "不存在的局", "", "abc"],
        ["", "electronics", "京东方", "面板", cw.city_ndrc.name, "", ""],  # not lianban's chain
    ])
    report = leads_import(bad, actor=cw.lianban, dry_run=True)
    cells = {(e.row, e.column) for e in report.errors}
    assert {(3, "产业链"), (3, "目标企业"), (3, "责任单位"), (3, "计划投资（万元）")} <= cells
    assert not Lead.objects.exists()
    report = leads_import(bad, actor=cw.lianban, dry_run=False)
    assert report.created == 0 and not Lead.objects.exists()
    good = _xlsx([["", "nonferrous", "五矿", "铜箔", cw.city_ndrc.name, "materials", "100"]])
    report = leads_import(good, actor=cw.lianban, dry_run=False)
    assert report.ok and Lead.objects.get().fill_kind == FillKind.COMPLETE


def test_the_export_imports_back_updating_the_leads_it_names(client, cw):
    from yancheng.chains.importers_leads import leads_import

    lead = make_lead(cw)
    client.force_login(cw.lianban)
    exported = client.get(reverse("chains:leads", args=[cw.nonferrous.code]), {"format": "xlsx"}).content
    report = leads_import(io.BytesIO(exported), actor=cw.lianban, dry_run=False)
    assert report.ok, report.errors
    assert Lead.objects.count() == 1
    lead.refresh_from_db()
    assert lead.version == 1  # nothing changed: nothing written


def test_the_api_registers_follows_up_steps_and_converts_a_lead(cw):
    office = api_client_for(cw.lianban)
    created = office.post(f"{URL}/nonferrous/leads", {
        "investor": "中国铝业", "project_name": "铝基新材料", "owner_org": cw.city_ndrc.pk, "node": "materials",
        "planned_investment": "30000", "region": cw.shigu.code}, headers={"Idempotency-Key": "lead-1"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["fill_kind"] == "complete" and body["number"].startswith("ZS")
    pk = body["id"]
    owner = api_client_for(cw.handler_ndrc)
    assert owner.post(f"{URL}/leads/{pk}/follow-ups", {"text": "洽谈"}).status_code == 428
    tag = created["ETag"]
    followed = owner.post(f"{URL}/leads/{pk}/follow-ups", {"text": "洽谈"}, headers={"If-Match": tag})
    assert followed.status_code == 200
    assert owner.post(f"{URL}/leads/{pk}/steps/drop", {"reason": "x"},
                      headers={"If-Match": followed["ETag"]}).status_code == 403
    step = followed
    for _i in range(2):
        step = owner.post(f"{URL}/leads/{pk}/steps/advance", {}, headers={"If-Match": step["ETag"]})
        assert step.status_code == 200
    assert step.json()["stage"] == LeadStage.SIGNED
    assert owner.post(f"{URL}/leads/{pk}/convert", {}, headers={"Idempotency-Key": "c-0"}).status_code == 403
    converted = office.post(f"{URL}/leads/{pk}/convert", {}, headers={"Idempotency-Key": "c-1"})
    assert converted.status_code == 201, converted.json()
    assert converted.json()["lead"]["project"] == converted.json()["project"]
    again = office.post(f"{URL}/leads/{pk}/convert", {}, headers={"Idempotency-Key": "c-2"})
    assert again.status_code == 409
    listed = office.get(f"{URL}/leads", {"stage": "signed"}).json()
    assert listed["count"] == 1
    gaps = office.get(f"{URL}/nonferrous/gaps").json()["items"]
    assert {g["code"] for g in gaps} >= {"materials", "application"}
    assert api_client_for(cw.handler_power).get(f"{URL}/leads/{pk}").status_code == 403  # no chain at all
    assert api_client_for(cw.handler_ndrc).get(f"{URL}/leads/{pk}").status_code == 200
    assert api_client_for(cw.handler_power).get(f"{URL}/nonferrous/gaps").status_code == 404
    assert api_client_for(cw.lianban_dz).post(f"{URL}/nonferrous/leads", {
        "investor": "x", "project_name": "y", "owner_org": cw.city_ndrc.pk},
        headers={"Idempotency-Key": "lead-2"}).status_code == 403


def test_the_owner_unit_updates_its_own_lead_but_not_anothers_from_the_page(client, cw):
    own = make_lead(cw)
    other = make_lead(cw, owner_org=cw.office)
    client.force_login(cw.handler_ndrc)
    page = client.get(reverse("chains:lead", args=[cw.nonferrous.code, other.pk]))
    assert page.status_code == 200 and page.context["steps"] == []
    for lead, status in ((other, 403), (own, 302)):
        url = reverse("chains:lead_act", args=[cw.nonferrous.code, lead.pk, "advance"])
        assert client.post(url, {"version": lead.version}).status_code == status
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.stage, other.stage) == (LeadStage.NEGOTIATING, LeadStage.CONTACT)
    stale = reverse("chains:lead_act", args=[cw.nonferrous.code, own.pk, "advance"])
    answer = client.post(stale, {"version": own.version - 1})
    assert answer.status_code == 302  # a stale page: a message, nothing changed
    own.refresh_from_db()
    assert own.stage == LeadStage.NEGOTIATING
    # The lead of another chain, under this chain's code, is not found.
    foreign = make_lead(cw, chain=cw.electronics, owner_org=cw.city_ndrc, node=None)
    assert client.get(reverse("chains:lead", args=[cw.nonferrous.code, foreign.pk])).status_code == 404


def test_the_lists_queries_do_not_grow_with_their_rows(client, cw, django_assert_max_num_queries):
    for i in range(12):
        lead = make_lead(cw, investor=f"企业{i}", node=["mining", "materials", "application"][i % 3])
        if i % 4 == 0:
            signed = signed_lead(cw, investor=f"签约{i}")
            from yancheng.chains.services.leads import lead_convert

            lead_convert(signed, actor=None, region=cw.shigu)
        del lead
    client.force_login(cw.lianban)
    with django_assert_max_num_queries(22):
        assert client.get(reverse("chains:leads", args=[cw.nonferrous.code])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("chains:gaps", args=[cw.nonferrous.code])).status_code == 200
    client.force_login(cw.handler_ndrc)
    with django_assert_max_num_queries(22):
        assert client.get(reverse("chains:my_leads")).status_code == 200
    api = api_client_for(cw.lianban)
    with django_assert_max_num_queries(12):
        assert api.get(f"{URL}/leads").json()["count"] == 15


def test_the_import_page_checks_then_imports_the_same_file(client, cw):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("chains:leads_import", args=[cw.nonferrous.code])
    client.force_login(cw.lianban)
    template = client.get(reverse("chains:leads_import_template", args=[cw.nonferrous.code]))
    assert template.status_code == 200 and read_rows(template.content, required=("产业链",)) == []
    data = _xlsx([["", "nonferrous", "五矿", "铜箔", cw.city_ndrc.name, "materials", "100"]])
    checked = client.post(url, {"file": SimpleUploadedFile("leads.xlsx", data)})
    assert checked.status_code == 200 and checked.context["report"].ok and checked.context["token"]
    assert not Lead.objects.exists()
    done = client.post(reverse("chains:leads_import_confirm", args=[cw.nonferrous.code]),
                       {"token": checked.context["token"]})
    assert done.status_code == 302 and Lead.objects.get().investor == "五矿"
    client.force_login(cw.lianban_dz)  # reads the chain, does not run it
    assert client.get(url).status_code == 403
