"""Forms of the enterprise side of 企业赋码保护 (and the ratings pages of the department and
the supervisor). They only check the shape of the input; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Organisation

from .complaints import MAX_PEOPLE, MAX_TEXT
from .ratings import MAX_COMMENT, month_start

SCORE_CHOICES = [
    (5, _("5 分 · 非常满意")),
    (4, _("4 分 · 满意")),
    (3, _("3 分 · 一般")),
    (2, _("2 分 · 不满意")),
    (1, _("1 分 · 非常不满意")),
]


class DepartmentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def enforcement_departments() -> Any:
    return Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True).order_by("region__code", "name")


class CodeReissueForm(SiteForm):
    """Ask for a new code; the old one stops working at once."""

    reason = forms.CharField(
        label=_("申请原因"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如：海报遗失、被拍照冒用")}),
    )
    confirm = forms.BooleanField(
        label=_("我已知晓：新码生效后，旧码（包括已张贴的海报）立即失效，须重新打印张贴。"),
        error_messages={"required": _("请勾选确认。")},
    )

    def __init__(self, *args: Any, has_code: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_code = has_code
        if not has_code:
            del self.fields["confirm"]
            self.fields["reason"].widget = forms.HiddenInput()

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data.get("reason") or "").strip()
        if self.has_code and not reason:
            raise forms.ValidationError(_("请填写申请新码的原因。"))
        return reason


class RatingForm(SiteForm):
    # The visit, as the keyed `ratings.rating_ref` (never its id): a hidden field of the POST
    # body, which the views mark sensitive. Checked by the service, not here.
    ref = forms.CharField(widget=forms.HiddenInput, required=False, max_length=128)
    score = forms.TypedChoiceField(
        label=_("评分"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("请选择评分。"), "invalid_choice": _("评分须为 1 到 5 分。")},
    )
    comment = forms.CharField(
        label=_("评价意见（选填）"), max_length=MAX_COMMENT, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("评价匿名提交：检查部门只能看到本部门每月5条以上评价的汇总，看不到评价来自哪家企业。"
                    "请勿在意见中写入企业名称等可识别信息。"),
    )


class ComplaintForm(SiteForm):
    text = forms.CharField(
        label=_("投诉内容"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("投诉不匿名：将作为事项送行政执法监督机构受理，您可以在“事项”中跟踪办理进度。"),
        error_messages={"required": _("请写明投诉的事实和诉求。")},
    )


class UnregisteredReportForm(SiteForm):
    department = DepartmentChoiceField(
        label=_("入企的执法部门"), queryset=Organisation.objects.none(),
        error_messages={"required": _("请选择入企的执法部门。"), "invalid_choice": _("请选择入企的执法部门。")},
    )
    visited_on = forms.DateField(
        label=_("入企日期"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写入企日期。"), "invalid": _("日期格式应为 2026-03-01。")},
    )
    people = forms.CharField(
        label=_("入企人员（选填）"), max_length=MAX_PEOPLE, required=False,
        help_text=_("姓名、执法证号、人数等，知道多少填多少"),
    )
    description = forms.CharField(
        label=_("入企经过"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请描述入企经过。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = enforcement_departments()

    def clean_visited_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("入企日期不能晚于今天。"))
        return day


class YearForm(SiteForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)

    def year_or_current(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return timezone.localdate().year


class RatingMonthForm(SiteForm):
    """The supervisor's choice of a month (an ended one) and optionally a department."""

    month = forms.CharField(
        label=_("月份"), required=False, max_length=7,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )
    department = DepartmentChoiceField(label=_("部门"), queryset=Organisation.objects.none(), required=False,
                                       empty_label=_("全部"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = enforcement_departments()

    def clean_month(self) -> dt.date:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return last_ended_month()
        try:
            year, month = (int(part) for part in value.split("-"))
            day = dt.date(year, month, 1)
        except ValueError as exc:
            raise forms.ValidationError(_("月份格式应为 2026-03。")) from exc
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("月份格式应为 2026-03。"))
        if day >= month_start(timezone.localdate()):
            raise forms.ValidationError(_("只能查看已结束的月份：本月的评价在月份结束后才能查看。"))
        return day

    def chosen(self) -> tuple[dt.date, int | None]:
        """(month, department id) — the last ended month and every department when invalid."""
        if not self.is_valid():
            return last_ended_month(), None
        department = self.cleaned_data.get("department")
        return self.cleaned_data["month"], department.pk if department is not None else None


def last_ended_month(today: dt.date | None = None) -> dt.date:
    first = month_start(today or timezone.localdate())
    return month_start(first - dt.timedelta(days=1))
