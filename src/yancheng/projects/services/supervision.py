"""备案监督: 承诺兑现 and 现场观摩 (SPEC §3 item 6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import (
    ValidationFailed,
)
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from ..models import (
    Commitment,
    ObservationRound,
    ObservationScore,
    Project,
)
from .common import _money

# --- 承诺兑现 and 现场观摩 ------------------------------------------------------------------------


def commitment_add(
    *, organisation: Organisation, year: int, kind: str, promise: str, actor: Actor | None, project: Project | None = None,
    promised_date: dt.date | None = None, promised_amount: Any = None,
) -> Commitment:
    """Record a county's or park's commitment (start date, annual investment, a node)."""
    require(actor, "projects.supervise")
    if kind not in Commitment.Kind.values:
        raise ValidationFailed(_("未知的承诺类型。"), field="kind")
    promise = clean_text(promise, field="promise", max_length=255, required=_("请填写承诺内容。"))
    amount = _money(promised_amount, "promised_amount", allow_none=True)
    if kind == Commitment.Kind.ANNUAL_INVESTMENT and amount is None:
        raise ValidationFailed(_("年度投资承诺须填写承诺金额。"), field="promised_amount")
    if kind in {Commitment.Kind.START_DATE, Commitment.Kind.MILESTONE} and promised_date is None:
        raise ValidationFailed(_("请填写承诺日期。"), field="promised_date")
    with transaction.atomic():
        commitment = Commitment.objects.create(
            organisation=organisation, project=project, year=year, kind=kind, promise=promise,
            promised_date=promised_date, promised_amount=amount,
        )
        audit_record("project.commitment_add", commitment, actor=actor,
                     after={"organisation": organisation.pk, "project": getattr(project, "pk", None), "year": year,
                            "kind": kind, "promise": promise, "promised_date": str(promised_date or ""),
                            "promised_amount": str(amount or "")})
    return commitment


def commitment_record_actual(
    commitment: Commitment, *, actor: Actor | None, actual_date: dt.date | None = None, actual_amount: Any = None
) -> Commitment:
    """Record what actually happened against a commitment (承诺兑现)."""
    require(actor, "projects.supervise")
    amount = _money(actual_amount, "actual_amount", allow_none=True)
    if actual_date is None and amount is None:
        raise ValidationFailed(_("请填写实际日期或实际金额。"), field="actual_date")
    with transaction.atomic():
        row = Commitment.objects.select_for_update().get(pk=commitment.pk)
        before = {"actual_date": str(row.actual_date or ""), "actual_amount": str(row.actual_amount or "")}
        row.actual_date, row.actual_amount = actual_date, amount
        row.save(update_fields=["actual_date", "actual_amount"])
        audit_record("project.commitment_actual", row, actor=actor, before=before,
                     after={"actual_date": str(actual_date or ""), "actual_amount": str(amount or "")})
    return row


def observation_round_create(*, title: str, held_on: dt.date, actor: Actor | None) -> ObservationRound:
    """A round of on-site observation (现场观摩)."""
    require(actor, "projects.supervise")
    title = clean_text(title, field="title", max_length=128, required=_("请填写观摩名称。"))
    with transaction.atomic():
        obs = ObservationRound.objects.create(title=title, held_on=held_on)
        audit_record("project.observation_round", obs, actor=actor, after={"title": title,
                                                                           "held_on": held_on.isoformat()})
    return obs


def observation_score_set(
    obs: ObservationRound, *, organisation: Organisation, score: Any, actor: Actor | None, project: Project | None = None,
    remark: str = "",
) -> ObservationScore:
    """Score a county or park (and, optionally, the project shown) in a round, 0–100."""
    require(actor, "projects.supervise")
    try:
        value = Decimal(str(score)).quantize(Decimal("0.01"))
    except ArithmeticError as exc:
        raise ValidationFailed(_("得分格式不正确。"), field="score") from exc
    if not Decimal(0) <= value <= Decimal(100):
        raise ValidationFailed(_("得分应在 0 到 100 之间。"), field="score")
    with transaction.atomic():
        row = ObservationScore.objects.select_for_update().filter(round=obs, organisation=organisation,
                                                                  project=project).first()
        before = {"score": str(row.score), "remark": row.remark} if row else None
        if row is None:
            row = ObservationScore(round=obs, organisation=organisation, project=project)
        row.score, row.remark = value, (remark or "").strip()[:500]
        row.save()
        audit_record("project.observation_score", obs, actor=actor, before=before,
                     after={"organisation": organisation.pk, "project": getattr(project, "pk", None),
                            "score": str(value), "remark": row.remark})
    return row
