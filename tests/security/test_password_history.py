"""Password history (issue 10 §5; 等保 8.1.4.1a): the last 5 passwords, the current one
included, may not be used again — on the user's own change, on the forced change after an
administrator's reset, and in the administrator's reset itself. Only hashes are kept, in
their own table, pruned to the last 5. Written from the side of the user who wants to keep
(or go back to) an old password."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from yancheng.core.errors import ValidationFailed
from yancheng.core.models import PasswordHistory, User
from yancheng.core.security.services import account_reset_password
from yancheng.core.services import user_set_password
from yancheng.testing.world import PERSONA_PASSWORD

from ._helpers import post_login

# Strong, distinct passwords with no context word in them.
PASSWORDS = [f"Qz{i}#vLmk8Tw{i}p" for i in range(8)]
REUSED_ZH = "不能使用最近 5 次用过的密码，请换一个新密码。"


def _change(user, password):
    return user_set_password(User.objects.get(pk=user.pk), new_password=password, actor=user)


def _own_change(client, old, new):
    return client.post(reverse("accounts:password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def test_the_history_length_is_five_by_default():
    assert settings.YANCHENG_PASSWORD_HISTORY == 5


def test_each_of_the_last_five_passwords_is_refused_and_the_sixth_is_allowed_again(world):
    user = world.dispatcher
    for password in PASSWORDS[:5]:
        _change(user, password)
    # History, newest first: P4 (current), P3, P2, P1, P0; the persona's first password is out.
    for password in PASSWORDS[:5]:
        with pytest.raises(ValidationFailed) as caught:
            _change(user, password)
        assert REUSED_ZH in str(caught.value.message)
    assert User.objects.get(pk=user.pk).check_password(PASSWORDS[4])
    _change(user, PERSONA_PASSWORD)  # the sixth-last: allowed again
    assert User.objects.get(pk=user.pk).check_password(PERSONA_PASSWORD)


def test_the_own_change_page_refuses_the_current_and_a_recent_password_in_chinese(world, logged_in):
    client = logged_in("dispatcher")
    assert _own_change(client, PERSONA_PASSWORD, PASSWORDS[0]).status_code == 302
    response = _own_change(client, PASSWORDS[0], PERSONA_PASSWORD)
    assert response.status_code == 200
    assert REUSED_ZH in response.content.decode()
    assert User.objects.get(pk=world.dispatcher.pk).check_password(PASSWORDS[0])


def test_the_refusal_is_in_english_on_the_english_page(world, logged_in):
    client = logged_in("dispatcher")
    _own_change(client, PERSONA_PASSWORD, PASSWORDS[0])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = _own_change(client, PASSWORDS[0], PERSONA_PASSWORD).content.decode()
    assert "You cannot reuse any of your last 5 passwords" in body
    assert "不能使用最近" not in body


def test_the_forced_change_after_a_reset_cannot_go_back_to_an_old_password(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_reset_password(world.dispatcher, new_password=PASSWORDS[1], actor=world.system_admin)
    client = Client()
    assert post_login(client, "dispatcher", PASSWORDS[1]).status_code == 302
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("accounts:password_change"))
    for old in (PERSONA_PASSWORD, PASSWORDS[1]):
        response = _own_change(client, PASSWORDS[1], old)
        assert response.status_code == 200
        assert REUSED_ZH in response.content.decode()
    user = User.objects.get(pk=world.dispatcher.pk)
    assert user.must_change_password and user.check_password(PASSWORDS[1])
    assert _own_change(client, PASSWORDS[1], PASSWORDS[2]).status_code == 302
    assert not User.objects.get(pk=world.dispatcher.pk).must_change_password


def test_an_administrator_cannot_reset_a_user_to_one_of_their_recent_passwords(world, logged_in):
    _change(world.dispatcher, PASSWORDS[0])
    client = logged_in("system_admin")
    url = reverse("accounts:account_reset_password", kwargs={"pk": world.dispatcher.pk})
    response = client.post(url, {"new_password1": PERSONA_PASSWORD, "new_password2": PERSONA_PASSWORD})
    assert response.status_code == 200
    assert REUSED_ZH in response.content.decode()
    user = User.objects.get(pk=world.dispatcher.pk)
    assert user.check_password(PASSWORDS[0]) and not user.must_change_password


def test_only_hashes_are_kept_and_only_the_last_five(world):
    user = world.dispatcher
    for password in PASSWORDS:
        _change(user, password)
    rows = list(PasswordHistory.objects.filter(user=user))
    assert len(rows) == 5
    stored = " ".join(r.password for r in rows)
    for password in [PERSONA_PASSWORD, *PASSWORDS]:
        assert password not in stored
    # Newest first, the current password at the head.
    assert rows[0].password == User.objects.get(pk=user.pk).password
    assert [r.created_at for r in rows] == sorted((r.created_at for r in rows), reverse=True)


def test_the_history_length_is_configurable(world, settings):
    settings.YANCHENG_PASSWORD_HISTORY = 2
    user = world.dispatcher
    _change(user, PASSWORDS[0])
    _change(user, PASSWORDS[1])
    assert PasswordHistory.objects.filter(user=user).count() == 2
    _change(user, PERSONA_PASSWORD)  # third-last: allowed with a history of 2
    with pytest.raises(ValidationFailed):
        _change(user, PASSWORDS[1])


def test_a_user_without_history_rows_still_cannot_keep_the_current_password(world):
    """Accounts older than the history table: the current hash is checked too."""
    PasswordHistory.objects.filter(user=world.dispatcher).delete()
    with pytest.raises(ValidationFailed):
        _change(world.dispatcher, PERSONA_PASSWORD)
