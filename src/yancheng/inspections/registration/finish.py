"""Recording the end and the result of an inspection."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor

from ..models import (
    Inspection,
)
from .checks import CLOCK_GRACE
from .register import enterprise_users, visit_url


def inspection_finish(
    inspection: Inspection,
    *,
    actor: Actor,
    outcome: str,
    result: str,
    ended_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Inspection:
    """Record the end and the result of an inspection (an inspector of a participating
    department). A stale `expected_version` (someone finished it meanwhile) → ConflictError.
    The enterprise is told the result is in and that it may rate the visit."""
    require(actor, "inspections.finish", inspection)
    now = timezone.now()
    if outcome not in Inspection.Outcome.values:
        raise ValidationFailed(_("请选择检查结果。"), field="outcome")
    text = (result or "").strip()
    if len(text) > 10_000:
        raise ValidationFailed(_("内容过长（最多 %(n)s 个字）。") % {"n": 10_000}, field="result")
    if outcome == Inspection.Outcome.OTHER and not text:
        raise ValidationFailed(_("检查结果为“其他”时请填写结果说明。"), field="result")
    if ended_at is not None and timezone.is_naive(ended_at):
        ended_at = timezone.make_aware(ended_at)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().select_related("enterprise").get(pk=inspection.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(
                _("该登记已被他人更新（当前状态：%(s)s），请刷新后再操作。") % {"s": locked.get_status_display()},
                code="stale_version",
            )
        if locked.status != Inspection.Status.IN_PROGRESS:
            raise ConflictError(_("该检查已登记结果。"), code="invalid_transition")
        ended = ended_at or now
        if ended > now + CLOCK_GRACE:
            raise ValidationFailed(_("结束时间不能晚于现在。"), field="ended_at")
        if ended < locked.started_at:
            raise ValidationFailed(
                _("结束时间不能早于开始时间（%(at)s）。")
                % {"at": timezone.localtime(locked.started_at).strftime("%Y-%m-%d %H:%M")},
                field="ended_at",
            )
        locked.ended_at = min(ended, now)
        locked.status = Inspection.Status.FINISHED
        locked.outcome = outcome
        locked.result = text
        locked.version += 1
        locked.save(update_fields=["ended_at", "status", "outcome", "result", "version"])
        audit_record(
            "inspection.finish", locked, actor=actor,
            before={"status": Inspection.Status.IN_PROGRESS},
            after={"status": locked.status, "outcome": outcome, "ended_at": locked.ended_at.isoformat()},
        )
        recipients = enterprise_users(locked.enterprise)
        if recipients:
            with translation.override(settings.LANGUAGE_CODE):
                notify(
                    recipients=recipients, verb="inspection_finished",
                    title=_("入企检查结果：%(number)s") % {"number": locked.number},
                    body=_("检查结果：%(outcome)s。欢迎对本次入企检查进行匿名评价；如有问题可以投诉。")
                    % {"outcome": locked.get_outcome_display()},
                    url=visit_url(locked), obj=locked, actor=actor,
                )
    return locked
