"""Password spraying and distributed guessing (issue 10 §5; ASVS 5.0-6.3.1, 等保 8.1.4.1b).

Written from the attacker's side: one address trying a few passwords against many
accounts (which the user + address lockout never sees), and many addresses guessing one
account. The waits are recorded by the test's sleep (tests/security/conftest.py), never slept.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.notifications.models import Notification
from yancheng.core.security import throttle
from yancheng.testing.world import PERSONA_PASSWORD

from ._helpers import post_login
from .conftest import SLEPT

WRONG = "Wrong#Pass2026x"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ACCOUNTS = ["dispatcher", "handler_power", "handler_other", "inspector", "leader"]
SPRAYER = "203.0.113.7"


@pytest.fixture
def world(shared_world):
    """Built once for the module: these tests only read it."""
    return shared_world


def constant_delay(failures: int) -> float:
    """An injected curve: half a second whatever the count."""
    return 0.5


def _spray(client: Client, accounts=ACCOUNTS, per_account: int = 4) -> list[int]:
    return [post_login(client, name, WRONG).status_code for name in accounts for _ in range(per_account)]


def _spray_notifications(world):
    return Notification.objects.filter(recipient=world.security_admin, verb="security.login_ip_budget")


def test_the_defaults_are_ten_failures_in_fifteen_minutes():
    assert settings.YANCHENG_LOGIN_IP_FAILURE_LIMIT == 10
    assert settings.YANCHENG_LOGIN_IP_WINDOW_MINUTES == 15


def test_four_guesses_against_each_of_five_accounts_from_one_address_hit_the_budget(world):
    client = Client(REMOTE_ADDR=SPRAYER)
    codes = _spray(client)
    # The user + address lockout (5) is never reached; the address budget (10) is.
    assert codes[:10] == [200] * 10
    assert codes[10:] == [429] * 10
    # Past the budget even a right password from that address is refused.
    response = post_login(client, "supervisor")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_refusal_page_is_chinese_and_says_what_to_do(world):
    client = Client(REMOTE_ADDR=SPRAYER)
    _spray(client)
    response = post_login(client, "dispatcher")
    body = response.content.decode()
    assert response.status_code == 429
    assert "登录已暂停" in body and "安全管理员" in body and "15 分钟" in body
    assert response["Retry-After"] == "900"


def test_the_refusal_page_is_english_in_english(world):
    client = Client(REMOTE_ADDR=SPRAYER)
    _spray(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = post_login(client, "dispatcher").content.decode()
    assert "Login paused" in body and "登录已暂停" not in body


def test_other_addresses_still_log_in_while_one_is_refused(world):
    _spray(Client(REMOTE_ADDR=SPRAYER))
    assert post_login(Client(REMOTE_ADDR="198.51.100.2"), "dispatcher").status_code == 302


def test_a_successful_login_does_not_reset_the_address_budget(world):
    client = Client(REMOTE_ADDR=SPRAYER)
    assert _spray(client, ACCOUNTS[:3], 3) == [200] * 9
    assert post_login(Client(REMOTE_ADDR=SPRAYER), "supervisor").status_code == 302
    assert post_login(client, "leader", WRONG).status_code == 200
    assert post_login(client, "leader", WRONG).status_code == 429


def test_the_budget_is_configurable(world, settings):
    settings.YANCHENG_LOGIN_IP_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR=SPRAYER)
    assert _spray(client, ACCOUNTS[:4], 1) == [200, 200, 200, 429]


def test_the_security_administrator_is_told_once_per_window(world):
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client(REMOTE_ADDR=SPRAYER)
        _spray(client)
        post_login(client, "dispatcher")
        assert _spray_notifications(world).count() == 1
        note = _spray_notifications(world).get()
        assert SPRAYER in note.title and note.url == reverse("accounts:account_failed_logins")
        # Nobody else is told (the other administrators, the accounts sprayed).
        assert not Notification.objects.filter(verb="security.login_ip_budget").exclude(
            recipient=world.security_admin
        ).exists()
        # The next window: the failures have aged out, the address may try again; a new
        # round past the budget tells the administrator again.
        traveller.shift(dt.timedelta(minutes=16))
        assert post_login(client, "dispatcher", WRONG).status_code == 200
        _spray(client)
        assert _spray_notifications(world).count() == 2


def test_the_spraying_is_audited_without_any_password(world):
    start = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    client = Client(REMOTE_ADDR=SPRAYER)
    _spray(client)
    post_login(client, "supervisor")
    events = list(AuditEvent.objects.filter(seq__gt=start).order_by("seq"))
    exceeded = [e for e in events if e.action == throttle.IP_BUDGET_EXCEEDED]
    refused = [e for e in events if e.action == throttle.IP_THROTTLED]
    assert len(exceeded) == 1 and len(refused) == 11
    assert exceeded[0].ip == SPRAYER and exceeded[0].outcome == AuditEvent.Outcome.DENIED
    assert exceeded[0].after["failures"] == 10 and exceeded[0].after["accounts"] == 3
    assert refused[-1].after["username"] == "supervisor" and refused[-1].ip == SPRAYER
    blob = " ".join(f"{e.before} {e.after} {e.object_repr}" for e in events)
    assert WRONG not in blob and PERSONA_PASSWORD not in blob


def test_the_user_and_address_lockout_still_holds(world):
    client = Client(REMOTE_ADDR="198.51.100.3")
    codes = [post_login(client, "dispatcher", WRONG).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    response = post_login(client, "dispatcher")
    assert response.status_code == 429 and "已暂时锁定" in response.content.decode()


# --- the slower answer per account -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (1, 0), (2, 0), (3, 1), (4, 2), (5, 4), (6, 8), (7, 10), (50, 10), (10_000, 10)],
)
def test_the_default_delay_grows_and_is_capped(failures, seconds):
    assert throttle.progressive_delay(failures) == seconds


def test_the_delay_curve_follows_its_settings(settings):
    settings.YANCHENG_LOGIN_SLOWDOWN_AFTER = 1
    settings.YANCHENG_LOGIN_SLOWDOWN_BASE_SECONDS = 0.5
    settings.YANCHENG_LOGIN_SLOWDOWN_MAX_SECONDS = 3
    assert [throttle.progressive_delay(n) for n in range(6)] == [0, 0.5, 1, 2, 3, 3]


def test_guessing_one_account_from_many_addresses_slows_every_attempt_down(world):
    for i in range(6):
        assert post_login(Client(REMOTE_ADDR=f"192.0.2.{i + 1}"), "dispatcher", WRONG).status_code == 200
    # Each attempt waited for the failures before it: none for the first three.
    assert SLEPT == [1, 2, 4]
    # The owner still gets in (later): the slowdown never locks the account.
    SLEPT.clear()
    assert post_login(Client(REMOTE_ADDR="192.0.2.99"), "dispatcher").status_code == 302
    assert SLEPT == [8]
    # Once the owner is in, the count starts again.
    SLEPT.clear()
    post_login(Client(REMOTE_ADDR="192.0.2.100"), "dispatcher", WRONG)
    assert SLEPT == []


def test_the_wait_is_audited_with_the_failed_attempt(world):
    for i in range(5):
        post_login(Client(REMOTE_ADDR=f"192.0.2.{i + 1}"), "dispatcher", WRONG)
    delays = list(
        AuditEvent.objects.filter(action="auth.login_failed").order_by("seq").values_list("after", flat=True)
    )
    assert [d["delay_seconds"] for d in delays] == [0, 0, 0, 1, 2]


def test_the_slowdown_counts_per_account_not_per_address(world):
    client = Client(REMOTE_ADDR="192.0.2.50")
    for name in ACCOUNTS[:4]:
        post_login(client, name, WRONG)
        post_login(client, name, WRONG)
    assert SLEPT == []


def test_the_delay_function_is_injectable(world, settings):
    settings.YANCHENG_LOGIN_DELAY_FUNCTION = "tests.security.test_login_throttle.constant_delay"
    post_login(Client(REMOTE_ADDR="192.0.2.60"), "nobody-at-all", WRONG)
    post_login(Client(REMOTE_ADDR="192.0.2.61"), "dispatcher")
    assert SLEPT == [0.5, 0.5]


def test_an_injected_delay_is_still_capped(world, settings):
    settings.YANCHENG_LOGIN_DELAY_FUNCTION = "tests.security.test_login_throttle.constant_delay"
    settings.YANCHENG_LOGIN_SLOWDOWN_MAX_SECONDS = 0.2
    post_login(Client(REMOTE_ADDR="192.0.2.62"), "dispatcher", WRONG)
    assert SLEPT == [0.2]
