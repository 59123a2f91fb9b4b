"""Writes of core data. Every one: transaction, lock, permission, validation, save,
audit record (CONVENTIONS "Writes go through services")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rules
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.lib import uscc as uscc_lib

from .audit.services import audit_record
from .errors import ConflictError, PermissionDeniedError, ValidationFailed
from .models import Enterprise, IndustryChain, Organisation, Region, Role, User
from .models.users import ADMIN_ROLES


def _require(actor: Any, perm: str, obj: Any = None) -> None:
    """Refuse unless `actor` holds `perm`. ``actor=None`` is the system itself
    (migrations, the demo loader, scheduled jobs), recorded as such in the audit trail."""
    if actor is None:
        return
    if not rules.has_perm(perm, actor, obj):
        audit_record("permission_denied", obj, actor=actor, after={"perm": perm}, outcome="denied")
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))


# --- regions --------------------------------------------------------------------------------


def region_upsert(*, code: str, name: str, kind: str, parent: Region | None, actor: Any) -> Region:
    """Create or rename a region by its GB/T 2260 code (reference data)."""
    _require(actor, "core.manage_organisations")
    with transaction.atomic():
        region = Region.objects.select_for_update().filter(code=code).first()
        if region is None:
            region = Region.objects.create(code=code, name=name, kind=kind, parent=parent)
            audit_record("region.create", region, actor=actor, after={"code": code, "name": name, "kind": kind})
            return region
        before = {"name": region.name, "kind": region.kind, "parent": region.parent_id}
        after = {"name": name, "kind": kind, "parent": parent.pk if parent else None}
        if before != after:
            region.name, region.kind, region.parent = name, kind, parent
            region.save(update_fields=["name", "kind", "parent"])
            audit_record("region.update", region, actor=actor, before=before, after=after)
        return region


# --- organisations -----------------------------------------------------------------------


def _compute_path(org: Organisation) -> str:
    prefix = org.parent.path if org.parent_id and org.parent else "/"
    return f"{prefix}{org.pk}/"


def organisation_create(
    *,
    code: str,
    name: str,
    kind: str,
    region: Region,
    parent: Organisation | None = None,
    short_name: str = "",
    actor: Any,
) -> Organisation:
    """Register an organisation (department, park, government, office, utility)."""
    _require(actor, "core.manage_organisations")
    if kind not in Organisation.Kind.values:
        raise ValidationFailed(_("未知的机构类型：%(kind)s") % {"kind": kind}, field="kind")
    with transaction.atomic():
        if Organisation.objects.filter(code=code).exists():
            raise ConflictError(_("机构编码 %(code)s 已存在。") % {"code": code}, field="code")
        org = Organisation(code=code, name=name, short_name=short_name, kind=kind, region=region, parent=parent)
        org.save()
        org.path = _compute_path(org)
        org.save(update_fields=["path"])
        audit_record("organisation.create", org, actor=actor, after=org.to_audit())
    return org


def organisation_update(
    org: Organisation, *, actor: Any, expected_version: int | None = None, **changes: Any
) -> Organisation:
    """Rename, re-parent or (de)activate an organisation; moving it moves its subtree."""
    _require(actor, "core.manage_organisations")
    allowed = {"name", "short_name", "parent", "region", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=org.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(_("该机构已被他人修改，请刷新后重试。"))
        before = locked.to_audit()
        new_parent = changes.get("parent", locked.parent)
        if new_parent is not None and (new_parent.pk == locked.pk or new_parent.path.startswith(locked.path)):
            raise ValidationFailed(_("上级单位不能是本单位或其下级单位。"), field="parent")
        for key, value in changes.items():
            setattr(locked, key, value)
        old_path = locked.path
        locked.path = _compute_path(locked)
        locked.version += 1
        locked.save()
        if old_path != locked.path:
            for child in Organisation.objects.filter(path__startswith=old_path).exclude(pk=locked.pk):
                child.path = locked.path + child.path[len(old_path) :]
                child.save(update_fields=["path"])
        audit_record("organisation.update", locked, actor=actor, before=before, after=locked.to_audit())
    return locked


# --- users ------------------------------------------------------------------------------------


def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    organisation: Organisation,
    full_name: str = "",
    phone: str = "",
    email: str = "",
    enforcement_certificate_no: str = "",
    must_change_password: bool = True,
    actor: Any,
) -> User:
    """Create an account. The system administrator creates business accounts; only the
    security administrator grants the three administrator roles (三权分立)."""
    if role not in Role.values:
        raise ValidationFailed(_("未知角色：%(role)s") % {"role": role}, field="role")
    if role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}:
        _require(actor, "core.assign_roles")
    else:
        _require(actor, "core.manage_users")
    _check_role_fits_organisation(role, organisation)
    user = User(
        username=username,
        role=role,
        organisation=organisation,
        full_name=full_name,
        phone=phone,
        email=email,
        enforcement_certificate_no=enforcement_certificate_no,
        must_change_password=must_change_password,
        is_staff=role == Role.SYSTEM_ADMIN,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), field="password") from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ConflictError(_("用户名 %(u)s 已被使用。") % {"u": username}, field="username")
        user.save()
        audit_record(
            "user.create",
            user,
            actor=actor,
            after={"username": username, "role": role, "organisation": organisation.pk},
        )
    return user


def _require_account_admin(actor: Any, user: User) -> None:
    """Accounts of the three administrators are the security administrator's: otherwise the
    system administrator could reset the audit administrator's password and act as him."""
    if actor is not None and actor.pk == user.pk:
        return
    _require(actor, "core.assign_roles" if user.role in ADMIN_ROLES else "core.manage_users")


def _check_role_fits_organisation(role: str, organisation: Organisation | None) -> None:
    if organisation is None:
        return
    if role == Role.ENTERPRISE and organisation.kind != Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("企业用户必须属于企业账户。"), field="organisation")
    if role != Role.ENTERPRISE and organisation.kind == Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("企业账户下只能建企业用户。"), field="role")


def user_set_role(user: User, *, role: str, actor: Any) -> User:
    """Change a user's role: the security administrator's job, never on their own account."""
    _require(actor, "core.assign_roles")
    if role not in Role.values:
        raise ValidationFailed(_("未知角色：%(role)s") % {"role": role}, field="role")
    if actor is not None and actor.pk == user.pk:
        raise PermissionDeniedError(_("不能修改自己的角色。"))
    _check_role_fits_organisation(role, user.organisation)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = {"role": locked.role}
        locked.role = role
        locked.is_staff = role == Role.SYSTEM_ADMIN
        locked.save(update_fields=["role", "is_staff"])
        audit_record("user.set_role", locked, actor=actor, before=before, after={"role": role})
    return locked


def user_set_active(user: User, *, active: bool, actor: Any) -> User:
    """Disable or re-enable an account. Disabling ends every session of the user."""
    _require_account_admin(actor, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = {"is_active": locked.is_active}
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        audit_record("user.set_active", locked, actor=actor, before=before, after={"is_active": active})
        if not active:
            from .security.sessions import end_all_sessions

            transaction.on_commit(lambda: end_all_sessions(locked))
    return locked


def user_set_password(user: User, *, new_password: str, actor: Any, require_change: bool = False) -> User:
    """Set a password (own change or an administrator's reset); validated against the policy."""
    _require_account_admin(actor, user)
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password") from exc
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(new_password)
        locked.password_changed_at = timezone.now()
        locked.must_change_password = require_change
        locked.save(update_fields=["password", "password_changed_at", "must_change_password"])
        audit_record("user.set_password", locked, actor=actor, after={"reset_by_admin": actor is not None and actor.pk != user.pk})
    return locked


# --- enterprises ---------------------------------------------------------------------------------

ENTERPRISE_MASTER_FIELDS = (
    "name",
    "region",
    "park",
    "legal_representative",
    "address",
    "is_above_scale_industry",
    "is_above_quota_trade",
    "is_qualified_construction",
    "is_above_scale_service",
    "srdi_tier",
    "srdi_valid_until",
    "grade",
    "is_active",
)
ENTERPRISE_SELF_SERVICE_FIELDS = ("legal_representative", "address")


def _check_enterprise_fields(data: dict[str, Any], actor: Any) -> None:
    name = (data.get("name") or "").strip() if "name" in data else None
    if name is not None and not name:
        raise ValidationFailed(_("请填写企业名称。"), field="name")
    park = data.get("park")
    region = data.get("region")
    if park is not None and park.kind != Organisation.Kind.PARK:
        raise ValidationFailed(_("“%(p)s”不是园区。") % {"p": park}, field="park")
    if park is not None and region is not None and park.region_id != region.pk:
        raise ValidationFailed(
            _("园区“%(p)s”不在%(r)s。") % {"p": park, "r": region.name}, field="park"
        )
    grade = data.get("grade")
    if grade is not None and grade not in Enterprise.Grade.values:
        raise ValidationFailed(_("信用风险等级只能是 A、B、C、D。"), field="grade")
    tier = data.get("srdi_tier")
    if tier is not None and tier not in Enterprise.SrdiTier.values:
        raise ValidationFailed(_("未知的专精特新梯度。"), field="srdi_tier")
    if actor is not None and region is not None and getattr(actor, "role", None) == Role.DISPATCHER:
        from .permissions import is_citywide

        if not is_citywide(actor) and actor.organisation.region_id != region.pk:
            raise PermissionDeniedError(_("只能登记本辖区的企业。"))


def enterprise_create(
    *,
    uscc: str,
    name: str,
    region: Region,
    actor: Any,
    park: Organisation | None = None,
    chains: Iterable[IndustryChain] = (),
    **attributes: Any,
) -> Enterprise:
    """Register an enterprise. The USCC is checked (GB 32100-2015) and must be unique; the
    enterprise gets its own organisation so its staff can have accounts."""
    _require(actor, "core.add_enterprise")
    try:
        code = uscc_lib.validate(uscc)
    except uscc_lib.UsccError as exc:
        raise ValidationFailed(exc.message, field="uscc", code=f"uscc_{exc.code}") from exc
    unknown = set(attributes) - set(ENTERPRISE_MASTER_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    data = {"name": name, "region": region, "park": park, **attributes}
    _check_enterprise_fields(data, actor)
    with transaction.atomic():
        if Enterprise.objects.filter(uscc=code).exists():
            raise ConflictError(
                _("统一社会信用代码 %(code)s 已登记，不能重复创建。") % {"code": code}, field="uscc", code="uscc_duplicate"
            )
        enterprise = Enterprise(uscc=code, **{**data, "name": name.strip()})
        try:
            with transaction.atomic():
                enterprise.save()
        except IntegrityError as exc:  # a concurrent registration of the same code
            raise ConflictError(
                _("统一社会信用代码 %(code)s 已登记，不能重复创建。") % {"code": code}, field="uscc", code="uscc_duplicate"
            ) from exc
        org = Organisation(
            code=f"ent-{code.lower()}",
            name=enterprise.name,
            kind=Organisation.Kind.ENTERPRISE,
            region=region,
            parent=park,
        )
        org.save()
        org.path = _compute_path(org)
        org.save(update_fields=["path"])
        enterprise.organisation = org
        enterprise.save(update_fields=["organisation"])
        if chains:
            enterprise.chains.set(chains)
        after = enterprise.to_audit() | {"chains": sorted(c.code for c in enterprise.chains.all())}
        audit_record("enterprise.create", enterprise, actor=actor, after=after)
    return enterprise


def enterprise_update(
    enterprise: Enterprise,
    *,
    actor: Any,
    expected_version: int | None = None,
    chains: Iterable[IndustryChain] | None = None,
    **changes: Any,
) -> Enterprise:
    """Change an enterprise's attributes. Its own users may change only their address and
    legal representative; the USCC never changes (register a new enterprise instead)."""
    if "uscc" in changes:
        raise ValidationFailed(_("统一社会信用代码不能修改。"), field="uscc")
    unknown = set(changes) - set(ENTERPRISE_MASTER_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    if actor is not None and getattr(actor, "role", None) == Role.ENTERPRISE:
        _require(actor, "core.change_enterprise_contacts", enterprise)
        if set(changes) - set(ENTERPRISE_SELF_SERVICE_FIELDS) or chains is not None:
            raise PermissionDeniedError(_("企业用户只能修改地址和法定代表人，其他信息请联系主管部门。"))
    else:
        _require(actor, "core.change_enterprise", enterprise)
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(_("该企业信息已被他人修改，请刷新后重试。"), code="stale_version")
        merged = {f: getattr(locked, f) for f in ("name", "region", "park")} | changes
        _check_enterprise_fields(merged | {"name": merged.get("name")}, actor)
        before = locked.to_audit() | {"chains": sorted(c.code for c in locked.chains.all())}
        changed = [f for f, v in changes.items() if getattr(locked, f) != v]
        for f in changed:
            setattr(locked, f, changes[f])
        if "name" in changed:
            locked.name = locked.name.strip()
        if changed or chains is not None:
            locked.version += 1
            locked.save(update_fields=[*changed, "version", "updated_at"])
            if chains is not None:
                locked.chains.set(chains)
            if "name" in changed and locked.organisation_id:
                Organisation.objects.filter(pk=locked.organisation_id).update(name=locked.name)
            after = locked.to_audit() | {"chains": sorted(c.code for c in locked.chains.all())}
            audit_record("enterprise.update", locked, actor=actor, before=before, after=after)
    return locked
