"""Forms of the dashboard pages; the services do the checking that matters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Organisation, Region
from yancheng.core.typing import Actor
from yancheng.projects.models import Project

from .models import METRICS, RankingKind, RedYellowEntry
from .rankings import Month


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month"})

    def clean(self, value: Any) -> Month:
        text = super().clean(value)
        try:
            return Month.parse(text)
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("请输入月份，例如 2026-03。")) from exc


class GenerateForm(SiteForm):
    kind = forms.ChoiceField(label=_("排名对象"), choices=RankingKind.choices)
    month = MonthField(label=_("月份"))
    regenerate = forms.BooleanField(label=_("重新生成（保留旧版本）"), required=False)
    note = forms.CharField(label=_("说明"), max_length=255, required=False)


class FormulaForm(SiteForm):
    name = forms.CharField(label=_("名称"), max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, key, label, sign in METRICS:
            if sign > 0:
                shown = label
            elif key == "escalations":
                shown = _("%(label)s（每次扣分）") % {"label": label}
            elif key == "major_hazards_overdue":
                shown = _("%(label)s（每项扣分）") % {"label": label}
            else:
                shown = _("%(label)s（每个百分点扣分）") % {"label": label}
            self.fields[field] = forms.DecimalField(
                label=shown,
                min_value=0, max_value=100, decimal_places=2, max_digits=6,
            )


class RedYellowForm(SiteForm):
    board = forms.ChoiceField(label=_("榜单"), choices=RedYellowEntry.Board.choices)
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    month = MonthField(label=_("上榜月份"))
    reason = forms.CharField(label=_("上榜理由"), max_length=500)
    deadline = forms.DateField(label=_("整改时限（黄榜必填）"), required=False,
                               widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    rectification_plan = forms.CharField(label=_("整改方案（黄榜必填）"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Project.objects.visible_to(user).filter(is_active=True).order_by("code")


class FundsWonForm(SiteForm):
    region = forms.ModelChoiceField(label=_("区划"), queryset=Region.objects.all())
    organisation = forms.ModelChoiceField(
        label=_("争取单位"), required=False,
        queryset=Organisation.objects.exclude(kind="enterprise").filter(is_active=True),
    )
    month = MonthField(label=_("月份"))
    amount = forms.DecimalField(label=_("金额（万元）"), min_value=0, max_digits=14, decimal_places=2)
    title = forms.CharField(label=_("资金名称"), max_length=200)
