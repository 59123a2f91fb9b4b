"""Forms of the inspector's pages (扫码入企). They only parse the input; the rules are checked
by `registration.register.inspection_register` / `registration.finish.inspection_finish`, whose refusals the views put
back on the form's fields."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Organisation

from .models import (
    EntryMode,
    ExemptionReason,
    Inspection,
    InspectionItem,
    InspectionKind,
    InspectorLicence,
    JointProposal,
    OutsidePlanReason,
    PlanEntry,
    VisitPurpose,
)
from .registration.preview import Preview, joint_departments

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
_SPLIT_RE = re.compile(r"[\s,，、;；]+")


class LocalDateTimeInput(forms.DateTimeInput):
    """The phone's own date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ItemField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


class LicenceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name}（{obj.certificate_no}）"


class PlanField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        target = obj.enterprise.name if obj.enterprise_id else obj.enterprise_class
        return f"{obj.item.name} · {target} · {obj.window_start:%m-%d}–{obj.window_end:%m-%d}"


class JointField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        names = "、".join(d.name for d in joint_departments(obj))
        return f"{names} · {obj.window_start:%m-%d}–{obj.window_end:%m-%d}"


class FindForm(SiteForm):
    q = forms.CharField(
        label=_("监督码、统一社会信用代码或营业执照二维码内容"), max_length=2000,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autocapitalize": "characters",
                                      "inputmode": "text", "enterkeyhint": "search"}),
    )


class RegisterForm(SiteForm):
    """Everything a registration records; the choices come from the preview (the
    department's published items, registry, open plans and accepted joint inspections)."""

    kind = forms.ChoiceField(label=_("入企类型"), choices=InspectionKind.choices, initial=InspectionKind.ENFORCEMENT,
                             widget=forms.RadioSelect)
    purpose = forms.ChoiceField(label=_("入企目的（非执法入企）"), choices=VisitPurpose.choices, required=False,
                                widget=forms.RadioSelect)
    joint_proposal = JointField(label=_("联合检查"), queryset=JointProposal.objects.none(), required=False,
                                widget=forms.RadioSelect, empty_label=_("本部门单独检查"))
    items = ItemField(label=_("检查事项（已公布清单）"), queryset=InspectionItem.objects.none(), required=False,
                      widget=forms.CheckboxSelectMultiple)
    colleagues = LicenceField(label=_("同行检查人员"), queryset=InspectorLicence.objects.none(), required=False,
                              widget=forms.CheckboxSelectMultiple,
                              help_text=_("至少两名持证人员：您本人和至少一名同事。"))
    other_certificates = forms.CharField(
        label=_("或输入同行人员的执法证号"), required=False, max_length=400,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text=_("多个证号用空格或逗号分隔"),
    )
    legal_basis = forms.CharField(label=_("检查依据"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("留空则使用所选事项的检查依据"))
    plan_entry = PlanField(label=_("所依计划"), queryset=PlanEntry.objects.none(), required=False,
                           widget=forms.RadioSelect, empty_label=_("计划外检查"))
    outside_plan_reason = forms.ChoiceField(label=_("计划外事由"), choices=[("", "—"), *OutsidePlanReason.choices],
                                            required=False)
    exemption_reason = forms.ModelChoiceField(label=_("豁免事由"), queryset=ExemptionReason.objects.none(),
                                              required=False, empty_label=_("无（计入检查频次）"))
    exemption_evidence = forms.CharField(label=_("豁免证明"), required=False, max_length=2000,
                                         widget=forms.Textarea(attrs={"rows": 2}),
                                         help_text=_("例如投诉举报编号、12345工单号、交办文号"))
    entry_mode = forms.ChoiceField(label=_("登记方式"), choices=EntryMode.choices, initial=EntryMode.SCANNED,
                                   widget=forms.RadioSelect)
    entry_mode_reason = forms.CharField(label=_("先查后扫/补录原因"), required=False, max_length=2000,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    started_at = forms.DateTimeField(label=_("实际开始时间"), required=False, input_formats=DATETIME_FORMATS,
                                     widget=LocalDateTimeInput(),
                                     help_text=_("先查后扫或事后补录时填写；进门前扫码以登记时间为准"))
    acknowledge_warnings = forms.BooleanField(label=_("我已知悉上述提示，仍需登记"), required=False)

    def __init__(self, *args: Any, preview: Preview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preview = preview
        own = preview.department
        departments: dict[int, Organisation] = {own.pk: own} if own is not None else {}
        for proposal in preview.joint_proposals:
            for dept in joint_departments(proposal):
                departments.setdefault(dept.pk, dept)
        dept_ids = list(departments)
        fields: Any = self.fields
        fields["items"].queryset = (
            InspectionItem.objects.filter(department_id__in=dept_ids, published_at__isnull=False,
                                          withdrawn_at__isnull=True)
            .select_related("department").order_by("department__name", "code")
        )
        today = timezone.localdate()
        own_licence = preview.licence
        licences = InspectorLicence.objects.filter(department_id__in=dept_ids, status=InspectorLicence.Status.ACTIVE)
        licences = licences.exclude(valid_until__lt=today)
        if own_licence is not None:
            licences = licences.exclude(pk=own_licence.pk)
        fields["colleagues"].queryset = licences.select_related("department").order_by("department__name", "full_name")
        fields["plan_entry"].queryset = PlanEntry.objects.filter(pk__in=[e.pk for e in preview.plan_entries]) \
            .select_related("item", "enterprise").order_by("window_start", "pk")
        fields["joint_proposal"].queryset = JointProposal.objects.filter(pk__in=[p.pk for p in preview.joint_proposals])
        fields["exemption_reason"].queryset = ExemptionReason.objects.filter(is_active=True).order_by("code")
        if not preview.plan_entries:
            fields["plan_entry"].widget = forms.HiddenInput()
        if not preview.joint_proposals:
            fields["joint_proposal"].widget = forms.HiddenInput()

    @property
    def multi_department(self) -> bool:
        return bool(self.preview.joint_proposals)

    def certificates(self) -> list[str]:
        """The inspectors named: the registering inspector, the colleagues ticked and the
        certificate numbers typed."""
        data = self.cleaned_data
        numbers: list[str] = []
        if self.preview.licence is not None:
            numbers.append(self.preview.licence.certificate_no)
        numbers += [lic.certificate_no for lic in data.get("colleagues") or []]
        numbers += [n.upper() for n in _SPLIT_RE.split(data.get("other_certificates") or "") if n]
        return list(dict.fromkeys(numbers))


class FinishForm(SiteForm):
    outcome = forms.ChoiceField(label=_("检查结果"), choices=Inspection.Outcome.choices, widget=forms.RadioSelect)
    result = forms.CharField(label=_("结果说明"), required=False, max_length=10_000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("发现的问题、责令整改的事项和期限等"))
    ended_at = forms.DateTimeField(label=_("结束时间"), required=False, input_formats=DATETIME_FORMATS,
                                   widget=LocalDateTimeInput(), help_text=_("留空则为现在"))
    version = forms.IntegerField(widget=forms.HiddenInput())
