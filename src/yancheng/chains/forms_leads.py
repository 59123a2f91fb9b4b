"""Forms of the leads pages. They only parse the input; the services check permission, stage
and limits again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region

from .models import FillKind, InvestorKind, MapNode

DATE = forms.DateInput(attrs={"type": "date"})


def units() -> Any:
    """Units that may own a lead: departments, parks, governments (county, district), offices."""
    return Organisation.objects.filter(is_active=True).exclude(kind=Organisation.Kind.ENTERPRISE).order_by("code")


class LeadForm(SiteForm):
    investor = forms.CharField(label=_("目标企业"), max_length=128)
    investor_kind = forms.ChoiceField(label=_("企业类型"), choices=InvestorKind.choices, initial=InvestorKind.OTHER)
    investor_origin = forms.CharField(label=_("来源地"), max_length=64, required=False)
    project_name = forms.CharField(label=_("拟引进项目"), max_length=128)
    planned_investment = forms.DecimalField(label=_("计划投资（万元）"), required=False, min_value=0, max_digits=14,
                                            decimal_places=2)
    node = forms.ModelChoiceField(label=_("补位环节"), queryset=MapNode.objects.none(), required=False)
    fill_kind = forms.ChoiceField(label=_("招商方向"), required=False,
                                  choices=[("", _("按环节强弱自动确定")), *list(FillKind.choices)])
    region = forms.ModelChoiceField(label=_("拟落户地"), queryset=Region.objects.all(), required=False)
    owner_org = forms.ModelChoiceField(label=_("责任单位"), queryset=Organisation.objects.none())
    next_step = forms.CharField(label=_("下一步"), max_length=255, required=False)
    next_step_on = forms.DateField(label=_("下一步时间"), required=False, widget=DATE)
    note = forms.CharField(label=_("情况说明"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, chain: IndustryChain, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = MapNode.objects.filter(chain=chain, is_active=True)  # type: ignore[attr-defined]
        self.fields["owner_org"].queryset = units()  # type: ignore[attr-defined]


class StepForm(SiteForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FollowUpForm(StepForm):
    text = forms.CharField(label=_("跟进情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label=_("下一步"), max_length=255, required=False)
    next_step_on = forms.DateField(label=_("下一步时间"), required=False, widget=DATE)


class AdvanceForm(StepForm):
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("终止原因"), max_length=255)


class ReopenForm(StepForm):
    to = forms.ChoiceField(label=_("恢复到"), choices=[("contact", _("接触")), ("negotiating", _("洽谈"))])
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class CorrectForm(StepForm):
    note = forms.CharField(label=_("更正原因"), max_length=500)


class ConvertForm(StepForm):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    region = forms.ModelChoiceField(label=_("所在区划"), queryset=Region.objects.all())
    enterprise = forms.ModelChoiceField(label=_("业主企业（可选）"), queryset=Enterprise.objects.none(), required=False)
    total_investment = forms.DecimalField(label=_("总投资（万元）"), min_value=0, max_digits=14, decimal_places=2)
    responsible_org = forms.ModelChoiceField(label=_("责任单位"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user)  # type: ignore[attr-defined]
        self.fields["responsible_org"].queryset = units()  # type: ignore[attr-defined]
