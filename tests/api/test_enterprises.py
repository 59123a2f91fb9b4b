import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import Enterprise, IndustryChain
from yancheng.core.services import enterprise_create, enterprise_update
from yancheng.lib.uscc import complete

LIST = "/api/v1/enterprises"


def detail(enterprise):
    return f"/api/v1/enterprises/{enterprise.pk}"


def snapshot(enterprise):
    row = Enterprise.objects.get(pk=enterprise.pk)
    return {**row.to_audit(), "version": row.version, "address": row.address, "updated_at": row.updated_at}


# --- list --------------------------------------------------------------------------------------


def test_listing_enterprises_needs_a_login(world, as_user):
    assert as_user(None).get(LIST).status_code == 401


@pytest.mark.parametrize("persona", ["audit_admin", "security_admin"])
def test_administrators_without_business_access_may_not_list_enterprises(world, as_user, persona):
    response = as_user(persona).get(LIST)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_park_dispatcher_lists_only_the_parks_enterprises(world, as_user):
    body = as_user("dispatcher").get(LIST).json()
    assert [e["id"] for e in body["items"]] == [world.enterprise_a.pk]
    assert body["count"] == 1


def test_an_enterprise_user_lists_only_their_own_enterprise(world, as_user):
    body = as_user("enterprise_b").get(LIST).json()
    assert [e["id"] for e in body["items"]] == [world.enterprise_b.pk]


def test_a_city_wide_user_lists_every_enterprise(world, as_user):
    body = as_user("handler_power").get(LIST).json()
    assert {e["id"] for e in body["items"]} == {world.enterprise_a.pk, world.enterprise_b.pk}


def test_the_list_filters_by_name_code_region_park_grade_and_chain(world, as_user):
    chain = IndustryChain.objects.create(code="paper", name="纸业")
    enterprise_update(world.enterprise_a, actor=None, grade="A", chains=[chain])
    client = as_user("system_admin")

    def ids(**params):
        return {e["id"] for e in client.get(LIST, params).json()["items"]}

    a, b = world.enterprise_a.pk, world.enterprise_b.pk
    assert ids(q="纸箱") == {a}
    assert ids(q=world.enterprise_b.uscc[:10].lower()) == {b}
    assert ids(region="430426") == {a}
    assert ids(region="430400") == {a, b}  # the city includes its districts and counties
    assert ids(park=world.qidong_park.pk) == {a}
    assert ids(grade="A") == {a}
    assert ids(chain="paper") == {a}
    assert ids(chain="none") == set()


def test_the_list_is_paginated_within_bounds(world, as_user):
    client = as_user("system_admin")
    body = client.get(LIST, {"page_size": 1, "page": 2}).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    assert client.get(LIST, {"page_size": 1000}).status_code == 422
    assert client.get(LIST, {"page": 10**12}).status_code == 422


def test_the_list_costs_the_same_number_of_queries_for_more_enterprises(world, as_user):
    client = as_user("system_admin")
    client.get(LIST)  # warm up: the token's last-used time is written once a minute
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    chain = IndustryChain.objects.create(code="steel", name="钢铁")
    for i in range(5):
        e = enterprise_create(uscc=complete(f"91430407MA4L1000{i}"), name=f"企业{i}", region=world.shigu, actor=None)
        e.chains.set([chain])
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(LIST).json()["items"]) == 7
    assert len(many) == len(few)


# --- detail ------------------------------------------------------------------------------------


def test_the_detail_carries_the_version_as_etag(world, as_user):
    response = as_user("enterprise_a").get(detail(world.enterprise_a))
    assert response.status_code == 200
    assert response["ETag"] == f'"{world.enterprise_a.version}"'
    assert response.json()["uscc"] == world.enterprise_a.uscc


def test_an_enterprise_cannot_see_another_enterprise(world, as_user):
    response = as_user("enterprise_b").get(detail(world.enterprise_a))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_dispatcher_of_another_region_gets_404(world, as_user):
    assert as_user("dispatcher").get(detail(world.enterprise_b)).status_code == 404


def test_the_detail_needs_a_login(world, as_user):
    assert as_user(None).get(detail(world.enterprise_a)).status_code == 401


# --- create ------------------------------------------------------------------------------------


def new_enterprise(**extra):
    return {"uscc": complete("91430426MA4L2000C"), "name": "祁东示例新材料有限公司", "region": "430426", **extra}


def test_creating_an_enterprise_needs_a_login(world, as_user):
    assert as_user(None).post(LIST, new_enterprise()).status_code == 401


@pytest.mark.parametrize("persona", ["enterprise_a", "handler_power", "audit_admin"])
def test_roles_that_do_not_register_enterprises_get_403(world, as_user, persona):
    response = as_user(persona).post(LIST, new_enterprise())
    assert response.status_code == 403
    assert not Enterprise.objects.filter(name="祁东示例新材料有限公司").exists()


def test_a_dispatcher_may_not_register_an_enterprise_outside_their_region(world, as_user):
    response = as_user("dispatcher").post(LIST, new_enterprise(uscc=complete("91430407MA4L2000D"), region="430407"))
    assert response.status_code == 403


def test_a_dispatcher_registers_an_enterprise_in_their_park(world, as_user):
    response = as_user("dispatcher").post(LIST, new_enterprise(park=world.qidong_park.pk, grade="C"))
    assert response.status_code == 201, response.content
    body = response.json()
    enterprise = Enterprise.objects.get(pk=body["id"])
    assert enterprise.park == world.qidong_park and enterprise.grade == "C"
    assert response["Location"] == f"/api/v1/enterprises/{enterprise.pk}"
    assert response["ETag"] == '"1"'
    event = AuditEvent.objects.get(action="enterprise.create", object_id=str(enterprise.pk))
    assert event.actor_id == world.users["dispatcher"].pk


def test_registering_a_code_twice_answers_409(world, as_user):
    response = as_user("system_admin").post(LIST, new_enterprise(uscc=world.enterprise_a.uscc))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "uscc_duplicate"


def test_unknown_fields_on_create_answer_422(world, as_user):
    response = as_user("system_admin").post(LIST, new_enterprise(version=7, organisation=1))
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"version", "organisation"}


def test_an_unknown_region_or_invisible_park_answers_422(world, as_user):
    client = as_user("dispatcher")
    assert client.post(LIST, new_enterprise(region="999999")).json()["error"]["fields"] == {"region": ["未知的区划代码：999999"]}
    response = client.post(LIST, new_enterprise(park=world.city_ndrc.pk))
    assert response.status_code == 422 and "park" in response.json()["error"]["fields"]


# --- update ------------------------------------------------------------------------------------


def test_patching_without_if_match_answers_428(world, as_user):
    before = snapshot(world.enterprise_a)
    response = as_user("dispatcher").patch(detail(world.enterprise_a), {"address": "新地址"})
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    assert snapshot(world.enterprise_a) == before


def test_patching_with_a_stale_version_answers_412_and_changes_nothing(world, as_user):
    client = as_user("dispatcher")
    etag = client.get(detail(world.enterprise_a))["ETag"]
    enterprise_update(world.enterprise_a, actor=None, address="别人先改了")
    before = snapshot(world.enterprise_a)
    response = client.patch(detail(world.enterprise_a), {"address": "我的修改"}, headers={"If-Match": etag})
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "stale_version"
    assert snapshot(world.enterprise_a) == before


def test_a_malformed_if_match_answers_400(world, as_user):
    response = as_user("dispatcher").patch(detail(world.enterprise_a), {"address": "x"}, headers={"If-Match": "*"})
    assert response.status_code == 400


def test_a_dispatcher_patches_an_enterprise_and_gets_the_new_etag(world, as_user):
    client = as_user("dispatcher")
    etag = client.get(detail(world.enterprise_a))["ETag"]
    response = client.patch(detail(world.enterprise_a), {"grade": "D", "address": "祁东县工业大道 1 号"},
                            headers={"If-Match": etag})
    assert response.status_code == 200, response.content
    assert response.json()["grade"] == "D"
    assert response["ETag"] == f'"{world.enterprise_a.version + 1}"'
    assert AuditEvent.objects.filter(action="enterprise.update", object_id=str(world.enterprise_a.pk)).exists()


def test_an_enterprise_user_updates_their_address(world, as_user):
    response = as_user("enterprise_a").patch(
        detail(world.enterprise_a), {"address": "新地址"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).address == "新地址"


def test_an_enterprise_user_may_not_change_their_grade(world, as_user):
    before = snapshot(world.enterprise_a)
    response = as_user("enterprise_a").patch(detail(world.enterprise_a), {"grade": "A"}, headers={"If-Match": '"1"'})
    assert response.status_code == 403
    assert snapshot(world.enterprise_a) == before


@pytest.mark.parametrize("field", ["uscc", "version", "organisation", "created_at", "id"])
def test_fields_outside_the_allow_list_answer_422(world, as_user, field):
    before = snapshot(world.enterprise_a)
    response = as_user("system_admin").patch(detail(world.enterprise_a), {field: "x"}, headers={"If-Match": '"1"'})
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert snapshot(world.enterprise_a) == before


def test_null_for_a_required_field_answers_422(world, as_user):
    response = as_user("system_admin").patch(detail(world.enterprise_a), {"name": None}, headers={"If-Match": '"1"'})
    assert response.status_code == 422


def test_enterprise_b_patching_enterprise_a_gets_404_and_the_row_is_unchanged(world, as_user):
    before = snapshot(world.enterprise_a)
    response = as_user("enterprise_b").patch(
        detail(world.enterprise_a), {"address": "被篡改"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 404
    assert snapshot(world.enterprise_a) == before


def test_a_dispatcher_of_another_region_patching_gets_404(world, as_user):
    before = snapshot(world.enterprise_b)
    response = as_user("dispatcher").patch(detail(world.enterprise_b), {"grade": "D"}, headers={"If-Match": '"1"'})
    assert response.status_code == 404
    assert snapshot(world.enterprise_b) == before


def test_a_handler_who_sees_an_enterprise_may_not_patch_it(world, as_user):
    response = as_user("handler_power").patch(detail(world.enterprise_a), {"grade": "D"}, headers={"If-Match": '"1"'})
    assert response.status_code == 403


def test_patching_needs_a_login_before_anything_else(world, as_user):
    assert as_user(None).patch(detail(world.enterprise_a), {"grade": "D"}).status_code == 401
