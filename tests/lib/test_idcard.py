"""公民身份号码 (GB 11643-1999): the check character, the birth date, and the messages."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yancheng.lib import idcard

TODAY = dt.date(2026, 12, 7)


def test_the_standards_example_and_a_number_ending_in_a_digit_are_valid():
    assert idcard.validate("11010519491231002X", today=TODAY) == "11010519491231002X"
    assert idcard.validate("430404198506120012", today=TODAY) == "430404198506120012"  # 衡阳市石鼓区


def test_a_number_is_normalised_before_it_is_checked():
    assert idcard.validate(" 110105 19491231 002x ", today=TODAY) == "11010519491231002X"
    assert idcard.validate("１１０１０５１９４９１２３１００２Ｘ", today=TODAY) == "11010519491231002X"


def test_birth_date_and_sex_are_read_from_a_valid_number():
    assert idcard.birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert not idcard.is_male("11010519491231002X")  # 002: even
    assert idcard.is_male("430404198506120012")  # 001: odd


@pytest.mark.parametrize(("raw", "code", "position", "words"), [
    ("", "empty", None, "请填写身份证号码"),
    ("110105491231002", "old_format", None, "15 位的旧身份证号码"),
    ("11010519491231002", "length", None, "当前为 17 位"),
    ("1101051949123100A2", "invalid_character", 17, "第 17 位"),
    ("11010519491231002Y", "invalid_character", 18, "只能是数字或 X"),
    ("91010519491231002X", "address", 1, "行政区划代码"),
    ("110105194902300021", "birth_date", 7, "19490230 不存在"),
    ("110105203001010021", "birth_date", 7, "2030-01-01 不合理"),
    ("110105189912310021", "birth_date", 7, "1899-12-31 不合理"),
    ("110105194912310021", "check_character", 18, "第 18 位应为 X，而不是 1"),
])
def test_each_wrong_number_is_refused_saying_where_and_why(raw, code, position, words):
    with pytest.raises(idcard.IdNumberError) as refused:
        idcard.validate(raw, today=TODAY)
    assert (refused.value.code, refused.value.position) == (code, position)
    assert words in str(refused.value)
    assert not idcard.is_valid(raw, today=TODAY)


births = st.dates(min_value=idcard.EARLIEST_BIRTH, max_value=TODAY)
addresses = st.integers(min_value=110000, max_value=829999)
sequences = st.integers(min_value=0, max_value=999)


@given(address=addresses, born=births, sequence=sequences)
def test_every_number_made_by_the_rule_is_valid(address, born, sequence):
    first17 = f"{address:06d}{born:%Y%m%d}{sequence:03d}"
    number = first17 + idcard.check_character(first17)
    assert idcard.validate(number, today=TODAY) == number
    assert idcard.birth_date(number) == born and idcard.is_male(number) == (sequence % 2 == 1)


@given(address=addresses, born=births, sequence=sequences, position=st.integers(0, 16), shift=st.integers(1, 9))
def test_one_wrong_digit_is_always_refused(address, born, sequence, position, shift):
    """MOD 11-2 catches every single-digit error; a date made impossible is refused as such."""
    first17 = f"{address:06d}{born:%Y%m%d}{sequence:03d}"
    number = first17 + idcard.check_character(first17)
    wrong = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1:]
    assert not idcard.is_valid(wrong, today=TODAY)


def test_a_refusal_travels_through_a_context_manager_as_itself():
    from contextlib import contextmanager

    @contextmanager
    def around():
        yield

    with pytest.raises(idcard.IdNumberError) as refused, around():
        idcard.validate("123", today=TODAY)
    assert refused.value.code == "length" and {refused.value}


def test_the_messages_speak_english_on_request():
    from django.utils import translation

    with translation.override("en"), pytest.raises(idcard.IdNumberError) as refused:
        idcard.validate("110105194912310021", today=TODAY)
    assert str(refused.value) == ("Wrong check character: character 18 should be X, not 1. "
                                  "Please check the number for a typing mistake.")
