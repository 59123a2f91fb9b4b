"""The registry family's API: the chains list, a chain's profile with its ETag and the office's
PATCH under If-Match, the development path's versions, and the member enterprises."""

import pytest

from yancheng.api.testing import api_client_for
from yancheng.chains.models import ChainPath

pytestmark = pytest.mark.django_db
URL = "/api/v1/chains"


def test_the_list_holds_the_chains_the_caller_reads(cw):
    listed = api_client_for(cw.lianban).get(f"{URL}/")
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 2 and [c["code"] for c in body["items"]] == ["nonferrous", "electronics"]
    nf = body["items"][0]
    assert (nf["leader"], nf["office"], nf["enterprises"], nf["nodes_weak"], nf["nodes_missing"]) == (
        "chain_leader", cw.office.code, 2, 2, 3)
    assert [c["code"] for c in api_client_for(cw.handler_ndrc).get(f"{URL}/").json()["items"]] == ["nonferrous"]
    assert api_client_for(cw.enterprise_a_user).get(f"{URL}/").status_code == 403
    assert api_client_for(cw.lianban_qd).get(f"{URL}/").status_code == 403


def test_the_office_patches_its_chain_under_if_match(cw):
    office = api_client_for(cw.lianban)
    detail = office.get(f"{URL}/nonferrous")
    assert detail.status_code == 200 and detail.json()["leader"]["username"] == "chain_leader"
    assert detail.json()["masters"] == [{"uscc": cw.enterprise_b.uscc, "name": cw.enterprise_b.name}]
    tag = detail["ETag"]
    assert office.patch(f"{URL}/nonferrous", {"industry_group": "三色"}).status_code == 428
    assert office.patch(f"{URL}/nonferrous", {"industry_group": "三色"}, headers={"If-Match": '"99"'}).status_code == 412
    changed = office.patch(f"{URL}/nonferrous", {"deputy_leaders": ["leader"], "backing_orgs": [cw.power_company.code],
                                                 "strong_min_output": "100"}, headers={"If-Match": tag})
    assert changed.status_code == 200, changed.json()
    assert [p["username"] for p in changed.json()["deputy_leaders"]] == ["leader"]
    assert changed.json()["backing_orgs"] == [{"code": cw.power_company.code, "name": cw.power_company.name}]
    assert changed["ETag"] != tag
    bad = office.patch(f"{URL}/nonferrous", {"leader": "handler_power"}, headers={"If-Match": changed["ETag"]})
    assert bad.status_code == 422 and "leader" in bad.json()["error"]["fields"]
    unknown = office.patch(f"{URL}/nonferrous", {"staff": ["nobody"]}, headers={"If-Match": changed["ETag"]})
    assert unknown.status_code == 422


def test_others_are_refused_the_patch(cw):
    assert api_client_for(cw.lianban_dz).patch(f"{URL}/nonferrous", {"industry_group": "x"},
                                               headers={"If-Match": '"2"'}).status_code == 403
    assert api_client_for(cw.chain_leader).patch(f"{URL}/nonferrous", {"industry_group": "x"},
                                                 headers={"If-Match": '"2"'}).status_code == 403
    assert api_client_for(cw.handler_ndrc).get(f"{URL}/electronics").status_code == 404
    assert api_client_for(cw.lianban_qd).get(f"{URL}/nonferrous").status_code == 404
    assert api_client_for(cw.enterprise_b_user).get(f"{URL}/nonferrous").status_code == 403


def test_a_new_path_version_is_idempotent_and_numbered(cw):
    office = api_client_for(cw.lianban)
    first = office.post(f"{URL}/nonferrous/paths", {"text": "做强冶炼", "based_on": 0},
                        headers={"Idempotency-Key": "path-1"})
    again = office.post(f"{URL}/nonferrous/paths", {"text": "做强冶炼", "based_on": 0},
                        headers={"Idempotency-Key": "path-1"})
    assert first.status_code == 201 and again.status_code == 201 and again.json() == first.json()
    assert ChainPath.objects.filter(chain=cw.nonferrous).count() == 1
    second = office.post(f"{URL}/nonferrous/paths", {"text": "延伸加工", "based_on": 1},
                         headers={"Idempotency-Key": "path-2"})
    assert second.json()["number"] == 2 and second.json()["author"] == "lianban"
    stale = office.post(f"{URL}/nonferrous/paths", {"text": "旧稿", "based_on": 1}, headers={"Idempotency-Key": "p-3"})
    assert stale.status_code == 409
    listed = api_client_for(cw.handler_ndrc).get(f"{URL}/nonferrous/paths").json()
    assert [p["number"] for p in listed["items"]] == [2, 1]
    assert api_client_for(cw.chain_leader).post(f"{URL}/nonferrous/paths", {"text": "x"},
                                                headers={"Idempotency-Key": "p-4"}).status_code == 403
    assert api_client_for(cw.handler_ndrc).post(
        f"{URL}/electronics/paths", {"text": "x"}, headers={"Idempotency-Key": "p-5"}).status_code == 404


def test_the_member_enterprises_with_their_nodes(cw):
    reader = api_client_for(cw.handler_ndrc)
    body = reader.get(f"{URL}/nonferrous/enterprises").json()
    assert body["count"] == 2
    b = body["items"][0]
    assert (b["uscc"], b["is_master"], b["nodes"]) == (cw.enterprise_b.uscc, True, ["processing"])
    filtered = reader.get(f"{URL}/nonferrous/enterprises", {"region": cw.qidong.code})
    assert [e["uscc"] for e in filtered.json()["items"]] == [cw.enterprise_a.uscc]
