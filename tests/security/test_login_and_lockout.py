"""Login, lockout and the audit of authentication events (security-checklist §1, §6)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.testing.world import PERSONA_PASSWORD

from ._helpers import post_login

WRONG = "Wrong#Pass2026x"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(shared_world):
    """Built once for the module: these tests only read it."""
    return shared_world


def _fail_five_times(client: Client, username: str = "dispatcher") -> None:
    for _ in range(5):
        post_login(client, username, WRONG)


def test_the_login_page_renders_in_chinese(db):
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_a_right_password_logs_in_and_a_wrong_one_does_not(world):
    client = Client()
    response = post_login(client, "dispatcher", WRONG)
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session
    response = post_login(client, "dispatcher")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.dispatcher.pk)


def test_after_five_failures_even_the_right_password_is_refused(world):
    client = Client()
    _fail_five_times(client)
    response = post_login(client, "dispatcher")
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_fifth_failure_already_shows_the_locked_out_page(world):
    client = Client()
    for _ in range(4):
        assert post_login(client, "dispatcher", WRONG).status_code == 200
    assert post_login(client, "dispatcher", WRONG).status_code == 429


def test_another_user_from_the_same_address_still_gets_in_during_a_lockout(world):
    client = Client()
    _fail_five_times(client)
    assert post_login(Client(), "handler_power").status_code == 302


def test_the_locked_user_still_gets_in_from_another_address(world):
    _fail_five_times(Client())
    assert post_login(Client(REMOTE_ADDR="10.0.0.9"), "dispatcher").status_code == 302


def test_the_lockout_ends_after_15_minutes(world):
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        _fail_five_times(client)
        traveller.shift(dt.timedelta(minutes=14))
        assert post_login(client, "dispatcher").status_code == 429
        # The refused attempt at +14 min counts as a failure: the lock runs 15 minutes from it.
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        assert post_login(client, "dispatcher").status_code == 302


def test_a_successful_login_resets_the_failure_count(world):
    client = Client()
    for _ in range(4):
        post_login(client, "dispatcher", WRONG)
    assert post_login(client, "dispatcher").status_code == 302
    other = Client()
    for _ in range(4):
        assert post_login(other, "dispatcher", WRONG).status_code == 200


def test_login_success_failure_and_lockout_are_audited_without_the_password(world, caplog):
    caplog.set_level(logging.DEBUG)
    start = AuditEvent.objects.count()
    client = Client()
    post_login(client, "dispatcher", WRONG)
    post_login(client, "nobody-here", WRONG)
    post_login(Client(), "handler_power")
    for _ in range(4):
        post_login(client, "dispatcher", WRONG)
    events = list(AuditEvent.objects.order_by("seq")[start:])
    actions = [e.action for e in events if e.action.startswith("auth.")]
    assert actions == ["auth.login_failed", "auth.login_failed", "auth.login"] + ["auth.login_failed"] * 3 + [
        "auth.lockout"
    ]
    failed = next(e for e in events if e.action == "auth.login_failed")
    assert failed.after["username"] == "dispatcher"
    assert failed.outcome == AuditEvent.Outcome.FAILURE
    assert failed.ip == "127.0.0.1"
    assert failed.object_id == str(world.dispatcher.pk)
    unknown = [e for e in events if e.action == "auth.login_failed"][1]
    assert unknown.after["username"] == "nobody-here" and unknown.object_id == ""
    success = next(e for e in events if e.action == "auth.login")
    assert success.actor_id == world.handler_power.pk and success.outcome == AuditEvent.Outcome.SUCCESS
    assert success.ip == "127.0.0.1"
    lockout = next(e for e in events if e.action == "auth.lockout")
    assert lockout.outcome == AuditEvent.Outcome.DENIED
    blob = " ".join(f"{e.before} {e.after} {e.object_repr}" for e in events)
    assert WRONG not in blob and PERSONA_PASSWORD not in blob
    assert WRONG not in caplog.text and PERSONA_PASSWORD not in caplog.text


def test_the_lockout_store_masks_the_password(world):
    from axes.models import AccessAttempt

    _fail_five_times(Client())
    attempt = AccessAttempt.objects.get(username="dispatcher")
    assert WRONG not in attempt.post_data


def test_logout_is_post_only_and_audited(world, logged_in):
    client = logged_in("dispatcher")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session.get("_auth_user_id") == str(world.dispatcher.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="auth.logout").latest("seq")
    assert event.actor_id == world.dispatcher.pk


def test_an_open_redirect_after_login_is_refused(world):
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "dispatcher", "password": PERSONA_PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
