"""Numbers written for people, in pages and documents."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from yancheng.lib.numbers import percent, plain, wan


@pytest.mark.parametrize(("value", "shown"), [
    (100, "100"), (100.0, "100"), (Decimal("100.00"), "100"), (82400.0, "82400"), (Decimal("8.24"), "8.24"),
    (Decimal("8.245"), "8.25"), (82.5, "82.5"), (0.1 + 0.2, "0.3"), (-0.001, "0"), (Decimal("-3.10"), "-3.1"),
    (None, "—"), ("", "—"), ("abc", "—"), (float("nan"), "—"),
])
def test_plain_drops_trailing_zeros(value, shown):
    assert plain(value) == shown


def test_amounts_and_percentages():
    assert wan(Decimal("8.24")) == "8.24 万元"
    assert wan(82400.0) == "82400 万元"
    assert wan(None) == "—"
    assert percent(67.89) == "67.9%"
    assert percent(Decimal("100.0")) == "100%"
    assert percent(None) == "—"
    assert plain(Decimal("1.23456"), 4) == "1.2346"


def test_the_template_filters():
    template = Template("{% load numbers %}{{ a|number }}|{{ b|wan }}|{{ c|percent }}|{{ t|number }}|{{ n|number }}")
    shown = template.render(Context({"a": Decimal("50000.00"), "b": 8.24, "c": 67.94, "t": "祁东县", "n": None}))
    assert shown == "50000|8.24 万元|67.9%|祁东县|—"
