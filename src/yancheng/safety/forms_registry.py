"""The registry family's forms: what the 安委办 types on the edit pages, handed to the services
(which validate again and speak the domain's messages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm, upload_attrs
from yancheng.core.models import Organisation, Region

from .models import DutyLevel, Frequency, PostKind, SystemCategory

UNIT_KINDS = ["department", "office", "government", "park", "utility"]
SIGNED_MAX_BYTES = 20 * 1024 * 1024


def _units() -> Any:
    return Organisation.objects.filter(is_active=True, kind__in=UNIT_KINDS).order_by("path")


def _regions() -> Any:
    return Region.objects.filter(kind__in=["city", "district", "county", "county_city", "stat_zone"]).order_by("code")


class SystemForm(SiteForm):
    code = forms.SlugField(label=_("编码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=120, required=False)
    category = forms.ChoiceField(label=_("类别"), choices=SystemCategory.choices)
    leading_org = forms.ModelChoiceField(label=_("牵头部门"), queryset=Organisation.objects.none())
    co_orgs = forms.ModelMultipleChoiceField(label=_("配合部门"), queryset=Organisation.objects.none(), required=False)
    industry_codes = forms.CharField(label=_("覆盖行业代码"), required=False, max_length=500,
                                     help_text=_("GB/T 4754 代码前缀，如 C31、H62，用逗号分隔；留空表示人工指定覆盖企业"))
    scope_note = forms.CharField(label=_("覆盖范围说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    repeat_window_days = forms.IntegerField(label=_("重复隐患判定期（天）"), initial=90)
    is_example = forms.BooleanField(label=_("示例"), required=False)
    summary = forms.CharField(label=_("修订说明"), max_length=200, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leading_org"].queryset = _units()  # type: ignore[attr-defined]
        self.fields["co_orgs"].queryset = _units()  # type: ignore[attr-defined]
        if editing:
            del self.fields["code"]


class RetireForm(SiteForm):
    retired_on = forms.DateField(label=_("停用日期"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("修订说明"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"retired_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ItemForm(SiteForm):
    code = forms.CharField(label=_("编号"), max_length=16)
    text = forms.CharField(label=_("检查内容"), max_length=300)
    basis = forms.CharField(label=_("依据"), max_length=200, required=False)
    is_major_criterion = forms.BooleanField(label=_("重大事故隐患判定项"), required=False)


class DutyForm(SiteForm):
    level = forms.ChoiceField(label=_("层级"), choices=DutyLevel.choices)
    text = forms.CharField(label=_("职责内容"), max_length=300)
    frequency = forms.ChoiceField(label=_("频次"), choices=[("", "—"), *Frequency.choices], required=False)
    checks_enterprises = forms.BooleanField(label=_("须检查企业"), required=False)
    scope_industry_codes = forms.CharField(label=_("检查范围行业代码"), required=False, max_length=200)


class UnitForm(SiteForm):
    region = forms.ModelChoiceField(label=_("区划"), queryset=Region.objects.none())
    organisation = forms.ModelChoiceField(label=_("负责部门"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions()  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = _units()  # type: ignore[attr-defined]


class PersonForm(UnitForm):
    post = forms.ChoiceField(label=_("岗位"), choices=PostKind.choices)
    name = forms.CharField(label=_("姓名"), max_length=64)
    title = forms.CharField(label=_("职务"), max_length=64, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].label = _("所在单位")


class LettersIssueForm(SiteForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    units = forms.ModelMultipleChoiceField(label=_("责任单位"), queryset=Organisation.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    title = forms.CharField(label=_("标题"), max_length=120, required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units if units is not None else _units()  # type: ignore[attr-defined]


class LetterSignForm(SiteForm):
    signed_on = forms.DateField(label=_("签订日期"), widget=forms.DateInput(attrs={"type": "date"}))
    signatory = forms.CharField(label=_("签订人"), max_length=64)
    file = forms.FileField(label=_("签订后的责任书扫描件（PDF 或图片）"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"accept": ".pdf,.jpg,.jpeg,.png", **upload_attrs(SIGNED_MAX_BYTES)})


class MappingForm(SiteForm):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    system = forms.SlugField(label=_("责任制编码"), max_length=32)
    responsible_org = forms.ModelChoiceField(label=_("指定监管部门"), queryset=Organisation.objects.none(),
                                             required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_org"].queryset = _units()  # type: ignore[attr-defined]
