"""Writes of 企业赋码保护 that the other parts stand on: supervision codes, the inspector
registry and the published item lists. Registrations live in `registration.py`, plans and
joint inspections in the `planning` package, ratings and complaints in `ratings.py`, the
supervisor's rules and alerts in the `supervision` package.

Every service: permission first (refused attempts are audited), then one transaction with
the row locked, the change, and its audit record."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed

# Imported by name elsewhere in the app; the check itself lives in the kit.
from yancheng.core.kit.require import require as require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, Organisation, User
from yancheng.core.typing import Actor

from .models import InspectionItem, InspectorLicence, SupervisionCode
from .planning.common import MAX_LEGAL_BASIS

# --- supervision codes ---------------------------------------------------------------------------


def new_token() -> str:
    """An unguessable token (192 bits) for the code's URL."""
    return secrets.token_urlsafe(24)


def active_code(enterprise: Enterprise) -> SupervisionCode | None:
    return SupervisionCode.objects.filter(enterprise=enterprise, revoked_at__isnull=True).first()


def code_issue(enterprise: Enterprise, *, actor: Actor | None, reason: str = "") -> SupervisionCode:
    """Give the enterprise a supervision code. When it has one, that one is revoked in the
    same transaction: a lost or photographed poster stops working at once."""
    require(actor, "inspections.reissue_code", enterprise)
    now = timezone.now()
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        old = SupervisionCode.objects.select_for_update().filter(enterprise=enterprise, revoked_at__isnull=True).first()
        if old is not None:
            old.revoked_at = now
            old.revoked_by = actor
            old.revoke_reason = (reason or _("重新申请监督码"))[:200]
            old.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
            audit_record("supervision_code.revoke", old, actor=actor, after={"reason": old.revoke_reason})
        code = SupervisionCode.objects.create(enterprise=enterprise, token=new_token(), issued_at=now, issued_by=actor)
        audit_record("supervision_code.issue", code, actor=actor, after={"enterprise": enterprise.uscc})
    return code


def code_ensure(enterprise: Enterprise, *, actor: Actor | None = None) -> SupervisionCode:
    """The enterprise's active code, issued now when it has none (the system issues codes
    to every enterprise: 赋码 needs no application)."""
    existing = active_code(enterprise)
    return existing if existing is not None else code_issue(enterprise, actor=actor)


# --- the inspector registry ---------------------------------------------------------------------


def licence_register(
    *,
    department: Organisation,
    full_name: str,
    certificate_no: str,
    actor: Actor | None,
    user: User | None = None,
    valid_until: dt.date | None = None,
) -> InspectorLicence:
    """Enter a person with an enforcement certificate in the department's registry. When the
    person has an account, it must be an inspector of the same department."""
    require(actor, "inspections.manage_department", department)
    if department.kind != Organisation.Kind.DEPARTMENT:
        raise ValidationFailed(_("只有职能部门才有执法人员名录。"), field="department")
    full_name = clean_text(full_name, field="full_name", max_length=64, required=_("请填写姓名。"))
    certificate_no = clean_text(certificate_no, field="certificate_no", max_length=32, required=_("请填写执法证号。")).upper()
    if user is not None and (user.organisation_id != department.pk or user.role != "inspector"):
        raise ValidationFailed(_("关联的账号必须是本部门的检查员。"), field="user")
    try:
        with transaction.atomic():
            licence = InspectorLicence.objects.create(
                department=department, user=user, full_name=full_name, certificate_no=certificate_no,
                valid_until=valid_until,
            )
            audit_record("inspector_licence.create", licence, actor=actor,
                         after={"department": department.code, "certificate_no": certificate_no})
    except IntegrityError as exc:
        if InspectorLicence.objects.filter(certificate_no=certificate_no).exists():
            raise ConflictError(_("执法证号 %(no)s 已在名录中。") % {"no": certificate_no}, code="duplicate") from exc
        raise ConflictError(_("该账号已关联其他执法证。"), code="duplicate") from exc
    return licence


def licence_set_status(licence: InspectorLicence, *, status: str, actor: Actor, note: str = "") -> InspectorLicence:
    """Suspend, revoke or reactivate a registry entry; from then on the person cannot be
    named on a registration."""
    require(actor, "inspections.manage_department", licence.department)
    if status not in InspectorLicence.Status.values:
        raise ValidationFailed(_("未知的状态。"), field="status")
    with transaction.atomic():
        locked = InspectorLicence.objects.select_for_update().get(pk=licence.pk)
        before = locked.status
        if before != status:
            locked.status = status
            locked.save(update_fields=["status", "updated_at"])
            audit_record("inspector_licence.status", locked, actor=actor,
                         before={"status": before}, after={"status": status, "note": note[:200]})
    return locked


def licence_usable(licence: InspectorLicence, on: dt.date | None = None) -> bool:
    """Whether the entry lets its holder inspect on `on` (today by default)."""
    day = on or timezone.localdate()
    return licence.status == InspectorLicence.Status.ACTIVE and (
        licence.valid_until is None or licence.valid_until >= day
    )


# --- the published item lists -------------------------------------------------------------------


def item_create(
    *, department: Organisation, code: str, name: str, legal_basis: str, actor: Actor | None, publish: bool = False
) -> InspectionItem:
    """Add an item to the department's list (a draft until published)."""
    require(actor, "inspections.manage_department", department)
    code = clean_text(code, field="code", max_length=32, required=_("请填写事项编码。"))
    name = clean_text(name, field="name", max_length=200, required=_("请填写检查事项名称。"))
    legal_basis = clean_text(legal_basis, field="legal_basis", max_length=MAX_LEGAL_BASIS, required=_("请填写检查依据。"))
    try:
        with transaction.atomic():
            item = InspectionItem.objects.create(
                department=department, code=code, name=name, legal_basis=legal_basis,
                published_at=timezone.now() if publish else None,
            )
            audit_record("inspection_item.create", item, actor=actor,
                         after={"department": department.code, "code": code, "published": publish})
    except IntegrityError as exc:
        raise ConflictError(_("本部门已有编码为 %(code)s 的事项。") % {"code": code}, code="duplicate") from exc
    return item


def item_publish(item: InspectionItem, *, actor: Actor) -> InspectionItem:
    """Publish an item (or re-publish a withdrawn one): from now on it may be inspected."""
    require(actor, "inspections.manage_department", item.department)
    with transaction.atomic():
        locked = InspectionItem.objects.select_for_update().get(pk=item.pk)
        if locked.is_published:
            return locked
        locked.published_at = timezone.now()
        locked.withdrawn_at = None
        locked.save(update_fields=["published_at", "withdrawn_at"])
        audit_record("inspection_item.publish", locked, actor=actor)
    return locked


def item_withdraw(item: InspectionItem, *, actor: Actor) -> InspectionItem:
    """Stop an item: registrations naming it are refused from now on."""
    require(actor, "inspections.manage_department", item.department)
    with transaction.atomic():
        locked = InspectionItem.objects.select_for_update().get(pk=item.pk)
        if not locked.is_published:
            return locked
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        audit_record("inspection_item.withdraw", locked, actor=actor)
    return locked
