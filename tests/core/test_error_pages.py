"""Errors are the site's own (issue 12 §2): 400, 403, 404, 405, 429, 500 and a CSRF failure
answer in the site's frame, in the user's language, with a way home and no stack trace; the
API keeps its JSON errors. Settings are as in production (DEBUG is off in tests)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from yancheng import urls as site_urls
from yancheng.cases.services import case_submit

# A URLconf of the site's own plus three views that fail, for the handlers Django calls.


def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a tampered request")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("internal reason that must not show")


def _broken(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("secret internal detail")


urlpatterns = [
    path("test-errors/400/", _suspicious),
    path("test-errors/403/", _forbidden),
    path("test-errors/500/", _broken),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500

LANGUAGES = ["zh-hans", "en"]
HEADINGS = {
    400: ("请求有误", "Bad request"),
    403: ("没有权限", "Access denied"),
    404: ("页面不存在", "Page not found"),
    405: ("不支持此操作", "Method not allowed"),
    500: ("系统出错", "Server error"),
}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def world(shared_world):
    return shared_world


def client_in(language: str, user=None, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def assert_site_page(response, status: int, language: str, *, signed_in: bool | None = None) -> str:
    """The site's frame: its name, a link home, the language, and nothing of Django's own
    error pages or of the failure behind it."""
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'<html lang="{language}">' in body
    site_name = settings.YANCHENG_SITE_NAME_EN if language == "en" else settings.YANCHENG_SITE_NAME
    assert site_name in body
    assert f'href="{reverse("core:home")}"' in body
    assert ("Go to the home page" if language == "en" else "回到首页") in body
    for leak in ("Traceback", "secret internal detail", "internal reason", "tampered", "Django"):
        assert leak not in body
    main = body.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    if language == "en":
        assert not HAN.search(main), main
    if signed_in is not None:
        assert ('class="mainnav"' in body) is signed_in
    return body


def heading(status: int, language: str) -> str:
    zh, en = HEADINGS[status]
    return en if language == "en" else zh


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", [400, 403, 500])
def test_a_failing_view_answers_the_sites_page(world, language, status):
    response = client_in(language, world.dispatcher).get(f"/test-errors/{status}/")
    body = assert_site_page(response, status, language)
    assert heading(status, language) in body


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("signed_in", [True, False])
def test_a_missing_page_answers_the_sites_404_with_the_nav_when_signed_in(world, language, signed_in):
    client = client_in(language, world.dispatcher if signed_in else None)
    body = assert_site_page(client.get("/no-such-page/"), 404, language, signed_in=signed_in)
    assert heading(404, language) in body


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_500_page_needs_no_database_and_shows_no_nav(world, language):
    response = client_in(language, world.dispatcher).get("/test-errors/500/")
    assert_site_page(response, 500, language, signed_in=False)
    assert 'class="langswitch"' not in response.content.decode()


def test_the_500_handler_renders_without_the_request():
    from yancheng.core.views import server_error

    class Broken(HttpRequest):
        def __getattribute__(self, name):
            raise RuntimeError("the request must not be touched")

    response = server_error(Broken())
    assert response.status_code == 500
    assert settings.YANCHENG_SITE_NAME in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wrong_method_answers_the_sites_405_keeping_allow(world, language):
    response = client_in(language, world.dispatcher).get(reverse("accounts:logout"))
    body = assert_site_page(response, 405, language, signed_in=True)
    assert heading(405, language) in body
    assert "POST" in response["Allow"] and "GET" in body


def test_the_api_keeps_its_json_405(world):
    response = Client().put("/api/v1/me")
    assert response.status_code in {401, 405}
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_csrf_failure_answers_the_sites_page(world, language):
    client = client_in(language, world.dispatcher, enforce_csrf_checks=True)
    response = client.post(reverse("accounts:logout"))
    body = assert_site_page(response, 403, language, signed_in=True)
    assert ("The request has expired; please try again" if language == "en" else "请求已过期，请重试") in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_login_throttle_answers_429_in_the_sites_frame(world, language, settings):
    settings.YANCHENG_LOGIN_IP_FAILURE_LIMIT = 1
    client = client_in(language, REMOTE_ADDR="203.0.113.99")
    login = reverse("accounts:login")
    assert client.post(login, {"username": "dispatcher", "password": "Wrong#Pass2026x"}).status_code == 200
    response = client.post(login, {"username": "leader", "password": "Wrong#Pass2026x"})
    body = assert_site_page(response, 429, language, signed_in=False)
    assert f'href="{login}"' in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_another_organisations_case_is_the_same_404_as_a_missing_one(world, language):
    with time_machine.travel("2026-03-03 10:00 +08:00", tick=False):
        foreign = case_submit(actor=world.enterprise_b_user, title="乙企业的问题", description="与甲无关")
    client = client_in(language, world.enterprise_a_user)
    missing_pk = foreign.pk + 100_000
    answers = []
    for pk in (foreign.pk, missing_pk):
        response = client.get(reverse("cases:case_detail", args=[pk]))
        body = assert_site_page(response, 404, language, signed_in=True)
        # The language switch's return address and CSRF token differ by nature; nothing else may.
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
        answers.append((response.status_code, body.replace(f"/cases/{pk}/", "/cases/ID/")))
    assert answers[0] == answers[1]


def test_the_500_page_still_answers_when_its_template_fails(monkeypatch):
    from yancheng.core import views

    def broken(*args, **kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(views, "render_to_string", broken)
    response = views.server_error(HttpRequest())
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in body and 'href="/"' in body and "template engine down" not in body
