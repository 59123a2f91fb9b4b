"""Forms of the research pages: a result, and each step of a match (add by hand, start the
对接, record its outcome, set it aside). They only parse the input; the services check
permission, stage and limits again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Enterprise, IndustryChain, Organisation

from .models import IpKind, MapNode, MatchStatus
from .selectors import chain_enterprises
from .selectors_research import trl_label


def _text(label: Any, *, required: bool = True, max_length: int = 2000, rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}))


def chain_nodes(chain: IndustryChain) -> QuerySet[MapNode]:
    return MapNode.objects.filter(chain=chain, is_active=True).order_by("segment", "sort_order", "code")


class ResultForm(SiteForm):
    title = forms.CharField(label=_("成果名称"), max_length=200)
    institution = forms.CharField(label=_("完成单位"), max_length=128, help_text=_("如 南华大学、衡阳师范学院"))
    team = forms.CharField(label=_("团队或联系人"), max_length=64, required=False)
    maturity = forms.TypedChoiceField(label=_("技术成熟度（TRL）"), coerce=int, choices=())
    keywords = forms.CharField(label=_("关键词"), max_length=255, required=False,
                               help_text=_("用“、”或逗号分隔，匹配企业时使用"))
    nodes = forms.ModelMultipleChoiceField(label=_("对应环节"), queryset=MapNode.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    ip_kind = forms.ChoiceField(label=_("知识产权"), choices=IpKind.choices, initial=IpKind.NONE)
    ip_number = forms.CharField(label=_("知识产权号"), max_length=64, required=False)
    transfer_mode = forms.CharField(label=_("转化方式"), max_length=64, required=False,
                                    help_text=_("如 技术转让、许可使用、作价入股、合作开发"))
    summary = _text(_("成果简介"), required=False, max_length=4000, rows=4)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, chain: IndustryChain, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["maturity"].choices = [(n, trl_label(n)) for n in range(1, 10)]  # type: ignore[attr-defined]
        self.fields["nodes"].queryset = chain_nodes(chain)  # type: ignore[attr-defined]


class StepForm(SiteForm):
    """Every step carries the version of the match the page showed (a stale page is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MatchAddForm(SiteForm):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    reason = forms.CharField(label=_("匹配理由"), max_length=200, required=False)

    def __init__(self, *args: Any, chain: IndustryChain, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = chain_enterprises(chain).filter(  # type: ignore[attr-defined]
            is_active=True).order_by("name")


class DockingForm(StepForm):
    owner_org = forms.ModelChoiceField(label=_("对接责任单位"), queryset=Organisation.objects.none())
    due_on = forms.DateField(label=_("对接期限"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("对接安排"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            is_active=True).exclude(kind=Organisation.Kind.ENTERPRISE).order_by("code")


class CloseForm(StepForm):
    status = forms.ChoiceField(label=_("对接结果"), choices=[
        (MatchStatus.SUCCEEDED.value, MatchStatus.SUCCEEDED.label), (MatchStatus.FAILED.value, MatchStatus.FAILED.label)])
    outcome = _text(_("结果说明"), max_length=2000)


class DismissForm(StepForm):
    reason = forms.CharField(label=_("不匹配的理由"), max_length=500)


class RetireForm(StepForm):
    reason = forms.CharField(label=_("移出理由"), max_length=255, required=False)
