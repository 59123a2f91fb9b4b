"""Session lifetime and termination (security-checklist §2; ASVS 5.0-7.2–7.4; 等保 8.1.4.1b)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import User
from yancheng.core.security.services import account_end_sessions
from yancheng.core.security.sessions import session_keys_of
from yancheng.core.services import user_set_active
from yancheng.testing.world import PERSONA_PASSWORD

from ._helpers import is_login_redirect, post_login

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
NEW_PASSWORD = "Lx7#vQ9!mZp2Rt"


def _home(client: Client):
    return client.get(reverse("core:home"))


def test_the_session_id_changes_at_login_and_the_old_one_is_gone(world):
    client = Client()
    session = client.session
    session["before_login"] = True
    session.save()
    old_key = session.session_key
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == old_key
    assert post_login(client, "dispatcher").status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not SessionStore().exists(old_key)


def test_an_idle_session_ends_after_30_minutes_but_activity_keeps_it(world):
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        post_login(client, "dispatcher")
        traveller.shift(dt.timedelta(minutes=29))
        assert _home(client).status_code == 200
        traveller.shift(dt.timedelta(minutes=29))
        assert _home(client).status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        assert is_login_redirect(_home(client))


def test_a_session_ends_after_12_hours_even_with_continuous_activity(world):
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        post_login(client, "dispatcher")
        for _ in range(int(12 * 60 / 25)):  # a request every 25 minutes for 12 hours
            traveller.shift(dt.timedelta(minutes=25))
            assert _home(client).status_code == 200
        traveller.shift(dt.timedelta(minutes=25))
        assert is_login_redirect(_home(client))
    event = AuditEvent.objects.filter(action="auth.session_expired").latest("seq")
    assert event.actor_id == world.dispatcher.pk


def test_after_logout_the_old_cookie_is_anonymous(world, logged_in):
    client = logged_in("dispatcher")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert is_login_redirect(_home(replay))
    assert not SessionStore().exists(cookie)


def test_logout_everywhere_ends_the_users_other_sessions(world, logged_in):
    phone, laptop = logged_in("dispatcher"), logged_in("dispatcher")
    phone.post(reverse("accounts:logout"), {"everywhere": "1"})
    assert is_login_redirect(_home(laptop))
    assert session_keys_of(world.dispatcher) == []


def test_disabling_an_account_ends_its_sessions(world, logged_in, django_capture_on_commit_callbacks):
    client = logged_in("dispatcher")
    assert len(session_keys_of(world.dispatcher)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        user_set_active(world.dispatcher, active=False, actor=world.system_admin)
    assert session_keys_of(world.dispatcher) == []
    assert is_login_redirect(_home(client))
    assert post_login(Client(), "dispatcher").status_code == 200


def test_a_disabled_account_is_anonymous_at_once_even_before_its_sessions_are_swept(world, logged_in):
    client = logged_in("dispatcher")
    User.objects.filter(pk=world.dispatcher.pk).update(is_active=False)
    assert is_login_redirect(_home(client))


def test_a_password_change_in_one_client_logs_out_the_others(world, logged_in):
    client_a, client_b = logged_in("dispatcher"), logged_in("dispatcher")
    response = client_a.post(
        reverse("accounts:password_change"),
        {"old_password": PERSONA_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _home(client_a).status_code == 200
    assert is_login_redirect(_home(client_b))
    assert len(session_keys_of(world.dispatcher)) == 1
    assert post_login(Client(), "dispatcher", NEW_PASSWORD).status_code == 302


def test_a_password_change_needs_the_current_password(world, logged_in):
    client = logged_in("dispatcher")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Not-the-old#1", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=world.dispatcher.pk).check_password(PERSONA_PASSWORD)


def test_a_password_change_to_the_same_or_a_weak_password_is_refused(world, logged_in):
    client = logged_in("dispatcher")
    for new in (PERSONA_PASSWORD, "hengyang2026!A"):
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": PERSONA_PASSWORD, "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 200
    assert User.objects.get(pk=world.dispatcher.pk).check_password(PERSONA_PASSWORD)


def test_the_system_administrator_can_force_a_user_out(world, logged_in):
    client = logged_in("dispatcher")
    assert account_end_sessions(world.dispatcher, actor=world.system_admin) == 1
    assert is_login_redirect(_home(client))
    assert AuditEvent.objects.filter(action="user.end_sessions", actor=world.system_admin).exists()


@pytest.mark.parametrize("persona", ["security_admin", "audit_admin", "dispatcher"])
def test_no_one_but_the_system_administrator_can_force_a_user_out(world, persona):
    from yancheng.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        account_end_sessions(world.users["enterprise_a"], actor=getattr(world, persona))
