"""公民身份号码 (GB 11643-1999): normalising and validating the 18-character number.

Layout: a 6-digit address code (the GB/T 2260 division where the number was issued), the
birth date as YYYYMMDD, a 3-digit sequence (odd for men, even for women) and a check
character. Check (ISO 7064 MOD 11-2): weights W_i = 2^(18-i) mod 11 for positions 1–17;
the check is (12 - Σ a_i·W_i mod 11) mod 11, written "X" for 10. The standard's own example
is 11010519491231002X.

The petitions module (issue 13) finds the same person by a keyed digest of the validated
number; this module only says whether a number can be one, and why not.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

from .refusals import CodeRefused

LENGTH = 18
WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK = "10X98765432"  # the check character by Σ mod 11
EARLIEST_BIRTH = dt.date(1900, 1, 1)


class IdNumberError(CodeRefused):
    """A 公民身份号码 refused."""


def normalise(raw: str) -> str:
    """Full-width characters to half-width, spaces removed, "x" written "X"."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace()).upper()


def check_character(first17: str) -> str:
    return CHECK[sum(int(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True)) % 11]


def birth_date(number: str) -> dt.date:
    """The birth date of a validated number."""
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def is_male(number: str) -> bool:
    """Whether a validated number is a man's (an odd sequence digit)."""
    return int(number[16]) % 2 == 1


def validate(raw: str, *, today: dt.date | None = None) -> str:
    """Return the normalised number, or raise IdNumberError saying what is wrong."""
    number = normalise(raw)
    if not number:
        raise IdNumberError(_("请填写身份证号码。"), "empty")
    if len(number) == 15 and number.isdigit():
        raise IdNumberError(_("这是 15 位的旧身份证号码，请填写现行的 18 位号码。"), "old_format")
    if len(number) != LENGTH:
        raise IdNumberError(_("身份证号码应为 18 位，当前为 %(n)d 位。") % {"n": len(number)}, "length")
    for index, ch in enumerate(number[:17], start=1):
        if not ch.isdigit() or not ch.isascii():
            raise IdNumberError(
                _("第 %(pos)d 位的字符“%(ch)s”无效：前 17 位只能是数字。") % {"pos": index, "ch": ch},
                "invalid_character", index,
            )
    if not (number[17].isdigit() and number[17].isascii()) and number[17] != "X":
        raise IdNumberError(
            _("第 18 位的字符“%(ch)s”无效：校验位只能是数字或 X。") % {"ch": number[17]}, "invalid_character", 18
        )
    if number[0] not in "12345678":
        raise IdNumberError(_("前 6 位不是有效的行政区划代码。"), "address", 1)
    try:
        born = birth_date(number)
    except ValueError:
        raise IdNumberError(
            _("第 7–14 位的出生日期 %(d)s 不存在。") % {"d": number[6:14]}, "birth_date", 7
        ) from None
    if not EARLIEST_BIRTH <= born <= (today or timezone.localdate()):
        raise IdNumberError(
            _("第 7–14 位的出生日期 %(d)s 不合理。") % {"d": born.isoformat()}, "birth_date", 7
        )
    expected = check_character(number[:17])
    if number[17] != expected:
        raise IdNumberError(
            _("校验位错误：第 18 位应为 %(expected)s，而不是 %(got)s。请核对号码是否抄错。")
            % {"expected": expected, "got": number[17]},
            "check_character", 18,
        )
    return number


def is_valid(raw: str, *, today: dt.date | None = None) -> bool:
    try:
        validate(raw, today=today)
    except IdNumberError:
        return False
    return True
