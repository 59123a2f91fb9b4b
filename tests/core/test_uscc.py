"""统一社会信用代码 (GB 32100-2015) validation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yancheng.lib import uscc

WORKED_EXAMPLE = "91350100M000100Y43"  # the standard's worked example


def test_the_standards_worked_example_is_valid():
    assert uscc.validate(WORKED_EXAMPLE) == WORKED_EXAMPLE
    assert uscc.check_character("91350100M000100Y4") == "3"


def test_the_weights_are_powers_of_three_mod_31():
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("wrong", sorted(set(uscc.ALPHABET) - {"3"}))
def test_every_wrong_check_character_is_refused_and_the_message_names_the_right_one(wrong):
    with pytest.raises(uscc.UsccError) as info:
        uscc.validate(WORKED_EXAMPLE[:17] + wrong)
    assert info.value.code == "check_character"
    assert "3" in info.value.message and info.value.position == 18


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_a_forbidden_letter_is_refused_with_its_position(letter):
    code = WORKED_EXAMPLE[:8] + letter + WORKED_EXAMPLE[9:]
    with pytest.raises(uscc.UsccError) as info:
        uscc.validate(code)
    assert info.value.code == "forbidden_letter"
    assert info.value.position == 9
    assert letter in info.value.message


@pytest.mark.parametrize("code", ["", "9135010", WORKED_EXAMPLE + "0", WORKED_EXAMPLE[:-1]])
def test_a_wrong_length_is_refused_saying_how_long_it_is(code):
    with pytest.raises(uscc.UsccError) as info:
        uscc.validate(code)
    assert info.value.code in {"length", "empty"}
    if code:
        assert str(len(code)) in info.value.message


def test_punctuation_is_refused_as_an_invalid_character():
    with pytest.raises(uscc.UsccError) as info:
        uscc.validate("91350100M000100Y4#")
    assert info.value.code == "invalid_character"


def test_lower_case_full_width_and_spaces_are_normalised():
    assert uscc.validate(" 91350100m000100y43 ") == WORKED_EXAMPLE
    assert uscc.validate("９１３５０１００Ｍ０００１００Ｙ４３") == WORKED_EXAMPLE


body = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17)


@given(body)
def test_a_completed_code_always_validates(first17):
    assert uscc.validate(uscc.complete(first17)) == first17 + uscc.check_character(first17)


@given(body, st.integers(min_value=0, max_value=16), st.sampled_from(uscc.ALPHABET))
def test_changing_any_single_character_of_the_body_breaks_the_check(first17, position, replacement):
    code = uscc.complete(first17)
    if code[position] == replacement:
        return
    tampered = code[:position] + replacement + code[position + 1 :]
    assert not uscc.is_valid(tampered)


def test_a_refusal_travels_through_a_context_manager_as_itself():
    """Raised inside a @contextmanager (as under translation.override or a transaction
    helper), the error stays a UsccError with its message, not a FrozenInstanceError."""
    from contextlib import contextmanager

    from yancheng.lib.uscc import UsccError, validate

    @contextmanager
    def around():
        yield

    with pytest.raises(UsccError) as refused, around():
        validate("123")
    assert refused.value.code == "length" and {refused.value}  # hashable, as exceptions are
