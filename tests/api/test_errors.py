import pytest

from yancheng.api import core_endpoints


@pytest.fixture
def world(shared_world):
    """Built once for the module: these tests only read it."""
    return shared_world


def _error(response):
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_an_unknown_api_path_answers_404_in_the_error_format(world, as_user):
    response = as_user("dispatcher").get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_a_wrong_method_answers_405_in_the_error_format(world, as_user):
    response = as_user("dispatcher").delete("/api/v1/regions")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_invalid_input_answers_422_naming_each_field_in_chinese(world, as_user):
    response = as_user("dispatcher").post("/api/v1/enterprises", {"name": "", "region": "430426", "colour": "red"})
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "validation_failed"
    assert error["fields"]["uscc"] == ["必填项。"]
    assert error["fields"]["colour"] == ["不允许的字段。"]
    assert "name" in error["fields"]


def test_a_bad_query_parameter_answers_422(world, as_user):
    response = as_user("dispatcher").get("/api/v1/enterprises", {"page": "0"})
    assert response.status_code == 422
    assert "page" in _error(response)["fields"]


def test_a_domain_error_keeps_its_code_and_field(world, as_user):
    response = as_user("dispatcher").post(
        "/api/v1/enterprises", {"uscc": "91430426MA4L00000X", "name": "某公司", "region": "430426"}
    )
    assert response.status_code == 422
    error = _error(response)
    assert error["code"].startswith("uscc_")
    assert list(error["fields"]) == ["uscc"]


def test_an_unexpected_failure_answers_500_without_a_traceback(world, as_user, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret detail: password=hunter2")

    monkeypatch.setattr(core_endpoints, "require", explode)
    response = as_user("dispatcher").get("/api/v1/enterprises")
    assert response.status_code == 500
    error = _error(response)
    assert error["code"] == "server_error"
    text = response.content.decode()
    assert "Traceback" not in text and "hunter2" not in text and "RuntimeError" not in text


def test_too_many_requests_answer_429_with_retry_after(world, as_user, settings):
    settings.YANCHENG_API_RATE = "2/m"
    client = as_user("dispatcher")
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me")
    assert response.status_code == 429
    assert _error(response)["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1


@pytest.mark.parametrize("path", ["/api/v1/enterprises/999999", "/api/v1/organisations/999999"])
def test_a_missing_object_answers_404_in_the_error_format(world, as_user, path):
    response = as_user("system_admin").get(path)
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_messages_follow_the_requested_language(world, as_user):
    response = as_user(None).get("/api/v1/me", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert _error(response)["code"] == "not_authenticated"


def test_nul_characters_are_refused_at_the_door(world, as_user):
    client = as_user("system_admin")
    assert client.get("/api/v1/enterprises", {"q": "a\x00b"}).status_code == 400
    response = client.post("/api/v1/enterprises", {"uscc": "x", "name": "a\x00b", "region": "430426"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_characters"
