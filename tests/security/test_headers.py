"""Security headers: Content-Security-Policy, Permissions-Policy and __Host- cookies
(issue 10 §4; ASVS 5.0-3.4.3–3.4.6, 5.0-3.3.3; docs/security.md "Headers").

Written from the attacker's side: a script injected into a page, a page framed by another
site, a device feature asked for by a page, a cookie planted by a sibling subdomain."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import path, reverse

from yancheng.testing.world import PERSONA_PASSWORD, build_world

from ._helpers import post_login

ME = "/api/v1/me"
# What a production install sets (checked against the real settings module below).
PRODUCTION_COOKIES = {
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "__Host-sessionid",
    "CSRF_COOKIE_NAME": "__Host-csrftoken",
}


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    # The personas' passwords hashed as the function-scoped tests check them (fast MD5).
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def w(module_world, db):
    return module_world


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def permissions(response) -> dict[str, str]:
    header = response.headers.get("Permissions-Policy")
    assert header, f"no Permissions-Policy on {response.request['PATH_INFO']}"
    return dict(item.strip().split("=", 1) for item in header.split(","))


def assert_strict_policy(response) -> None:
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        sources = csp[directive]
        assert "'self'" in sources
        # No way to run or style from markup an attacker could inject, nor from elsewhere.
        assert not {
            "'unsafe-inline'",
            "'unsafe-eval'",
            "'unsafe-hashes'",
            "*",
            "data:",
            "http:",
            "https:",
        } & set(sources), sources
        assert all(s == "'self'" or s.startswith("'nonce-") for s in sources), sources
    assert csp["script-src-attr"] == ["'none'"]  # onclick=…, onerror=…
    assert csp["style-src-attr"] == ["'none'"]  # style="…"
    assert set(csp["img-src"]) == {"'self'", "data:"}
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    features = permissions(response)
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth"):
        assert features.get(feature) == "()", (feature, features)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


# --- every kind of response carries the policy -------------------------------------------


def test_the_login_page_an_attacker_sees_first_carries_the_strict_policy(w):
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert_strict_policy(response)


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("dispatcher", "core:home"),
        ("leader", "dashboard:index"),
        ("inspector", "core:home"),
        ("enterprise_a", "core:home"),
    ],
)
def test_signed_in_pages_carry_the_strict_policy(w, persona, url_name):
    client = Client()
    client.force_login(w.users[persona])
    response = client.get(reverse(url_name), follow=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_strict_policy(response)


def test_the_api_json_carries_the_policy_and_cannot_be_framed_or_sniffed(w):
    client = Client()
    client.force_login(w.users["dispatcher"])
    response = client.get(ME)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert_strict_policy(response)


def test_the_api_docs_load_swagger_only_from_our_own_static_files(w):
    client = Client()
    client.force_login(w.users["dispatcher"])
    response = client.get("/api/v1/docs", follow=True)
    assert response.status_code == 200
    assert_strict_policy(response)
    html = response.content.decode()
    assert "cdn." not in html and "unpkg" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_a_404_page_carries_the_policy(w):
    response = Client().get("/there-is-no-such-page/")
    assert response.status_code == 404
    assert_strict_policy(response)


def test_the_csrf_failure_page_carries_the_policy_and_no_inline_style(w):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "dispatcher", "password": PERSONA_PASSWORD})
    assert response.status_code == 403
    assert_strict_policy(response)
    html = response.content.decode()
    assert "<style" not in html
    assert "请求已过期" in html  # our page, in the user's language, not Django's English one


def _boom(request):
    raise RuntimeError("an unexpected failure")


urlpatterns = [path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_500_page_carries_the_policy(w):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert_strict_policy(response)


def test_each_request_gets_its_own_nonce_when_a_page_uses_one(rf):
    """The nonce the header allows is the one the template wrote, and it is never reused."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string('<script nonce="{{ request.csp_nonce }}">1</script>')

    def view(request):
        return HttpResponse(template.render({}, request))

    nonces = []
    for _ in range(2):
        request = rf.get("/")
        response = CSPMiddleware(view)(request)
        html = response.content.decode()
        nonce = html.split('nonce="', 1)[1].split('"', 1)[0]
        assert f"'nonce-{nonce}'" in policy(response)["script-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 16


# --- __Host- cookies -----------------------------------------------------------------------


def _production_settings(**extra_env: str) -> dict[str, object]:
    """Import the real settings module as production would, in a fresh interpreter."""
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ("
        "'SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_DOMAIN', 'CSRF_COOKIE_DOMAIN', 'SESSION_COOKIE_PATH', 'CSRF_COOKIE_PATH', "
        "'CONTENT_SECURITY_POLICY')}, default=str))"
    )
    env = {
        **os.environ,
        "YANCHENG_CSP_REPORT_URI": "",
        **extra_env,
        "YANCHENG_ENV": "production",
        "YANCHENG_SECRET_KEY": "k" * 60,
        "YANCHENG_ENV_FILE": "/nonexistent",
        "DJANGO_SETTINGS_MODULE": "yancheng.settings",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_production_settings_name_the_cookies_with_the_host_prefix():
    prod = _production_settings()
    assert prod["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert prod["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    # What browsers demand of a __Host- cookie, or they drop it.
    assert prod["SESSION_COOKIE_SECURE"] is True and prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_DOMAIN"] is None and prod["CSRF_COOKIE_DOMAIN"] is None
    assert prod["SESSION_COOKIE_PATH"] == "/" and prod["CSRF_COOKIE_PATH"] == "/"


def test_an_operator_can_have_violations_reported_without_loosening_the_policy():
    directives = _production_settings(YANCHENG_CSP_REPORT_URI="https://csp.example.gov.cn/report")[
        "CONTENT_SECURITY_POLICY"
    ]["DIRECTIVES"]
    assert directives["report-uri"] == ["https://csp.example.gov.cn/report"]
    assert "'unsafe-inline'" not in directives["script-src"] and directives["frame-ancestors"] == ["'none'"]
    assert "report-uri" not in _production_settings()["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]


def test_the_test_settings_keep_plain_names_because_their_cookies_are_not_secure():
    # A __Host- cookie without Secure is refused by browsers: the local HTTP demo would
    # lose its session. The prefix goes with secure cookies only.
    assert settings.SESSION_COOKIE_SECURE is False
    assert not settings.SESSION_COOKIE_NAME.startswith("__Host-")


@override_settings(**PRODUCTION_COOKIES)
def test_login_sets_host_prefixed_secure_cookies_without_a_domain(w):
    client = Client()
    page = client.get(reverse("accounts:login"))
    csrf = page.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"]
    response = post_login(client, "dispatcher")
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["path"] == "/" and not session["domain"]
    assert "sessionid" not in response.cookies and "csrftoken" not in page.cookies


@override_settings(**PRODUCTION_COOKIES)
def test_the_api_reads_the_session_from_the_host_prefixed_cookie_and_nothing_else(w):
    client = Client()
    assert post_login(client, "dispatcher").status_code == 302
    key = client.cookies["__Host-sessionid"].value
    assert client.get(ME).status_code == 200
    # A cookie under the old name (as a sibling site could plant) authenticates no one.
    planted = Client()
    planted.cookies["sessionid"] = key
    assert planted.get(ME).status_code == 401


@override_settings(**PRODUCTION_COOKIES)
def test_an_api_write_from_the_browser_needs_the_token_of_the_host_prefixed_csrf_cookie(w):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.users["dispatcher"])
    response = client.post("/api/v1/enterprises", {}, content_type="application/json")
    assert response.status_code == 403
    secret = "k" * 32
    client.cookies["csrftoken"] = secret  # the old name: ignored
    response = client.post(
        "/api/v1/enterprises", {}, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert response.status_code == 403
    client.cookies["__Host-csrftoken"] = secret
    response = client.post(
        "/api/v1/enterprises", {}, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert response.status_code == 422  # past CSRF and authentication, refused by validation
