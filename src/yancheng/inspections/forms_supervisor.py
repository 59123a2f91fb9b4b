"""Forms of the supervisor's pages: the policy, exemption reasons, quiet periods and handling
an alert. They only read and shape input; the services check it again and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Enterprise, Organisation, Region
from yancheng.core.typing import Actor

from .models import InspectionDepartment, InspectionItem, InspectionPolicy
from .supervision.access import supervision_region
from .supervision.policy import RATING_MIN_COUNT_FLOOR

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class _Form(SiteForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class _NameChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def supervising_org_choices() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        is_active=True, kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.OFFICE]
    ).order_by("path")


class PolicyForm(_Form):
    supervising_org = _NameChoice(
        label=_("行政执法监督机构"), queryset=Organisation.objects.none(), required=False,
        help_text=_("预警、投诉和未登记入企举报交由该机构的督查员处理；留空则通知全部督查员。"),
    )
    grade_a_proactive = forms.ChoiceField(label=_("对A级企业主动检查"), choices=InspectionPolicy.Handling.choices,
                                          help_text=_("A级企业原则上一年内不主动检查（衡政办发〔2025〕6号）。"))
    cap_exceeded = forms.ChoiceField(label=_("超过频次上限"), choices=InspectionPolicy.Handling.choices)
    high_frequency_window_days = forms.IntegerField(label=_("高频入企统计窗口（自然日）"), min_value=1, max_value=366)
    high_frequency_threshold = forms.IntegerField(
        label=_("高频入企预警次数"), min_value=2, max_value=100,
        help_text=_("窗口内各类入企（含非执法）达到该次数即预警。"),
    )
    backfill_days = forms.IntegerField(label=_("补录期限（自然日）"), min_value=1, max_value=30,
                                       help_text=_("系统故障时事后补录的期限，规定为 10 个自然日。"))
    rating_min_count = forms.IntegerField(
        label=_("评价汇总最少条数"), max_value=1000,
        help_text=_("被检查部门只能看到不少于该条数的评价汇总；不得小于 5。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervising_org"].queryset = supervising_org_choices()  # type: ignore[attr-defined]

    def clean_rating_min_count(self) -> int:
        value = int(self.cleaned_data["rating_min_count"])
        if value < RATING_MIN_COUNT_FLOOR:
            raise forms.ValidationError(
                _("评价汇总最少条数不得小于 %(n)d：条数太少的平均分可能让被检查部门推断出是哪家企业评价的。"),
                params={"n": RATING_MIN_COUNT_FLOOR},
            )
        return value

    @classmethod
    def initial_for(cls, policy: InspectionPolicy) -> dict[str, Any]:
        return {
            "supervising_org": policy.supervising_org_id,
            "grade_a_proactive": policy.grade_a_proactive,
            "cap_exceeded": policy.cap_exceeded,
            "high_frequency_window_days": policy.high_frequency_window_days,
            "high_frequency_threshold": policy.high_frequency_threshold,
            "backfill_days": policy.backfill_days,
            "rating_min_count": policy.rating_min_count,
        }


class ExemptionReasonForm(_Form):
    code = forms.CharField(label=_("编码"), max_length=32, required=False,
                           help_text=_("小写字母、数字、下划线，如 follow_up；保存后不能修改。"))
    name = forms.CharField(label=_("名称"), max_length=100)
    evidence_required = forms.CharField(label=_("所需证明材料"), max_length=200,
                                        help_text=_("例如：投诉举报编号或 12345 工单号。"))
    requires_attachment = forms.BooleanField(label=_("须上传附件"), required=False)


class QuietPeriodForm(_Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("例如：春节前后企业宁静期"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    region = forms.ModelChoiceField(label=_("区划"), queryset=Region.objects.none(), required=False,
                                    to_field_name="code", help_text=_("留空且不选企业表示全市。"))
    enterprise_uscc = forms.CharField(label=_("企业（统一社会信用代码）"), max_length=18, required=False,
                                      help_text=_("只针对单个企业时填写。"))

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        own = supervision_region(user)
        regions = Region.objects.exclude(kind__in=["province"]).order_by("code")
        if own is not None:
            regions = regions.filter(pk=own.pk)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def clean_enterprise_uscc(self) -> Enterprise | None:
        code = (self.cleaned_data.get("enterprise_uscc") or "").strip().upper()
        if not code:
            return None
        enterprise = Enterprise.objects.visible_to(self.user).filter(uscc=code).first()
        if enterprise is None:
            raise forms.ValidationError(_("没有找到该统一社会信用代码的企业（或不在您的监督范围内）。"))
        return enterprise


class AlertHandleForm(_Form):
    note = forms.CharField(label=_("处理意见"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


def department_choices() -> QuerySet[Organisation]:
    """Departments that take part in inspections: those with items or registrations."""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)
        .filter(
            Exists(InspectionItem.objects.filter(department_id=OuterRef("pk")))
            | Exists(InspectionDepartment.objects.filter(department_id=OuterRef("pk")))
        )
        .order_by("path")
    )
