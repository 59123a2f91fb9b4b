"""Writes of the map family (一图谱) beyond the registry's adds: editing and retiring a node,
removing a link, editing and removing a placement, and the office's strength override.

Every write needs ``chains.manage_chain`` on the node's chain (the chain's own 链办); the check
is made (and a refusal audited) before the transaction. A node's ``version`` guards its page
and its ``If-Match``; a placement has no version of its own, so its changes check and bump
the node's (a placement's ETag is its node's). ``actor=None`` is the system (demo, imports)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.rows import bump, check_version
from yancheng.core.kit.text import clean_text
from yancheng.core.typing import Actor

from ..models import LeadStage, MapLink, MapNode, Placement, PlacementRole, Segment, Strength
from ..selectors import profile_of
from .common import money

NODE_FIELDS = ("name", "segment", "description", "keywords", "in_current", "in_target", "sort_order")
# Leads still being worked: a node they point at cannot be retired under them.
OPEN_LEAD_STAGES = (LeadStage.CONTACT, LeadStage.NEGOTIATING, LeadStage.SIGNED)


def _manage(actor: Actor | None, node: MapNode) -> None:
    require(actor, "chains.manage_chain", profile_of(node.chain))


def _lock(node: MapNode, expected_version: int | None) -> MapNode:
    locked = MapNode.objects.select_for_update().get(pk=node.pk)
    check_version(locked, expected_version)
    return locked


def _node_snapshot(node: MapNode) -> dict[str, Any]:
    return {name: getattr(node, name) for name in NODE_FIELDS} | {"is_active": node.is_active}


def node_update(node: MapNode, *, actor: Actor | None, expected_version: int | None = None, **fields: Any) -> MapNode:
    """Change a node's name, 链位 (segment), description, keywords, the maps it is on and its
    order. Its code stays: imports, leads and research results name it."""
    _manage(actor, node)
    unknown = set(fields) - set(NODE_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    if "name" in fields:
        fields["name"] = clean_text(fields["name"], field="name", max_length=64, required=_("请填写环节名称。"))
    if "segment" in fields and fields["segment"] not in Segment.values:
        raise ValidationFailed(_("请选择上游、中游或下游。"), field="segment")
    for name in ("description", "keywords"):
        if name in fields:
            fields[name] = clean_text(fields[name], field=name, max_length=255)
    for name in ("in_current", "in_target"):
        if name in fields:
            fields[name] = bool(fields[name])
    if "sort_order" in fields:
        try:
            fields["sort_order"] = int(fields["sort_order"] or 0)
        except (TypeError, ValueError):
            raise ValidationFailed(_("请填写数字。"), field="sort_order") from None
        if not 0 <= fields["sort_order"] <= 32767:
            raise ValidationFailed(_("排序应在 0 到 32767 之间。"), field="sort_order")
    with transaction.atomic():
        locked = _lock(node, expected_version)
        if not (fields.get("in_current", locked.in_current) or fields.get("in_target", locked.in_target)):
            raise ValidationFailed(_("环节至少要在现状图或目标图之一。"), field="in_target")
        before = _node_snapshot(locked)
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, fields[name])
        locked.save(update_fields=bump(locked, *changed))
        audit_record("chain.node_update", locked, actor=actor, before={k: before[k] for k in changed},
                     after={k: getattr(locked, k) for k in changed})
    return locked


def node_retire(node: MapNode, *, actor: Actor | None, expected_version: int | None = None) -> MapNode:
    """Take a node off both maps (``is_active=False``); its placements and links stay on record
    and come back if it is restored. Refused while a 招商 lead still being worked (接触, 洽谈,
    签约) names it as the gap it fills: the lead would point at a node nobody sees. Move or
    close those leads first."""
    _manage(actor, node)
    with transaction.atomic():
        locked = _lock(node, expected_version)
        if not locked.is_active:
            return locked
        open_leads = locked.leads.filter(stage__in=OPEN_LEAD_STAGES).count()
        if open_leads:
            raise ValidationFailed(
                _("还有 %(n)d 条在办的招商线索指向该环节，请先调整或终止这些线索再停用。") % {"n": open_leads},
                field="node", code="node_has_open_leads",
            )
        locked.is_active = False
        locked.save(update_fields=bump(locked, "is_active"))
        audit_record("chain.node_retire", locked, actor=actor, before={"is_active": True}, after={"is_active": False})
    return locked


def node_restore(node: MapNode, *, actor: Actor | None, expected_version: int | None = None) -> MapNode:
    """Put a retired node back on its maps."""
    _manage(actor, node)
    with transaction.atomic():
        locked = _lock(node, expected_version)
        if locked.is_active:
            return locked
        locked.is_active = True
        locked.save(update_fields=bump(locked, "is_active"))
        audit_record("chain.node_restore", locked, actor=actor, before={"is_active": False}, after={"is_active": True})
    return locked


def link_remove(link: MapLink, *, actor: Actor | None) -> None:
    """Remove a supply relation between two nodes."""
    require(actor, "chains.manage_chain", profile_of(link.source.chain))
    with transaction.atomic():
        locked = MapLink.objects.select_for_update().filter(pk=link.pk).first()
        if locked is None:
            raise ConflictError(_("该关系已被删除。"), code="link_gone")
        audit_record("chain.link_remove", locked, actor=actor,
                     before={"source": link.source.code, "target": link.target.code})
        locked.delete()


def _placement_snapshot(placement: Placement) -> dict[str, Any]:
    output = placement.annual_output
    return {"role": placement.role, "products": placement.products,
            "annual_output": str(output) if output is not None else None}


def placement_update(
    placement: Placement, *, actor: Actor | None, expected_version: int | None = None, **fields: Any
) -> Placement:
    """Change an enterprise's role on a node (链主/骨干/配套), its products and its annual
    output (万元). ``expected_version`` is the node's."""
    node = placement.node
    _manage(actor, node)
    unknown = set(fields) - {"role", "products", "annual_output"}
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    if "role" in fields and fields["role"] not in PlacementRole.values:
        raise ValidationFailed(_("未知的企业角色。"), field="role")
    if "products" in fields:
        fields["products"] = clean_text(fields["products"], field="products", max_length=128)
    if "annual_output" in fields:
        fields["annual_output"] = money(fields["annual_output"], "annual_output")
    with transaction.atomic():
        locked_node = _lock(node, expected_version)
        locked = Placement.objects.select_for_update().filter(pk=placement.pk).first()
        if locked is None:
            raise ConflictError(_("该企业已不在这个环节。"), code="placement_gone")
        before = _placement_snapshot(locked)
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, fields[name])
        locked.save(update_fields=changed)
        locked_node.save(update_fields=bump(locked_node))
        audit_record("chain.placement_update", locked, actor=actor, before={k: before[k] for k in changed},
                     after={k: _placement_snapshot(locked)[k] for k in changed})
    return locked


def placement_remove(placement: Placement, *, actor: Actor | None, expected_version: int | None = None) -> None:
    """Take an enterprise off a node (it moved, closed, or was placed by mistake)."""
    node = placement.node
    _manage(actor, node)
    with transaction.atomic():
        locked_node = _lock(node, expected_version)
        locked = Placement.objects.select_for_update().filter(pk=placement.pk).first()
        if locked is None:
            raise ConflictError(_("该企业已不在这个环节。"), code="placement_gone")
        audit_record("chain.placement_remove", locked, actor=actor,
                     before={"node": node.code, "enterprise": locked.enterprise_id} | _placement_snapshot(locked))
        locked.delete()
        locked_node.save(update_fields=bump(locked_node))


def strength_override_set(
    node: MapNode, *, actor: Actor | None, strength: str, reason: str, expected_version: int | None = None
) -> MapNode:
    """The office marks a node 强, 弱 or 缺 against the rule's answer (a plant about to open,
    an enterprise placed but idle …). The reason is required; who and when are kept on the node
    and in the audit trail. The override wins until it is cleared."""
    _manage(actor, node)
    if strength not in Strength.values:
        raise ValidationFailed(_("请选择强、弱或缺。"), field="strength")
    reason = clean_text(reason, field="reason", max_length=255, required=_("请填写认定理由。"))
    with transaction.atomic():
        locked = _lock(node, expected_version)
        before = {"strength_override": locked.strength_override, "override_reason": locked.override_reason}
        locked.strength_override, locked.override_reason = strength, reason
        locked.override_by = actor if getattr(actor, "pk", None) else None
        locked.override_at = timezone.now()
        locked.save(update_fields=bump(locked, "strength_override", "override_reason", "override_by", "override_at"))
        audit_record("chain.strength_override_set", locked, actor=actor, before=before,
                     after={"strength_override": strength, "override_reason": reason})
    return locked


def strength_override_clear(node: MapNode, *, actor: Actor | None, expected_version: int | None = None) -> MapNode:
    """Drop the office's override: the node's strength follows the rule again."""
    _manage(actor, node)
    with transaction.atomic():
        locked = _lock(node, expected_version)
        if not locked.strength_override:
            return locked
        before = {"strength_override": locked.strength_override, "override_reason": locked.override_reason}
        locked.strength_override, locked.override_reason, locked.override_by, locked.override_at = "", "", None, None
        locked.save(update_fields=bump(locked, "strength_override", "override_reason", "override_by", "override_at"))
        audit_record("chain.strength_override_clear", locked, actor=actor, before=before,
                     after={"strength_override": "", "override_reason": ""})
    return locked
