"""Forms of the department side of 企业赋码保护: the registry, the item list, plans and their
entries, answers to joint proposals, the enterprise's preferred slots and the filters of
the department's registrations. They only read and check input; every change is a service
in `services.py` or the `planning` package."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Enterprise, Organisation, Role, User
from yancheng.core.typing import Actor
from yancheng.lib.uscc import normalise

from .models import (
    EntryMode,
    InspectionItem,
    InspectionKind,
    InspectionPlan,
    InspectorLicence,
    JointAcceptance,
    TimeSlotPreference,
)

DATE_WIDGET = {"type": "date"}


class _Form(SiteForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text,
        widget=forms.DateInput(format="%Y-%m-%d", attrs=DATE_WIDGET),
        error_messages={"invalid": gettext_lazy("请输入正确的日期，例如 2026-05-20。")},
    )


# --- registry and items -------------------------------------------------------------------------


class LicenceForm(_Form):
    full_name = forms.CharField(label=gettext_lazy("姓名"), max_length=64)
    certificate_no = forms.CharField(label=gettext_lazy("执法证号"), max_length=32)
    user = forms.ModelChoiceField(
        label=gettext_lazy("系统账号"), queryset=User.objects.none(), required=False,
        empty_label=gettext_lazy("（暂不关联）"), help_text=gettext_lazy("只能关联本部门尚未登记的检查员账号"),
    )
    valid_until = _date_field(gettext_lazy("有效期至"))

    def __init__(self, *args: Any, department: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(organisation=department, role=Role.INSPECTOR, is_active=True,
                                inspector_licence__isnull=True).order_by("username")
        )


class LicenceStatusForm(_Form):
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=InspectorLicence.Status.choices)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


class ItemForm(_Form):
    code = forms.CharField(label=gettext_lazy("事项编码"), max_length=32)
    name = forms.CharField(label=gettext_lazy("检查事项"), max_length=200)
    legal_basis = forms.CharField(label=gettext_lazy("检查依据"), widget=forms.Textarea(attrs={"rows": 3}))
    publish = forms.BooleanField(label=gettext_lazy("立即公布"), required=False)


# --- plans ---------------------------------------------------------------------------------------


def _month_choices(blank: Any) -> list[tuple[str, Any]]:
    return [("", blank), *[(str(m), _("%(m)d 月") % {"m": m}) for m in range(1, 13)]]


class PlanForm(_Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    month = forms.TypedChoiceField(
        label=gettext_lazy("月份"), coerce=int, required=False, empty_value=None,
        help_text=gettext_lazy("年度计划留空；月度计划用于补充年度计划"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = timezone.localdate().year
        self.fields["year"].choices = [(str(y), str(y)) for y in (year, year + 1)]  # type: ignore[attr-defined]
        self.fields["month"].choices = _month_choices(_("年度计划"))  # type: ignore[attr-defined]


class PlanEntryForm(_Form):
    item = forms.ModelChoiceField(label=gettext_lazy("检查事项"), queryset=InspectionItem.objects.none(),
                                  help_text=gettext_lazy("只能选择本部门已公布的事项"))
    enterprise = forms.CharField(
        label=gettext_lazy("企业"), max_length=128, required=False,
        help_text=gettext_lazy("填写统一社会信用代码或企业全称；按类别抽查时留空"),
    )
    enterprise_class = forms.CharField(label=gettext_lazy("企业类别"), max_length=100, required=False,
                                       help_text=gettext_lazy("按类别抽查时填写，例如“规上工业企业”"))
    month = forms.TypedChoiceField(label=gettext_lazy("月份"), coerce=int)
    window_start = _date_field(gettext_lazy("计划开始"), help_text=gettext_lazy("留空为当月第一天"))
    window_end = _date_field(gettext_lazy("计划结束"), help_text=gettext_lazy("留空为当月最后一天"))
    legal_basis = forms.CharField(label=gettext_lazy("检查依据"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=gettext_lazy("留空则使用事项公布的依据"))
    announced = forms.BooleanField(label=gettext_lazy("提前告知企业（企业可预约时段；双随机抽查不勾选）"),
                                   required=False, initial=True)
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, plan: InspectionPlan, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["item"].queryset = InspectionItem.objects.filter(  # type: ignore[attr-defined]
            department_id=plan.department_id, published_at__isnull=False, withdrawn_at__isnull=True
        ).order_by("code")
        if plan.month is not None:
            self.fields["month"].choices = [(str(plan.month), _("%(m)d 月") % {"m": plan.month})]  # type: ignore[attr-defined]
            self.fields["month"].initial = plan.month
        else:
            self.fields["month"].choices = _month_choices(_("请选择"))[1:]  # type: ignore[attr-defined]
            today = timezone.localdate()
            self.fields["month"].initial = today.month if today.year == plan.year else 1

    def clean_enterprise(self) -> Enterprise | None:
        """Find the enterprise by its USCC or its full name among those the user may see."""
        text = (self.cleaned_data.get("enterprise") or "").strip()
        if not text:
            return None
        visible = Enterprise.objects.visible_to(self.user).filter(is_active=True)
        code = normalise(text) if len(text.replace(" ", "")) == 18 else ""
        matches = list(visible.filter(Q(uscc=code) | Q(name=text))[:2]) if code else list(
            visible.filter(name=text)[:2]
        )
        if not matches:
            raise forms.ValidationError(_("找不到该企业，请核对统一社会信用代码或企业全称。"))
        if len(matches) > 1:
            raise forms.ValidationError(_("有多家企业同名，请填写统一社会信用代码。"))
        return matches[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and data.get("enterprise") is None and not (data.get("enterprise_class") or "").strip():
            self.add_error("enterprise", _("请填写检查对象：企业或企业类别。"))
        return data


# --- joint proposals and slots -------------------------------------------------------------------


class JointAnswerForm(_Form):
    decision = forms.ChoiceField(label=gettext_lazy("意见"), choices=JointAcceptance.Decision.choices,
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False,
                             help_text=gettext_lazy("不同意联合检查时须说明理由"))


class SlotForm(_Form):
    day = _date_field(gettext_lazy("日期"), required=True)
    period = forms.ChoiceField(label=gettext_lazy("时段"), choices=TimeSlotPreference.Period.choices)

    def __init__(self, *args: Any, entry: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if entry is not None:
            widget = self.fields["day"].widget
            widget.attrs["min"] = max(entry.window_start, timezone.localdate()).isoformat()
            widget.attrs["max"] = entry.window_end.isoformat()


# --- the department's registrations --------------------------------------------------------------


YES_NO = [("", gettext_lazy("全部")), ("1", gettext_lazy("是")), ("0", gettext_lazy("否"))]


class RegistrationFilterForm(_Form):
    month = forms.CharField(label=gettext_lazy("月份"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"}))
    kind = forms.ChoiceField(label=gettext_lazy("类型"), required=False,
                             choices=[("", gettext_lazy("全部")), *InspectionKind.choices])
    entry_mode = forms.ChoiceField(label=gettext_lazy("登记方式"), required=False,
                                   choices=[("", gettext_lazy("全部")), *EntryMode.choices])
    exempt = forms.ChoiceField(label=gettext_lazy("豁免检查"), required=False, choices=YES_NO)
    joint = forms.ChoiceField(label=gettext_lazy("联合检查"), required=False, choices=YES_NO)
    q = forms.CharField(label=gettext_lazy("企业名称或信用代码"), required=False, max_length=64,
                        widget=forms.TextInput(attrs={"type": "search"}))

    def clean_month(self) -> dt.date | None:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-", 1))
            return dt.date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(_("月份格式应为 2026-05。")) from None
