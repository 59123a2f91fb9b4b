"""Out-of-range and malformed input answers 4xx with a clear message, never 500 (issue 10
§5): one guard (core.middleware.InputGuardMiddleware, api.errors.unexpected_error_response)
for every path, query and form field, on the pages and in the API, on both databases."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yancheng.api.testing import api_client_for
from yancheng.testing.world import build_world

HUGE = "9223372036854775808"  # 2**63: one past the largest 64-bit integer
VERY_HUGE = "99999999999999999999"
BAD_INTEGERS = [HUGE, VERY_HUGE, "-9223372036854775809", "-1", "0", "abc", "1e999", "１２"]

# A sample of the list pages and the integer filters each one reads.
PAGES = {
    "/cases/": ["unit", "escalation", "page"],
    "/cases/reported/": ["page"],
    "/projects/": ["park", "leader", "page"],
    "/projects/commitments/": ["organisation", "year"],
    "/enterprises/": ["park", "page"],
    "/organisations/": ["page"],
    "/dashboard/": ["year", "month"],
    "/dashboard/late-nodes/": ["page"],
    "/notifications/": ["page"],
}
PAGE_PATHS_WITH_IDS = ["/cases/{n}/", "/projects/{n}/", "/enterprises/{n}/", "/organisations/{n}/"]


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module inside a transaction rolled back at the end;
    each test runs in a savepoint of its own."""
    from django.db import transaction
    from django.test import override_settings

    root = tmp_path_factory.mktemp("guard-attachments")
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(YANCHENG_ATTACHMENT_ROOT=root):
        world = build_world()
        world.attachment_root = root
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world_once(_module_world, db, settings):
    settings.YANCHENG_ATTACHMENT_ROOT = _module_world.attachment_root
    return _module_world


@pytest.fixture
def web(world_once):
    client = Client()
    client.force_login(world_once.users["dispatcher"])
    return client


def _assert_refused_or_ignored(response, where: str) -> None:
    assert response.status_code < 500, f"{where} → {response.status_code}"


def test_the_probes_api_query_is_refused_with_the_field_named(world_once):
    """The enterprises list bounds its ids in the query schema: 422 naming ``park``."""
    response = api_client_for(world_once.users["dispatcher"]).get(f"/api/v1/enterprises?park={HUGE}")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"park": ["数值过大。"]}


def test_an_api_query_without_bounds_is_caught_by_the_guard_with_400(world_once):
    """The projects list declares no upper bound for ``park``: the guard answers, the same
    on both databases (PostgreSQL alone would have compared a numeric and said 200)."""
    client = api_client_for(world_once.users["dispatcher"])
    assert client.get("/api/v1/projects?park=1").status_code == 200
    response = client.get(f"/api/v1/projects?park={HUGE}")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "bad_input", "message": "提交的数值超出允许范围，请检查后重试。", "fields": {},
    }
    english = client.get(f"/api/v1/projects?park={HUGE}", headers={"Accept-Language": "en"})
    assert english.json()["error"]["message"].startswith("A number you submitted is out of the allowed range")


def test_the_probes_page_query_answers_the_sites_400_page(web):
    response = web.get(f"/cases/?unit={VERY_HUGE}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "请求有误" in html and "超出允许范围" in html
    assert "Traceback" not in html


def test_a_multipart_page_post_without_a_boundary_answers_400(web):
    response = web.generic("POST", "/cases/new/", b"--x\r\n\r\n", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "multipart" in response.content.decode()


def test_a_multipart_api_upload_without_a_boundary_answers_400_json(world_once):
    client = api_client_for(world_once.users["enterprise_a"])
    response = client.client.generic(
        "POST", f"/api/v1/objects/core.enterprise/{world_once.enterprise_a.pk}/attachments", b"--x\r\n\r\n",
        content_type="multipart/form-data", headers=client._headers(None),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_input"
    # In English for a client that asks for it.
    response = client.client.generic(
        "POST", f"/api/v1/objects/core.enterprise/{world_once.enterprise_a.pk}/attachments", b"--x\r\n\r\n",
        content_type="multipart/form-data; boundary=", headers=client._headers({"Accept-Language": "en"}),
    )
    assert response.status_code == 400
    assert "multipart" in response.json()["error"]["message"] and "上传" not in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", 'multipart/form-data; boundary=""', "multipart/form-data; charset=utf-8",
     "multipart/form-data; boundary=" + "b" * 100],
)
@pytest.mark.parametrize(
    "body",
    [
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello',
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n',
        b"garbage",
    ],
    ids=["no-closing-boundary", "headers-only", "garbage"],
)
def test_broken_multipart_bodies_never_answer_5xx(world_once, web, content_type, body):
    client = api_client_for(world_once.users["enterprise_a"])
    api_url = f"/api/v1/objects/core.enterprise/{world_once.enterprise_a.pk}/attachments"
    answers = [
        client.client.generic("POST", api_url, body, content_type=content_type, headers=client._headers(None)),
        web.generic("POST", "/cases/new/", body, content_type=content_type),
    ]
    for response in answers:
        assert 400 <= response.status_code < 500 or response.status_code == 200, response.status_code
    if "boundary=b" not in content_type:  # no valid boundary at all: the guard's 400
        assert [r.status_code for r in answers] == [400, 400]


def test_a_well_formed_multipart_upload_still_works(world_once):
    client = api_client_for(world_once.users["enterprise_a"])
    response = client.post_multipart(
        f"/api/v1/objects/core.enterprise/{world_once.enterprise_a.pk}/attachments",
        {"file": SimpleUploadedFile("说明.txt", "说明".encode())},
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("value", BAD_INTEGERS)
def test_list_pages_answer_no_server_error_to_bad_integers_in_their_filters(web, value):
    for page, params in PAGES.items():
        assert web.get(page).status_code == 200, page  # the walk reaches the views
        for param in params:
            _assert_refused_or_ignored(web.get(page, {param: value}), f"{page}?{param}={value}")
    for pattern in PAGE_PATHS_WITH_IDS:
        if value.lstrip("-").isdigit():
            url = pattern.format(n=value)
            _assert_refused_or_ignored(web.get(url), url)


# Forms: integer-like fields of a few create pages, posted with values out of range.
FORMS = {
    "/cases/new/": ["enterprise", "dispatch_org", "category"],
    "/projects/new/": ["park", "leader", "responsible_org", "enterprise", "region"],
    "/enterprises/new/": ["park", "region", "grade"],
}


@pytest.mark.parametrize("value", [HUGE, VERY_HUGE, "-9223372036854775809"])
def test_forms_answer_no_server_error_to_integers_out_of_range(web, value):
    for url, fields in FORMS.items():
        assert web.get(url).status_code == 200, url  # the dispatcher may use the form
        response = web.post(url, {name: value for name in fields} | {"title": "测试", "name": "测试"})
        _assert_refused_or_ignored(response, f"POST {url} with {value}")
        response = web.post(url, {name: value for name in fields}, headers={"Accept": "text/html"})
        _assert_refused_or_ignored(response, f"POST {url} with {value}")


def _api_list_endpoints(client) -> dict[str, list[str]]:
    """Every GET path without path parameters and its integer query parameters, from the schema."""
    schema = client.get("/api/v1/openapi.json").json()
    found: dict[str, list[str]] = {}
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        names = []
        for parameter in get.get("parameters", []):
            spec = parameter.get("schema", {})
            kinds = {spec.get("type")} | {s.get("type") for s in spec.get("anyOf", [])}
            if parameter["in"] == "query" and "integer" in kinds:
                names.append(parameter["name"])
        found[path] = names
    return found


@pytest.mark.parametrize("persona", ["dispatcher", "enterprise_a", "supervisor"])
def test_api_list_endpoints_answer_no_server_error_to_bad_integers(world_once, persona):
    client = api_client_for(world_once.users[persona])
    endpoints = _api_list_endpoints(client)
    assert "/api/v1/enterprises" in endpoints and "park" in endpoints["/api/v1/enterprises"]
    checked = 0
    for path, names in endpoints.items():
        for name in names:
            for value in BAD_INTEGERS:
                response = client.get(path, {name: value})
                _assert_refused_or_ignored(response, f"{persona} GET {path}?{name}={value}")
                if response.status_code >= 400:
                    assert response.json()["error"]["message"], path
                checked += 1
    assert checked > 50


@pytest.mark.parametrize("value", [HUGE, VERY_HUGE])
def test_api_object_paths_answer_404_to_ids_out_of_range(world_once, value):
    client = api_client_for(world_once.users["dispatcher"])
    for path in ("/api/v1/enterprises/{n}", "/api/v1/organisations/{n}", "/api/v1/cases/{n}", "/api/v1/projects/{n}"):
        response = client.get(path.format(n=value))
        assert response.status_code in (400, 404, 422), (path, response.status_code)
