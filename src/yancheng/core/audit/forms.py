from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm

from .models import AuditEvent


class AuditFilterForm(SiteForm):
    """Filters of the audit admin's list and export."""

    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    actor = forms.CharField(label=_("操作人账号"), required=False, max_length=150)
    action = forms.CharField(
        label=_("动作"), required=False, max_length=64, help_text=_("前缀匹配，如 user. 匹配所有账号操作")
    )
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=64)
    object_id = forms.CharField(label=_("对象ID"), required=False, max_length=64)
    outcome = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部")), *AuditEvent.Outcome.choices]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data
