import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from yancheng.api.auth import hash_token
from yancheng.api.models import ApiToken
from yancheng.api.services import api_token_create, api_token_revoke
from yancheng.api.testing import ApiClient
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import PermissionDeniedError
from yancheng.core.services import user_set_active

ME = "/api/v1/me"


def test_an_anonymous_caller_gets_401_in_the_error_format(world):
    response = Client().get(ME)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert error["fields"] == {}
    assert "登录" in error["message"]


def test_a_bearer_token_acts_as_its_owner(world, as_user):
    response = as_user("dispatcher").get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "dispatcher"
    assert body["role"] == "dispatcher"
    assert body["organisation"]["id"] == world.qidong_park.pk
    assert body["can_add_enterprise"] is True


def test_only_the_sha256_of_a_token_is_stored(world):
    user = world.users["handler_power"]
    token, raw = api_token_create(user=user, name="脚本", valid_days=90, actor=user)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert raw.startswith(token.prefix)
    assert AuditEvent.objects.filter(action="api_token.create", actor_id=user.pk).exists()


def test_a_token_records_when_it_was_last_used(world):
    user = world.users["handler_power"]
    token, raw = api_token_create(user=user, name="脚本", valid_days=30, actor=user)
    assert token.last_used_at is None
    assert ApiClient(raw).get(ME).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("header", ["Bearer yc_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "yc_abc"])
def test_a_wrong_or_malformed_token_is_refused(world, header):
    assert Client().get(ME, headers={"Authorization": header}).status_code == 401


def test_an_expired_token_stops_working(world):
    user = world.users["handler_power"]
    _token, raw = api_token_create(user=user, name="脚本", valid_days=30, actor=user)
    with time_machine.travel(timezone.now() + timedelta(days=30, seconds=1)):
        assert ApiClient(raw).get(ME).status_code == 401


def test_a_revoked_token_stops_working(world):
    user = world.users["handler_power"]
    token, raw = api_token_create(user=user, name="脚本", valid_days=30, actor=user)
    api_token_revoke(token, actor=user)
    assert ApiClient(raw).get(ME).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_a_disabled_users_tokens_stop_working(world):
    user = world.users["handler_power"]
    _token, raw = api_token_create(user=user, name="脚本", valid_days=30, actor=user)
    assert ApiClient(raw).get(ME).status_code == 200
    user_set_active(user, active=False, actor=world.users["system_admin"])
    assert ApiClient(raw).get(ME).status_code == 401


def test_nobody_makes_or_revokes_a_token_for_someone_else(world):
    owner = world.users["handler_power"]
    with pytest.raises(PermissionDeniedError):
        api_token_create(user=owner, name="x", valid_days=30, actor=world.users["system_admin"])
    token, _raw = api_token_create(user=owner, name="x", valid_days=30, actor=owner)
    with pytest.raises(PermissionDeniedError):
        api_token_revoke(token, actor=world.users["system_admin"])


def test_a_browser_session_may_read_the_api(world):
    client = Client()
    client.force_login(world.users["dispatcher"])
    assert client.get(ME).status_code == 200


def test_a_browser_session_must_send_the_csrf_token_on_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["dispatcher"])
    response = client.post("/api/v1/enterprises", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    csrf = "k" * 32  # an unmasked CSRF secret, as the browser's cookie and header would carry
    client.cookies["csrftoken"] = csrf
    response = client.post("/api/v1/enterprises", {}, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert response.status_code == 422  # past CSRF and authentication, refused by validation


# --- the token page ----------------------------------------------------------------------------


def test_the_token_page_needs_a_login(world):
    response = Client().get("/api/tokens/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_user_makes_a_token_on_the_page_and_sees_it_only_once(world):
    client = Client()
    client.force_login(world.users["handler_power"])
    response = client.post("/api/tokens/", {"name": "对接脚本", "valid_days": "90"})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("yc_")
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=world.users["handler_power"])
    assert token.key_hash == hash_token(raw)
    assert (token.expires_at - token.created_at).days == 90
    again = client.get("/api/tokens/")
    assert raw not in again.content.decode()
    assert token.prefix in again.content.decode()
    assert ApiClient(raw).get(ME).json()["username"] == "handler_power"


def test_the_token_page_refuses_an_unknown_validity(world):
    client = Client()
    client.force_login(world.users["handler_power"])
    response = client.post("/api/tokens/", {"name": "x", "valid_days": "9999"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_an_enterprise_user_is_offered_no_token_and_the_page_refuses_them(world):
    client = Client()
    client.force_login(world.users["enterprise_a"])
    home = client.get("/")
    assert home.status_code == 200
    assert "/api/tokens/" not in home.content.decode()
    assert "API 令牌" not in home.content.decode()
    assert client.get("/api/tokens/").status_code == 403
    assert client.post("/api/tokens/", {"name": "对接脚本", "valid_days": "90"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_staff_and_administrators_find_the_token_page_in_the_header(world):
    for name in ("dispatcher", "handler_power", "leader", "system_admin", "audit_admin"):
        client = Client()
        client.force_login(world.users[name])
        assert "/api/tokens/" in client.get("/").content.decode(), name
        assert client.get("/api/tokens/").status_code == 200, name


def test_a_user_revokes_their_token_but_not_someone_elses(world):
    owner = world.users["enterprise_a"]
    token, raw = api_token_create(user=owner, name="x", valid_days=30, actor=owner)
    other = Client()
    other.force_login(world.users["enterprise_b"])
    assert other.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiClient(raw).get(ME).status_code == 200
    client = Client()
    client.force_login(owner)
    assert client.get(f"/api/tokens/{token.pk}/revoke/").status_code == 405
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiClient(raw).get(ME).status_code == 401
