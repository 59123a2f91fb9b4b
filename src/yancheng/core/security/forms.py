"""Forms of the login, second-factor, password and account administration pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.forms import SiteForm, SiteFormMixin
from yancheng.core.models import Organisation, Role
from yancheng.core.models.users import ADMIN_ROLES


class LoginForm(SiteFormMixin, AuthenticationForm):
    """Django's form with our wording. The error never says whether the username exists."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续失败 5 次将锁定 15 分钟。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class OtpTokenForm(SiteForm):
    token = forms.CharField(
        label=_("动态口令"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
        help_text=_("打开手机上的身份验证器应用，输入显示的 6 位数字。"),
    )

    def clean_token(self) -> str:
        token = str(self.cleaned_data["token"]).strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("动态口令只包含数字。"))
        return token


class OwnPasswordChangeForm(SiteFormMixin, PasswordChangeForm):
    """The user's own change: the current password is required (ASVS 5.0-6.2.3); the new one
    must differ from it. Saving goes through ``user_set_password`` in the view."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("再次输入新密码")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", _("新密码不能与当前密码相同。"))
        return cleaned


class _NewPasswordMixin(SiteForm):
    new_password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        return cleaned


def business_role_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Role.choices if value not in ADMIN_ROLES]


class AccountCreateForm(_NewPasswordMixin):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    role = forms.ChoiceField(label=_("角色"), choices=business_role_choices)
    organisation = forms.ModelChoiceField(
        label=_("所属单位"), queryset=Organisation.objects.filter(is_active=True).order_by("path")
    )
    phone = forms.CharField(label=_("手机号"), max_length=32, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    enforcement_certificate_no = forms.CharField(label=_("执法证号"), max_length=32, required=False)


class AccountPasswordResetForm(_NewPasswordMixin):
    pass


class AccountRoleForm(SiteForm):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
