"""Password expiry and forced change (等保 8.1.4.1a 定期更换; ASVS deviation, see docs/security.md)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from yancheng.core.models import User
from yancheng.core.security.services import account_reset_password
from yancheng.testing.world import PERSONA_PASSWORD

from ._helpers import post_login

NEW_PASSWORD = "Lx7#vQ9!mZp2Rt"


def _age_password(user, days: int) -> None:
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=days))


def test_a_password_older_than_the_maximum_age_sends_the_user_to_change_it(world, logged_in):
    _age_password(world.dispatcher, 91)
    client = logged_in("dispatcher")
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:password_change"))
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert "90" in page.content.decode()


def test_a_password_younger_than_the_maximum_age_is_left_alone(world, logged_in):
    _age_password(world.dispatcher, 89)
    assert logged_in("dispatcher").get(reverse("core:home")).status_code == 200


def test_the_maximum_age_comes_from_the_settings(world, logged_in, settings):
    settings.YANCHENG_PASSWORD_MAX_AGE_DAYS = 30
    _age_password(world.dispatcher, 31)
    assert logged_in("dispatcher").get(reverse("core:home")).status_code == 302


def test_after_changing_the_expired_password_the_user_works_on(world, logged_in):
    _age_password(world.dispatcher, 200)
    client = logged_in("dispatcher")
    response = client.post(
        reverse("accounts:password_change") + "?next=/",
        {"old_password": PERSONA_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    user = User.objects.get(pk=world.dispatcher.pk)
    assert user.password_changed_at > timezone.now() - dt.timedelta(minutes=1)


def test_an_administrator_reset_forces_a_change_at_the_next_login(
    world, logged_in, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_reset_password(world.dispatcher, new_password="Tmp#Pass2026q", actor=world.system_admin)
    from django.test import Client

    client = Client()
    assert post_login(client, "dispatcher", "Tmp#Pass2026q").status_code == 302
    response = client.get(reverse("core:home"))
    assert response["Location"].startswith(reverse("accounts:password_change"))
    client.post(
        reverse("accounts:password_change"),
        {"old_password": "Tmp#Pass2026q", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert client.get(reverse("core:home")).status_code == 200
    assert not User.objects.get(pk=world.dispatcher.pk).must_change_password


def test_logout_stays_reachable_with_an_expired_password(world, logged_in):
    _age_password(world.dispatcher, 91)
    client = logged_in("dispatcher")
    assert client.post(reverse("accounts:logout")).status_code == 302
