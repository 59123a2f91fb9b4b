"""Writes of the dashboard app: generating a month's ranking snapshot, changing the
formula, the 红黄榜 and 争资 entries. Each checks the permission, writes the audit record
in the same transaction and raises a DomainError subclass when it refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Organisation, Region
from yancheng.core.typing import Actor
from yancheng.projects.models import Project

from .models import METRICS, FundsWon, RankingFormula, RankingKind, RankingSnapshot, RedYellowEntry
from .permissions import can_manage_rankings, can_manage_red_yellow
from .rankings import Month, compute_ranking, formula_json

MAX_WEIGHT = Decimal(100)


def active_formula() -> RankingFormula:
    formula = RankingFormula.objects.filter(is_active=True).first()
    if formula is None:  # the migration seeds one; an empty table only in odd setups
        formula = RankingFormula.objects.create(
            w_investment=Decimal("0.3"), w_nodes=Decimal("0.2"), w_cases=Decimal("0.2"),
            w_satisfaction=Decimal("0.1"), w_attracted=Decimal("0.1"), w_won=Decimal("0.1"),
            w_escalations=Decimal("2"), is_active=True,
        )
    return formula


def _require(check: Any, user: Actor) -> None:
    if not check(user):
        raise PermissionDeniedError(_("您无权进行此操作。"))


def ranking_snapshot_generate(
    *, kind: str, month: Month, actor: Actor, regenerate: bool = False, note: str = ""
) -> tuple[RankingSnapshot, bool]:
    """月排名: freeze one month's ranking. If the month already has a snapshot it is
    returned unchanged (created = False) unless ``regenerate`` (重新生成), which adds the
    next version and keeps every earlier one."""
    if kind not in RankingKind.values:
        raise ValidationFailed(_("未知的排名对象。"), field="kind")
    if month.first > timezone.localdate():
        raise ValidationFailed(_("不能生成未来月份的排名。"), field="month")
    with transaction.atomic():
        _require(can_manage_rankings, actor)
        existing = RankingSnapshot.objects.filter(kind=kind, month=month.first)
        latest = existing.order_by("-version").first()
        if latest is not None and not regenerate:
            return latest, False
        version = (existing.aggregate(v=Max("version"))["v"] or 0) + 1
        formula = active_formula()
        rows = compute_ranking(kind, month, formula)
        try:
            with transaction.atomic():
                snapshot = RankingSnapshot.objects.create(
                    kind=kind, month=month.first, version=version, formula=formula_json(formula), rows=rows,
                    note=note[:255], created_by=actor, created_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise ConflictError(_("该月排名正在由他人生成，请刷新后查看。")) from exc
        audit_record(
            "dashboard.ranking_generate", snapshot, actor=actor,
            after={"kind": kind, "month": str(month), "version": version, "rows": len(rows),
                   "formula": snapshot.formula["weights"], "note": note[:255]},
        )
    return snapshot, True


def ranking_formula_update(
    formula: RankingFormula, *, name: str, weights: dict[str, Any], actor: Actor
) -> RankingFormula:
    """Change the weights of the formula used for future snapshots (snapshots already made
    keep the formula they were computed with)."""
    cleaned: dict[str, Decimal] = {}
    for field, _key, label, _sign in METRICS:
        try:
            value = Decimal(str(weights.get(field, "0") or "0"))
        except InvalidOperation as exc:
            raise ValidationFailed(_("%(label)s 权重不是数字。") % {"label": label}, field=field) from exc
        if not value.is_finite() or value < 0 or value > MAX_WEIGHT:
            raise ValidationFailed(_("%(label)s 权重须在 0 到 100 之间。") % {"label": label}, field=field)
        cleaned[field] = value.quantize(Decimal("0.01"))
    deductions = {f for f, _key, _label, sign in METRICS if sign < 0}
    if not any(v > 0 for f, v in cleaned.items() if f not in deductions):
        raise ValidationFailed(_("至少一项加分指标的权重须大于 0。"))
    with transaction.atomic():
        _require(can_manage_rankings, actor)
        formula = RankingFormula.objects.select_for_update().get(pk=formula.pk)
        before = {"name": formula.name, **formula.weights()}
        formula.name = (name or formula.name)[:64]
        for field, value in cleaned.items():
            setattr(formula, field, value)
        formula.save(update_fields=["name", *cleaned, "updated_at"])
        audit_record("dashboard.formula_update", formula, actor=actor, before=before,
                     after={"name": formula.name, **formula.weights()})
    return formula


def red_yellow_add(
    *, board: str, project: Project, month: Month, reason: str, actor: Actor,
    deadline: dt.date | None = None, rectification_plan: str = "",
) -> RedYellowEntry:
    """Put a project on the 红榜 (advanced) or the 黄榜 (lagging: a deadline and a
    rectification plan are required)."""
    if board not in RedYellowEntry.Board.values:
        raise ValidationFailed(_("未知的榜单。"), field="board")
    if not reason.strip():
        raise ValidationFailed(_("请填写上榜理由。"), field="reason")
    if board == RedYellowEntry.Board.YELLOW:
        if deadline is None:
            raise ValidationFailed(_("列入黄榜须明确整改时限。"), field="deadline")
        if not rectification_plan.strip():
            raise ValidationFailed(_("列入黄榜须有整改方案。"), field="rectification_plan")
        if deadline < month.first:
            raise ValidationFailed(_("整改时限不能早于上榜月份。"), field="deadline")
    with transaction.atomic():
        _require(can_manage_red_yellow, actor)
        if not Project.objects.visible_to(actor).filter(pk=project.pk).exists():
            raise PermissionDeniedError(_("您无权将该项目列入红黄榜。"))
        if RedYellowEntry.objects.filter(board=board, project=project, month=month.first).exists():
            raise ConflictError(_("该项目本月已在此榜单上。"))
        entry = RedYellowEntry.objects.create(
            board=board, project=project, month=month.first, reason=reason.strip()[:500],
            deadline=deadline if board == RedYellowEntry.Board.YELLOW else None,
            rectification_plan=rectification_plan.strip() if board == RedYellowEntry.Board.YELLOW else "",
            created_by=actor,
        )
        audit_record("dashboard.red_yellow_add", entry, actor=actor, after={
            "board": board, "project": project.code, "month": str(month), "reason": entry.reason,
            "deadline": str(deadline) if entry.deadline else None,
        })
    return entry


def red_yellow_close(entry: RedYellowEntry, *, note: str, actor: Actor) -> RedYellowEntry:
    """销号: the lagging project has been put right (or a red entry is retired)."""
    with transaction.atomic():
        _require(can_manage_red_yellow, actor)
        entry = RedYellowEntry.objects.select_for_update().get(pk=entry.pk)
        if not Project.objects.visible_to(actor).filter(pk=entry.project_id).exists():
            raise PermissionDeniedError(_("您无权操作该项目。"))
        if entry.status != RedYellowEntry.EntryStatus.LISTED:
            raise ConflictError(_("该条目已销号。"))
        entry.status = RedYellowEntry.EntryStatus.RECTIFIED
        entry.closed_at = timezone.now()
        entry.closing_note = note.strip()[:500]
        entry.save(update_fields=["status", "closed_at", "closing_note"])
        audit_record("dashboard.red_yellow_close", entry, actor=actor,
                     before={"status": "listed"}, after={"status": entry.status, "note": entry.closing_note})
    return entry


def funds_won_record(
    *, region: Region, month: Month, amount: Decimal, title: str, actor: Actor,
    organisation: Organisation | None = None,
) -> FundsWon:
    """争资: record funds won from higher levels, for the 规模榜单 and the ranking."""
    if amount <= 0:
        raise ValidationFailed(_("金额须大于 0。"), field="amount")
    if not title.strip():
        raise ValidationFailed(_("请填写资金名称。"), field="title")
    with transaction.atomic():
        _require(can_manage_rankings, actor)
        funds = FundsWon.objects.create(
            region=region, organisation=organisation, month=month.first, amount=amount,
            title=title.strip()[:200], created_by=actor,
        )
        audit_record("dashboard.funds_won_record", funds, actor=actor, after={
            "region": region.code, "organisation": organisation.pk if organisation else None,
            "month": str(month), "amount": str(amount), "title": funds.title,
        })
    return funds
