"""Writes of the 招商引资重点项目清单 (leads): register a lead, edit it, follow it up, move it
through its stages (``leads_workflow``) and convert a signed lead into a project in ``projects``.

Who: the chain's office (``chains.manage_chain``) registers, edits, drops, reopens, corrects
and converts; the office and the owner unit's staff (``chains.update_lead``) follow up, change
the next step and advance the stage. ``actor=None`` is the system (the demo, imports).

The 招商方向 (fill kind) a lead gets when none is given follows from the gap it fills:
a node on the target map only (not yet on the current map) is 延链; otherwise a missing node
(缺) is 补链 and a weak or strong one (弱/强) is 强链."""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.numbering import next_in_series
from yancheng.core.kit.require import require
from yancheng.core.kit.rows import bump, check_version, lock_visible
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region, User
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor
from yancheng.projects.shared import Project, project_file_from_lead

from .. import leads_workflow as flow
from ..models import FillKind, InvestorKind, Lead, LeadEvent, LeadStage, MapNode, Strength
from ..permissions import leads_visible_to
from ..selectors_map import annotate_strength
from .common import money

SERIES = "chains.lead"
EDITABLE = ("investor", "investor_kind", "investor_origin", "project_name", "planned_investment", "node",
            "fill_kind", "region", "owner_org", "owner", "next_step", "next_step_on", "note")
# Fields only the chain's office changes (the owner unit keeps the rest of its lead up to date).
OFFICE_ONLY = frozenset({"owner_org", "owner", "node", "fill_kind"})


def _today() -> dt.date:
    return timezone.localdate()


def default_fill_kind(node: MapNode) -> str:
    """强链/补链/延链 from the node's place and strength: target map only → 延链; 缺 → 补链; else 强链."""
    if not node.in_current:
        return FillKind.EXTEND
    strength = getattr(node, "strength", None)
    if strength is None:
        strength = annotate_strength(MapNode.objects.filter(pk=node.pk)).values_list(
            "strength", flat=True).first()  # type: ignore[misc]  # an annotation of annotate_strength
    return FillKind.COMPLETE if strength == Strength.MISSING else FillKind.STRENGTHEN


def _clean(chain_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the lead's fields in place (those present)."""
    if "investor" in data:
        data["investor"] = clean_text(data["investor"], field="investor", max_length=128,
                                      required=_("请填写目标企业。"))
    if "project_name" in data:
        data["project_name"] = clean_text(data["project_name"], field="project_name", max_length=128,
                                          required=_("请填写拟引进项目。"))
    if "investor_kind" in data:
        data["investor_kind"] = data["investor_kind"] or InvestorKind.OTHER
        if data["investor_kind"] not in InvestorKind.values:
            raise ValidationFailed(_("未知的企业类型。"), field="investor_kind")
    for name, limit in (("investor_origin", 64), ("next_step", 255)):
        if name in data:
            data[name] = clean_text(data[name], field=name, max_length=limit)
    if "note" in data:
        data["note"] = clean_text(data["note"], field="note", max_length=4000)
    if "planned_investment" in data:
        data["planned_investment"] = money(data["planned_investment"], "planned_investment")
    if "owner_org" in data:
        org: Organisation | None = data["owner_org"]
        if org is None:
            raise ValidationFailed(_("请选择责任单位。"), field="owner_org")
        if org.kind == Organisation.Kind.ENTERPRISE or not org.is_active:
            raise ValidationFailed(_("“%(o)s”不能作为责任单位（应为部门、园区或县市区）。") % {"o": org}, field="owner_org")
    owner: User | None = data.get("owner")
    if owner is not None:
        org_id = data["owner_org"].pk if data.get("owner_org") is not None else data.get("_owner_org_id")
        if not owner.is_active or owner.organisation_id != org_id:
            raise ValidationFailed(_("责任人须是责任单位的在岗人员。"), field="owner")
    data.pop("_owner_org_id", None)
    node: MapNode | None = data.get("node")
    if node is not None and (node.chain_id != chain_id or not node.is_active):
        raise ValidationFailed(_("所选环节不属于这条产业链。"), field="node")
    if data.get("fill_kind") and data["fill_kind"] not in FillKind.values:
        raise ValidationFailed(_("未知的招商方向。"), field="fill_kind")
    if "region" in data and data["region"] is not None and not isinstance(data["region"], Region):
        raise ValidationFailed(_("请选择拟落户地。"), field="region")
    return data


def _snapshot(lead: Lead) -> dict[str, Any]:
    return {
        "number": lead.number, "chain": lead.chain_id, "investor": lead.investor, "investor_kind": lead.investor_kind,
        "project_name": lead.project_name, "stage": lead.stage, "owner_org": lead.owner_org_id,
        "owner": lead.owner_id, "node": lead.node_id, "fill_kind": lead.fill_kind, "region": lead.region_id,
        "planned_investment": str(lead.planned_investment) if lead.planned_investment is not None else None,
        "next_step": lead.next_step, "next_step_on": lead.next_step_on.isoformat() if lead.next_step_on else None,
        "project": lead.project_id,
    }


def _recorder(actor: Actor | None) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _tell_owner(lead: Lead, actor: Actor | None, title: str) -> None:
    """The owner (the person) must act on the lead: tell them, unless they did it themselves."""
    if lead.owner_id is None or (actor is not None and lead.owner_id == actor.pk):
        return
    notify(recipients=[lead.owner], verb="chains.lead", title=title, obj=lead, actor=actor,
           url=reverse("chains:lead", args=[lead.chain.code, lead.pk]))


def lead_create(
    chain: IndustryChain, *, actor: Actor | None, investor: str, project_name: str, owner_org: Organisation | None,
    owner: User | None = None, investor_kind: str = InvestorKind.OTHER, investor_origin: str = "",
    planned_investment: Any = None, node: MapNode | None = None, fill_kind: str = "", region: Region | None = None,
    next_step: str = "", next_step_on: dt.date | None = None, note: str = "", stage: str = LeadStage.CONTACT,
) -> Lead:
    """Register a lead (编号 ``ZS<year>-<nnnn>``). Without a 招商方向 a lead that fills a node
    takes the node's (``default_fill_kind``). ``stage`` other than 接触 is for the system
    (imports of a running list, the demo): the lead starts there, 签约/落地 dated today."""
    require(actor, "chains.manage_chain", chain)
    data = _clean(chain.pk, {
        "investor": investor, "project_name": project_name, "owner_org": owner_org, "owner": owner,
        "investor_kind": investor_kind, "investor_origin": investor_origin, "planned_investment": planned_investment,
        "node": node, "fill_kind": fill_kind, "region": region, "next_step": next_step, "note": note,
    })
    if stage not in LeadStage.values:
        raise ValidationFailed(_("未知的阶段。"), field="stage")
    if node is not None and not data["fill_kind"]:
        data["fill_kind"] = default_fill_kind(node)
    today = _today()
    with transaction.atomic():
        number = f"ZS{today.year}-{next_in_series(SERIES, today.year):04d}"
        lead = Lead.objects.create(
            chain=chain, number=number, stage=stage, next_step_on=next_step_on, last_activity_on=today,
            signed_on=today if stage in (LeadStage.SIGNED, LeadStage.LANDED) else None,
            landed_on=today if stage == LeadStage.LANDED else None, created_by=_recorder(actor), **data,
        )
        LeadEvent.objects.create(lead=lead, kind=LeadEvent.Kind.CREATED, to_stage=stage, actor=_recorder(actor),
                                 on=today, text=data["next_step"])
        audit_record("chain.lead_create", lead, actor=actor, after=_snapshot(lead))
        _tell_owner(lead, actor, _("您有一条新的招商线索：%(n)s %(p)s") % {"n": number, "p": lead.project_name})
    return lead


def _lock(lead: Lead, actor: Actor | None) -> Lead:
    visible = leads_visible_to(actor) if actor is not None else Lead.objects.all()
    return lock_visible(visible, lead.pk, missing=_("招商线索不存在。"))


def lead_update(lead: Lead, *, actor: Actor | None, expected_version: int | None = None, **fields: Any) -> Lead:
    """Edit the lead's fields. The owner unit keeps its own lead up to date; the unit, the
    person, the node and the 招商方向 are the office's to change."""
    require(actor, "chains.update_lead", lead)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    changing_office = OFFICE_ONLY & {k for k, v in fields.items() if v != getattr(lead, k)}
    if changing_office:
        require(actor, "chains.manage_chain", lead.chain)
    data = dict(fields)
    if "owner" in data and "owner_org" not in data:
        data["_owner_org_id"] = lead.owner_org_id
    data = _clean(lead.chain_id, data)
    with transaction.atomic():
        locked = _lock(lead, actor)
        check_version(locked, expected_version)
        before = _snapshot(locked)
        previous_owner = locked.owner_id
        for name, value in data.items():
            setattr(locked, name, value)
        locked.save(update_fields=bump(locked, *data))
        LeadEvent.objects.create(lead=locked, kind=LeadEvent.Kind.EDITED, actor=_recorder(actor), on=_today(),
                                 text=", ".join(sorted(str(getattr(Lead._meta.get_field(n), "verbose_name", n)) for n in data)))
        audit_record("chain.lead_update", locked, actor=actor, before=before, after=_snapshot(locked))
        if locked.owner_id != previous_owner:
            _tell_owner(locked, actor, _("您有一条新的招商线索：%(n)s %(p)s") % {
                "n": locked.number, "p": locked.project_name})
    return locked


def lead_follow_up(
    lead: Lead, *, actor: Actor | None, text: str, next_step: str | None = None, next_step_on: dt.date | None = None,
    on: dt.date | None = None, expected_version: int | None = None,
) -> Lead:
    """Record a follow-up (跟进): what happened, and the next step with its date. The lead's
    ``last_activity_on`` becomes the day of the follow-up (today unless an earlier day is
    given)."""
    require(actor, "chains.update_lead", lead)
    text = clean_text(text, field="text", max_length=2000, required=_("请填写跟进情况。"))
    today = _today()
    on = on or today
    if on > today:
        raise ValidationFailed(_("跟进日期不能晚于今天。"), field="on")
    step = clean_text(next_step, field="next_step", max_length=255) if next_step is not None else None
    if next_step_on is not None and next_step_on < on:
        raise ValidationFailed(_("下一步时间不能早于跟进日期。"), field="next_step_on")
    with transaction.atomic():
        locked = _lock(lead, actor)
        check_version(locked, expected_version)
        if locked.stage in flow.CLOSED:
            raise ConflictError(_("该线索已%(s)s，不再跟进。") % {"s": locked.get_stage_display()}, code="invalid_stage")
        changed = ["last_activity_on"]
        locked.last_activity_on = max(on, locked.last_activity_on)
        if step is not None:
            locked.next_step = step
            changed.append("next_step")
        if next_step_on is not None or step is not None:
            locked.next_step_on = next_step_on
            changed.append("next_step_on")
        locked.save(update_fields=bump(locked, *changed))
        LeadEvent.objects.create(lead=locked, kind=LeadEvent.Kind.FOLLOW_UP, actor=_recorder(actor), on=on, text=text)
        audit_record("chain.lead_follow_up", locked, actor=actor, after={
            "on": on.isoformat(), "text": text[:200], "next_step": locked.next_step,
            "next_step_on": locked.next_step_on.isoformat() if locked.next_step_on else None})
    return locked


def _standing(lead: Lead, actor: Actor | None) -> flow.LeadStanding:
    if actor is None:
        return flow.LeadStanding(is_office=True, is_owner=True)
    return flow.LeadStanding(is_office=rules.has_perm("chains.manage_chain", actor, lead.chain),
                             is_owner=rules.has_perm("chains.update_lead", actor, lead))


def _step(lead: Lead, action: str, *, actor: Actor | None, text: str = "", to: str | None = None,
          on: dt.date | None = None, expected_version: int | None = None) -> Lead:
    require(actor, "chains.update_lead" if action == "advance" else "chains.manage_chain",
            lead if action == "advance" else lead.chain)
    today = _today()
    on = on or today
    if on > today:
        raise ValidationFailed(_("日期不能晚于今天。"), field="on")
    with transaction.atomic():
        locked = _lock(lead, actor)
        check_version(locked, expected_version)
        target = flow.target_of(locked.stage, action, to, converted=locked.project_id is not None)
        if target is None:
            raise ConflictError(_("该线索当前为“%(s)s”，不能执行此操作。") % {"s": locked.get_stage_display()},
                                code="invalid_stage")
        before, source = _snapshot(locked), locked.stage
        changed = ["stage", "last_activity_on"]
        locked.stage = target
        locked.last_activity_on = max(on, locked.last_activity_on)
        if target == LeadStage.SIGNED and action == "advance":
            locked.signed_on = on
            changed.append("signed_on")
        if target == LeadStage.LANDED:
            locked.landed_on = on
            changed.append("landed_on")
        if action == "drop":
            locked.dropped_reason = text
            changed.append("dropped_reason")
        if action in ("reopen", "correct"):
            if source == LeadStage.LANDED:
                locked.landed_on = None
                changed.append("landed_on")
            if source == LeadStage.SIGNED and action == "correct":
                locked.signed_on = None
                changed.append("signed_on")
        locked.save(update_fields=bump(locked, *changed))
        LeadEvent.objects.create(lead=locked, kind=LeadEvent.Kind.STAGE, from_stage=source, to_stage=target,
                                 actor=_recorder(actor), on=on, text=text)
        audit_record(f"chain.lead_{action}", locked, actor=actor, before=before, after=_snapshot(locked))
    return locked


def lead_advance(lead: Lead, *, actor: Actor | None, note: str = "", on: dt.date | None = None,
                 expected_version: int | None = None) -> Lead:
    """One stage forward (接触 → 洽谈 → 签约 → 落地); 签约 and 落地 are dated ``on`` (today)."""
    note = clean_text(note, field="note", max_length=500)
    return _step(lead, "advance", actor=actor, text=note, on=on, expected_version=expected_version)


def lead_drop(lead: Lead, *, actor: Actor | None, reason: str, expected_version: int | None = None) -> Lead:
    """终止 an open lead, with the reason."""
    reason = clean_text(reason, field="reason", max_length=255, required=_("请填写终止原因。"))
    return _step(lead, "drop", actor=actor, text=reason, expected_version=expected_version)


def lead_reopen(lead: Lead, *, actor: Actor | None, to: str = LeadStage.CONTACT, note: str = "",
                expected_version: int | None = None) -> Lead:
    """重新激活 a dropped lead, back to 接触 or 洽谈."""
    if to not in flow.REOPEN_TO:
        raise ValidationFailed(_("只能恢复到接触或洽谈阶段。"), field="to")
    note = clean_text(note, field="note", max_length=500)
    return _step(lead, "reopen", actor=actor, text=note, to=to, expected_version=expected_version)


def lead_correct(lead: Lead, *, actor: Actor | None, note: str, expected_version: int | None = None) -> Lead:
    """更正: one stage back (a stage entered by mistake), with a note saying why."""
    note = clean_text(note, field="note", max_length=500, required=_("请说明更正原因。"))
    return _step(lead, "correct", actor=actor, text=note, expected_version=expected_version)


def lead_convert(
    lead: Lead, *, actor: Actor | None, region: Region | None = None, name: str | None = None,
    enterprise: Enterprise | None = None, total_investment: Any = None, responsible_org: Organisation | None = None,
    expected_version: int | None = None,
) -> Project:
    """File the project a signed lead brought in ``projects`` (one action, the chain's office).

    The project is the lead's project name (unless ``name``), in ``region`` (required; the
    lead's 拟落户地 by default), of ``enterprise`` (optional: the local company set up for it),
    with the total investment (the lead's planned investment by default) and the responsible
    unit (the lead's owner unit by default), in 签约 since the lead's 签约 date. The lead keeps
    its stage and history: a CONVERTED event and ``lead.project``; the project's own stage
    changes are the project's. A lead not in 签约, or converted already, is refused."""
    require(actor, "chains.manage_chain", lead.chain)
    region = region or lead.region
    if region is None:
        raise ValidationFailed(_("请选择项目所在区划。"), field="region")
    if enterprise is not None and actor is not None and not Enterprise.objects.visible_to(actor).filter(
            pk=enterprise.pk).exists():
        raise ValidationFailed(_("所选企业不在您可见的范围内。"), field="enterprise")
    amount = money(total_investment, "total_investment") if total_investment not in (None, "") else None
    with transaction.atomic():
        locked = _lock(lead, actor)
        check_version(locked, expected_version)
        if locked.project is not None:
            raise ConflictError(_("该线索已转为项目 %(c)s。") % {"c": locked.project.code}, code="already_converted")
        if locked.stage != LeadStage.SIGNED:
            raise ConflictError(_("只有已签约的线索才能转为项目（当前为“%(s)s”）。") % {"s": locked.get_stage_display()},
                                code="invalid_stage")
        if amount is None:
            amount = locked.planned_investment
        if amount is None:
            raise ValidationFailed(_("请填写项目总投资。"), field="total_investment")
        project = project_file_from_lead(
            actor=actor, chain=locked.chain, lead_number=locked.number, name=name or locked.project_name,
            region=region, responsible_org=responsible_org or locked.owner_org, total_investment=amount,
            signed_on=locked.signed_on or _today(), enterprise=enterprise,
            description=_("招商线索 %(n)s（%(i)s）") % {"n": locked.number, "i": locked.investor},
        )
        before = _snapshot(locked)
        locked.project = project
        locked.last_activity_on = _today()
        locked.save(update_fields=bump(locked, "project", "last_activity_on"))
        LeadEvent.objects.create(lead=locked, kind=LeadEvent.Kind.CONVERTED, actor=_recorder(actor), on=_today(),
                                 text=project.code)
        audit_record("chain.lead_convert", locked, actor=actor, before=before, after={
            **_snapshot(locked), "project_code": project.code})
    return project


def offered_steps(user: Actor, lead: Lead) -> list[str]:
    """The steps the user may take on the lead now (the page's buttons, the API's list):
    ``follow_up`` on an open lead, then the stage table's (``leads_workflow``)."""
    standing = _standing(lead, user)
    steps = ["follow_up"] if (standing.is_office or standing.is_owner) and lead.stage in flow.OPEN else []
    return steps + flow.allowed_actions(lead.stage, standing, converted=lead.project_id is not None)
