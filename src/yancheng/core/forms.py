from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.lib import uscc as uscc_lib

from .models import Enterprise, IndustryChain, Organisation, Region
from .models.enterprises import INDUSTRY_CODE_MESSAGE, INDUSTRY_CODE_PATTERN


class EnterpriseForm(SiteForm):
    """The enterprise master data form; saving goes through enterprise_create/update."""

    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=40,
        help_text=_("18 位，数字或大写字母（不含 I、O、Z、S、V）"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "latin"}),
    )
    name = forms.CharField(label=_("企业名称"), max_length=128)
    region = forms.ModelChoiceField(label=_("所在区划"), queryset=Region.objects.none())
    park = forms.ModelChoiceField(label=_("所在园区"), queryset=Organisation.objects.none(), required=False)
    chains = forms.ModelMultipleChoiceField(
        label=_("所属产业链"), queryset=IndustryChain.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64, required=False)
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    industry_code = forms.CharField(
        label=_("国民经济行业代码"), max_length=16, required=False,
        help_text=_("GB/T 4754-2017：门类字母加 2 至 4 位数字，如 H6210（正餐服务）。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "latin"}),
    )
    is_above_scale_industry = forms.BooleanField(label=_("规上工业"), required=False)
    is_above_quota_trade = forms.BooleanField(label=_("限上批零住餐"), required=False)
    is_qualified_construction = forms.BooleanField(label=_("资质等级建筑业"), required=False)
    is_above_scale_service = forms.BooleanField(label=_("规上服务业"), required=False)
    srdi_tier = forms.ChoiceField(label=_("专精特新梯度"), choices=Enterprise.SrdiTier.choices, required=False)
    srdi_valid_until = forms.DateField(
        label=_("专精特新有效期至"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    grade = forms.ChoiceField(label=_("信用风险等级"), choices=Enterprise.Grade.choices, initial="B")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, regions: Any = None, editing: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.all()  # type: ignore[attr-defined]
        self.fields["park"].queryset = Organisation.objects.filter(kind=Organisation.Kind.PARK).order_by("name")  # type: ignore[attr-defined]
        if editing:
            self.fields["uscc"].disabled = True
            self.fields["uscc"].help_text = _("统一社会信用代码不能修改")

    def clean_uscc(self) -> str:
        value: str = self.cleaned_data["uscc"]
        if self.fields["uscc"].disabled:
            return value
        try:
            return uscc_lib.validate(value)
        except uscc_lib.UsccError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc

    def clean_industry_code(self) -> str:
        value = str(self.cleaned_data.get("industry_code") or "").strip().upper()
        if value and not re.fullmatch(INDUSTRY_CODE_PATTERN, value):
            raise forms.ValidationError(INDUSTRY_CODE_MESSAGE, code="industry_code")
        return value


class EnterpriseSelfServiceForm(SiteForm):
    """What an enterprise's own staff may keep up to date."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64, required=False)
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

