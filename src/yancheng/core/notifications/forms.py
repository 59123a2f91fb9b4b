from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm
from yancheng.core.models import Organisation

from .models import Delivery, OrganisationChannel


class ChannelForm(SiteForm):
    """A group robot. The webhook URL and the signing secret are write-only: the form
    never shows them back (blank on editing keeps the stored value)."""

    organisation = forms.ModelChoiceField(label=_("单位"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=OrganisationChannel.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=64, help_text=_("如“园区调度工作群”"))
    webhook_url = forms.CharField(
        label=_("Webhook 地址"),
        max_length=500,
        help_text=_("在群设置 → 群机器人中复制，以 https:// 开头。"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        label=_("加签密钥（仅钉钉）"),
        max_length=128,
        required=False,
        help_text=_("钉钉机器人“安全设置”选择“加签”时显示的 SEC 开头的密钥；未启用加签则留空。"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    clear_secret = forms.BooleanField(label=_("删除已保存的加签密钥"), required=False)
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, organisations: Any = None, channel: OrganisationChannel | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.fields["organisation"].queryset = (  # type: ignore[attr-defined]
            organisations if organisations is not None else Organisation.objects.filter(is_active=True)
        )
        if channel is None:
            del self.fields["clear_secret"]
        else:
            self.fields["organisation"].disabled = True
            self.fields["kind"].disabled = True
            self.fields["webhook_url"].required = False
            self.fields["webhook_url"].help_text = _("当前：%(masked)s。留空则不修改。") % {
                "masked": channel.webhook_display
            }
            if channel.kind != OrganisationChannel.Kind.DINGTALK:
                del self.fields["secret"]
                del self.fields["clear_secret"]
            elif channel.secret:
                self.fields["secret"].help_text = _("已保存加签密钥。留空则不修改。")
            else:
                del self.fields["clear_secret"]


class DeliveryFilterForm(SiteForm):
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *Delivery.Status.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("", _("全部")), *Delivery.Channel.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
