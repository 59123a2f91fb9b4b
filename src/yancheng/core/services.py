"""Writes of core data. Every one: transaction, lock, permission, validation, save,
audit record (CONVENTIONS "Writes go through services")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.kit.require import require
from yancheng.core.typing import Actor, organisation_of
from yancheng.lib import uscc as uscc_lib

from . import bulk
from .audit.services import AuditEntry, audit_record, audit_record_many
from .crypto import FieldCryptoError, Sealed
from .errors import (
    ConflictError,
    DomainError,
    KeyUnavailableError,
    PermissionDeniedError,
    RowsRefused,
    ValidationFailed,
)
from .models import Enterprise, EnterpriseContact, IndustryChain, Organisation, Region, Role, User
from .models.enterprises import INDUSTRY_CODE_MESSAGE, INDUSTRY_CODE_PATTERN
from .models.users import ADMIN_ROLES

# --- regions --------------------------------------------------------------------------------


def region_upsert(*, code: str, name: str, kind: str, parent: Region | None, actor: Actor | None) -> Region:
    """Create or rename a region by its GB/T 2260 code (reference data)."""
    require(actor, "core.manage_organisations")
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
    actor: Actor | None,
) -> Organisation:
    """Register an organisation (department, park, government, office, utility)."""
    require(actor, "core.manage_organisations")
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
    org: Organisation, *, actor: Actor, expected_version: int | None = None, **changes: Any
) -> Organisation:
    """Rename, re-parent or (de)activate an organisation; moving it moves its subtree."""
    require(actor, "core.manage_organisations")
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
    actor: Actor | None,
) -> User:
    """Create an account. The system administrator creates business accounts; only the
    security administrator grants the three administrator roles (三权分立)."""
    if role not in Role.values:
        raise ValidationFailed(_("未知角色：%(role)s") % {"role": role}, field="role")
    if role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}:
        require(actor, "core.assign_roles")
    else:
        require(actor, "core.manage_users")
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
        try:
            user.save()
        except FieldCryptoError as exc:  # the phone cannot be encrypted: no key file
            raise KeyUnavailableError(_("无法加密手机号：字段加密密钥不可用，请联系系统管理员。"), field="phone") from exc
        _remember_password(user)
        audit_record(
            "user.create",
            user,
            actor=actor,
            after={"username": username, "role": role, "organisation": organisation.pk},
        )
    return user


def _require_account_admin(actor: Actor | None, user: User) -> None:
    """Accounts of the three administrators are the security administrator's: otherwise the
    system administrator could reset the audit administrator's password and act as him."""
    if actor is not None and actor.pk == user.pk:
        return
    require(actor, "core.assign_roles" if user.role in ADMIN_ROLES else "core.manage_users")


def _check_role_fits_organisation(role: str, organisation: Organisation | None) -> None:
    if organisation is None:
        return
    if role == Role.ENTERPRISE and organisation.kind != Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("企业用户必须属于企业账户。"), field="organisation")
    if role != Role.ENTERPRISE and organisation.kind == Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("企业账户下只能建企业用户。"), field="role")


def user_set_role(user: User, *, role: str, actor: Actor | None) -> User:
    """Change a user's role: the security administrator's job, never on their own account."""
    require(actor, "core.assign_roles")
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


def user_set_active(user: User, *, active: bool, actor: Actor | None) -> User:
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


def user_set_password(user: User, *, new_password: str, actor: Actor | None, require_change: bool = False) -> User:
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
        _remember_password(locked)
        audit_record("user.set_password", locked, actor=actor, after={"reset_by_admin": actor is not None and actor.pk != user.pk})
    return locked


def _remember_password(user: User) -> None:
    """Keep the new hash in the password history and drop all but the last
    ``YANCHENG_PASSWORD_HISTORY`` (the caller holds the user's row lock, in its transaction)."""
    from django.conf import settings

    from .models import PasswordHistory

    if not user.has_usable_password():
        return
    PasswordHistory.objects.create(user=user, password=user.password, created_at=user.password_changed_at)
    keep = max(1, int(settings.YANCHENG_PASSWORD_HISTORY))
    kept = list(PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[:keep])
    PasswordHistory.objects.filter(user=user).exclude(pk__in=kept).delete()


# --- enterprises ---------------------------------------------------------------------------------

ENTERPRISE_MASTER_FIELDS = (
    "name",
    "region",
    "park",
    "legal_representative",
    "address",
    "industry_code",
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


def _normalise_industry_code(values: dict[str, Any]) -> None:
    """国民经济行业代码 as written: trimmed, the 门类 letter in capitals ("c3311" is C3311)."""
    code = values.get("industry_code")
    if code is not None:
        values["industry_code"] = str(code).strip().upper()


def _check_enterprise_fields(data: dict[str, Any], actor: Actor | None) -> None:
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
    industry = data.get("industry_code")
    if industry and not re.fullmatch(INDUSTRY_CODE_PATTERN, industry):
        raise ValidationFailed(INDUSTRY_CODE_MESSAGE, field="industry_code")
    if actor is not None and region is not None and getattr(actor, "role", None) == Role.DISPATCHER:
        from .models.visibility import is_citywide

        if not is_citywide(actor) and organisation_of(actor).region_id != region.pk:
            raise PermissionDeniedError(_("只能登记本辖区的企业。"))


# Lengths of the text columns an enterprise and its organisation are created with.
_ENTERPRISE_TEXT_LIMITS = {"name": 128, "legal_representative": 64, "address": 255}


def _clean_new_enterprise(
    *, uscc: str, name: str, region: Region, park: Organisation | None, attributes: dict[str, Any], actor: Actor | None
) -> tuple[str, dict[str, Any]]:
    """The checks of a new enterprise, shared by `enterprise_create` and
    `enterprise_create_many`: the credit code (GB 32100-2015), the fields it may be given
    and their values. Returns the normalised code and the model fields."""
    try:
        code = uscc_lib.validate(uscc)
    except uscc_lib.UsccError as exc:
        raise ValidationFailed(exc.message, field="uscc", code=f"uscc_{exc.code}") from exc
    unknown = set(attributes) - set(ENTERPRISE_MASTER_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    attributes = dict(attributes)
    _normalise_industry_code(attributes)
    data = {"name": name, "region": region, "park": park, **attributes}
    _check_enterprise_fields(data, actor)
    for field, limit in _ENTERPRISE_TEXT_LIMITS.items():
        value = data.get(field)
        if isinstance(value, str) and len(value.strip() if field == "name" else value) > limit:
            raise ValidationFailed(_("最多 %(n)d 个字。") % {"n": limit}, field=field)
    return code, data


def enterprise_create(
    *,
    uscc: str,
    name: str,
    region: Region,
    actor: Actor | None,
    park: Organisation | None = None,
    chains: Iterable[IndustryChain] = (),
    **attributes: Any,
) -> Enterprise:
    """Register an enterprise. The USCC is checked (GB 32100-2015) and must be unique; the
    enterprise gets its own organisation so its staff can have accounts."""
    require(actor, "core.add_enterprise")
    code, data = _clean_new_enterprise(uscc=uscc, name=name, region=region, park=park, attributes=attributes,
                                       actor=actor)
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


# Rows per INSERT and ids per IN (…) of the bulk services.
BULK_BATCH = 2000


def _enterprise_row_arguments(row: Mapping[str, Any]) -> tuple[dict[str, Any], list[IndustryChain]]:
    arguments = dict(row)
    chains = list(arguments.pop("chains", None) or ())
    return arguments, chains


def _enterprise_check_many(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None
) -> tuple[dict[int, DomainError], list[tuple[str, dict[str, Any], list[IndustryChain]]]]:
    errors: dict[int, DomainError] = {}
    cleaned: list[tuple[str, dict[str, Any], list[IndustryChain]]] = []
    first_of: dict[str, int] = {}
    for index, row in enumerate(rows):
        arguments, chains = _enterprise_row_arguments(row)
        try:
            code, data = _clean_new_enterprise(
                uscc=arguments.pop("uscc", ""),
                name=arguments.pop("name", ""),
                region=arguments.pop("region", None),
                park=arguments.pop("park", None),
                attributes=arguments,
                actor=actor,
            )
        except DomainError as exc:
            errors[index] = exc
            cleaned.append(("", {}, []))
            continue
        if code in first_of:
            errors[index] = ConflictError(
                _("统一社会信用代码 %(code)s 与第 %(n)d 条重复。") % {"code": code, "n": first_of[code] + 1},
                field="uscc", code="uscc_duplicate",
            )
        else:
            first_of[code] = index
        cleaned.append((code, data, chains))
    codes = list(first_of)
    registered: set[str] = set()
    taken_orgs: set[str] = set()
    for start in range(0, len(codes), BULK_BATCH):
        chunk = codes[start : start + BULK_BATCH]
        registered.update(Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))
        taken_orgs.update(
            Organisation.objects.filter(code__in=[f"ent-{c.lower()}" for c in chunk]).values_list("code", flat=True)
        )
    for code, index in first_of.items():
        if code in registered or f"ent-{code.lower()}" in taken_orgs:
            errors[index] = ConflictError(
                _("统一社会信用代码 %(code)s 已登记，不能重复创建。") % {"code": code}, field="uscc",
                code="uscc_duplicate",
            )
    return errors, cleaned


def enterprise_validate_many(rows: Sequence[Mapping[str, Any]], *, actor: Actor | None) -> dict[int, DomainError]:
    """Check rows for `enterprise_create_many` without writing anything (an import's dry run
    when some rows could not even be read): the index of each refused row and why."""
    require(actor, "core.add_enterprise")
    errors, _cleaned = _enterprise_check_many(rows, actor=actor)
    return errors


def enterprise_create_many(rows: Sequence[Mapping[str, Any]], *, actor: Actor | None) -> list[Enterprise]:
    """Register many enterprises at once (the .xlsx import): each row holds the arguments
    of `enterprise_create` and passes the same checks. All or nothing: if any row is
    refused, `RowsRefused` names every refused row and nothing is written.

    One statement per table instead of some twenty per enterprise: the enterprises'
    organisations (paths included), the enterprises, their chains and one audit record
    per enterprise — the same rows and records `enterprise_create` writes."""
    require(actor, "core.add_enterprise")
    errors, cleaned = _enterprise_check_many(rows, actor=actor)
    if errors:
        raise RowsRefused(errors)
    if not cleaned:
        return []
    duplicate = ConflictError(
        _("导入期间有相同统一社会信用代码的企业被登记，请重新导入。"), field="uscc", code="uscc_duplicate"
    )
    with transaction.atomic():
        # Ids first, so that each organisation's materialised path ("<parent's path><id>/",
        # as _compute_path) is known before the one INSERT of all of them.
        ids = bulk.reserve_ids(Organisation, len(cleaned))
        orgs = [
            Organisation(
                pk=pk,
                code=f"ent-{code.lower()}",
                name=data["name"].strip(),
                kind=Organisation.Kind.ENTERPRISE,
                region_id=data["region"].pk,
                parent_id=data["park"].pk if data["park"] is not None else None,
                path=f"{data['park'].path if data['park'] is not None else '/'}{pk}/",
            )
            for (code, data, _chains), pk in zip(cleaned, ids, strict=True)
        ]
        enterprises = [
            Enterprise(uscc=code, organisation=org, **{**data, "name": data["name"].strip()})
            for (code, data, _chains), org in zip(cleaned, orgs, strict=True)
        ]
        try:
            with transaction.atomic():
                bulk.insert(Organisation, orgs)
                bulk.insert_with_ids(Enterprise, enterprises)
        except IntegrityError as exc:  # a concurrent registration of the same code
            raise duplicate from exc
        through = Enterprise.chains.through
        links = []
        codes: list[list[str]] = []
        for enterprise, (_code, _data, chains) in zip(enterprises, cleaned, strict=True):
            unique = {chain.pk: chain for chain in chains}
            links += [through(enterprise_id=enterprise.pk, industrychain_id=pk) for pk in unique]
            codes.append(sorted(chain.code for chain in unique.values()))
        bulk.insert(through, links)
        audit_record_many(
            [
                AuditEntry("enterprise.create", enterprise, after=enterprise.to_audit() | {"chains": chain_codes})
                for enterprise, chain_codes in zip(enterprises, codes, strict=True)
            ],
            actor=actor,
        )
    return enterprises


def enterprise_update(
    enterprise: Enterprise,
    *,
    actor: Actor | None,
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
    _normalise_industry_code(changes)
    if actor is not None and getattr(actor, "role", None) == Role.ENTERPRISE:
        require(actor, "core.change_enterprise_contacts", enterprise)
        if set(changes) - set(ENTERPRISE_SELF_SERVICE_FIELDS) or chains is not None:
            raise PermissionDeniedError(_("企业用户只能修改地址和法定代表人，其他信息请联系主管部门。"))
    else:
        require(actor, "core.change_enterprise", enterprise)
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


# --- encrypted personal data (SPEC §12) -----------------------------------------------------


def reveal_sealed(value: Sealed) -> str:
    """The plain value, or a clear KeyUnavailableError (503): never an empty string for a
    value that is there but cannot be read."""
    try:
        return value.reveal()
    except FieldCryptoError as exc:
        raise KeyUnavailableError(_("无法解密该信息：字段加密密钥不可用，请联系系统管理员。")) from exc


def enterprise_contact_phone_reveal(contact: EnterpriseContact, *, actor: Actor) -> str:
    """Show one contact's full phone number to someone who may call them. Lists show it
    masked; every reveal is audited: who, whose number, when (PIPL art. 51; 等保 8.1.4.3)."""
    require(actor, "core.reveal_contact_phone", contact.enterprise)
    with transaction.atomic():
        plain = reveal_sealed(contact.phone)
        audit_record(
            "enterprise_contact.phone_reveal",
            contact,
            actor=actor,
            after={"enterprise": contact.enterprise_id, "field": "phone"},
        )
    return plain
