"""The map's API: nodes with their strength, If-Match on changes, the override, links and
placements — and who is refused."""

from __future__ import annotations

import pytest

from yancheng.api.testing import api_client_for
from yancheng.chains.models import MapLink, Placement

pytestmark = pytest.mark.django_db
URL = "/api/v1/chains"


def test_nodes_carry_their_strength_and_change_with_if_match(cw):
    office = api_client_for(cw.lianban)
    listed = office.get(f"{URL}/nonferrous/nodes")
    assert listed.status_code == 200
    nodes = {n["code"]: n for n in listed.json()["items"]}
    assert nodes["processing"]["strength"] == "weak" and nodes["processing"]["enterprise_count"] == 1
    assert {n["code"] for n in office.get(f"{URL}/nonferrous/nodes?map=current").json()["items"]} == {
        "mining", "smelting", "processing", "materials"}
    detail = office.get(f"{URL}/nonferrous/nodes/processing")
    tag = detail["ETag"]
    assert office.patch(f"{URL}/nonferrous/nodes/processing", {"name": "铜箔加工"}).status_code == 428
    assert office.patch(f"{URL}/nonferrous/nodes/processing", {"name": "x"},
                        headers={"If-Match": '"99"'}).status_code == 412
    changed = office.patch(f"{URL}/nonferrous/nodes/processing", {"name": "铜箔加工", "segment": "down"},
                           headers={"If-Match": tag})
    assert changed.status_code == 200 and changed.json()["segment"] == "down"
    override = office.post(f"{URL}/nonferrous/nodes/processing/override", {"strength": "strong", "reason": ""})
    assert override.status_code == 422
    override = office.post(f"{URL}/nonferrous/nodes/processing/override",
                           {"strength": "strong", "reason": "链主扩产后达标"})
    body = override.json()
    assert (body["strength"], body["rule_strength"], body["override_reason"]) == ("strong", "weak", "链主扩产后达标")
    cleared = office.post(f"{URL}/nonferrous/nodes/processing/override", {"strength": ""})
    assert cleared.json()["strength"] == "weak" and cleared.json()["strength_override"] == ""
    created = office.post(f"{URL}/nonferrous/nodes", {"code": "foil", "name": "电子铜箔", "segment": "mid"},
                          headers={"Idempotency-Key": "foil-1"})
    assert created.status_code == 201 and created.json()["strength"] == "missing"
    again = office.post(f"{URL}/nonferrous/nodes", {"code": "foil", "name": "电子铜箔", "segment": "mid"},
                        headers={"Idempotency-Key": "foil-1"})
    assert again.status_code == 201  # the same answer, nothing created twice


def test_links_and_placements(cw):
    office = api_client_for(cw.lianban)
    link = office.post(f"{URL}/nonferrous/links", {"source": "mining", "target": "materials"})
    assert link.status_code == 201
    assert office.post(f"{URL}/nonferrous/links", {"source": "mining", "target": "materials"}).status_code == 409
    assert office.delete(f"{URL}/nonferrous/links/{link.json()['id']}").status_code == 204
    assert not MapLink.objects.filter(pk=link.json()["id"]).exists()
    placed = office.post(f"{URL}/nonferrous/placements", {"node": "mining", "enterprise": cw.enterprise_a.uscc,
                                                         "role": "key", "annual_output": "2000"})
    assert placed.status_code == 201
    pid = placed.json()["id"]
    node = office.get(f"{URL}/nonferrous/nodes/mining")
    assert node.json()["strength"] == "weak"
    assert office.patch(f"{URL}/nonferrous/placements/{pid}", {"products": "铅锌矿"}).status_code == 428
    patched = office.patch(f"{URL}/nonferrous/placements/{pid}", {"products": "铅锌矿"},
                           headers={"If-Match": node["ETag"]})
    assert patched.status_code == 200 and patched.json()["products"] == "铅锌矿"
    # The answer carries the node's new version: the next change goes through with it, the old one is stale.
    assert patched["ETag"] != node["ETag"]
    assert office.patch(f"{URL}/nonferrous/placements/{pid}", {"products": "铜矿"},
                        headers={"If-Match": node["ETag"]}).status_code == 412
    assert office.patch(f"{URL}/nonferrous/placements/{pid}", {"products": "铜矿"},
                        headers={"If-Match": patched["ETag"]}).status_code == 200
    listed = office.get(f"{URL}/nonferrous/placements?node=mining").json()
    assert [p["enterprise"] for p in listed["items"]] == [cw.enterprise_a.uscc]
    assert office.delete(f"{URL}/nonferrous/placements/{pid}").status_code == 204
    assert not Placement.objects.filter(pk=pid).exists()


def test_the_refused_side(cw):
    # another chain's office reads but may not change
    other = api_client_for(cw.lianban_dz)
    assert other.get(f"{URL}/nonferrous/nodes").status_code == 200
    assert other.post(f"{URL}/nonferrous/nodes/processing/override",
                      {"strength": "strong", "reason": "x"}).status_code == 403
    # lianban on electronics: reads, may not add
    assert api_client_for(cw.lianban).post(f"{URL}/electronics/nodes", {"code": "chips", "name": "芯片",
                                                                         "segment": "up"}).status_code == 403
    # a backing department reads only
    ndrc = api_client_for(cw.handler_ndrc)
    assert ndrc.get(f"{URL}/nonferrous/nodes/processing").status_code == 200
    assert ndrc.delete(f"{URL}/nonferrous/placements/{Placement.objects.first().pk}").status_code == 403
    assert ndrc.get(f"{URL}/electronics/nodes").status_code == 404
    assert api_client_for(cw.lianban_qd).get(f"{URL}/nonferrous/nodes").status_code == 404
    assert api_client_for(cw.enterprise_b_user).get(f"{URL}/nonferrous/nodes").status_code == 403
    assert api_client_for(None).get(f"{URL}/nonferrous/nodes").status_code == 401
