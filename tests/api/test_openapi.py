import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yancheng.core.attachments.services import attachment_add
from yancheng.testing.pages import cdn_references


@pytest.fixture
def world(shared_world):
    """Built once for the module: these tests only read it."""
    return shared_world


SCHEMA = "/api/v1/openapi.json"
EXPECTED_PATHS = {
    "/api/v1/me",
    "/api/v1/regions",
    "/api/v1/organisations",
    "/api/v1/organisations/{org_id}",
    "/api/v1/enterprises",
    "/api/v1/enterprises/{enterprise_id}",
    "/api/v1/objects/{owner}/{object_id}/attachments",
    "/api/v1/attachments/{attachment_id}",
    "/api/v1/attachments/{attachment_id}/content",
}


def test_the_schema_is_not_shown_to_anonymous_callers(world):
    response = Client().get(SCHEMA)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_schema_loads_and_lists_the_paths(world, as_user):
    response = as_user("dispatcher").get(SCHEMA)
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= EXPECTED_PATHS
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_the_docs_need_a_login(world):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_api_docs_redirects_to_the_versioned_docs(world):
    response = Client().get("/api/docs")
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/docs"


def test_the_docs_load_their_assets_from_our_own_static_files(world):
    client = Client()
    client.force_login(world.users["dispatcher"])
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
    assert cdn_references(html) == []


@pytest.mark.parametrize("persona", ["dispatcher", "enterprise_b", "audit_admin", "system_admin"])
def test_every_get_path_of_the_schema_answers_without_a_server_error(world, as_user, persona):
    """A small schema-driven smoke: each GET path with real, foreign and junk ids."""
    owner = world.users["enterprise_a"]
    attachment = attachment_add(
        world.enterprise_a, file=SimpleUploadedFile("note.txt", "说明".encode()), actor=owner
    )
    from yancheng.cases.services import case_submit

    case = case_submit(actor=owner, title="高压专线未接入", description="尚未接入")
    client = as_user(persona)
    schema = client.get(SCHEMA).json()
    from decimal import Decimal

    from yancheng.projects.services.registry import project_create

    project = project_create(
        name="接口项目", region=world.qidong, total_investment=Decimal(10), responsible_org=world.qidong_park, actor=None
    )
    values = {
        "case_id": [case.pk, 0, 2**63, "x"],
        "project_id": [project.pk, 0, 2**63, "x"],
        "org_id": [world.qidong_park.pk, world.enterprise_b.organisation_id, 0, 2**63, "x"],
        "enterprise_id": [world.enterprise_a.pk, world.enterprise_b.pk, 0, 2**63, "x"],
        "owner": ["core.enterprise", "core.user", "nope"],
        "object_id": [world.enterprise_a.pk, world.enterprise_b.pk, "x", "-1"],
        "attachment_id": [attachment.pk, "00000000-0000-0000-0000-000000000000", "x"],
    }
    seen = 0
    for template, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", template)
        combos = [{}]
        for name in names:
            # Ids of other modules' paths (inspections' registrations, visits, plans …):
            # junk and absent ones; their real objects are tried in the modules' own tests.
            combos = [c | {name: v} for c in combos for v in values.get(name, [0, 1, 2**63, "x"])]
        for combo in combos:
            path = template
            for name, value in combo.items():
                path = path.replace("{" + name + "}", str(value))
            for query in ({}, {"page": "-1", "q": "' OR 1=1 --", "region": "\x00"}):
                response = client.get(path, query)
                seen += 1
                assert response.status_code < 500, (path, query, response.status_code, response.content[:300])
    assert seen > 40
