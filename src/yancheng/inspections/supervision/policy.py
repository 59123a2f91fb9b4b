"""The city's inspection policy: checking its fields, its If-Match version and the audited update."""

from __future__ import annotations

import json
import zlib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from ..models import (
    InspectionPolicy,
)
from .cleaning import clean_int

POLICY_FIELDS = (
    "supervising_org",
    "grade_a_proactive",
    "cap_exceeded",
    "high_frequency_window_days",
    "high_frequency_threshold",
    "backfill_days",
    "rating_min_count",
)
# Fewer than this many ratings in an aggregate could point at the enterprise that gave them.
RATING_MIN_COUNT_FLOOR = 5


def clean_policy_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check the given policy fields (any subset); the checked values, or ValidationFailed."""
    unknown = sorted(set(fields) - set(POLICY_FIELDS))
    if unknown:
        raise ValidationFailed(_("未知的规则项：%(f)s。") % {"f": "、".join(unknown)}, field=unknown[0])
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "supervising_org":
            if value is not None and (
                not isinstance(value, Organisation)
                or not value.is_active
                or value.kind not in {Organisation.Kind.DEPARTMENT, Organisation.Kind.OFFICE}
            ):
                raise ValidationFailed(_("行政执法监督机构须是启用的职能部门或办公室。"), field=name)
            out[name] = value
        elif name in {"grade_a_proactive", "cap_exceeded"}:
            if value not in InspectionPolicy.Handling.values:
                raise ValidationFailed(_("处理方式只能是“拒绝登记”或“允许登记并预警”。"), field=name)
            out[name] = value
        elif name == "high_frequency_window_days":
            out[name] = clean_int(value, name, 1, 366, _("高频入企统计窗口应在 1 至 366 个自然日之间。"))
        elif name == "high_frequency_threshold":
            out[name] = clean_int(value, name, 2, 100, _("高频入企预警次数应在 2 至 100 次之间。"))
        elif name == "backfill_days":
            out[name] = clean_int(value, name, 1, 30, _("补录期限应在 1 至 30 个自然日之间（规定为 10 个自然日）。"))
        elif name == "rating_min_count":
            if isinstance(value, int) and not isinstance(value, bool) and value < RATING_MIN_COUNT_FLOOR:
                raise ValidationFailed(
                    _("评价汇总最少条数不得小于 %(n)d：条数太少的平均分可能让被检查部门推断出是哪家企业评价的。")
                    % {"n": RATING_MIN_COUNT_FLOOR},
                    field=name,
                )
            out[name] = clean_int(value, name, RATING_MIN_COUNT_FLOOR, 1000,
                             _("评价汇总最少条数应在 %(n)d 至 1000 之间，不得小于 %(n)d。") % {"n": RATING_MIN_COUNT_FLOOR})
    return out


def _policy_values(policy: InspectionPolicy) -> dict[str, Any]:
    return {
        "supervising_org": policy.supervising_org_id,
        **{name: getattr(policy, name) for name in POLICY_FIELDS if name != "supervising_org"},
    }


def policy_etag(policy: InspectionPolicy) -> int:
    """A version of the policy for If-Match: a checksum of its values (the row has no counter)."""
    return zlib.crc32(json.dumps(_policy_values(policy), sort_keys=True).encode())


def policy_update(*, actor: Actor | None, expected_version: int | None = None, **fields: Any) -> InspectionPolicy:
    """Change the city's inspection rules: who supervises, what happens to proactive
    inspections of grade-A enterprises and to inspections over a cap (refuse or alert), the
    high-frequency window and threshold, the back-fill limit and the least number of
    ratings an aggregate shows (never below 5). Only changed fields are saved and audited."""
    require(actor, "inspections.manage_rules")
    require(actor, "inspections.manage_city_rules")
    cleaned = clean_policy_fields(fields)
    with transaction.atomic():
        policy = InspectionPolicy.objects.select_for_update().order_by("pk").first()
        if policy is None:  # a flushed database: the first change saves the defaults with it
            policy = InspectionPolicy()
        if expected_version is not None and policy_etag(policy) != expected_version:
            raise ConflictError(_("检查规则已被他人修改，请刷新后重试。"), code="stale_version")
        before = _policy_values(policy)
        changed = [name for name, value in cleaned.items() if getattr(policy, name) != value]
        if not changed:
            return policy
        for name in changed:
            setattr(policy, name, cleaned[name])
        policy.save(update_fields=changed if policy.pk else None)
        after = _policy_values(policy)
        audit_record("inspection_policy.update", policy, actor=actor,
                     before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return policy
