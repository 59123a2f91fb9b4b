"""Forms of the case pages. They only parse and check the input; every change goes through
the services in ``services.py`` (which check permission and state again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from yancheng.core.attachments.validation import max_bytes
from yancheng.core.kit.forms import SiteForm, upload_attrs
from yancheng.core.models import Enterprise, Organisation, Role
from yancheng.core.typing import Actor

from .clocks import policy_for
from .models import CaseKind, DayUnit, Satisfaction, Urgency
from .subjects import subjects_for

REPORTABLE_KINDS = [(CaseKind.PROJECT_PROBLEM.value, CaseKind.PROJECT_PROBLEM.label),
                    (CaseKind.ENTERPRISE_REQUEST.value, CaseKind.ENTERPRISE_REQUEST.label)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # The limit as it is now (a setting), for the browser's check of each file's size.
        return super().get_context(name, value, {**upload_attrs(max_bytes()), **(attrs or {})})


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the attachments service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.docx,.xlsx,.txt,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def unit_queryset(user: Actor | None) -> QuerySet[Organisation]:
    """Units a case can be assigned to: active government units and utilities the user
    sees, those of the user's own region first (a county dispatcher works with its county)."""
    own_region = getattr(getattr(user, "organisation", None), "region_id", None)
    nearby = SqlCase(When(region_id=own_region, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Organisation.objects.visible_to(user)
        .filter(is_active=True)
        .exclude(kind=Organisation.Kind.ENTERPRISE)
        .annotate(nearby=nearby)
        .order_by("nearby", "region__code", "kind", "name")
    )


# The unit picker's groups, in the order a dispatcher looks: the city's departments and
# offices, the utilities, the counties' and districts' units, the parks.
UNIT_GROUPS = (
    ("city", _("市直部门和机构")),
    ("utility", _("公用事业单位")),
    ("county", _("县市区")),
    ("park", _("园区")),
)


def unit_group(org: Organisation) -> str:
    if org.kind == Organisation.Kind.PARK:
        return "park"
    if org.kind == Organisation.Kind.UTILITY:
        return "utility"
    return "city" if org.region.kind in ("city", "province") else "county"


def grouped_unit_choices(units: QuerySet[Organisation]) -> list[tuple[Any, Any]]:
    """The units as <optgroup>s (department / utility / county / park), each group in the
    queryset's order (the user's own region first); empty groups are left out."""
    groups: dict[str, list[tuple[int, str]]] = {key: [] for key, _label in UNIT_GROUPS}
    for org in units.select_related("region"):
        groups[unit_group(org)].append((org.pk, org.name))
    return [(label, groups[key]) for key, label in UNIT_GROUPS if groups[key]]


def _picker_attrs(multiple: bool) -> dict[str, Any]:
    """What the searchable picker (static/js/unit-picker.js over the vendored Tom Select)
    reads; without JavaScript the grouped native select is used as it is."""
    return {
        "data-picker": "multiple" if multiple else "single",
        "data-placeholder": _("输入单位名称搜索…") if not multiple else _("输入单位名称搜索，可多选…"),
        "data-no-results": _("没有匹配的单位"),
        "data-remove-label": _("移除"),
    }


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A unit among `queryset`, offered in groups; the choice is validated against the
    queryset (a unit outside it is refused with the message below)."""

    default_error_messages = {"invalid_choice": _("请从列表中选择可承办的单位。")}

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)

    def group(self, units: QuerySet[Organisation]) -> None:
        self.queryset = units
        self.choices = [("", _("— 请选择 —")), *grouped_unit_choices(units)]
        self.widget.attrs.update(_picker_attrs(multiple=False))


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    default_error_messages = {
        "invalid_choice": _("请从列表中选择可承办的单位。"),
        "invalid_pk_value": _("请从列表中选择可承办的单位。"),
    }

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)

    def group(self, units: QuerySet[Organisation]) -> None:
        self.queryset = units
        self.choices = grouped_unit_choices(units)
        self.widget.attrs.update(_picker_attrs(multiple=True))


class CaseNewForm(SiteForm):
    """An enterprise reports a problem; a dispatcher or handler may register one on an
    enterprise's behalf (then the enterprise is chosen among those the user sees)."""

    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=REPORTABLE_KINDS, initial=CaseKind.PROJECT_PROBLEM)
    title = forms.CharField(label=_("标题"), max_length=200,
                            help_text=_("一句话说明问题，例如“高压专线未接入”"))
    subject = forms.CharField(label=_("所涉项目"), max_length=200, required=False,
                              help_text=_("例如所涉的建设项目名称"))
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("现状、影响和希望解决的时间"))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL,
                                widget=forms.RadioSelect)
    attachments = MultipleFileField(label=_("照片或材料"), required=False,
                              help_text=_("可选，可多选；图片、pdf、docx、xlsx 等"))

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subjects: dict[str, str] = {}
        if user.role == Role.ENTERPRISE:
            del self.fields["enterprise"]
            own = (
                Enterprise.objects.filter(organisation_id=user.organisation_id).first()
                if user.organisation_id is not None else None
            )
            self.subjects = {s.ref: s.label for s in subjects_for(own)} if own is not None else {}
            if self.subjects:
                # Its registered projects, so the case is linked to the one it is about.
                self.fields["subject"] = forms.ChoiceField(
                    label=_("所涉项目"), required=False,
                    choices=[("", _("不涉及已登记的项目")), *self.subjects.items()],
                    help_text=_("选择本企业已登记的项目，事项将关联到该项目"),
                )
        else:
            field = self.fields["enterprise"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Enterprise.objects.visible_to(user).order_by("name")
            field.help_text = _("代企业登记：选择提出问题的企业")


    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ref = cleaned.get("subject", "")
        if self.subjects:
            cleaned["subject_ref"] = ref
            cleaned["subject"] = self.subjects.get(ref, "")
        return cleaned


# --- actions on a case -------------------------------------------------------------------------


class ActionForm(SiteForm):
    """Every action form carries the version of the case the page showed, so a stale page
    is refused (expected_version) instead of overwriting someone else's change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Actor | None = None, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.case = case


class PlainForm(ActionForm):
    """An action with no input beyond the button (签收, 恢复计时)."""


class AssignForm(ActionForm):
    lead_org = UnitChoiceField(label=_("主办单位"), queryset=Organisation.objects.none())
    co_orgs = UnitMultipleChoiceField(
        label=_("协办单位"), queryset=Organisation.objects.none(), required=False,
        help_text=_("可多选；每个协办单位会收到一项协办任务，全部完成后主办单位才能办结"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    co_instruction = forms.CharField(label=_("协办内容"), max_length=500, required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    accept_days = forms.IntegerField(label=_("签收时限（工作日）"), min_value=0, max_value=30, required=False,
                                     help_text=_("留空按办理时限配置"))
    solve_days = forms.IntegerField(label=_("办结时限（工作日）"), min_value=1, max_value=365, required=False,
                                    help_text=_("留空按办理时限配置（一般 5 个工作日，紧急 2 个）"))
    note = forms.CharField(label=_("交办意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = unit_queryset(self.user)
        for name in ("lead_org", "co_orgs"):
            field = self.fields[name]
            assert isinstance(field, UnitChoiceField | UnitMultipleChoiceField)
            field.group(units)
        if self.case is not None:
            self.fields["urgency"].initial = self.case.urgency
            if policy_for(self.case.kind, self.case.urgency).day_unit == DayUnit.NATURAL:
                # 信访: the 条例's limits are natural days.
                self.fields["accept_days"].label = _("签收时限（自然日）")
                self.fields["solve_days"].label = _("办结时限（自然日）")
                self.fields["solve_days"].help_text = _("留空按办理时限配置")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead = data.get("lead_org")
        if lead is not None and lead in (data.get("co_orgs") or []):
            self.add_error("co_orgs", _("协办单位不能与主办单位相同。"))
        return data


class ReturnForm(ActionForm):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("说明为什么不属于本单位职责，以及建议的承办单位"))


class ReassignForm(ActionForm):
    lead_org = UnitChoiceField(label=_("改派给"), queryset=Organisation.objects.none())
    note = forms.CharField(label=_("改派说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lead_org"]
        assert isinstance(field, UnitChoiceField)
        qs = unit_queryset(self.user)
        if self.case is not None and self.case.lead_org_id:
            qs = qs.exclude(pk=self.case.lead_org_id)
        field.group(qs)


class InsistForm(ActionForm):
    note = forms.CharField(label=_("维持交办的理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionRequestForm(ActionForm):
    working_days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.case is not None and self.case.day_unit == DayUnit.NATURAL:
            self.fields["working_days"].label = _("延长天数（自然日）")


class DecideExtensionForm(ActionForm):
    approve = forms.TypedChoiceField(
        label=_("审核结果"), choices=[("1", _("批准")), ("0", _("不批准"))], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           help_text=_("不批准时必填"))


class SuspendForm(ActionForm):
    reason = forms.CharField(label=_("挂起原因"), max_length=255,
                             help_text=_("例如等待企业补充材料、等待听证；挂起期间不计时"))


class ResumeForm(ActionForm):
    note = forms.CharField(label=_("说明"), required=False)


class CompleteTaskForm(ActionForm):
    result = forms.CharField(label=_("协办结果"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(ActionForm):
    resolution = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=_("向企业说明怎么解决的"))
    attachments = MultipleFileField(label=_("佐证材料"), required=False, help_text=_("可选：照片、文件"))


class RateForm(ActionForm):
    satisfaction = forms.ChoiceField(label=_("您对办理结果的评价"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    comment = forms.CharField(label=_("评价意见"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), help_text=_("不满意时必填，事项将重新办理"))


class RevisitForm(ActionForm):
    solved = forms.TypedChoiceField(
        label=_("问题是否真正解决？"), choices=[("1", _("已解决")), ("0", _("未解决"))], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("未解决时必填，事项将重新办理"))


class WithdrawForm(ActionForm):
    reason = forms.CharField(label=_("撤回原因"), required=False, max_length=500)


class UrgeForm(ActionForm):
    note = forms.CharField(label=_("催办留言"), required=False, max_length=500)


class MergeForm(ActionForm):
    into = forms.CharField(label=_("并入事项编号"), max_length=24, help_text=_("例如 WT2026-000001"))
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class NoteForm(ActionForm):
    note = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}))
    internal = forms.BooleanField(label=_("内部备注（企业看不到）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.user is None or self.user.role == Role.ENTERPRISE:
            del self.fields["internal"]

