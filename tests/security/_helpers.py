from __future__ import annotations

from django.test import Client
from django.urls import reverse

from yancheng.testing.world import PERSONA_PASSWORD


def post_login(client: Client, username: str, password: str = PERSONA_PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def totp_token(device) -> str:
    from django_otp.oath import totp

    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return str(value).zfill(device.digits)


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
