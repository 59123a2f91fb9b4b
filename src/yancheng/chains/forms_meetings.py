"""The 链长 meeting forms: call a meeting, a manual agenda item, a decision, the minutes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Organisation

from .forms_problems import unit_choices
from .models import ChainAgendaItem


class MeetingForm(SiteForm):
    title = forms.CharField(label=_("会议名称"), max_length=128)
    held_on = forms.DateField(label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()


class AgendaItemForm(SiteForm):
    title = forms.CharField(label=_("议题"), max_length=255)
    detail = forms.CharField(label=_("情况"), max_length=500, required=False)
    responsible = forms.CharField(label=_("责任单位"), max_length=128, required=False)


class DecisionForm(SiteForm):
    text = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    lead_org = forms.ModelChoiceField(label=_("责任单位"), queryset=Organisation.objects.none())
    due_working_days = forms.IntegerField(label=_("办结时限（工作日）"), min_value=1, max_value=365, initial=10)
    agenda_item = forms.ModelChoiceField(label=_("关联议题"), queryset=ChainAgendaItem.objects.none(), required=False)

    def __init__(self, *args: Any, meeting: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_org"].queryset = unit_choices()  # type: ignore[attr-defined]
        if meeting is not None:
            self.fields["agenda_item"].queryset = meeting.agenda.all()  # type: ignore[attr-defined]


class MinutesForm(SiteForm):
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000,
                              required=False)
