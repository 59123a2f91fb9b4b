"""Validation the chains' writes share (one rule, one message, wherever a chain takes it)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from yancheng.core.errors import ValidationFailed

MONEY_LIMIT = Decimal("1e12")


def money(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    """An amount (万元) to two decimals, from 0 up to 1 万亿; empty is None unless ``required``."""
    if value in (None, ""):
        if required:
            raise ValidationFailed(_("请填写金额。"), field=field)
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("请填写数字。"), field=field) from None
    if amount < 0 or amount >= MONEY_LIMIT:
        raise ValidationFailed(_("金额应在 0 到 1 万亿之间。"), field=field)
    return amount
