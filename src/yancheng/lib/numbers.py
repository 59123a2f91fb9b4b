"""Numbers written for people: "100", "8.24 万元", "67.9%", never "100.0" or "82400.0".

A number is rounded half up to a few decimal places and its trailing zeros are dropped;
there is no thousands separator (Chinese documents write 82400 万元). A missing number
is "—". The same helpers serve the pages (as template filters) and the documents."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

MISSING = "—"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def plain(value: Any, places: int = 2) -> str:
    """`value` with at most `places` decimals and no trailing zeros: 100.0 → "100",
    82400.0 → "82400", 8.245 → "8.25", -0.001 → "0"; None (or not a number) → "—"."""
    number = _decimal(value)
    if number is None:
        return MISSING
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if places >= 0 else number
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def wan(value: Any, places: int = 2) -> str:
    """An amount already in 万元, with its unit: 8.24 → "8.24 万元"; None → "—"."""
    text = plain(value, places)
    return text if text == MISSING else f"{text} {_('万元')}"


def percent(value: Any, places: int = 1) -> str:
    """A percentage (67.89 means 67.89 %): "67.9%"; None → "—"."""
    text = plain(value, places)
    return text if text == MISSING else f"{text}%"


_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals, as headings are numbered: 1 → "一", 10 → "十",
    12 → "十二", 20 → "二十", 99 → "九十九". Outside 1..99 the Arabic number is kept."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")
