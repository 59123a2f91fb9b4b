"""统一社会信用代码 (USCC, GB 32100-2015): normalising and validating the 18-character code.

Character set: 0-9 and the capital letters except I, O, Z, S, V (31 symbols, values 0–30).
Weights W_i = 3^(i-1) mod 31; check = (31 - Σ C_i·W_i mod 31) mod 31 (ISO 7064 MOD 31-3).
Worked example of the standard: 91350100M000100Y43.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

from .refusals import CodeRefused

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FORBIDDEN_LETTERS = frozenset("IOZSV")
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18


class UsccError(CodeRefused):
    """A 统一社会信用代码 refused."""


def normalise(raw: str) -> str:
    """Full-width characters to half-width, spaces and dashes removed, upper case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").upper()


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(raw: str) -> str:
    """Return the normalised code, or raise UsccError saying what is wrong."""
    code = normalise(raw)
    if not code:
        raise UsccError(_("请填写统一社会信用代码。"), "empty")
    if len(code) != LENGTH:
        raise UsccError(
            _("统一社会信用代码应为 18 位，当前为 %(n)d 位。") % {"n": len(code)}, "length"
        )
    for index, ch in enumerate(code, start=1):
        if ch in FORBIDDEN_LETTERS:
            raise UsccError(
                _("第 %(pos)d 位的字母 %(ch)s 不允许使用：统一社会信用代码不含 I、O、Z、S、V。")
                % {"pos": index, "ch": ch},
                "forbidden_letter",
                index,
            )
        if ch not in ALPHABET:
            raise UsccError(
                _("第 %(pos)d 位的字符“%(ch)s”无效：只能是数字或大写字母。") % {"pos": index, "ch": ch},
                "invalid_character",
                index,
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise UsccError(
            _("校验位错误：第 18 位应为 %(expected)s，而不是 %(got)s。请核对代码是否抄错。")
            % {"expected": expected, "got": code[17]},
            "check_character",
            18,
        )
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except UsccError:
        return False
    return True


def complete(first17: str) -> str:
    """Append the check character to 17 valid characters (used for generating demo data)."""
    body = normalise(first17)
    if len(body) != 17 or any(ch not in ALPHABET for ch in body):
        raise ValueError("need 17 characters of the USCC alphabet")
    return body + check_character(body)
