"""要素保障: a project's needs of land, power, water, gas, labour or finance (SPEC §3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import (
    NotFoundError,
    ValidationFailed,
)
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation, Role
from yancheng.core.typing import Actor

from ..models import (
    FactorNeed,
    Project,
)
from .common import _lock, _money

# --- 要素保障 ---------------------------------------------------------------------------------------


def factor_need_add(
    project: Project, *, kind: str, quantity: Any, responsible_org: Organisation, actor: Actor | None,
    needed_by: dt.date | None = None, note: str = "",
) -> FactorNeed:
    """Record a need of land, power, water, gas, labour or finance and who arranges it."""
    if kind not in FactorNeed.Kind.values:
        raise ValidationFailed(_("未知的要素类型。"), field="kind")
    amount = _money(quantity, "quantity")
    if not amount:
        raise ValidationFailed(_("数量须大于 0。"), field="quantity")
    if responsible_org.kind == Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("“%(o)s”不能作为责任单位。") % {"o": responsible_org}, field="responsible_org")
    with transaction.atomic():
        locked = _lock(project, actor)
        require(actor, "projects.change_project", locked)
        need = FactorNeed.objects.create(project=locked, kind=kind, quantity=amount, responsible_org=responsible_org,
                                         needed_by=needed_by, note=(note or "").strip()[:500])
        audit_record("project.factor_add", locked, actor=actor,
                     after={"need": need.pk, "kind": kind, "quantity": str(amount), "org": responsible_org.pk})
    return need


def factor_need_set_status(need: FactorNeed, *, status: str, actor: Actor | None, note: str | None = None) -> FactorNeed:
    """requested → arranged → delivered (or back, when an arrangement fell through). The
    unit responsible for the need may report it arranged or delivered."""
    if status not in FactorNeed.NeedStatus.values:
        raise ValidationFailed(_("未知的状态。"), field="status")
    with transaction.atomic():
        locked = _lock(need.project_id, actor)
        row = FactorNeed.objects.select_for_update().filter(pk=need.pk, project=locked).first()
        if row is None:
            raise NotFoundError(_("要素需求不存在。"))
        own_unit = actor is not None and actor.organisation_id == row.responsible_org_id and actor.role in {
            Role.DISPATCHER, Role.HANDLER}
        if not own_unit:
            require(actor, "projects.change_project", locked)
        before = {"status": row.status, "note": row.note}
        row.status = status
        fields = ["status"]
        if note is not None and note.strip() != row.note:
            row.note = note.strip()[:500]
            fields.append("note")
        row.save(update_fields=fields)
        audit_record("project.factor_status", locked, actor=actor, before=before,
                     after={"need": row.pk, "status": status, "note": row.note})
    return row
