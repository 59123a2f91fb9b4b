"""月排名 on a 360 px phone: freezing the unfinished month asks first and says why; the
frozen ranking's numbers lead to what they counted; no page scrolls sideways."""

import importlib

import pytest
from django.db import connection
from django.utils import timezone

from yancheng.dashboard.models import RankingSnapshot
from yancheng.testing.world import PERSONA_PASSWORD

from .conftest import login, screenshot

APPEND_ONLY = importlib.import_module("yancheng.dashboard.migrations.0002_snapshot_append_only_and_default_formula")


@pytest.fixture
def snapshots_cleared(browser_world):
    """The snapshots refuse DELETE (a trigger), and a live-server test ends by emptying every
    table: lift the trigger for this cleanup only, before that flush, and put it back."""
    yield
    table = APPEND_ONLY.TABLE
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in APPEND_ONLY.SQLITE_BACKWARD:
                cursor.execute(sql)
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant table name
            for sql in APPEND_ONLY.SQLITE_FORWARD:
                cursor.execute(sql)
        else:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_immutable")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant table name
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_immutable")


def fits(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"] + 1


def test_the_supervisor_confirms_freezing_this_month_and_follows_a_number(browser, live_server, browser_world,
                                                                         snapshots_cleared):
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 780}, is_mobile=True,
                                  has_touch=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base_url = live_server.url
    login(tab, "supervisor", PERSONA_PASSWORD)
    tab.wait_for_selector("h1")
    tab.goto(tab.base_url + "/dashboard/rankings/")
    tab.fill("#id_month", f"{timezone.localdate():%Y-%m}")
    tab.click("form[action$='/generate/'] button[type=submit].primary")

    tab.wait_for_selector("[data-confirm=ranking]")
    text = tab.inner_text("[data-confirm=ranking]")
    assert "尚未结束" in text and "用于通报" in text
    assert RankingSnapshot.objects.count() == 0
    assert fits(tab)
    screenshot(tab, "ranking-1-confirm-phone")

    tab.click("[data-confirm=ranking] button[type=submit]")
    tab.wait_for_selector("table[data-table=ranking]")
    assert RankingSnapshot.objects.count() == 1
    assert tab.evaluate("Array.from(document.querySelectorAll('.figure')).filter(e => !e.closest('a')).length") == 0
    assert fits(tab)
    screenshot(tab, "ranking-2-detail-phone")

    tab.locator("table[data-table=ranking] tbody tr").first.locator("a.figure[href$='#cases_rate']").click()
    tab.wait_for_selector("section#cases_rate")
    assert "事项按期办结率" in tab.inner_text("section#cases_rate h2")
    assert fits(tab)
    screenshot(tab, "ranking-3-counted-phone")
    context.close()
