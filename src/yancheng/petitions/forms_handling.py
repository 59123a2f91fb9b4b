"""Forms of the handling steps on a matter's page. They only parse the input; the services
in ``handling.py`` and ``reviews.py`` check permission, stage and limits again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yancheng.cases.forms import unit_queryset
from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from .handling import DEFAULT_REPORT_DAYS, INSTRUCTION_MAX, MAX_REPORT_DAYS, REASON_MAX, TEXT_MAX
from .models import Outcome, Petition, PetitionReview, TransferMode

YES_NO_UPHOLD = [("1", _("异议成立，改由其他机关办理")), ("0", _("异议不成立，维持原办理机关"))]
YES_NO_APPROVE = [("1", _("批准延期")), ("0", _("不批准"))]
OPINION_CHOICES = [(o.value, o.label) for o in (Outcome.SUPPORT, Outcome.EXPLAIN, Outcome.REJECT)]


def text(label: Any, *, required: bool = True, max_length: int = TEXT_MAX, rows: int = 3, **kw: Any) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}), **kw)


class OrganField(forms.ModelChoiceField):  # type: ignore[type-arg]
    default_error_messages = {"invalid_choice": _("请从列表中选择办理机关。")}

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class HandlingForm(SiteForm):
    """Every step's form carries the version of the matter the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Actor | None = None, petition: Petition | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.petition = petition
        for field in self.fields.values():
            if isinstance(field, OrganField):
                field.queryset = unit_queryset(user)


class PlainNoteForm(HandlingForm):
    note = text(_("备注"), required=False, max_length=REASON_MAX, rows=2)


def _report_days_help() -> str:
    # interpolated when shown, so the words follow the reader's language
    return gettext("交办时填写；留空为 %(n)d 日") % {"n": DEFAULT_REPORT_DAYS}


class TransferForm(HandlingForm):
    organ = OrganField(label=_("办理机关"), queryset=Organisation.objects.none())
    mode = forms.ChoiceField(label=_("方式"), choices=TransferMode.choices, widget=forms.RadioSelect,
                             initial=TransferMode.FORWARD)
    report_days = forms.IntegerField(
        label=_("办结报告期限（日）"), min_value=15, max_value=MAX_REPORT_DAYS, required=False,
        help_text=lazy(_report_days_help, str)(),
    )
    instruction = text(_("转送交办意见"), required=False, max_length=INSTRUCTION_MAX, rows=2)


class ReasonForm(HandlingForm):
    reason = text(_("理由"))


class DecideObjectionForm(HandlingForm):
    uphold = forms.TypedChoiceField(label=_("审核意见"), choices=YES_NO_UPHOLD, coerce=lambda v: v == "1",
                                    widget=forms.RadioSelect)
    organ = OrganField(label=_("改由哪个机关办理"), queryset=Organisation.objects.none(), required=False,
                       help_text=_("异议成立时选择"))
    note = text(_("审核理由"), rows=2)


class ExtensionRequestForm(HandlingForm):
    days = forms.IntegerField(label=_("延长天数（日）"), min_value=1, max_value=30,
                              help_text=_("累计不超过 30 日，由本机关负责人批准"))
    reason = text(_("延期理由"), max_length=REASON_MAX, rows=2)


class DecideExtensionForm(HandlingForm):
    approve = forms.TypedChoiceField(label=_("审批意见"), choices=YES_NO_APPROVE, coerce=lambda v: v == "1",
                                     widget=forms.RadioSelect)
    note = text(_("审批意见说明"), required=False, max_length=REASON_MAX, rows=2)


class HearingStartForm(HandlingForm):
    reason = forms.CharField(label=_("听证事由"), max_length=200, required=False)


class AnswerForm(HandlingForm):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=Outcome.choices)
    facts = text(_("查明的事实"), required=False)
    reasons = text(_("处理理由"))
    legal_basis = text(_("法律、法规、政策依据"), required=False, rows=2,
                       help_text=_("申诉求决类信访必填"))
    result_text = text(_("处理意见（或协议内容）"), required=False)


class ReportForm(HandlingForm):
    summary = text(_("办结报告"), rows=4)


class ReviewRequestForm(HandlingForm):
    requested_on = forms.DateField(label=_("申请日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                                   initial=timezone.localdate)
    organ = OrganField(label=_("复查（复核）机关"), queryset=Organisation.objects.none(),
                       help_text=_("原办理机关的上一级机关"))
    request = text(_("申请理由"))


class ReviewDecideForm(HandlingForm):
    outcome = forms.ChoiceField(label=_("结论"), choices=OPINION_CHOICES)
    facts = text(_("查明的事实"))
    reasons = text(_("处理理由"))
    legal_basis = text(_("法律、法规、政策依据"), rows=2)


def pending_review(petition: Petition) -> PetitionReview | None:
    return petition.reviews.filter(decided_at__isnull=True).select_related("organ").first()
