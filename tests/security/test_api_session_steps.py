"""The API asks a browser session for the same steps as the pages (issue 10 §1): a
verified second factor where the role needs one, and no pending forced password change.

The probe found that any ``Authorization`` header — ``Bearer x``, or an empty one — made
the middleware skip both steps, after which the API fell back to the half-logged-in
session. Every variant below must answer exactly as the request without the header; only a
bearer token that validates acts, and then as its owner.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from yancheng.api.services import api_token_create, api_token_revoke
from yancheng.api.testing import ApiClient
from yancheng.cases.models import CaseEvent
from yancheng.cases.services import case_assign, case_submit

from ._helpers import post_login

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
CASES = "/api/v1/cases"
ME = "/api/v1/me"
NOTE = "这条备注不应被写入"


def _revoked_token(user) -> str:
    token, raw = api_token_create(user=user, name="已吊销", valid_days=30, actor=user)
    api_token_revoke(token, actor=user)
    return raw


def header_variants(revoked: str) -> dict[str, str | None]:
    """Each ``Authorization`` value the probe could send; None means no header at all."""
    return {
        "none": None,
        "empty": "",
        "bearer-junk": "Bearer x",
        "bearer-blank": "Bearer ",
        "token-scheme": "Token x",
        "revoked": f"Bearer {revoked}",
        "basic": "Basic dXNlcjpwYXNz",
        "bare-value": "yc_abc",
    }


@pytest.fixture
def case(world):
    with time_machine.travel(MONDAY, tick=False):
        submitted = case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="10kV 专线尚未接入。")
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        return case_assign(submitted, actor=world.dispatcher, lead_org=world.power_company)


def _csrf_session(username: str) -> Client:
    """A browser session logged in with the password only, which sends its CSRF token like
    the site's own pages do (so CSRF is not what refuses the write)."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = post_login(client, username, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302
    return client


def _headers(client: Client, authorization: str | None, **more: str) -> dict[str, str]:
    headers = dict(more)
    if authorization is not None:
        headers["Authorization"] = authorization
    cookie = client.cookies.get(settings.CSRF_COOKIE_NAME)
    if cookie is not None:
        headers["X-CSRFToken"] = cookie.value
    return headers


def _note(client: Client, case, authorization: str | None):
    return client.post(
        f"{CASES}/{case.pk}/actions/note",
        data={"note": NOTE},
        content_type="application/json",
        headers=_headers(client, authorization, **{"If-Match": f'"{case.version}"'}),
    )


def _notes_written(case) -> int:
    return CaseEvent.objects.filter(case=case, note=NOTE).count()


def _assert_refused(response, code: str) -> None:
    assert response.status_code == 403, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == code


# --- an unverified staff session (TOTP required, password typed, code not yet) ------------------


@pytest.fixture
def totp_on(settings):
    settings.YANCHENG_TOTP_REQUIRED = True


@pytest.mark.parametrize(
    "variant", ["none", "empty", "bearer-junk", "bearer-blank", "token-scheme", "revoked", "basic", "bare-value"]
)
def test_an_unverified_staff_session_cannot_read_or_write_whatever_the_header(world, case, totp_on, variant):
    authorization = header_variants(_revoked_token(world.dispatcher))[variant]
    client = _csrf_session("dispatcher")

    _assert_refused(client.get(CASES, headers=_headers(client, authorization)), "second_factor_required")
    _assert_refused(client.get(f"{CASES}/{case.pk}", headers=_headers(client, authorization)), "second_factor_required")
    before = CaseEvent.objects.filter(case=case).count()
    _assert_refused(_note(client, case, authorization), "second_factor_required")
    assert CaseEvent.objects.filter(case=case).count() == before
    assert _notes_written(case) == 0


def test_the_same_note_goes_through_once_the_session_needs_no_second_factor(world, case, settings):
    """The control for the test above: the refused write is a real, working write."""
    settings.YANCHENG_TOTP_REQUIRED = False
    client = _csrf_session("dispatcher")
    assert client.get(CASES, headers=_headers(client, None)).status_code == 200
    response = _note(client, case, None)
    assert response.status_code == 200, response.content[:300]
    assert _notes_written(case) == 1


def test_a_valid_token_still_works_beside_an_unverified_session(world, case, totp_on):
    """A token that validates is its own credential: it acts as its owner."""
    _token, raw = api_token_create(user=world.handler_power, name="脚本", valid_days=30, actor=world.handler_power)
    client = _csrf_session("dispatcher")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == "handler_power"
    assert ApiClient(raw).get(CASES).status_code == 200


def test_the_schema_and_docs_are_refused_to_an_unverified_session_with_a_junk_header(world, totp_on):
    client = _csrf_session("dispatcher")
    for path in ("/api/v1/openapi.json", "/api/v1/docs"):
        for authorization in (None, "Bearer x", ""):
            response = client.get(path, headers=_headers(client, authorization))
            _assert_refused(response, "second_factor_required")


# --- a session that must change its password first -----------------------------------------------


@pytest.fixture
def must_change(world):
    user = world.enterprise_a_user
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    return user


@pytest.mark.parametrize(
    "variant", ["none", "empty", "bearer-junk", "bearer-blank", "token-scheme", "revoked", "basic", "bare-value"]
)
def test_a_session_owing_a_password_change_cannot_read_or_write_whatever_the_header(
    world, case, must_change, variant
):
    authorization = header_variants(_revoked_token(must_change))[variant]
    client = _csrf_session(must_change.username)

    _assert_refused(client.get(ME, headers=_headers(client, authorization)), "password_change_required")
    _assert_refused(client.get(CASES, headers=_headers(client, authorization)), "password_change_required")
    _assert_refused(_note(client, case, authorization), "password_change_required")
    assert _notes_written(case) == 0


def test_the_api_session_check_stands_on_its_own_without_the_middleware(world, case, must_change, settings):
    """Defence in depth: with the page middlewares taken out, the API's session auth still
    refuses a session that owes its steps (it does not rely on the middleware)."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("yancheng.core.security.middleware")]
    client = _csrf_session(must_change.username)
    for authorization in (None, "Bearer x", "Token x"):
        _assert_refused(client.get(ME, headers=_headers(client, authorization)), "password_change_required")
        _assert_refused(_note(client, case, authorization), "password_change_required")
    assert _notes_written(case) == 0


def test_the_api_session_check_refuses_an_unverified_staff_session_without_the_middleware(
    world, case, totp_on, settings
):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("yancheng.core.security.middleware")]
    client = _csrf_session("dispatcher")
    for authorization in (None, "Bearer x", ""):
        _assert_refused(client.get(CASES, headers=_headers(client, authorization)), "second_factor_required")
        _assert_refused(_note(client, case, authorization), "second_factor_required")
    assert _notes_written(case) == 0
