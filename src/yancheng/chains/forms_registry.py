"""The registry family's forms: who runs a chain (the office's edit page) and a new version of
the development path. The services validate again and speak the domain's messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Enterprise, Organisation, Role, User

from .services.registry import PATH_MAX_LENGTH


def _picker(multiple: bool, placeholder: Any) -> dict[str, Any]:
    """The searchable picker's attributes (static/js/unit-picker.js over Tom Select); without
    JavaScript the native select works as it is."""
    return {"data-picker": "multiple" if multiple else "single", "data-placeholder": placeholder,
            "data-no-results": _("没有匹配的选项"), "data-remove-label": _("移除")}


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}（{obj.organisation}）" if obj.organisation_id else str(obj.display_name)


class PeopleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}（{obj.organisation}）" if obj.organisation_id else str(obj.display_name)


class ProfileForm(SiteForm):
    """链长, 副链长, 链办工作人员, 后盾单位, 链主, 板块 and the strength rule's minimums. The office
    itself is not chosen here: the office that edits is the chain's."""

    leader = PersonChoiceField(label=_("链长"), queryset=User.objects.none(), required=False)
    deputy_leaders = PeopleChoiceField(label=_("副链长"), queryset=User.objects.none(), required=False)
    staff = PeopleChoiceField(label=_("链办工作人员"), queryset=User.objects.none(), required=False)
    backing_orgs = forms.ModelMultipleChoiceField(label=_("后盾单位"), queryset=Organisation.objects.none(),
                                                  required=False)
    masters = forms.ModelMultipleChoiceField(label=_("链主企业"), queryset=Enterprise.objects.none(), required=False)
    industry_group = forms.CharField(label=_("所属产业板块"), max_length=32, required=False,
                                     help_text=_("如“一核两电三色四新”中的板块"))
    strong_min_enterprises = forms.IntegerField(label=_("强环节最少企业数"), min_value=0, max_value=32767)
    strong_min_above_scale = forms.IntegerField(label=_("强环节最少规上企业数"), min_value=0, max_value=32767)
    strong_min_output = forms.DecimalField(label=_("强环节最低年产值（万元）"), min_value=0, max_digits=14,
                                           decimal_places=2)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leaders = User.objects.filter(role=Role.LEADER, is_active=True).select_related("organisation").order_by(
            "full_name", "username")
        fields: dict[str, Any] = self.fields
        fields["leader"].queryset = leaders
        fields["deputy_leaders"].queryset = leaders
        fields["staff"].queryset = User.objects.filter(role=Role.CHAIN_OFFICE, is_active=True).select_related(
            "organisation").order_by("organisation__path", "full_name", "username")
        fields["backing_orgs"].queryset = Organisation.objects.filter(is_active=True).exclude(
            kind=Organisation.Kind.ENTERPRISE).order_by("path")
        fields["masters"].queryset = Enterprise.objects.visible_to(user).filter(is_active=True).order_by("name")
        fields["leader"].widget.attrs.update(_picker(False, _("输入姓名搜索…")))
        for name in ("deputy_leaders", "staff"):
            fields[name].widget.attrs.update(_picker(True, _("输入姓名搜索，可多选…")))
        fields["backing_orgs"].widget.attrs.update(_picker(True, _("输入单位名称搜索，可多选…")))
        fields["masters"].widget.attrs.update(_picker(True, _("输入企业名称搜索，可多选…")))


class PathForm(SiteForm):
    text = forms.CharField(label=_("发展路径"), max_length=PATH_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 16}),
                           help_text=_("逐链研究完善的发展路径；保存后成为新的版本，旧版本保留。"))
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
