"""Writes of the targets family (发展目标清单): a chain's targets for a year and their reported
actuals (year-to-date cumulative values per month or quarter). Only the chain's own office
(``chains.manage_chain``) writes; ``actor=None`` is the system (the demo loader, imports)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.rows import bump, check_version
from yancheng.core.kit.text import clean_text
from yancheng.core.models import IndustryChain
from yancheng.core.typing import Actor

from ..models import Cadence, ChainTarget, TargetActual, TargetMetric
from ..selectors_targets import period_start

LIMIT = Decimal("1e14")
FIELDS = ("metric", "name", "unit", "baseline", "target_value", "cadence", "note")


def _number(value: Any, field: str, *, required: bool = True) -> Decimal:
    if value in (None, ""):
        if required:
            raise ValidationFailed(_("请填写数值。"), field=field)
        return Decimal(0)
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("请填写数字。"), field=field) from None
    if not number.is_finite() or abs(number) >= LIMIT:
        raise ValidationFailed(_("数值超出允许范围。"), field=field)
    return number


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_("请填写年度。"), field="year") from None
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("年度应在 2000 到 2100 之间。"), field="year")
    return year


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """The target's fields, checked: a known metric, a name for “其他指标”, a unit, numbers,
    a cadence."""
    out: dict[str, Any] = {}
    if "metric" in fields:
        if fields["metric"] not in TargetMetric.values:
            raise ValidationFailed(_("请选择指标。"), field="metric")
        out["metric"] = fields["metric"]
    if "name" in fields:
        out["name"] = clean_text(fields["name"] or "", field="name", max_length=64)
    if "unit" in fields:
        out["unit"] = clean_text(fields["unit"] or "", field="unit", max_length=16, required=_("请填写单位。"))
    if "baseline" in fields:
        out["baseline"] = _number(fields["baseline"], "baseline", required=False)
    if "target_value" in fields:
        out["target_value"] = _number(fields["target_value"], "target_value")
    if "cadence" in fields:
        if fields["cadence"] not in Cadence.values:
            raise ValidationFailed(_("请选择按月或按季报送。"), field="cadence")
        out["cadence"] = fields["cadence"]
    if "note" in fields:
        out["note"] = clean_text(fields["note"] or "", field="note", max_length=255)
    return out


def _snapshot(target: ChainTarget) -> dict[str, Any]:
    return {"chain": target.chain.code, "year": target.year, "metric": target.metric, "name": target.name,
            "unit": target.unit, "baseline": str(target.baseline), "target_value": str(target.target_value),
            "cadence": target.cadence, "note": target.note}


def _check_named(metric: str, name: str) -> None:
    if metric == TargetMetric.OTHER and not name:
        raise ValidationFailed(_("“其他指标”须填写指标名称。"), field="name")


def target_add(
    chain: IndustryChain, *, actor: Actor | None, year: Any, metric: str, unit: str, target_value: Any,
    baseline: Any = 0, cadence: str = Cadence.MONTHLY, name: str = "", note: str = "",
) -> ChainTarget:
    """Add a target of the chain for a year (e.g. 2026 规上工业总产值 520 亿元, 上年基数 480)."""
    require(actor, "chains.manage_chain", chain)
    year = _year(year)
    data = _clean({"metric": metric, "name": name, "unit": unit, "baseline": baseline, "target_value": target_value,
                   "cadence": cadence, "note": note})
    _check_named(data["metric"], data["name"])
    with transaction.atomic():
        try:
            with transaction.atomic():
                target = ChainTarget.objects.create(chain=chain, year=year, **data)
        except IntegrityError:
            raise ConflictError(_("该年度已有这项指标。"), field="metric", code="target_duplicate") from None
        audit_record("chain.target_add", target, actor=actor, after=_snapshot(target))
    return target


def target_update(
    target: ChainTarget, *, actor: Actor | None, expected_version: int | None = None, **fields: Any
) -> ChainTarget:
    """Change a target's metric, name, unit, baseline, annual target, cadence or note. The
    cadence cannot change once actuals are reported (their periods would change meaning)."""
    require(actor, "chains.manage_chain", target.chain)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    data = _clean(fields)
    with transaction.atomic():
        locked = ChainTarget.objects.select_for_update().select_related("chain").get(pk=target.pk)
        check_version(locked, expected_version)
        before = _snapshot(locked)
        changed = [name for name, value in data.items() if getattr(locked, name) != value]
        if "cadence" in changed and locked.actuals.exists():
            raise ValidationFailed(_("已有完成情况，不能修改报送频次。"), field="cadence")
        for name in changed:
            setattr(locked, name, data[name])
        _check_named(locked.metric, locked.name)
        if not changed:
            return locked
        try:
            with transaction.atomic():
                locked.save(update_fields=bump(locked, *changed))
        except IntegrityError:
            raise ConflictError(_("该年度已有这项指标。"), field="metric", code="target_duplicate") from None
        audit_record("chain.target_update", locked, actor=actor, before=before, after=_snapshot(locked))
    return locked


def target_remove(target: ChainTarget, *, actor: Actor | None, expected_version: int | None = None) -> None:
    """Remove a target entered by mistake: only while no actual is reported against it."""
    require(actor, "chains.manage_chain", target.chain)
    with transaction.atomic():
        locked = ChainTarget.objects.select_for_update().select_related("chain").get(pk=target.pk)
        check_version(locked, expected_version)
        if locked.actuals.exists():
            raise ValidationFailed(_("该指标已有完成情况，不能删除；可修改目标值或备注。"), field="target",
                                   code="target_has_actuals")
        before = _snapshot(locked)
        audit_record("chain.target_remove", locked, actor=actor, before=before)
        locked.delete()


def actual_record(
    target: ChainTarget, *, actor: Actor | None, period: Any, value: Any, note: str = "",
    expected_version: int | None = None, today: dt.date | None = None,
) -> TargetActual:
    """Record (or correct) the year-to-date value at the end of a month (1–12) or a quarter
    (1–4). A period that has not begun yet is refused. The target's version moves, so an
    ``If-Match`` read before someone else's report is refused."""
    require(actor, "chains.manage_chain", target.chain)
    try:
        period = int(period)
    except (TypeError, ValueError):
        raise ValidationFailed(_("请选择期次。"), field="period") from None
    if not 1 <= period <= target.periods_per_year:
        raise ValidationFailed(
            _("期次应在 1 到 %(n)d 之间。") % {"n": target.periods_per_year}, field="period")
    today = today or timezone.localdate()
    if period_start(target.year, target.cadence, period) > today:
        raise ValidationFailed(_("该期尚未开始，不能报送。"), field="period", code="period_in_future")
    number = _number(value, "value")
    note = clean_text(note or "", field="note", max_length=255)
    with transaction.atomic():
        locked = ChainTarget.objects.select_for_update().select_related("chain").get(pk=target.pk)
        check_version(locked, expected_version)
        actual = TargetActual.objects.filter(target=locked, period=period).first()
        before = {"period": period, "value": str(actual.value), "note": actual.note} if actual else None
        if actual is None:
            actual = TargetActual(target=locked, period=period)
        elif actual.value == number and actual.note == note:
            return actual
        actual.value, actual.note = number, note
        actual.reported_by = actor if getattr(actor, "pk", None) else None
        actual.save()
        locked.save(update_fields=bump(locked))
        audit_record("chain.actual_record", locked, actor=actor, before=before,
                     after={"period": period, "value": str(number), "note": note})
    target.version = locked.version
    return actual
