"""Forms of registration (登记) and classification (分类). The petitioners are repeated rows
(``p<n>-name`` …) that work without JavaScript: five blank rows, five more with "增加信访人"."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Organisation, Region
from yancheng.lib import idcard

from .intake import ADDRESS_MAX, NAME_MAX, TEXT_MAX, TITLE_MAX, PetitionerInput
from .models import Channel, ClaimRoute, LeaderReception, PetitionType, Topic

ROWS_START = 5
ROWS_STEP = 5
ROWS_MAX = 30


def region_queryset() -> QuerySet[Region]:
    """The city's regions: the city itself, its districts and counties, its zones."""
    return Region.objects.exclude(kind=Region.Kind.PROVINCE).filter(valid_to__isnull=True).order_by("code")


def organ_queryset() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True).exclude(kind=Organisation.Kind.ENTERPRISE).order_by(
        "region__code", "name"
    )


class NamedChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A region or an organisation by its full name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class RegisterForm(SiteForm):
    channel = forms.ChoiceField(label=_("信访形式"), choices=[("", _("— 请选择 —")), *Channel.choices])
    received_on = forms.DateField(label=_("收信（来访）日期"),
                                  widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    region = NamedChoiceField(label=_("问题属地"), queryset=region_queryset())
    topic = forms.ModelChoiceField(label=_("问题类别"), queryset=Topic.objects.filter(is_active=True))
    respondent_org = NamedChoiceField(
        label=_("被反映单位"), queryset=organ_queryset(), required=False,
        help_text=_("检举控告类请选择被检举控告的机关：该机关及其下属单位看不到这件信访。"),
    )
    respondent_person = forms.CharField(label=_("被反映人"), max_length=100, required=False)
    title = forms.CharField(label=_("内容摘要"), max_length=TITLE_MAX)
    request = forms.CharField(label=_("信访诉求"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    facts = forms.CharField(label=_("事实和理由"), max_length=TEXT_MAX, required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    petition_type = forms.ChoiceField(label=_("类型"), required=False,
                                      choices=[("", _("暂不分类")), *PetitionType.choices])
    claim_route = forms.ChoiceField(label=_("申诉求决途径"), required=False,
                                    choices=[("", _("— 请选择 —")), *ClaimRoute.choices],
                                    help_text=_("《信访工作条例》第三十一条；只有第（六）项按信访程序办理。"))
    is_group = forms.BooleanField(label=_("集体访"), required=False)
    head_count = forms.IntegerField(label=_("人数"), required=False, min_value=1, max_value=100_000)
    is_urgent = forms.BooleanField(label=_("重大紧急"), required=False, help_text=_("第二十五条：立即报告"))
    reception = forms.ModelChoiceField(label=_("领导接访日"), queryset=LeaderReception.objects.none(), required=False,
                                       help_text=_("信访形式为“领导接访”时选择"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        since = timezone.localdate() - dt.timedelta(days=60)
        reception = cast(forms.ModelChoiceField, self.fields["reception"])  # type: ignore[type-arg]
        reception.queryset = LeaderReception.objects.filter(day__gte=since).select_related("leader")
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())


class PetitionerRow(SiteForm):
    name = forms.CharField(label=_("姓名"), max_length=NAME_MAX, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    address = forms.CharField(label=_("住址"), max_length=ADDRESS_MAX, required=False)
    is_representative = forms.BooleanField(label=_("代表"), required=False)

    def clean_id_number(self) -> str:
        value: str = self.cleaned_data.get("id_number", "").strip()
        if not value:
            return ""
        try:
            return idcard.validate(value)
        except idcard.IdNumberError as exc:
            raise forms.ValidationError(exc.message) from None

    def has_person(self) -> bool:
        data = self.cleaned_data
        return any(data.get(k) for k in ("name", "id_number", "phone", "address"))

    def as_input(self) -> PetitionerInput:
        data = self.cleaned_data
        return PetitionerInput(data.get("name", ""), data.get("id_number", ""), data.get("phone", ""),
                               data.get("address", ""), bool(data.get("is_representative")))


def row_count(data: Any) -> int:
    """How many petitioner rows the page shows: the posted count (plus a step after "增加信访人")."""
    try:
        rows = int((data or {}).get("rows", ROWS_START))
    except (TypeError, ValueError):
        rows = ROWS_START
    if data is not None and "more_rows" in data:
        rows += ROWS_STEP
    return max(1, min(rows, ROWS_MAX))


def petitioner_rows(data: Any, count: int) -> list[PetitionerRow]:
    return [PetitionerRow(data, prefix=f"p{i}") for i in range(count)]


class ClassifyForm(SiteForm):
    petition_type = forms.ChoiceField(label=_("类型"), choices=[("", _("— 请选择 —")), *PetitionType.choices])
    claim_route = forms.ChoiceField(label=_("申诉求决途径"), required=False,
                                    choices=[("", _("— 请选择 —")), *ClaimRoute.choices],
                                    widget=forms.RadioSelect)
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class NotAcceptForm(SiteForm):
    reason = forms.CharField(label=_("不予受理的理由"), max_length=2_000, widget=forms.Textarea(attrs={"rows": 3}))
    channel_text = forms.CharField(label=_("告知的途径"), max_length=2_000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("写入不予受理告知书，告诉信访人应向哪里提出。"))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
