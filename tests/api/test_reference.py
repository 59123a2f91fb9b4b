import pytest


@pytest.fixture
def world(shared_world):
    """Built once for the module: these tests only read it."""
    return shared_world


ORGS = "/api/v1/organisations"


def test_regions_need_a_login(world, as_user):
    assert as_user(None).get("/api/v1/regions").status_code == 401


@pytest.mark.parametrize("persona", ["enterprise_a", "audit_admin", "dispatcher"])
def test_every_signed_in_user_reads_the_regions(world, as_user, persona):
    regions = as_user(persona).get("/api/v1/regions").json()
    codes = {r["code"] for r in regions}
    assert {"430400", "430426", "430407"} <= codes


def test_regions_filter_by_parent(world, as_user):
    regions = as_user("dispatcher").get("/api/v1/regions", {"parent": "430400"}).json()
    assert regions and all(r["parent"] == "430400" for r in regions)


def test_organisations_need_a_login(world, as_user):
    assert as_user(None).get(ORGS).status_code == 401
    assert as_user(None).get(f"{ORGS}/{world.qidong_park.pk}").status_code == 401


@pytest.mark.parametrize("persona", ["enterprise_a", "audit_admin"])
def test_roles_without_the_organisation_tree_get_403(world, as_user, persona):
    assert as_user(persona).get(ORGS).status_code == 403
    assert as_user(persona).get(f"{ORGS}/{world.qidong_park.pk}").status_code == 403


def test_staff_see_the_government_tree_and_only_visible_enterprise_organisations(world, as_user):
    body = as_user("dispatcher").get(ORGS, {"page_size": 200}).json()
    ids = {o["id"] for o in body["items"]}
    assert world.city_ndrc.pk in ids and world.qidong_park.pk in ids
    assert world.enterprise_a.organisation_id in ids
    assert world.enterprise_b.organisation_id not in ids


def test_organisations_filter_by_kind_region_and_parent(world, as_user):
    client = as_user("system_admin")

    def ids(**params):
        return {o["id"] for o in client.get(ORGS, params | {"page_size": 200}).json()["items"]}

    assert ids(kind="park") == {world.qidong_park.pk}
    assert world.qidong_ndrc.pk in ids(region="430426")
    assert world.city_ndrc.pk not in ids(region="430426")
    assert ids(parent=world.qidong_gov.pk) == {world.qidong_ndrc.pk, world.qidong_park.pk}
    assert client.get(ORGS, {"kind": "martian"}).status_code == 422


def test_an_enterprise_organisation_out_of_sight_answers_404(world, as_user):
    client = as_user("dispatcher")
    assert client.get(f"{ORGS}/{world.enterprise_b.organisation_id}").status_code == 404
    body = client.get(f"{ORGS}/{world.enterprise_a.organisation_id}").json()
    assert body["kind"] == "enterprise"


def test_me_describes_the_caller(world, as_user):
    body = as_user("enterprise_a").get("/api/v1/me").json()
    assert body["role"] == "enterprise"
    assert body["organisation"]["id"] == world.enterprise_a.organisation_id
    assert body["can_add_enterprise"] is False
