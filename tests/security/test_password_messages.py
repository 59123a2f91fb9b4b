"""Every password message speaks the user's language (issue 10 §5): "too short" came out in
English on the Chinese UI, because Django 5.2's msgid for it no longer matches its zh_Hans
catalogue. Each validator of AUTH_PASSWORD_VALIDATORS is made to fail, in both languages,
through the function and through the page a user types into."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from yancheng.testing.world import PERSONA_PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def world(shared_world):
    """Built once for the module: these tests only read it."""
    return shared_world

# One password per validator that fails that validator (and maybe others).
FAILING = {
    "UserAttributeSimilarityValidator": "dispatcherx",
    "MinimumLengthValidator": "Ab1#",
    "CommonPasswordValidator": "password",
    "NumericPasswordValidator": "83920174",
    "CharacterClassValidator": "abcdefghijk",
    "ContextWordValidator": "Hengyang#2026",
    "MaximumLengthValidator": "Aa1#" * 80,
    "PasswordHistoryValidator": PERSONA_PASSWORD,  # the dispatcher's current password
}


def _messages(validator, password, user) -> list[str]:
    try:
        validator.validate(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def test_every_configured_validator_has_a_failing_example():
    names = {type(v).__name__ for v in get_default_password_validators()}
    assert names == set(FAILING)
    # None of Django's own classes is configured directly: their catalogue lags behind.
    assert not any(c["NAME"].startswith("django.") for c in settings.AUTH_PASSWORD_VALIDATORS)


@pytest.mark.parametrize("name", sorted(FAILING))
def test_each_validator_speaks_chinese_on_the_chinese_ui_and_english_on_the_english_one(name, world):
    validator = next(v for v in get_default_password_validators() if type(v).__name__ == name)
    with translation.override("zh-hans"):
        chinese = _messages(validator, FAILING[name], world.dispatcher)
    with translation.override("en"):
        english = _messages(validator, FAILING[name], world.dispatcher)
    assert chinese and english, name
    assert all(CJK.search(m) for m in chinese), chinese
    assert not any(CJK.search(m) for m in english if "“" not in m), english
    assert not any(m.startswith("This password is too short") for m in chinese)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_help_texts_speak_the_language_of_the_page(lang):
    with translation.override(lang):
        texts = [str(t) for t in password_validators_help_texts()]
    has_cjk = [bool(CJK.search(t)) for t in texts]
    if lang == "zh-hans":
        assert all(has_cjk), texts
    else:
        # The context-word hint quotes the Chinese word 政务 on purpose.
        assert sum(has_cjk) <= 1, texts


def test_too_short_is_chinese_on_the_password_change_page(world, logged_in):
    client = logged_in("enterprise_a")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PERSONA_PASSWORD, "new_password1": "Ab1#", "new_password2": "Ab1#"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "密码太短，至少需要 8 个字符。" in body
    assert "too short" not in body


def test_too_short_is_english_on_the_english_password_change_page(world, logged_in):
    client = logged_in("enterprise_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PERSONA_PASSWORD, "new_password1": "Ab1#", "new_password2": "Ab1#"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 8 characters." in body
    assert "密码太短" not in body


def test_validate_password_in_chinese_names_the_minimum():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_password("Ab1#")
    assert "密码太短，至少需要 8 个字符。" in caught.value.messages
