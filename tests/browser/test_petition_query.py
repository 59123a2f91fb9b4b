"""The 信访人 follows a matter on a 360 px phone: a wrong code gets the neutral message, the
code from the registration slip opens the matter (dates, the served notices, the stage and the
deadline), and the petitioner rates the answer — in Chinese, no sideways scrolling, no CSP
violation (the conftest watches)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from yancheng.petitions import querycode
from yancheng.petitions.documents import document_issue, document_serve
from yancheng.petitions.models import Petition, Stage
from yancheng.testing.petitions import build_petition_world, register

from .conftest import screenshot

TMP = Path(tempfile.gettempdir())  # where the screenshots are looked at by hand


@pytest.fixture
def answered_matter(browser_world):
    """A letter registered, sent to the 住建局, accepted and answered; both notices served."""
    from tests.petitions.test_public_query import transfer

    pw = build_petition_world(browser_world)
    got = register(pw)
    petition = transfer(pw, got.petition, pw.housing)
    today = timezone.localdate()
    for kind in ("acceptance", "opinion"):
        document = document_issue(petition, kind, actor=pw.handler_housing, issuer=pw.housing, body="经调查核实……")
        document_serve(document, actor=pw.handler_housing, served_on=today, how="post")
    Petition.objects.filter(pk=petition.pk).update(stage=Stage.ANSWERED, accepted_at=timezone.now())
    petition.refresh_from_db()
    return petition, got.query_code


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"] + 1


@pytest.fixture
def phone360(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base_url = live_server.url  # type: ignore[attr-defined]
    yield tab
    context.close()


def test_a_petitioner_follows_and_rates_a_matter_on_a_phone(phone360, answered_matter):
    petition, code = answered_matter
    phone = phone360
    phone.goto(phone.base_url + "/petitions/query/")
    assert no_sideways_scroll(phone)

    phone.fill("#id_code", "2345-6789-ABCD")  # no such matter
    phone.click("main form button[type=submit].primary")
    phone.wait_for_selector("text=查询码不正确或不存在")
    assert phone.url.removeprefix(phone.base_url) == "/petitions/query/"
    assert petition.number not in phone.inner_text("main")
    screenshot(phone, "petition-query-wrong-code")

    phone.fill("#id_code", querycode.display(code).lower())
    phone.click("main form button[type=submit].primary")
    phone.wait_for_selector(f"h1:has-text('{petition.number}')")
    assert code not in phone.url
    main = phone.inner_text("main")
    assert "已出具处理意见" in main and "可申请复查至" in main
    assert timezone.localdate(petition.registered_at).isoformat() in main
    assert "转送（交办）办理机关" in main
    for document in petition.documents.all():
        assert document.number in main
    assert "张三" not in main and "电梯" not in main
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(TMP / "petition-query-phone.png"), full_page=True)
    screenshot(phone, "petition-query-matter")

    with phone.expect_download() as info:
        phone.locator("a[href*='/petitions/query/document/']").first.click()
    assert info.value.suggested_filename.endswith(".docx")

    phone.check("input[name=handling][value=satisfied]")
    phone.check("input[name=result][value=basically]")
    phone.fill("#id_comment", "答复及时")
    phone.click("form.query-rate button[type=submit]")
    phone.wait_for_selector("text=感谢您的评价")
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(TMP / "petition-query-rated.png"), full_page=True)
    petition.refresh_from_db()
    assert (petition.rating_handling, petition.rating_result) == ("satisfied", "basically")

    phone.click("form.query-leave button[type=submit]")
    phone.wait_for_selector("#id_code")
    assert petition.number not in phone.inner_text("main")
