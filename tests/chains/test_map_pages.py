"""The map's pages (一图谱): the graph's data and its phone list, a node's page and panel with
what they read live (projects, problems, leads), the office's forms, and who is refused."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from yancheng.chains.models import MapLink, MapNode, Placement

pytestmark = pytest.mark.django_db


def _map(client, cw, user, **params):
    client.force_login(user)
    return client.get(reverse("chains:map", args=[cw.nonferrous.code]), params)


def _island(response):
    html = response.content.decode()
    start = html.index('id="chain-map-data"')
    body = html[html.index(">", start) + 1:html.index("</script>", start)]
    return json.loads(body)


def test_the_map_lays_the_nodes_out_in_three_columns_coloured_by_strength(client, cw, django_assert_max_num_queries):
    client.force_login(cw.lianban)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("chains:map", args=["nonferrous"]))
    assert response.status_code == 200
    data = _island(response)
    nodes = {n["code"]: n for n in data["nodes"]}
    assert set(nodes) == {"mining", "smelting", "processing", "materials"}  # 终端应用 is on the target map only
    assert [nodes[c]["column"] for c in ("mining", "processing", "materials")] == [0, 1, 1]
    assert nodes["processing"]["strength"] == "weak" and nodes["mining"]["strength"] == "missing"
    assert nodes["processing"]["enterprises"] == [cw.enterprise_b.name]
    assert {(link["source"], link["target"]) for link in data["links"]} == {
        ("mining", "smelting"), ("smelting", "processing"), ("processing", "materials")}
    html = response.content.decode()
    assert 'class="map-list"' in html and "chains-map.js" in html and "<script>" not in html


def test_the_target_map_shows_the_missing_downstream_node(client, cw):
    data = _island(_map(client, cw, cw.lianban, map="target"))
    nodes = {n["code"]: n for n in data["nodes"]}
    assert nodes["application"]["strength"] == "missing" and nodes["application"]["column"] == 2
    assert ("materials", "application") in {(x["source"], x["target"]) for x in data["links"]}


def test_the_region_filter_counts_only_that_regions_enterprises(client, cw):
    data = _island(_map(client, cw, cw.lianban, region=cw.enterprise_a.region.code))
    nodes = {n["code"]: n for n in data["nodes"]}
    assert nodes["smelting"]["region_count"] == 1 and nodes["processing"]["region_count"] == 0
    assert nodes["processing"]["enterprise_count"] == 1  # the strength still counts the whole chain
    assert nodes["processing"]["enterprises"] == []


@pytest.mark.parametrize(("persona", "status"), [
    ("lianban", 200), ("lianban_dz", 200), ("chain_leader", 200), ("handler_ndrc", 200),
    ("lianban_qd", 404), ("handler_power", 404), ("enterprise_b_user", 403),
])
def test_who_reads_the_map(client, cw, persona, status):
    assert _map(client, cw, getattr(cw, persona)).status_code == status


def test_the_node_panel_lists_its_enterprises_problems_and_leads(client, cw):
    client.force_login(cw.lianban)
    response = client.get(reverse("chains:node_panel", args=["nonferrous", "processing"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert cw.enterprise_b.name in html and "<html" not in html
    assert reverse("chains:node", args=["nonferrous", "processing"]) in html


def test_a_reader_sees_the_node_without_the_offices_forms(client, cw):
    client.force_login(cw.handler_ndrc)
    response = client.get(reverse("chains:node", args=["nonferrous", "processing"]))
    assert response.status_code == 200
    assert 'name="step"' not in response.content.decode()
    response = client.post(reverse("chains:node", args=["nonferrous", "processing"]),
                           {"step": "override", "override-strength": "strong", "override-reason": "x"})
    assert response.status_code == 403
    assert not MapNode.objects.get(pk=cw.nodes["processing"].pk).strength_override


def test_another_chains_office_may_read_but_not_change_the_node(client, cw):
    client.force_login(cw.lianban_dz)
    url = reverse("chains:node", args=["nonferrous", "processing"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"step": "retire"}).status_code == 403
    assert client.get(reverse("chains:node_add", args=["nonferrous"])).status_code == 403
    assert MapNode.objects.get(pk=cw.nodes["processing"].pk).is_active


def test_the_office_overrides_the_strength_with_a_reason_and_clears_it(client, cw):
    client.force_login(cw.lianban)
    url = reverse("chains:node", args=["nonferrous", "mining"])
    node = cw.nodes["mining"]
    response = client.post(url, {"step": "override", "override-strength": "weak", "override-reason": " ",
                                 "override-version": node.version})
    assert response.status_code == 422 and "认定理由" in response.content.decode()
    response = client.post(url, {"step": "override", "override-strength": "weak",
                                 "override-reason": "矿权已批复，年内投产", "override-version": node.version})
    assert response.status_code == 302
    node.refresh_from_db()
    assert (node.strength_override, node.override_by) == ("weak", cw.lianban)
    data = _island(_map(client, cw, cw.lianban))
    mining = next(n for n in data["nodes"] if n["code"] == "mining")
    assert (mining["strength"], mining["rule_strength"], mining["overridden"]) == ("weak", "missing", True)
    # a stale page is refused, the override stays
    response = client.post(url, {"step": "clear", "version": node.version - 1})
    node.refresh_from_db()
    assert node.strength_override == "weak"
    client.post(url, {"step": "clear", "version": node.version})
    node.refresh_from_db()
    assert node.strength_override == "" and node.override_reason == ""


def test_the_office_places_edits_and_removes_an_enterprise(client, cw):
    client.force_login(cw.lianban)
    url = reverse("chains:node", args=["nonferrous", "materials"])
    response = client.post(url, {"step": "place", "place-enterprise": cw.enterprise_a.pk, "place-role": "key",
                                 "place-products": "铜合金", "place-annual_output": "3000"})
    assert response.status_code == 302
    placement = Placement.objects.get(node=cw.nodes["materials"], enterprise=cw.enterprise_a)
    node = MapNode.objects.get(pk=cw.nodes["materials"].pk)
    client.post(url, {"step": "placement", "placement": placement.pk, "role": "member", "products": "铜排",
                      "annual_output": "4500", "version": node.version})
    placement.refresh_from_db()
    assert (placement.role, placement.products, str(placement.annual_output)) == ("member", "铜排", "4500.00")
    node.refresh_from_db()
    client.post(url, {"step": "remove", "placement": placement.pk, "version": node.version})
    assert not Placement.objects.filter(pk=placement.pk).exists()


def test_an_inactive_enterprise_cannot_be_placed(client, cw):
    cw.enterprise_a.is_active = False
    cw.enterprise_a.save(update_fields=["is_active"])
    client.force_login(cw.lianban)
    response = client.post(reverse("chains:node", args=["nonferrous", "materials"]),
                           {"step": "place", "place-enterprise": cw.enterprise_a.pk, "place-role": "key"})
    assert response.status_code == 422
    assert not Placement.objects.filter(node=cw.nodes["materials"]).exists()


def test_the_office_adds_a_node_and_a_link_and_removes_the_link(client, cw):
    client.force_login(cw.lianban)
    response = client.post(reverse("chains:node_add", args=["nonferrous"]), {
        "code": "recycling", "name": "再生利用", "segment": "down", "in_target": "on", "sort_order": 1})
    assert response.status_code == 302
    node = MapNode.objects.get(chain=cw.nonferrous, code="recycling")
    assert (node.in_current, node.in_target) == (False, True)
    response = client.post(reverse("chains:node_add", args=["nonferrous"]), {
        "code": "new", "name": "保留字", "segment": "down", "in_target": "on", "sort_order": 0})
    assert response.status_code == 200 and "保留字" in response.content.decode()
    client.post(reverse("chains:link_add", args=["nonferrous"]), {
        "source": cw.nodes["materials"].pk, "target": node.pk, "in_target": "on"})
    link = MapLink.objects.get(source=cw.nodes["materials"], target=node)
    assert client.get(reverse("chains:link_remove", args=["nonferrous", link.pk])).status_code == 405
    client.post(reverse("chains:link_remove", args=["nonferrous", link.pk]))
    assert not MapLink.objects.filter(pk=link.pk).exists()


def test_the_phone_list_is_in_the_page_grouped_by_segment(client, cw):
    html = _map(client, cw, cw.lianban).content.decode()
    listing = html[html.index('class="map-list"'):html.index('class="map-table"')]
    assert listing.index("上游") < listing.index("采选") < listing.index("中游") < listing.index("精深加工")
    assert cw.enterprise_b.name in listing


def test_the_map_page_reads_in_english(client, cw):
    client.force_login(cw.lianban)
    response = client.get(reverse("chains:map", args=["nonferrous"]), HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    response = client.get(reverse("chains:map", args=["nonferrous"]))
    html = response.content.decode()
    assert "Upstream" in html and "Current map" in html


def test_the_map_page_costs_the_same_with_more_nodes(client, cw, django_assert_max_num_queries):
    from yancheng.chains.services.registry import node_add, placement_add

    for n in range(6):
        node = node_add(cw.nonferrous, actor=None, code=f"extra{n}", name=f"环节{n}", segment="down")
        placement_add(node, cw.enterprise_a, actor=None, annual_output=n)
    client.force_login(cw.lianban)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("chains:map", args=["nonferrous"]))
    assert len(_island(response)["nodes"]) == 10
    with django_assert_max_num_queries(30):
        assert client.get(reverse("chains:node", args=["nonferrous", "extra1"])).status_code == 200


def test_the_office_of_one_chain_is_refused_the_others_forms(client, cw):
    from yancheng.chains.services.registry import node_add

    node_add(cw.electronics, actor=None, code="chips", name="芯片", segment="up")
    client.force_login(cw.lianban)
    url = reverse("chains:node", args=["electronics", "chips"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"step": "override", "override-strength": "strong", "override-reason": "x"}).status_code == 403
    assert client.get(reverse("chains:map_import", args=["electronics"])).status_code == 403
    assert client.get(reverse("chains:link_add", args=["electronics"])).status_code == 403
    assert client.get(reverse("chains:node", args=["electronics", "nowhere"])).status_code == 404


def test_a_node_page_reads_in_english(client, cw):
    client.force_login(cw.lianban)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("chains:node", args=["nonferrous", "processing"])).content.decode()
    assert "Enterprises placed" in html and "Place on this node" in html and "Clear the override" not in html
