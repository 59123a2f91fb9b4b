"""项目代办: the approvals checklist of a project (SPEC §3)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import (
    NotFoundError,
    ValidationFailed,
)
from yancheng.core.kit.require import require
from yancheng.core.models import Role
from yancheng.core.typing import Actor

from ..models import (
    ApprovalItem,
    Project,
)
from .common import _lock, _today

# --- 项目代办: the approvals checklist -----------------------------------------------------------


APPROVAL_FIELDS = ("title", "agent", "approving_org", "status", "planned_on", "done_on", "missing_documents")


def _check_approval(data: dict[str, Any]) -> None:
    agent = data.get("agent")
    if agent is not None and (agent.role == Role.ENTERPRISE or agent.role in {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}):
        raise ValidationFailed(_("代办员须是政府部门的工作人员。"), field="agent")
    if data.get("status") not in ApprovalItem.ItemStatus.values:
        raise ValidationFailed(_("未知的办理状态。"), field="status")
    if data["status"] == ApprovalItem.ItemStatus.DONE:
        data["done_on"] = data.get("done_on") or _today()
        data["missing_documents"] = data.get("missing_documents") or ""
    else:
        data["done_on"] = None
    if data.get("done_on") and data["done_on"] > _today():
        raise ValidationFailed(_("实际办结日期不能晚于今天。"), field="done_on")
    data["missing_documents"] = "\n".join(
        line.strip() for line in str(data.get("missing_documents") or "").splitlines() if line.strip()
    )
    data["title"] = str(data.get("title") or "").strip()[:128]


def approval_item_add(project: Project, *, kind: str, actor: Actor | None, **fields: Any) -> ApprovalItem:
    """Put an approval on the project's 代办 checklist (立项、用地预审、规划许可 …)."""
    if kind not in ApprovalItem.Kind.values:
        raise ValidationFailed(_("未知的审批事项。"), field="kind")
    unknown = set(fields) - set(APPROVAL_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    data = {"status": ApprovalItem.ItemStatus.PENDING, **fields}
    _check_approval(data)
    with transaction.atomic():
        locked = _lock(project, actor)
        require(actor, "projects.change_project", locked)
        item = ApprovalItem.objects.create(project=locked, kind=kind, **data)
        audit_record("project.approval_add", locked, actor=actor, after=_approval_audit(item))
    return item


def _approval_audit(item: ApprovalItem) -> dict[str, Any]:
    return {
        "item": item.pk, "kind": item.kind, "title": item.title, "status": item.status, "agent": item.agent_id,
        "approving_org": item.approving_org_id, "planned_on": str(item.planned_on or ""),
        "done_on": str(item.done_on or ""), "missing_documents": item.missing_documents,
    }


def approval_item_update(item: ApprovalItem, *, actor: Actor | None, **changes: Any) -> ApprovalItem:
    """Update an approval: its status and dates, its agent, the 补缺清单 (one missing
    document a line). An agent may update the items assigned to him."""
    unknown = set(changes) - set(APPROVAL_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = _lock(item.project_id, actor)
        row = ApprovalItem.objects.select_for_update().filter(pk=item.pk, project=locked).first()
        if row is None:
            raise NotFoundError(_("代办事项不存在。"))
        if actor is None or row.agent_id != actor.pk:
            require(actor, "projects.change_project", locked)
        data = {f: getattr(row, f) for f in APPROVAL_FIELDS} | changes
        _check_approval(data)
        before = _approval_audit(row)
        changed = [f for f in APPROVAL_FIELDS if getattr(row, f) != data[f]]
        for f in changed:
            setattr(row, f, data[f])
        if changed:
            row.save(update_fields=changed)
            audit_record("project.approval_update", locked, actor=actor, before=before, after=_approval_audit(row))
    return row
