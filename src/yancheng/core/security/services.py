"""Account administration and second-factor writes (三权分立, SPEC §1 and §12).

These add the separation-of-duties rules of the administration pages on top of the core
user services (yancheng.core.services), which they call: every change is audited there
or here, inside the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation, Role, User
from yancheng.core.models.users import ADMIN_ROLES
from yancheng.core.services import (
    reveal_sealed,
    user_create,
    user_set_active,
    user_set_password,
    user_set_role,
)
from yancheng.core.typing import Actor

from .sessions import end_all_sessions


def _deny(actor: Actor | None, obj: Any, reason: str, message: str) -> PermissionDeniedError:
    audit_record(
        "permission_denied", obj, actor=actor, after={"reason": reason}, outcome=AuditEvent.Outcome.DENIED
    )
    return PermissionDeniedError(message)


def _is_privileged(user: User) -> bool:
    return user.role in ADMIN_ROLES or user.is_superuser


def account_create(
    *,
    username: str,
    password: str,
    role: str,
    organisation: Organisation,
    full_name: str = "",
    phone: str = "",
    email: str = "",
    enforcement_certificate_no: str = "",
    actor: Actor,
) -> User:
    """The system administrator opens a business account. It never carries one of the three
    administrator roles (only the security administrator grants those), and its first
    password must be changed at the first login."""
    require(actor, "security.create_account")
    if role in ADMIN_ROLES:
        raise _deny(
            actor, None, "admin_role", _("系统管理员不能创建管理员账号；管理员角色只能由安全管理员授予。")
        )
    return user_create(
        username=username,
        password=password,
        role=role,
        organisation=organisation,
        full_name=full_name,
        phone=phone,
        email=email,
        enforcement_certificate_no=enforcement_certificate_no,
        must_change_password=True,
        actor=actor,
    )


def account_set_active(user: User, *, active: bool, actor: Actor | None) -> User:
    """Disable or re-enable a business account (the system administrator). Disabling ends
    every session of the user (done by ``user_set_active``)."""
    require(actor, "security.set_account_active", user)
    if actor is not None and actor.pk == user.pk:
        raise _deny(actor, user, "self", _("不能停用或启用自己的账号。"))
    if actor is not None and _is_privileged(user):
        raise _deny(actor, user, "admin_account", _("管理员账号不能由系统管理员停用或启用。"))
    return user_set_active(user, active=active, actor=actor)


def account_reset_password(user: User, *, new_password: str, actor: Actor | None) -> User:
    """The system administrator sets a temporary password; the user must change it at the
    next login, and every session of the user ends. Administrator accounts are out of
    reach: resetting the audit administrator's password would let the system
    administrator act as them."""
    require(actor, "security.reset_account_password", user)
    if actor is not None and actor.pk == user.pk:
        raise _deny(actor, user, "self", _("请通过“修改密码”修改自己的密码。"))
    if actor is not None and _is_privileged(user):
        raise _deny(actor, user, "admin_account", _("管理员账号的密码不能由系统管理员重置。"))
    with transaction.atomic():
        updated = user_set_password(user, new_password=new_password, actor=actor, require_change=True)
        transaction.on_commit(lambda: end_all_sessions(updated))
    return updated


def account_end_sessions(user: User, *, actor: Actor) -> int:
    """Force a user out of every device (the system administrator's "强制下线")."""
    require(actor, "security.end_account_sessions", user)
    with transaction.atomic():
        ended = end_all_sessions(user)
        audit_record("user.end_sessions", user, actor=actor, after={"sessions_ended": ended})
    return ended


def account_set_role(user: User, *, role: str, actor: Actor) -> User:
    """The security administrator changes a role, including granting the three administrator
    roles — never on their own account (checked by ``user_set_role``). Enterprise staff
    stay in enterprise organisations and government staff outside them."""
    require(actor, "security.set_account_role", user)
    if role not in Role.values:
        raise ValidationFailed(_("未知角色：%(role)s") % {"role": role}, field="role")
    org = user.organisation
    if org is not None:
        is_enterprise_org = org.kind == Organisation.Kind.ENTERPRISE
        if role == Role.ENTERPRISE and not is_enterprise_org:
            raise ValidationFailed(_("企业用户必须属于企业账户。"), field="role")
        if role != Role.ENTERPRISE and is_enterprise_org:
            raise ValidationFailed(_("企业账户下只能是企业用户。"), field="role")
    return user_set_role(user, role=role, actor=actor)


def account_unlock(user: User, *, actor: Actor) -> int:
    """Lift a login lockout (django-axes) before its 15 minutes are over, on every address.
    Returns the number of failure records cleared."""
    require(actor, "security.unlock_account", user)
    from axes.utils import reset

    with transaction.atomic():
        cleared = int(reset(username=user.get_username()) or 0)
        audit_record("user.unlock", user, actor=actor, after={"attempt_records_cleared": cleared})
    return cleared


def account_reset_second_factor(user: User, *, actor: Actor | None) -> int:
    """Remove a user's TOTP devices (lost phone): the user enrols again at the next login.
    Every session of the user ends, so no session stays verified by the old device."""
    require(actor, "security.reset_second_factor", user)
    if actor is not None and actor.pk == user.pk:
        raise _deny(actor, user, "self", _("不能重置自己的动态口令设备。"))
    from django_otp import devices_for_user

    with transaction.atomic():
        removed = 0
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
            removed += 1
        audit_record("user.reset_second_factor", user, actor=actor, after={"devices_removed": removed})
        transaction.on_commit(lambda: end_all_sessions(user))
    return removed


def otp_device_enrol(user: User, *, key: str, last_t: int, actor: Actor | None) -> Any:
    """Store the TOTP device whose secret the user has just proved, with a code, to hold in
    their authenticator app. ``last_t`` is the time step of that code, so it cannot be
    replayed at the next login. A user enrols only their own device, and only one."""
    from django_otp import user_has_device
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if actor is None or actor.pk != user.pk:
        raise PermissionDeniedError(_("只能绑定自己的动态口令设备。"))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if user_has_device(user, confirmed=True):
            raise ConflictError(_("已绑定动态口令设备；如需更换，请联系安全管理员重置。"))
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(
            user=user, key=key, name=_("身份验证器"), confirmed=True, last_t=last_t
        )
        audit_record("user.enrol_second_factor", user, actor=actor, after={"device": device.persistent_id})
    return device


def account_phone_reveal(user: User, *, actor: Actor) -> str:
    """The full phone number of an account, for the system administrator. Shown masked
    everywhere else; each reveal is audited (who revealed whose number, when)."""
    require(actor, "security.reveal_account_phone", user)
    with transaction.atomic():
        plain = reveal_sealed(user.phone)
        audit_record("user.phone_reveal", user, actor=actor, after={"field": "phone"})
    return plain


def account_phone_reveal_by_id(user_id: int, *, actor: Actor) -> str:
    """As ``account_phone_reveal``, for the API: who may not reveal gets 403 (audited)
    whether or not the account exists; who may, 404 for an unknown account."""
    require(actor, "security.reveal_account_phone")
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFoundError(_("账号不存在。"))
    return account_phone_reveal(user, actor=actor)
