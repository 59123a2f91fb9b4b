"""The forms of the targets family: a target (add, edit) and the year's actuals of one
target as a grid (one field per month or quarter). The services check every value; these
only read them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm

from .models import Cadence, ChainTarget, TargetMetric
from .selectors_targets import period_label


class TargetForm(SiteForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    metric = forms.ChoiceField(label=_("指标"), choices=TargetMetric.choices)
    name = forms.CharField(label=_("指标名称"), max_length=64, required=False,
                           help_text=_("“其他指标”必填；其余留空用标准名称"))
    unit = forms.CharField(label=_("单位"), max_length=16)
    baseline = forms.DecimalField(label=_("上年基数"), max_digits=16, decimal_places=2, required=False)
    target_value = forms.DecimalField(label=_("年度目标"), max_digits=16, decimal_places=2)
    cadence = forms.ChoiceField(label=_("报送频次"), choices=Cadence.choices)
    note = forms.CharField(label=_("备注"), max_length=255, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["year"]


class ActualsForm(SiteForm):
    """``p1`` … ``pN``: the year-to-date value at the end of each period (blank: not reported)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, target: ChainTarget, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        for period in range(1, target.periods_per_year + 1):
            self.fields[f"p{period}"] = forms.DecimalField(
                label=period_label(target.cadence, period), max_digits=16, decimal_places=2, required=False)

    def periods(self) -> list[tuple[int, Any]]:
        return [(p, self.cleaned_data.get(f"p{p}")) for p in range(1, self.target.periods_per_year + 1)]
