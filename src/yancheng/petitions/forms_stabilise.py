"""The forms of 稳控, 重大紧急, 包案 and 领导接访日 (``views_stabilise.py``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Organisation, Role, User

from .models import FollowUp, RiskLevel
from .stabilise import NOTE_MAX, PLAN_MAX, RESULT_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def leader_choices() -> QuerySet[User]:
    return User.objects.filter(role=Role.LEADER, is_active=True).select_related("organisation").order_by(
        "organisation__path", "username"
    )


class LeaderChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        org = obj.organisation.name if obj.organisation_id else ""
        return f"{obj.full_name or obj.username}（{org}）"


class VersionForm(SiteForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RiskForm(VersionForm):
    level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices)
    note = forms.CharField(label=_("评估说明"), max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpPlanForm(VersionForm):
    kind = forms.ChoiceField(label=_("类型"), choices=FollowUp.Kind.choices)
    org = forms.ModelChoiceField(label=_("责任单位"), queryset=Organisation.objects.none())
    due_on = forms.DateField(label=_("计划日期"), widget=DATE)
    plan = forms.CharField(label=_("工作内容"), max_length=PLAN_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, orgs: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in orgs]).order_by("path")


class FollowUpDoneForm(VersionForm):
    result = forms.CharField(label=_("情况记录"), max_length=RESULT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    risk_level = forms.ChoiceField(label=_("评估风险等级"), choices=[("", _("不变")), *RiskLevel.choices],
                                   required=False)


class UrgentForm(VersionForm):
    reason = forms.CharField(label=_("重大紧急情况"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class TakeForm(VersionForm):
    note = forms.CharField(label=_("包案说明"), max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class LeaderChangeForm(VersionForm):
    leader = LeaderChoiceField(label=_("改由领导包案"), queryset=User.objects.none(), required=False,
                               help_text=_("不选择则解除包案。"))
    note = forms.CharField(label=_("说明"), max_length=NOTE_MAX, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["leader"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = leader_choices()


class ReceptionForm(SiteForm):
    leader = LeaderChoiceField(label=_("接访领导"), queryset=User.objects.none())
    day = forms.DateField(label=_("接访日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=200)
    topics = forms.CharField(label=_("接访主题"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["leader"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = leader_choices()


class ReceptionRecordForm(SiteForm):
    notes = forms.CharField(label=_("接访情况"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5}))
