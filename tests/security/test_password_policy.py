"""Password policy (security-checklist §1; 等保 8.1.4.1a, ASVS 5.0-6.2)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client

from yancheng.core.errors import ValidationFailed
from yancheng.core.models import User
from yancheng.core.security.validators import (
    CharacterClassValidator,
    ContextWordValidator,
    MaximumLengthValidator,
    character_classes,
)
from yancheng.core.services import user_set_password

from ._helpers import post_login

# 64 characters: Chinese, a capital, digits and symbols.
CHINESE_PASSPHRASE = "春江水暖鸭先知，竹外桃花三两枝；Q2026年回雁峰下看湘江北去，石鼓书院前听蒸水南流，岳屏山上望南岳七十二峰，心旷神怡乐哉快哉！"


def test_the_chinese_passphrase_fixture_is_64_characters_long():
    assert len(CHINESE_PASSPHRASE) == 64


@pytest.mark.parametrize(
    "password",
    [
        "Admin@123",
        "12345678",
        "Pa55word!",
        "P@ssw0rd2026",
        "hengyang2026!A",
        "Hengyang#2026",
        "YanCheng@2026",
        "衡阳Gov#2026x",
        "雁城Abc#1234",
        "Zhengwu@2026",
        "政务平台Abc#123",
        "Ab1!",
        "abcdefghij",
        "abcdefgh12",
        "ABCDEFGH!!",
        "Qwerty@2026",
        "Ｈｅｎｇｙａｎｇ＃2026",
    ],
)
def test_the_policy_rejects_weak_or_contextual_passwords(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_the_policy_rejects_passwords_built_on_the_username_or_name(world):
    user = world.dispatcher  # username "dispatcher", full name 调度员甲
    for password in ["Dispatcher#2026", "DISPATCHER!x9", "调度员甲Qq#2026x", "d1spatcher#Z2026"]:
        with pytest.raises(ValidationError):
            validate_password(password, user)


@pytest.mark.parametrize(
    "password",
    [
        "Wq8#rTz4LmN2pv",
        "correct Horse battery 9",
        "Tz!8mqLw",
        CHINESE_PASSPHRASE,
        "湘江北去Qm#7",
    ],
)
def test_the_policy_accepts_strong_passwords(password, world):
    # An unsaved twin of the dispatcher: the strength rules, without the password history
    # (the persona's own password is its current one, which the history refuses).
    twin = User(username=world.dispatcher.username, full_name=world.dispatcher.full_name)
    validate_password(password, twin)


def test_chinese_characters_count_as_letters_but_not_as_a_case():
    assert character_classes("湘江北去") == {"lower"}
    assert character_classes("湘江Q7!") == {"lower", "upper", "digit", "symbol"}


def test_a_maximum_below_64_characters_is_refused_by_configuration():
    with pytest.raises(ImproperlyConfigured):
        MaximumLengthValidator(max_length=63)
    MaximumLengthValidator(max_length=64).validate("a" * 64)


def test_the_validators_explain_themselves_in_chinese():
    for validator in (CharacterClassValidator(), ContextWordValidator(), MaximumLengthValidator()):
        text = validator.get_help_text()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    with pytest.raises(ValidationError) as exc:
        CharacterClassValidator().validate("abcdefgh")
    assert "类" in exc.value.messages[0]


def test_the_configured_city_name_is_a_context_word(settings):
    settings.YANCHENG_CITY_NAME = "岳阳市"
    with pytest.raises(ValidationError):
        validate_password("岳阳Abc#2026x")


def test_a_64_character_chinese_passphrase_logs_in_and_its_63_character_prefix_does_not(world):
    user = user_set_password(world.dispatcher, new_password=CHINESE_PASSPHRASE, actor=None)
    assert user.check_password(CHINESE_PASSPHRASE)
    assert not user.check_password(CHINESE_PASSPHRASE[:63])
    assert post_login(Client(), "dispatcher", CHINESE_PASSPHRASE[:63]).status_code == 200
    assert post_login(Client(), "dispatcher", CHINESE_PASSPHRASE).status_code == 302


def test_the_password_service_refuses_a_weak_password(world):
    with pytest.raises(ValidationFailed):
        user_set_password(world.dispatcher, new_password="hengyang2026!A", actor=None)


@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_argon2(world):
    assert make_password("x").startswith("argon2")
    user_set_password(world.handler_power, new_password="Tz!8mqLw#Argon", actor=None)
    assert User.objects.get(pk=world.handler_power.pk).password.startswith("argon2$")


@pytest.mark.real_password_hashing
def test_a_legacy_pbkdf2_hash_is_upgraded_to_argon2_at_login(world, settings):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    legacy = PBKDF2PasswordHasher().encode("Tz!8mqLw#Legacy", PBKDF2PasswordHasher().salt())
    User.objects.filter(pk=world.leader.pk).update(password=legacy)
    assert post_login(Client(), "leader", "Tz!8mqLw#Legacy").status_code == 302
    assert User.objects.get(pk=world.leader.pk).password.startswith("argon2$")
