"""The 提出链级问题 form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yancheng.cases.models import Urgency
from yancheng.cases.services import DESCRIPTION_MAX, TITLE_MAX
from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Organisation


def unit_choices() -> Any:
    """Units that may lead a case: active, not enterprises."""
    return Organisation.objects.filter(is_active=True).exclude(kind=Organisation.Kind.ENTERPRISE).order_by("path")


class ProblemRaiseForm(SiteForm):
    title = forms.CharField(label=_("问题"), max_length=TITLE_MAX)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 5}), max_length=DESCRIPTION_MAX)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    lead_org = forms.ModelChoiceField(label=_("责任单位"), queryset=Organisation.objects.none())
    solve_days = forms.IntegerField(label=_("办结时限（工作日）"), min_value=1, max_value=365, initial=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_org"].queryset = unit_choices()  # type: ignore[attr-defined]
