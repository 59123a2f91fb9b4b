"""The enterprise's own side of 企业赋码保护: its code and poster, re-issuing the code, and the
list of every visit it received — and nobody else's.

Visits are made with `make_visit` (ORM rows; the registration service is tested elsewhere)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from yancheng.api.testing import api_client_for
from yancheng.core.errors import PermissionDeniedError
from yancheng.inspections.models import EntryMode, PendingRating, SupervisionCode
from yancheng.inspections.poster import code_url
from yancheng.inspections.ratings import rating_ref, rating_submit
from yancheng.inspections.services import active_code, code_issue

from .routes_enterprise import make_visit

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


# --- the code and its poster -------------------------------------------------------------------------------------


def test_the_enterprise_sees_its_code_as_a_qr_code_with_the_absolute_scan_url(client, iw):
    client.force_login(iw.world.enterprise_a_user)
    page = client.get(reverse("inspections:inspection_enterprise_home")).content.decode()
    assert f"http://testserver/i/{iw.code_a.token}/" in page
    assert "<svg" in page and iw.code_b.token not in page
    for fmt in ("png", "svg", "pdf"):
        assert reverse("inspections:inspection_code_poster", args=[fmt]) in page


@override_settings(YANCHENG_SITE_URL="https://yancheng.example.gov.cn")
def test_the_code_points_at_the_configured_site_address(client, iw):
    client.force_login(iw.world.enterprise_a_user)
    page = client.get(reverse("inspections:inspection_enterprise_home")).content.decode()
    assert f"https://yancheng.example.gov.cn/i/{iw.code_a.token}/" in page


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_the_poster_downloads_in_each_format(client, iw, fmt):
    client.force_login(iw.world.enterprise_a_user)
    response = client.get(reverse("inspections:inspection_code_poster", args=[fmt]))
    assert response.status_code == 200
    assert response.content.startswith(MAGIC[fmt])
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    if fmt == "svg":
        svg = response.content.decode()
        assert f"http://testserver/i/{iw.code_a.token}/" in svg
        assert "企业监督码 · 扫码入企" in svg and iw.world.enterprise_a.name in svg and iw.world.enterprise_a.uscc in svg
    if fmt == "png":
        from io import BytesIO

        from PIL import Image

        image = Image.open(BytesIO(response.content))
        assert image.width >= 1200  # an A4 page at about 180 dpi


def test_an_unknown_poster_format_is_not_found(client, iw):
    client.force_login(iw.world.enterprise_a_user)
    assert client.get(reverse("inspections:inspection_code_poster", args=["gif"])).status_code == 404


def test_an_enterprise_without_a_code_gets_a_button_and_a_get_issues_nothing(client, iw):
    SupervisionCode.objects.filter(pk=iw.code_a.pk).update(revoked_at=timezone.now())
    client.force_login(iw.world.enterprise_a_user)
    before = SupervisionCode.objects.count()
    page = client.get(reverse("inspections:inspection_enterprise_home")).content.decode()
    assert "领取监督码" in page and "<svg" not in page
    poster = client.get(reverse("inspections:inspection_code_poster", args=["pdf"]))
    assert poster.status_code == 302
    assert SupervisionCode.objects.count() == before
    response = client.post(reverse("inspections:inspection_code_reissue"), {"reason": ""})
    assert response.status_code == 302
    code = active_code(iw.world.enterprise_a)
    assert code is not None and code.issued_by == iw.world.enterprise_a_user


def test_reissuing_asks_for_a_reason_and_a_confirmation(client, iw):
    client.force_login(iw.world.enterprise_a_user)
    assert "确认申请新码" in client.get(reverse("inspections:inspection_code_reissue")).content.decode()
    response = client.post(reverse("inspections:inspection_code_reissue"), {"reason": ""})
    assert response.status_code == 422
    text = response.content.decode()
    assert "请填写申请新码的原因" in text and "请勾选确认" in text
    assert active_code(iw.world.enterprise_a) == iw.code_a


def test_reissuing_makes_the_old_code_unusable_at_once(client, iw):
    old_token = iw.code_a.token
    client.force_login(iw.world.enterprise_a_user)
    response = client.post(reverse("inspections:inspection_code_reissue"), {"reason": "海报被拍照冒用", "confirm": "on"})
    assert response.status_code == 302
    new = active_code(iw.world.enterprise_a)
    assert new is not None and new.token != old_token
    old = SupervisionCode.objects.get(token=old_token)
    assert old.revoked_at is not None and old.revoke_reason == "海报被拍照冒用"
    assert not SupervisionCode.objects.filter(token=old_token, revoked_at__isnull=True).exists()
    svg = client.get(reverse("inspections:inspection_code_poster", args=["svg"])).content.decode()
    assert new.token in svg and old_token not in svg
    assert active_code(iw.world.enterprise_b) == iw.code_b  # the other enterprise's code is untouched


def test_the_api_gives_the_code_and_reissues_it(iw):
    api = api_client_for(iw.world.enterprise_a_user)
    got = api.get(reverse("api:inspections_enterprise_code")).json()
    assert got["url"] == f"http://testserver/i/{iw.code_a.token}/"
    refused = api.post(reverse("api:inspections_enterprise_code_reissue"), {})
    assert refused.status_code == 422 and refused.json()["error"]["fields"]
    response = api.post(reverse("api:inspections_enterprise_code_reissue"), {"reason": "遗失"})
    assert response.status_code == 201
    assert iw.code_a.token not in response.json()["url"]
    assert active_code(iw.world.enterprise_a).token in response.json()["url"]


@pytest.mark.parametrize("persona", ["inspector", "clerk_market", "dispatcher", "supervisor", "system_admin"])
def test_staff_have_no_enterprise_code_pages(client, iw, persona):
    client.force_login(getattr(iw.world, persona))
    assert client.get(reverse("inspections:inspection_enterprise_home")).status_code == 403
    assert client.post(reverse("inspections:inspection_code_reissue"), {"reason": "x", "confirm": "on"}).status_code == 403
    assert api_client_for(getattr(iw.world, persona)).get(reverse("api:inspections_enterprise_code")).status_code == 403
    assert active_code(iw.world.enterprise_a) == iw.code_a


def test_an_enterprise_user_cannot_reissue_another_enterprises_code(iw):
    with pytest.raises(PermissionDeniedError):
        code_issue(iw.world.enterprise_b, actor=iw.world.enterprise_a_user, reason="x")
    assert active_code(iw.world.enterprise_b) == iw.code_b


def test_the_code_url_uses_the_request_host_without_a_site_setting(rf, settings):
    settings.YANCHENG_SITE_URL = ""
    settings.ALLOWED_HOSTS = ["yancheng.local"]
    request = rf.get("/", HTTP_HOST="yancheng.local:8000")
    assert code_url("tok", request) == "http://yancheng.local:8000/i/tok/"


# --- the visits ----------------------------------------------------------------------------------------------------


def test_the_enterprise_sees_every_one_of_its_visits_and_none_of_another(client, iw):
    mine = [make_visit(iw, started_at=timezone.now() - dt.timedelta(days=d)) for d in (1, 5)]
    theirs = make_visit(iw, enterprise=iw.world.enterprise_b)
    client.force_login(iw.world.enterprise_a_user)
    page = client.get(reverse("inspections:inspection_enterprise_home")).content.decode()
    assert all(v.number in page for v in mine) and theirs.number not in page
    assert page.index(mine[0].number) < page.index(mine[1].number)  # newest first
    rows = api_client_for(iw.world.enterprise_a_user).get(reverse("api:inspections_enterprise_visits")).json()
    assert [r["number"] for r in rows["items"]] == [mine[0].number, mine[1].number]


def test_the_visit_list_is_paginated(client, iw):
    for d in range(23):
        make_visit(iw, started_at=timezone.now() - dt.timedelta(days=d + 1))
    client.force_login(iw.world.enterprise_a_user)
    first = client.get(reverse("inspections:inspection_enterprise_home")).content.decode()
    second = client.get(reverse("inspections:inspection_enterprise_home"), {"page": 2}).content.decode()
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second


def test_a_visit_shows_departments_inspectors_certificates_and_how_it_was_registered(client, iw):
    visit = make_visit(iw, departments=[iw.world.market_regulation, iw.world.emergency_bureau],
                       inspectors=("inspector", "inspector_emergency"), items=[iw.food, iw.chemicals])
    type(visit).objects.filter(pk=visit.pk).update(entry_mode=EntryMode.EMERGENCY, entry_mode_reason="证据可能灭失")
    client.force_login(iw.world.enterprise_a_user)
    page = client.get(reverse("inspections:inspection_visit", args=[visit.pk])).content.decode()
    for text in ("联合检查", iw.world.market_regulation.name, iw.world.emergency_bureau.name,
                 iw.licences["inspector"].certificate_no, iw.licences["inspector_emergency"].certificate_no,
                 iw.food.name, iw.chemicals.name, "先查后扫", "证据可能灭失", "投诉举报", "未发现问题"):
        assert text in page, text
    # The rating itself is on the one rating page: the visit page only links there.
    assert f'href="{reverse("inspections:inspection_rating")}"' in page and "<form method=\"post\" action=\"/inspections/mine/rating" not in page


def test_another_enterprises_user_gets_404_on_the_visit(client, iw):
    visit = make_visit(iw)
    client.force_login(iw.world.enterprise_b_user)
    assert client.get(reverse("inspections:inspection_visit", args=[visit.pk])).status_code == 404
    api = api_client_for(iw.world.enterprise_b_user)
    assert api.get(reverse("api:inspections_enterprise_visit", kwargs={"visit_id": visit.pk})).status_code == 404


def test_the_visit_page_offers_no_rating_before_the_visit_ends_nor_after_it_was_rated(client, iw):
    running = make_visit(iw, finished=False)
    done = make_visit(iw)
    client.force_login(iw.world.enterprise_a_user)
    page = client.get(reverse("inspections:inspection_visit", args=[running.pk])).content.decode()
    assert "检查结束后才能评价" in page and reverse("inspections:inspection_rating") not in page
    rating_page = client.get(reverse("inspections:inspection_rating")).content.decode()
    assert done.number in rating_page and running.number not in rating_page
    assert rating_ref(iw.world.enterprise_a, done) in rating_page
    rating_submit(done, actor=iw.world.enterprise_a_user, score=5)
    page = client.get(reverse("inspections:inspection_visit", args=[done.pk])).content.decode()
    assert "已评价" in page and reverse("inspections:inspection_rating") not in page
    rating_page = client.get(reverse("inspections:inspection_rating")).content.decode()
    assert done.number not in rating_page and rating_ref(iw.world.enterprise_a, done) not in rating_page
    home = client.get(reverse("inspections:inspection_enterprise_home")).content.decode()
    assert "已评价" in home
    rows = api_client_for(iw.world.enterprise_a_user).get(reverse("api:inspections_enterprise_visits")).json()
    assert {r["number"]: r["rated"] for r in rows["items"]} == {running.number: False, done.number: True}
    assert {r["number"]: r["rating_ref"] for r in rows["items"]} == {running.number: None, done.number: None}


def test_a_bad_rating_is_refused_with_a_message_and_loses_the_comment_nowhere(client, iw):
    visit = make_visit(iw)
    client.force_login(iw.world.enterprise_a_user)
    ref = rating_ref(iw.world.enterprise_a, visit)
    response = client.post(reverse("inspections:inspection_rating"), {"ref": ref, "score": "9", "comment": "服务很规范"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "评分须为 1 到 5 分" in text and "服务很规范" in text
    # A missing or mangled reference is bad input too: a message, not a 500, nothing stored.
    for bad in ("", "x" * 40, "not-hex", ref[:-1]):
        response = client.post(reverse("inspections:inspection_rating"), {"ref": bad, "score": "4", "comment": "服务很规范"})
        assert response.status_code == 422, bad
        assert "评价对象无效" in response.content.decode()
    api = api_client_for(iw.world.enterprise_a_user)
    for payload in ({"ref": "zz", "score": 4}, {"score": 4}, {"ref": ref, "score": 9}, {"ref": 5, "score": 4}):
        assert api.post(reverse("api:inspections_enterprise_rating"), payload).status_code == 422, payload
    assert PendingRating.objects.count() == 0


def test_the_pages_work_in_english(client, iw):
    visit = make_visit(iw)
    client.force_login(iw.world.enterprise_a_user)
    client.cookies["django_language"] = "en"
    for url in (reverse("inspections:inspection_enterprise_home"), reverse("inspections:inspection_visit", args=[visit.pk]),
                reverse("inspections:inspection_rating"),
                reverse("inspections:inspection_report_unregistered"), reverse("inspections:inspection_code_reissue")):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and '<html lang="en">' in response.content.decode()
