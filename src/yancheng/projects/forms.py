"""Forms of the project pages. They parse and check input only; every change goes through
``services`` (which checks permission and rules again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region, Role, User
from yancheng.core.typing import Actor

from .models import ApprovalItem, Category, Commitment, FactorNeed, Project, Stage
from .workflow import next_stage

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        org = obj.organisation.name if obj.organisation_id else ""
        return f"{obj.display_name}（{org}）" if org else str(obj.display_name)


class NamedChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def unit_queryset(user: Actor) -> QuerySet[Organisation]:
    return (
        Organisation.objects.visible_to(user)
        .filter(is_active=True)
        .exclude(kind=Organisation.Kind.ENTERPRISE)
        .select_related("region")
        .order_by("region__code", "kind", "name")
    )


def staff_queryset(user: Actor) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, organisation__in=unit_queryset(user))
        .exclude(role__in=[Role.ENTERPRISE, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
        .select_related("organisation")
        .order_by("organisation__name", "username")
    )


class MonthField(forms.DateField):
    """``YYYY-MM`` (the month input of browsers) or a full date; the first of the month."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> Any:
        result = super().to_python(value)
        return result.replace(day=1) if result else result


class VersionedForm(SiteForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ProjectForm(VersionedForm):
    code = forms.CharField(label=_("项目编号"), max_length=32, required=False,
                           help_text=_("留空自动生成，如 XM2026-0001"))
    name = forms.CharField(label=_("项目名称"), max_length=200)
    enterprise = forms.ModelChoiceField(label=_("业主企业"), queryset=Enterprise.objects.none(), required=False)
    region = NamedChoiceField(label=_("所在区划"), queryset=Region.objects.exclude(kind="province").order_by("code"))
    park = NamedChoiceField(label=_("所在园区"), queryset=Organisation.objects.none(), required=False)
    chain = forms.ModelChoiceField(label=_("所属产业链"), queryset=IndustryChain.objects.all(), required=False)
    category = forms.ChoiceField(label=_("项目类别"), choices=Category.choices, initial=Category.INDUSTRY)
    total_investment = forms.DecimalField(label=_("总投资（万元）"), min_value=0, max_digits=14, decimal_places=2)
    planned_start = MonthField(label=_("计划开工月份"), required=False, widget=MONTH)
    planned_completion = forms.DateField(label=_("计划竣工日期"), required=False, widget=DATE)
    leader = UserChoiceField(label=_("联系领导"), queryset=User.objects.none(), required=False)
    responsible_org = NamedChoiceField(label=_("责任单位"), queryset=Organisation.objects.none())
    description = forms.CharField(label=_("建设内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    is_confidential = forms.BooleanField(label=_("涉密/敏感"), required=False,
                                         help_text=_("只有本区划、责任单位、联系领导和市级项目办可见"))
    is_active = forms.BooleanField(label=_("在库"), required=False, initial=True)

    def __init__(self, *args: Any, user: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")  # type: ignore[attr-defined]
        self.fields["park"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=Organisation.Kind.PARK, is_active=True).order_by("region__code", "name")
        self.fields["responsible_org"].queryset = unit_queryset(user)  # type: ignore[attr-defined]
        self.fields["leader"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role=Role.LEADER, is_active=True).select_related("organisation").order_by("username")
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("项目编号不能修改")
        else:
            del self.fields["is_active"]


class AdvanceForm(VersionedForm):
    stage = forms.ChoiceField(label=_("阶段"), choices=Stage.choices)
    on = forms.DateField(label=_("日期"), widget=DATE, required=False, help_text=_("留空为今天"))
    note = forms.CharField(label=_("说明"), max_length=500, required=False,
                           help_text=_("退回较早阶段（更正记录）时必填"))

    def __init__(self, *args: Any, project: Project | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if project is not None and not self.is_bound:
            following = next_stage(project.stage)
            if following is not None:
                self.initial["stage"] = following
            self.initial["version"] = project.version
            self.initial["on"] = timezone.localdate()


class AnnualPlanForm(SiteForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    planned_investment = forms.DecimalField(label=_("年度计划投资（万元）"), min_value=0, max_digits=14,
                                            decimal_places=2)


class TaskForceForm(SiteForm):
    user = UserChoiceField(label=_("账号"), queryset=User.objects.none(), required=False,
                           help_text=_("有账号的成员可填报日反馈和月报"))
    name = forms.CharField(label=_("姓名"), max_length=64, required=False, help_text=_("无账号时填写"))
    organisation = NamedChoiceField(label=_("单位"), queryset=Organisation.objects.none(), required=False)
    duty = forms.CharField(label=_("职责"), max_length=128, required=False)
    is_lead = forms.BooleanField(label=_("专班负责人"), required=False)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_queryset(user)  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = unit_queryset(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user") and not (data.get("name") and data.get("organisation")):
            raise forms.ValidationError(_("请选择账号，或填写姓名和单位。"))
        return data


class TaskForceRemoveForm(SiteForm):
    member = forms.IntegerField(widget=forms.HiddenInput)


class ApprovalAddForm(SiteForm):
    kind = forms.ChoiceField(label=_("审批事项"), choices=ApprovalItem.Kind.choices)
    title = forms.CharField(label=_("名称"), max_length=128, required=False)
    agent = UserChoiceField(label=_("代办员"), queryset=User.objects.none(), required=False)
    approving_org = NamedChoiceField(label=_("审批部门"), queryset=Organisation.objects.none(), required=False)
    planned_on = forms.DateField(label=_("计划办结"), widget=DATE, required=False)
    missing_documents = forms.CharField(label=_("补缺清单"), widget=forms.Textarea(attrs={"rows": 3}),
                                        required=False, help_text=_("每行一项尚缺的材料"))

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = staff_queryset(user)  # type: ignore[attr-defined]
        self.fields["approving_org"].queryset = unit_queryset(user)  # type: ignore[attr-defined]


class ApprovalUpdateForm(SiteForm):
    item = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("状态"), choices=ApprovalItem.ItemStatus.choices)
    planned_on = forms.DateField(label=_("计划办结"), widget=DATE, required=False)
    done_on = forms.DateField(label=_("实际办结"), widget=DATE, required=False)
    missing_documents = forms.CharField(label=_("补缺清单"), widget=forms.Textarea(attrs={"rows": 3}),
                                        required=False, help_text=_("每行一项尚缺的材料；补齐后删去"))


class FactorAddForm(SiteForm):
    kind = forms.ChoiceField(label=_("要素"), choices=FactorNeed.Kind.choices)
    quantity = forms.DecimalField(label=_("数量"), min_value=0, max_digits=14, decimal_places=2,
                                  help_text=_("用地：亩；用电：kVA；用水：吨/日；用气：立方米/日；用工：人；融资：万元"))
    responsible_org = NamedChoiceField(label=_("责任单位"), queryset=Organisation.objects.none())
    needed_by = forms.DateField(label=_("需要时间"), widget=DATE, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_org"].queryset = unit_queryset(user)  # type: ignore[attr-defined]


class FactorStatusForm(SiteForm):
    need = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("状态"), choices=FactorNeed.NeedStatus.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class FeedbackForm(SiteForm):
    progress = forms.CharField(label=_("当日进展"), widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MonthlyReportForm(SiteForm):
    month = MonthField(label=_("月份"), widget=MONTH)
    invested_this_month = forms.DecimalField(label=_("本月完成投资（万元）"), min_value=0, max_digits=14,
                                             decimal_places=2)
    invested_ytd = forms.DecimalField(label=_("年度累计完成投资（万元）"), min_value=0, max_digits=14,
                                      decimal_places=2, required=False,
                                      help_text=_("留空按上月累计加本月自动计算"))
    progress_percent = forms.IntegerField(label=_("形象进度（%）"), min_value=0, max_value=100, initial=0)
    correction_note = forms.CharField(label=_("更正说明"), max_length=500, required=False,
                                      help_text=_("累计数与上月累计加本月不一致、累计数减少或修改已报月份时必填"))


class ProblemForm(SiteForm):
    title = forms.CharField(label=_("标题"), max_length=200, help_text=_("一句话说明问题，例如“高压专线未接入”"))
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("现状、影响和希望解决的时间"))
    urgent = forms.BooleanField(label=_("紧急"), required=False)


class CommitmentForm(SiteForm):
    organisation = NamedChoiceField(label=_("承诺单位"), queryset=Organisation.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("承诺类型"), choices=Commitment.Kind.choices)
    promise = forms.CharField(label=_("承诺内容"), max_length=255)
    promised_date = forms.DateField(label=_("承诺日期"), widget=DATE, required=False)
    promised_amount = forms.DecimalField(label=_("承诺金额（万元）"), min_value=0, max_digits=14, decimal_places=2,
                                         required=False)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = unit_queryset(user)  # type: ignore[attr-defined]


class CommitmentActualForm(SiteForm):
    commitment = forms.IntegerField(widget=forms.HiddenInput)
    actual_date = forms.DateField(label=_("实际日期"), widget=DATE, required=False)
    actual_amount = forms.DecimalField(label=_("实际金额（万元）"), min_value=0, max_digits=14, decimal_places=2,
                                       required=False)


# --- the 备案监督 pages (承诺兑现 and 现场观摩) ------------------------------------------------------


def observed_units() -> QuerySet[Organisation]:
    """Counties, districts and parks: the units that commit and are observed."""
    return (
        Organisation.objects.filter(is_active=True, kind__in=[Organisation.Kind.GOVERNMENT, Organisation.Kind.PARK])
        .exclude(region__kind__in=["city", "province"])
        .select_related("region")
        .order_by("region__code", "kind", "name")
    )


class UnsuffixedForm(SiteForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SupervisionCommitmentForm(UnsuffixedForm):
    organisation = NamedChoiceField(label=_("承诺单位"), queryset=Organisation.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("承诺类型"), choices=Commitment.Kind.choices)
    promise = forms.CharField(label=_("承诺内容"), max_length=255)
    project_code = forms.CharField(label=_("项目编号"), max_length=32, required=False,
                                   help_text=_("可留空；填写时须为库中项目"))
    promised_date = forms.DateField(label=_("承诺日期"), widget=DATE, required=False)
    promised_amount = forms.DecimalField(label=_("承诺金额（万元）"), min_value=0, max_digits=14,
                                         decimal_places=2, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = observed_units()  # type: ignore[attr-defined]


class SupervisionActualForm(UnsuffixedForm):
    actual_date = forms.DateField(label=_("实际日期"), widget=DATE, required=False)
    actual_amount = forms.DecimalField(label=_("实际金额（万元）"), min_value=0, max_digits=14,
                                       decimal_places=2, required=False)


class ObservationRoundForm(UnsuffixedForm):
    title = forms.CharField(label=_("名称"), max_length=128)
    held_on = forms.DateField(label=_("日期"), widget=DATE)


class ObservationScoreForm(UnsuffixedForm):
    organisation = NamedChoiceField(label=_("被观摩单位"), queryset=Organisation.objects.none())
    project_code = forms.CharField(label=_("观摩项目编号"), max_length=32, required=False,
                                   help_text=_("可留空（对单位整体打分）"))
    score = forms.DecimalField(label=_("得分"), min_value=0, max_value=100, max_digits=5, decimal_places=2)
    remark = forms.CharField(label=_("点评"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = observed_units()  # type: ignore[attr-defined]
