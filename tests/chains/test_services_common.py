from decimal import Decimal

import pytest

from yancheng.chains.services.common import money
from yancheng.core.errors import ValidationFailed


def test_money_rounds_to_fen_and_keeps_empty_as_none():
    assert money("12.346", "x") == Decimal("12.35")
    assert money(0, "x") == Decimal("0.00")
    assert money("", "x") is None and money(None, "x") is None


@pytest.mark.parametrize(("value", "required", "message"), [
    ("", True, "请填写金额"),
    ("abc", False, "请填写数字"),
    ("-1", False, "0 到 1 万亿"),
    ("1000000000000", False, "0 到 1 万亿"),
])
def test_money_refuses_with_the_field_named(value, required, message):
    with pytest.raises(ValidationFailed) as exc:
        money(value, "planned_investment", required=required)
    assert exc.value.field == "planned_investment" and message in str(exc.value)
