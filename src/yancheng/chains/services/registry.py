"""Writes of the registry family: who runs a chain (``profile_update``), its map's nodes and
links, and the enterprises placed on them. Only the chain's own office (``chains.manage_chain``)
writes; ``actor=None`` is the system (the demo loader, imports)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.rows import bump, check_version
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Role, User
from yancheng.core.typing import Actor

from ..models import ChainPath, ChainProfile, MapLink, MapNode, Placement, PlacementRole, Segment
from ..selectors import profile_of
from .common import money


def profile_update(
    chain: IndustryChain, *, actor: Actor | None, expected_version: int | None = None, **fields: Any
) -> ChainProfile:
    """Set who runs the chain: ``leader``, ``deputy_leaders``, ``office``, ``staff``,
    ``backing_orgs``, ``masters``, ``industry_group`` and the strength rule's minimums. A 链长
    is an active leader; the office is an organisation (not an enterprise); 链主 are
    enterprises."""
    profile = profile_of(chain)
    require(actor, "chains.manage_chain", profile)
    allowed = {"leader", "deputy_leaders", "office", "staff", "backing_orgs", "masters", "industry_group",
               "strong_min_enterprises", "strong_min_above_scale", "strong_min_output", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    leader = fields.get("leader")
    for person in ([leader] if leader else []) + list(fields.get("deputy_leaders") or []):
        if not isinstance(person, User) or person.role != Role.LEADER or not person.is_active:
            raise ValidationFailed(_("链长、副链长须是启用的领导账号。"), field="leader")
    office = fields.get("office")
    if office is not None and (office.kind == Organisation.Kind.ENTERPRISE or not office.is_active):
        raise ValidationFailed(_("“%(o)s”不能作为链办。") % {"o": office}, field="office")
    for org in fields.get("backing_orgs") or []:
        if org.kind == Organisation.Kind.ENTERPRISE:
            raise ValidationFailed(_("“%(o)s”不能作为后盾单位。") % {"o": org}, field="backing_orgs")
    for person in fields.get("staff") or []:
        if person.role != Role.CHAIN_OFFICE:
            raise ValidationFailed(_("链办工作人员须是链办账号。"), field="staff")
    if "industry_group" in fields:
        fields["industry_group"] = clean_text(fields["industry_group"], field="industry_group", max_length=32)
    if "strong_min_output" in fields:
        fields["strong_min_output"] = money(fields["strong_min_output"], "strong_min_output", required=True)
    with transaction.atomic():
        locked = ChainProfile.objects.select_for_update().get(pk=profile.pk)
        check_version(locked, expected_version)
        before = _profile_snapshot(locked)
        changed = []
        for name, value in fields.items():
            if name in {"deputy_leaders", "staff", "backing_orgs", "masters"}:
                getattr(locked, name).set(value)
            else:
                setattr(locked, name, value)
                changed.append(name)
        locked.save(update_fields=bump(locked, *changed, "updated_at"))
        audit_record("chain.profile_update", locked, actor=actor, before=before, after=_profile_snapshot(locked))
    # The chain's cached profile (set when the profile was first created) is now stale: later
    # reads through this chain object (permissions, profile_of) must see what was saved.
    chain.profile = locked
    return locked


def _profile_snapshot(profile: ChainProfile) -> dict[str, Any]:
    return {
        "leader": profile.leader_id, "office": profile.office_id, "industry_group": profile.industry_group,
        "deputy_leaders": sorted(profile.deputy_leaders.values_list("pk", flat=True)),
        "staff": sorted(profile.staff.values_list("pk", flat=True)),
        "backing_orgs": sorted(profile.backing_orgs.values_list("pk", flat=True)),
        "masters": sorted(profile.masters.values_list("pk", flat=True)),
        "rule": [profile.strong_min_enterprises, profile.strong_min_above_scale, str(profile.strong_min_output)],
    }


# The map's own pages sit beside its nodes' (/chains/<code>/map/<node code>/).
RESERVED_NODE_CODES = frozenset({"new", "links", "import", "panel"})


def node_add(
    chain: IndustryChain, *, actor: Actor | None, code: str, name: str, segment: str, description: str = "",
    keywords: str = "", in_current: bool = True, in_target: bool = True, sort_order: int = 0,
) -> MapNode:
    """Add a node (产业环节) to the chain's map: on the current map, the target map or both."""
    require(actor, "chains.manage_chain", profile_of(chain))
    code = clean_text(code, field="code", max_length=32, required=_("请填写环节编码。")).lower()
    if not all(c.isalnum() or c in "-_" for c in code) or not code.isascii():
        raise ValidationFailed(_("环节编码只能由字母、数字、“-”“_”组成。"), field="code")
    if code in RESERVED_NODE_CODES:
        raise ValidationFailed(_("“%(c)s”是保留字，不能作为环节编码。") % {"c": code}, field="code")
    name = clean_text(name, field="name", max_length=64, required=_("请填写环节名称。"))
    if segment not in Segment.values:
        raise ValidationFailed(_("请选择上游、中游或下游。"), field="segment")
    if not (in_current or in_target):
        raise ValidationFailed(_("环节至少要在现状图或目标图之一。"), field="in_target")
    with transaction.atomic():
        try:
            with transaction.atomic():
                node = MapNode.objects.create(
                    chain=chain, code=code, name=name, segment=segment,
                    description=clean_text(description, field="description", max_length=255),
                    keywords=clean_text(keywords, field="keywords", max_length=255),
                    in_current=bool(in_current), in_target=bool(in_target), sort_order=int(sort_order or 0),
                )
        except IntegrityError:
            raise ConflictError(_("环节编码“%(c)s”已存在。") % {"c": code}, field="code", code="code_duplicate") from None
        audit_record("chain.node_add", node, actor=actor, after={
            "chain": chain.code, "code": code, "name": name, "segment": segment,
            "in_current": node.in_current, "in_target": node.in_target,
        })
    return node


def link_add(source: MapNode, target: MapNode, *, actor: Actor | None, in_current: bool = True,
             in_target: bool = True) -> MapLink:
    """Link two nodes of the same chain (supplier → user)."""
    require(actor, "chains.manage_chain", profile_of(source.chain))
    if source.chain_id != target.chain_id:
        raise ValidationFailed(_("只能连接同一条产业链的环节。"), field="target")
    if source.pk == target.pk:
        raise ValidationFailed(_("环节不能连接自身。"), field="target")
    with transaction.atomic():
        try:
            with transaction.atomic():
                link = MapLink.objects.create(chain_id=source.chain_id, source=source, target=target,
                                              in_current=bool(in_current), in_target=bool(in_target))
        except IntegrityError:
            raise ConflictError(_("这两个环节已经连接。"), field="target", code="link_duplicate") from None
        audit_record("chain.link_add", link, actor=actor, after={"source": source.code, "target": target.code})
    return link


def placement_add(
    node: MapNode, enterprise: Enterprise, *, actor: Actor | None, role: str = PlacementRole.MEMBER,
    products: str = "", annual_output: Any = None,
) -> Placement:
    """Place a local enterprise on a node (企业落位), with its products and annual output (万元)."""
    require(actor, "chains.manage_chain", profile_of(node.chain))
    if role not in PlacementRole.values:
        raise ValidationFailed(_("未知的企业角色。"), field="role")
    if not enterprise.is_active:
        raise ValidationFailed(_("“%(e)s”已不存续。") % {"e": enterprise}, field="enterprise")
    output = money(annual_output, "annual_output")
    with transaction.atomic():
        try:
            with transaction.atomic():
                placement = Placement.objects.create(
                    node=node, enterprise=enterprise, role=role, annual_output=output,
                    products=clean_text(products, field="products", max_length=128),
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            raise ConflictError(_("该企业已落位在这个环节。"), field="enterprise", code="placement_duplicate") from None
        audit_record("chain.placement_add", placement, actor=actor, after={
            "node": node.code, "enterprise": enterprise.pk, "role": role,
            "annual_output": str(output) if output is not None else None,
        })
    return placement


PATH_MAX_LENGTH = 20000


def path_add(
    chain: IndustryChain, *, actor: Actor | None, text: str, expected_version: int | None = None
) -> ChainPath:
    """逐链研究完善产业链发展路径: record a new version of the chain's development path, numbered
    one above the newest. ``expected_version`` is the number of the version the author started
    from (0 for none): a version added meanwhile refuses the write as stale. The chain's profile
    row is locked while the number is taken, so two authors never get the same number."""
    profile = profile_of(chain)
    require(actor, "chains.manage_chain", profile)
    text = clean_text(str(text or "").replace("\r\n", "\n"), field="text", max_length=PATH_MAX_LENGTH,
                      required=_("请填写发展路径。"))
    with transaction.atomic():
        ChainProfile.objects.select_for_update().get(pk=profile.pk)
        current = ChainPath.objects.filter(chain=chain).order_by("-number").first()
        newest = current.number if current is not None else 0
        if expected_version is not None and expected_version != newest:
            raise ConflictError(_("发展路径已有新的版本，请刷新后在最新版本上修改。"), code="stale_version")
        if current is not None and current.text == text:
            raise ValidationFailed(_("内容与当前版本相同，无需保存新版本。"), field="text")
        path = ChainPath.objects.create(chain=chain, number=newest + 1, text=text,
                                        author=actor if getattr(actor, "pk", None) else None)
        audit_record("chain.path_add", path, actor=actor, after={"chain": chain.code, "number": path.number,
                                                                  "length": len(text)})
    return path
