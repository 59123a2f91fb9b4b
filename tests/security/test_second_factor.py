"""TOTP second factor for staff and administrators (等保 8.1.4.1d; ASVS 5.0-6.3.3)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from yancheng.core.audit.models import AuditEvent
from yancheng.core.security.services import account_reset_second_factor
from yancheng.core.security.sessions import session_keys_of

from ._helpers import is_login_redirect, totp_token

STAFF = [
    "dispatcher",
    "handler_power",
    "inspector",
    "supervisor",
    "leader",
    "system_admin",
    "security_admin",
    "audit_admin",
]


@pytest.fixture(autouse=True)
def _totp_required(settings):
    settings.YANCHENG_TOTP_REQUIRED = True


def _pending_device(client: Client, user) -> TOTPDevice:
    """The device the enrolment page shows, built from the secret kept in the session."""
    return TOTPDevice(user=user, key=client.session["yancheng_otp_pending_key"])


def _enrol(client: Client, user) -> TOTPDevice:
    client.get(reverse("accounts:otp_setup"))
    response = client.post(reverse("accounts:otp_setup"), {"token": totp_token(_pending_device(client, user))})
    assert response.status_code == 302
    return TOTPDevice.objects.get(user=user, confirmed=True)


@pytest.mark.parametrize("persona", STAFF)
def test_staff_without_a_device_are_sent_to_enrolment_from_every_page(world, logged_in, persona):
    client = logged_in(persona)
    for url in (reverse("core:home"), reverse("accounts:account_list"), reverse("accounts:password_change"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:otp_setup"))


def test_enterprise_users_are_not_asked_for_a_second_factor(world, logged_in):
    client = logged_in("enterprise_a")
    response = client.get(reverse("core:home"))
    assert response.status_code == 200


def test_the_enrolment_page_shows_a_server_made_qr_code_and_the_secret(world, logged_in):
    client = logged_in("dispatcher")
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "data:image/svg+xml" in body
    import base64

    secret = base64.b32encode(_pending_device(client, world.dispatcher).bin_key).decode()
    assert secret[:4] in body and secret[-4:] in body
    # Reloading shows the same secret, and nothing is written before the code is proven.
    assert secret[-4:] in client.get(reverse("accounts:otp_setup")).content.decode()
    assert not TOTPDevice.objects.filter(user=world.dispatcher).exists()


def test_a_wrong_code_does_not_enrol(world, logged_in):
    client = logged_in("dispatcher")
    client.get(reverse("accounts:otp_setup"))
    response = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=world.dispatcher, confirmed=True).exists()
    assert client.get(reverse("core:home")).status_code == 302


def test_enrolment_with_a_valid_code_verifies_the_session(world, logged_in):
    client = logged_in("dispatcher")
    device = _enrol(client, world.dispatcher)
    assert device.confirmed
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(action="user.enrol_second_factor", actor=world.dispatcher).exists()


def test_the_next_login_asks_for_the_code_and_accepts_a_valid_one(world, logged_in, time_machine):
    import datetime as dt

    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    device = _enrol(logged_in("dispatcher"), world.dispatcher)
    client = logged_in("dispatcher")
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.post(reverse("accounts:otp_verify"), {"token": "123456"}).status_code == 200
    assert client.get(reverse("core:home")).status_code == 302
    time_machine.shift(dt.timedelta(seconds=60))  # the enrolment code may not be used twice
    device.refresh_from_db()
    response = client.post(reverse("accounts:otp_verify"), {"token": totp_token(device), "next": reverse("core:home")})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor_failed", actor=world.dispatcher).exists()
    assert AuditEvent.objects.filter(action="auth.second_factor", actor=world.dispatcher).exists()


def test_login_logout_static_and_language_switch_stay_reachable_before_the_second_factor(world, logged_in):
    client = logged_in("dispatcher")
    assert client.get(reverse("accounts:otp_setup")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.get(reverse("accounts:login")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert is_login_redirect(client.get(reverse("core:home")))


def test_api_requests_get_the_api_error_format_not_a_redirect(world, logged_in):
    """The API answers JSON in its stable error format; a header that is not a valid token
    changes nothing (tests/security/test_api_session_steps.py covers every variant)."""
    client = logged_in("dispatcher")
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer x"}):
        response = client.get("/api/v1/openapi.json", **headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "second_factor_required"


def test_without_the_setting_nobody_is_asked(world, logged_in, settings):
    settings.YANCHENG_TOTP_REQUIRED = False
    assert logged_in("dispatcher").get(reverse("core:home")).status_code == 200


def test_the_security_administrator_resets_a_lost_device(
    world, logged_in, django_capture_on_commit_callbacks
):
    client = logged_in("dispatcher")
    _enrol(client, world.dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        assert account_reset_second_factor(world.dispatcher, actor=world.security_admin) == 1
    assert not TOTPDevice.objects.filter(user=world.dispatcher).exists()
    assert session_keys_of(world.dispatcher) == []
    again = logged_in("dispatcher")
    assert again.get(reverse("core:home"))["Location"].startswith(reverse("accounts:otp_setup"))
