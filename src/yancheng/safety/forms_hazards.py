"""Forms of the hazard pages: the report (staff, enterprises, the public) and each step of
the action table. They only parse the input; the services check permission, stage and
limits again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Enterprise, Region
from yancheng.inspections.shared import visits_open_for_findings

from .models import HazardLevel, SafetySystem, SystemChecklistItem


def text(label: Any, *, required: bool = True, max_length: int = 4000, rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class StepForm(SiteForm):
    """Every step's form carries the version of the hazard the page showed. The page builds
    each with the user and the hazard (``user=``, ``hazard=``), for forms whose choices depend
    on them."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any = None, hazard: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class _OwnVisitForm(StepForm):
    """A verification on site may sit on the verifier's own follow-up visit, registered through
    the enterprise's code: the choice lists only those (newest first)."""

    inspection = forms.TypedChoiceField(label=_("入企检查登记（可选）"), required=False, coerce=int, empty_value=None,
                                        help_text=_("您本人对该企业的复查登记"))

    def __init__(self, *args: Any, user: Any = None, hazard: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enterprise = getattr(hazard, "enterprise", None)
        visits = visits_open_for_findings(user, enterprise) if user is not None and enterprise is not None else []
        self.fields["inspection"].choices = [("", _("不关联入企检查"))] + [  # type: ignore[attr-defined]
            (v.pk, f"{v.number} · {timezone.localtime(v.started_at):%Y-%m-%d %H:%M}") for v in visits
        ]


class AcceptForm(StepForm):
    rectify_by = forms.DateField(label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("重大事故隐患留空则取治理方案的时限。"))
    responsible_person = forms.CharField(label=_("整改责任人"), required=False, max_length=64)
    enforcement_measures = text(_("执法措施"), required=False, max_length=2000, rows=2)


class ReasonForm(StepForm):
    reason = text(_("理由"), max_length=300, rows=2)


class ReportForm(StepForm):
    situation_cause = text(_("隐患现状及产生原因"), required=False)
    harm_difficulty = text(_("危害程度和整改难易程度"), required=False)
    plan_measures = text(_("治理措施"), required=False)
    plan_owner = forms.CharField(label=_("治理责任人"), required=False, max_length=64)
    plan_funds = forms.DecimalField(label=_("治理资金（万元）"), required=False, min_value=0, max_digits=12,
                                    decimal_places=2)
    plan_deadline = forms.DateField(label=_("治理时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    plan_contingency = text(_("应急预案"), required=False)


class ReclassifyForm(StepForm):
    level = forms.ChoiceField(label=_("隐患等级"), choices=HazardLevel.choices)
    reason = text(_("理由"), max_length=300, rows=2)


class EvidenceForm(StepForm):
    measures_taken = text(_("整改情况"))
    attachments = PhotosField(label=_("整改后照片"), required=False)


class VerifyForm(_OwnVisitForm):
    note = text(_("验收意见"), required=False, max_length=300, rows=2)


class SendBackForm(_OwnVisitForm):
    note = text(_("退回理由"), max_length=300, rows=2)


class HazardReportForm(SiteForm):
    """The staff's and enterprises' report (phone-first: one column)."""

    system = forms.ModelChoiceField(label=_("责任制"), queryset=SafetySystem.objects.filter(is_active=True))
    item = forms.ModelChoiceField(label=_("对应检查项"), queryset=SystemChecklistItem.objects.all(), required=False)
    level = forms.ChoiceField(label=_("隐患等级"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL)
    title = forms.CharField(label=_("隐患名称"), max_length=120)
    description = text(_("隐患描述"))
    location = forms.CharField(label=_("具体位置"), max_length=200, required=False)
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none(), required=False)
    region = forms.ModelChoiceField(label=_("所在区划"), queryset=Region.objects.all(), required=False)
    photos = PhotosField(label=_("隐患照片"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user)  # type: ignore[attr-defined]


class PublicHazardForm(SiteForm):
    """The public's report: no login; contact details optional."""

    system = forms.ModelChoiceField(label=_("隐患类别"), queryset=SafetySystem.objects.filter(is_active=True))
    region = forms.ModelChoiceField(label=_("所在区划"), queryset=Region.objects.all())
    location = forms.CharField(label=_("具体位置"), max_length=200)
    title = forms.CharField(label=_("隐患简述"), max_length=120)
    description = text(_("详细情况"))
    reporter_name = forms.CharField(label=_("您的姓名（可不填）"), max_length=64, required=False)
    reporter_phone = forms.CharField(label=_("联系电话（可不填）"), max_length=32, required=False)
    photos = PhotosField(label=_("照片"), required=False)
