"""The map family's forms: a node (new or edited), a link, placing an enterprise, editing a
placement, and the office's strength override. The services validate again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Enterprise

from .models import MapNode, PlacementRole, Segment, Strength


class NodeForm(SiteForm):
    code = forms.SlugField(label=_("编码"), max_length=32, help_text=_("字母、数字、“-”“_”，导入和接口用它指称环节"))
    name = forms.CharField(label=_("环节名称"), max_length=64)
    segment = forms.ChoiceField(label=_("链位"), choices=Segment.choices)
    description = forms.CharField(label=_("说明"), max_length=255, required=False)
    keywords = forms.CharField(label=_("关键词"), max_length=255, required=False,
                               help_text=_("用于匹配科研成果，以顿号或逗号分隔"))
    in_current = forms.BooleanField(label=_("在现状图"), required=False, initial=True)
    in_target = forms.BooleanField(label=_("在目标图"), required=False, initial=True)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, initial=0)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]


class LinkForm(SiteForm):
    source = forms.ModelChoiceField(label=_("上游环节"), queryset=MapNode.objects.none())
    target = forms.ModelChoiceField(label=_("下游环节"), queryset=MapNode.objects.none())
    in_current = forms.BooleanField(label=_("在现状图"), required=False, initial=True)
    in_target = forms.BooleanField(label=_("在目标图"), required=False, initial=True)

    def __init__(self, *args: Any, nodes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("source", "target"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = nodes if nodes is not None else MapNode.objects.none()


class PlaceForm(SiteForm):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    role = forms.ChoiceField(label=_("角色"), choices=PlacementRole.choices, initial=PlacementRole.MEMBER)
    products = forms.CharField(label=_("主要产品"), max_length=128, required=False)
    annual_output = forms.DecimalField(label=_("年产值（万元）"), max_digits=14, decimal_places=2, min_value=0,
                                       required=False)

    def __init__(self, *args: Any, enterprises: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = enterprises if enterprises is not None else Enterprise.objects.none()
        field.widget.attrs.update({"data-picker": "", "data-placeholder": _("输入企业名称或信用代码查找"),
                                   "data-no-results": _("没有匹配的企业")})


class PlacementForm(SiteForm):
    placement = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("角色"), choices=PlacementRole.choices)
    products = forms.CharField(label=_("主要产品"), max_length=128, required=False)
    annual_output = forms.DecimalField(label=_("年产值（万元）"), max_digits=14, decimal_places=2, min_value=0,
                                       required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OverrideForm(SiteForm):
    strength = forms.ChoiceField(label=_("认定为"), choices=Strength.choices)
    reason = forms.CharField(label=_("认定理由"), max_length=255, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VersionForm(SiteForm):
    """A step with nothing to fill in (retire, restore, clear the override, remove)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    placement = forms.IntegerField(widget=forms.HiddenInput, required=False)
