"""The registry family's pages from both sides: the landing and its counts, a chain's home, the
office's edit, the development path's versions and the member enterprises."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yancheng.chains import views_registry
from yancheng.chains.models import ChainPath, Lead, LeadStage, Segment
from yancheng.chains.services.registry import node_add, path_add, placement_add
from yancheng.core.models import IndustryChain
from yancheng.testing.exports import read_export

pytestmark = pytest.mark.django_db


def _lead(cw, stage, n):
    return Lead.objects.create(chain=cw.nonferrous, number=f"ZS-{n}", investor="某500强", project_name="铜箔项目",
                               owner_org=cw.city_ndrc, stage=stage, last_activity_on=timezone.localdate())


def test_the_landing_lists_the_chains_with_who_runs_them_and_their_counts(client, cw):
    _lead(cw, LeadStage.NEGOTIATING, 1)
    _lead(cw, LeadStage.DROPPED, 2)
    client.force_login(cw.lianban)
    response = client.get(reverse("chains:home"))
    assert response.status_code == 200
    rows = {r.chain.code: r for r in response.context["rows"]}
    assert list(rows) == ["nonferrous", "electronics"]
    nf = rows["nonferrous"]
    assert nf.profile.leader == cw.chain_leader and nf.profile.office == cw.office
    assert nf.enterprises == 2 and nf.open_leads == 1
    assert nf.strengths == {"strong": 0, "weak": 2, "missing": 3} and nf.nodes == 5
    assert rows["electronics"].enterprises == 0 and rows["electronics"].nodes == 0
    html = response.content.decode()
    assert reverse("chains:chain", args=["nonferrous"]) in html and "有色链长" in html


def test_the_landing_takes_the_same_queries_for_many_chains(client, cw, django_assert_max_num_queries):
    client.force_login(cw.lianban)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("chains:home")).status_code == 200
    for i in range(6):
        chain = IndustryChain.objects.create(code=f"extra{i}", name=f"新链{i}", sort_order=10 + i)
        node = node_add(chain, actor=None, code="n", name="环节", segment=Segment.UPSTREAM)
        placement_add(node, cw.enterprise_a, actor=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("chains:home"))
    assert len(response.context["rows"]) == 8


def test_the_landing_exports_its_rows(client, cw):
    client.force_login(cw.chain_leader)
    sheet = read_export(client.get(reverse("chains:home") + "?format=xlsx"), "产业链")
    assert list(sheet.rows[0][:2]) == ["nonferrous", "有色金属"] and sheet.rows[0][5] == 2


@pytest.mark.parametrize(("persona", "status"), [
    ("enterprise_a_user", 403), ("lianban_qd", 403), ("handler_power", 403), ("system_admin", 403),
    ("handler_ndrc", 200), ("supervisor", 200), ("chain_leader_dz", 200),
])
def test_who_opens_the_landing(client, cw, persona, status):
    client.force_login(getattr(cw, persona))
    assert client.get(reverse("chains:home")).status_code == status


def test_a_backing_department_sees_only_its_chain(client, cw):
    client.force_login(cw.handler_ndrc)
    assert [r.chain.code for r in client.get(reverse("chains:home")).context["rows"]] == ["nonferrous"]
    assert client.get(reverse("chains:chain", args=["nonferrous"])).status_code == 200
    assert client.get(reverse("chains:chain", args=["electronics"])).status_code == 404
    assert client.get(reverse("chains:enterprises", args=["electronics"])).status_code == 404
    assert client.get(reverse("chains:profile_edit", args=["nonferrous"])).status_code == 403


def test_chain_pages_are_not_for_enterprises_or_a_county_office(client, cw):
    client.force_login(cw.enterprise_b_user)
    assert client.get(reverse("chains:chain", args=["nonferrous"])).status_code == 403
    client.force_login(cw.lianban_qd)
    for route in ("chains:chain", "chains:path_versions", "chains:enterprises", "chains:profile_edit"):
        assert client.get(reverse(route, args=["nonferrous"])).status_code == 404, route


def test_the_chains_home_shows_who_runs_it_its_path_and_the_lists(client, cw):
    path_add(cw.nonferrous, actor=cw.lianban, text="做强冶炼，延伸<b>精深加工</b>")
    client.force_login(cw.chain_leader)
    response = client.get(reverse("chains:chain", args=["nonferrous"]))
    html = response.content.decode()
    assert "有色链长" in html and cw.office.name in html and cw.city_ndrc.name in html and cw.enterprise_b.name in html
    assert "&lt;b&gt;精深加工" in html, "the path's text is escaped"
    assert response.context["enterprise_count"] == 2 and not response.context["may_manage"]
    assert reverse("chains:profile_edit", args=["nonferrous"]) not in html
    blocks = response.context["blocks"]
    assert [b["route"] for b in blocks] == [route for route, _label, _perm in views_registry.LISTS]
    assert {b["route"]: b["url"] for b in blocks}["chains:targets"] is None or "targets" in html


def test_a_chains_home_offers_the_lists_its_reader_may_open(cw):
    routes = [b["route"] for b in views_registry.list_blocks(cw.chain_leader, cw.nonferrous)]
    assert routes == ["chains:targets", "chains:projects", "chains:leads", "chains:problems", "chains:research",
                      "chains:map", "chains:meetings"]
    blocks = views_registry.list_blocks(cw.lianban, cw.nonferrous)
    assert blocks[0]["url"] == reverse("chains:targets", args=["nonferrous"])
    assert views_registry.list_blocks(cw.lianban_qd, cw.nonferrous) == []  # reads no chain


def _profile_post(cw, version, **extra):
    data = {"leader": cw.chain_leader.pk, "deputy_leaders": [cw.leader.pk], "staff": [cw.lianban.pk],
            "backing_orgs": [cw.city_ndrc.pk, cw.power_company.pk], "masters": [cw.enterprise_b.pk],
            "industry_group": "三色", "strong_min_enterprises": 2, "strong_min_above_scale": 0,
            "strong_min_output": "100000", "version": version}
    data.update(extra)
    return data


def test_the_office_edits_who_runs_its_chain(client, cw):
    client.force_login(cw.lianban)
    url = reverse("chains:profile_edit", args=["nonferrous"])
    page = client.get(url)
    assert page.status_code == 200
    version = page.context["form"].initial["version"]
    response = client.post(url, _profile_post(cw, version))
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    profile = cw.nonferrous.__class__.objects.get(pk=cw.nonferrous.pk).profile
    assert list(profile.deputy_leaders.all()) == [cw.leader] and profile.strong_min_enterprises == 2
    assert set(profile.backing_orgs.all()) == {cw.city_ndrc, cw.power_company} and profile.version == version + 1
    # The page it came from is stale now: refused with a message, nothing changed.
    stale = client.post(url, _profile_post(cw, version, industry_group="旧稿"), follow=True)
    assert "已被他人修改" in stale.content.decode()
    profile.refresh_from_db()
    assert profile.industry_group == "三色"


def test_a_leader_account_is_required_for_the_leader(client, cw):
    client.force_login(cw.lianban)
    url = reverse("chains:profile_edit", args=["nonferrous"])
    response = client.post(url, _profile_post(cw, 2, leader=cw.handler_ndrc.pk))
    assert response.status_code == 200 and response.context["form"].errors["leader"]


def test_an_office_edits_only_its_own_chain(client, cw):
    client.force_login(cw.lianban)
    assert client.get(reverse("chains:profile_edit", args=["electronics"])).status_code == 403
    assert client.post(reverse("chains:path_add", args=["electronics"]), {"text": "x", "based_on": 0}).status_code == 403
    assert not ChainPath.objects.exists()


def test_the_path_is_revised_in_versions_with_a_diff(client, cw):
    client.force_login(cw.lianban)
    add = reverse("chains:path_add", args=["nonferrous"])
    assert client.post(add, {"text": "一、做强冶炼\n二、发展<新材料>", "based_on": 0}).status_code == 302
    form = client.get(add).context["form"]
    assert form.initial["based_on"] == 1 and form.initial["text"].startswith("一、做强冶炼")
    assert client.post(add, {"text": "一、做强冶炼\n二、延伸精深加工", "based_on": 1}).status_code == 302
    stale = client.post(add, {"text": "基于旧版", "based_on": 1}, follow=True)
    assert "已有新的版本" in stale.content.decode()
    versions = client.get(reverse("chains:path_versions", args=["nonferrous"]))
    assert [v.number for v in versions.context["page"]] == [2, 1]
    client.force_login(cw.handler_ndrc)
    page = client.get(reverse("chains:path_version", args=["nonferrous", 2]))
    assert page.context["diff"] == [("same", "一、做强冶炼"), ("removed", "二、发展<新材料>"), ("added", "二、延伸精深加工")]
    html = page.content.decode()
    assert "<del>− 二、发展&lt;新材料&gt;</del>" in html and "<ins>+ 二、延伸精深加工</ins>" in html
    assert client.get(reverse("chains:path_version", args=["nonferrous", 1])).context["diff"] is None
    assert client.get(reverse("chains:path_version", args=["nonferrous", 3])).status_code == 404
    sheet = read_export(client.get(reverse("chains:path_versions", args=["nonferrous"]) + "?format=xlsx"),
                        "有色金属发展路径版本")
    assert [row[0] for row in sheet.rows] == [2, 1] and isinstance(sheet.rows[0][1], dt.datetime)


def test_the_member_enterprises_filter_and_export(client, cw, django_assert_max_num_queries):
    client.force_login(cw.lianban)
    url = reverse("chains:enterprises", args=["nonferrous"])
    with django_assert_max_num_queries(16):
        response = client.get(url)
    page = list(response.context["page"])
    assert [e.name for e in page] == [cw.enterprise_b.name, cw.enterprise_a.name]  # 石鼓区 before 祁东县
    assert page[0].is_master and not page[1].is_master
    assert [p.node.name for p in page[1].chain_nodes] == ["冶炼"]
    assert [r.code for r in response.context["regions"]] == [cw.shigu.code, cw.qidong.code]
    assert [e.pk for e in client.get(url, {"region": cw.qidong.code}).context["page"]] == [cw.enterprise_a.pk]
    assert [e.pk for e in client.get(url, {"q": "机械"}).context["page"]] == [cw.enterprise_b.pk]
    sheet = read_export(client.get(url, {"format": "xlsx", "region": cw.shigu.code}), "有色金属产业链企业")
    assert [list(r) for r in sheet.rows] == [[cw.enterprise_b.name, cw.enterprise_b.uscc, cw.shigu.name, "否", "是", "精深加工"]]


def test_the_pages_speak_english(client, cw):
    path_add(cw.nonferrous, actor=None, text="v1")
    client.force_login(cw.lianban)
    client.cookies["django_language"] = "en"
    expected = {
        reverse("chains:home"): ["Industry chains", "Chain leader", "Open investment leads"],
        reverse("chains:chain", args=["nonferrous"]): ["Chain leader", "Backing units", "Development path",
                                                       "Five lists and one map", "Development targets", "Chain map", "Version 1"],
        reverse("chains:path_versions", args=["nonferrous"]): ["Development path versions", "Author", "Current"],
        reverse("chains:enterprises", args=["nonferrous"]): ["Chain enterprises", "Above designated size", "Node"],
        reverse("chains:profile_edit", args=["nonferrous"]): ["Deputy chain leaders", "Lead enterprises"],
        reverse("chains:path_add", args=["nonferrous"]): ["Revise the development path", "Save as a new version"],
    }
    for url, words in expected.items():
        html = client.get(url).content.decode()
        for word in words:
            assert word in html, (url, word)


@pytest.mark.parametrize(("persona", "shown"), [
    ("lianban", True), ("chain_leader", True), ("handler_ndrc", True),
    ("lianban_qd", False), ("dispatcher", False), ("enterprise_a_user", False),  # their own page instead (chains:mine)
])
def test_the_menu_leads_to_the_chains_for_their_readers(client, cw, persona, shown):
    client.force_login(getattr(cw, persona))
    html = client.get(reverse("core:home")).content.decode()
    nav = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert (f'href="{reverse("chains:home")}"' in nav) is shown
