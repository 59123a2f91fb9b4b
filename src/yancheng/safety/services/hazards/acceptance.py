"""受理 and what comes with it: the 重大隐患 report (complete before acceptance), the
rectification case opened on the engine with the rectification deadline as its solve limit,
挂牌督办 of a 重大隐患 at once, 不予受理 with a reason, and 一般↔重大 reclassification."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.cases import clocks
from yancheng.cases.models import CaseKind, DayUnit, Urgency
from yancheng.cases.services import case_accept, case_assign, case_submit
from yancheng.core.audit.services import audit_record
from yancheng.core.calendar.source import working_days_between
from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.numbering import document_number
from yancheng.core.kit.text import clean_text, join_list
from yancheng.core.models import Organisation, Role, User
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor

from ...models import Hazard, HazardLevel, HazardStage
from ..common import now
from .base import city_leaders, hazard_url, locked_for, rectifiers_of, safety_staff_of

REPORT_LABELS = {
    "situation_cause": gettext_lazy("隐患现状及产生原因"),
    "harm_difficulty": gettext_lazy("危害程度和整改难易程度"),
    "plan_measures": gettext_lazy("治理方案的措施"),
    "plan_owner": gettext_lazy("治理方案的责任人"),
    "plan_funds": gettext_lazy("治理方案的资金"),
    "plan_deadline": gettext_lazy("治理方案的时限"),
    "plan_contingency": gettext_lazy("治理方案的预案"),
}
REASON_MAX = Hazard._meta.get_field("rejection_reason").max_length or 300
PERSON_MAX = Hazard._meta.get_field("responsible_person").max_length or 64
OWNER_MAX = Hazard._meta.get_field("plan_owner").max_length or 64
FUNDS_MAX = Decimal("9999999999.99")
MAX_RECTIFY_DAYS = 365


def missing_report_message(hazard: Hazard) -> str:
    """"" when complete; else the message naming each missing part of the 重大隐患 report."""
    missing = hazard.missing_report_fields()
    if not missing:
        return ""
    names = join_list(REPORT_LABELS[name] for name in missing)
    return _("重大事故隐患报告不完整，缺少：%(parts)s。") % {"parts": names}


def _require_complete(hazard: Hazard) -> None:
    message = missing_report_message(hazard)
    if message:
        raise ValidationFailed(message, field="report", code="report_incomplete")


def _local_today() -> dt.date:
    return timezone.localdate()


def _solve_days(rectify_by: dt.date) -> int:
    """The rectification deadline as the case's solve limit, counted in the unit of the
    policy hazard cases run under (working days by default)."""
    today = _local_today()
    if rectify_by <= today:
        raise ValidationFailed(_("整改期限应晚于今天。"), field="rectify_by")
    policy = clocks.policy_for(CaseKind.HAZARD, Urgency.NORMAL)
    if policy.day_unit == DayUnit.NATURAL:
        days = (rectify_by - today).days
    else:
        days = working_days_between(today, rectify_by).days
    if days < 1:
        raise ValidationFailed(_("整改期限内至少应有一个工作日。"), field="rectify_by")
    if days > MAX_RECTIFY_DAYS:
        raise ValidationFailed(_("整改期限不能超过一年。"), field="rectify_by")
    return days


def supervising_level_for(org: Organisation) -> Organisation | None:
    """挂牌督办 by the supervising department's government's 安委办: the office (Kind OFFICE)
    with safety staff in the department's region; where that region has none (a city
    department, or a county without its own), the city's. None when no 安委办 exists."""
    offices = Organisation.objects.filter(
        kind=Organisation.Kind.OFFICE, is_active=True,
        users__role=Role.SAFETY, users__is_active=True,
    ).distinct().order_by("path")
    own = offices.filter(region_id=org.region_id).first()
    if own is not None:
        return own
    return offices.filter(region__kind__in=["city", "province"]).first()


def notice_number_for(level: Organisation, when: dt.datetime) -> str:
    """督办通知's 文号 from the kit's counter, one series per 安委办 and year:
    ``<安委办简称>安督〔2026〕3号``."""
    year = timezone.localtime(when).year
    return document_number(level, "安督", year, f"doc:{level.pk}:hazard_supervision")[:64]


def _supervise(hazard: Hazard, actor: Actor) -> None:
    """挂牌督办 (安监总局令第16号 第二十一条): set once, with the notice's number; the 督办
    level's safety staff and the city's leaders are told."""
    if hazard.supervised_at is not None:
        return
    at = now()
    level = supervising_level_for(hazard.supervising_org)
    hazard.supervised_at = at
    hazard.supervising_level = level
    hazard.notice_number = notice_number_for(level or hazard.supervising_org, at)
    audit_record("hazard.supervise", hazard, actor=actor,
                 after={"supervising_level": level.pk if level else None, "notice_number": hazard.notice_number})
    recipients: list[User] = [*safety_staff_of(level), *city_leaders(), *rectifiers_of(hazard)]
    url = hazard_url(hazard)
    notify(
        recipients=recipients, verb="hazard.supervised", title=_("重大事故隐患挂牌督办：%(t)s") % {"t": hazard.title},
        body=hazard.notice_number, url=url, obj=hazard, actor=actor,
    )


def hazard_accept(
    hazard: Hazard | int,
    *,
    actor: Actor,
    rectify_by: dt.date | None = None,
    responsible_person: str = "",
    enforcement_measures: str = "",
    expected_version: int | None = None,
) -> Hazard:
    """受理: the supervising department accepts the report and sets the rectification
    deadline. A 重大隐患 only with its report complete (each missing part named); its plan's
    时限 is the deadline when none is given, and it goes 挂牌督办 at once. The rectification
    case opens on the engine: reported by the enterprise (or the reporter's unit, or the
    department), dispatched to and led by the supervising department, solve limit = the
    deadline."""
    responsible_person = clean_text(responsible_person, field="responsible_person", max_length=PERSON_MAX)
    enforcement_measures = clean_text(enforcement_measures, field="enforcement_measures", max_length=2000)
    with transaction.atomic():
        h = locked_for(hazard, "accept", actor, expected_version)
        if h.is_major:
            _require_complete(h)
            rectify_by = rectify_by or h.plan_deadline
        if rectify_by is None:
            raise ValidationFailed(_("请填写整改期限。"), field="rectify_by")
        solve_days = _solve_days(rectify_by)
        reporter_org = (
            h.enterprise.organisation if h.enterprise is not None and h.enterprise.organisation is not None
            else h.reporter_org or h.supervising_org
        )
        case = case_submit(
            actor=None, kind=CaseKind.HAZARD, title=f"{h.number} {h.title}"[:120], description=h.description,
            reporter_org=reporter_org, enterprise=h.enterprise, dispatch_org=h.supervising_org,
            subject_ref=f"hazard:{h.pk}",
        )
        case = case_assign(case, actor=actor, lead_org=h.supervising_org, solve_days=solve_days,
                           note=_("隐患整改期限：%(d)s") % {"d": rectify_by.isoformat()})
        case_accept(case, actor=actor)
        at = now()
        h.case = case
        h.stage = HazardStage.RECTIFYING
        h.accepted_at, h.accepted_by = at, actor
        h.responsible_person = responsible_person or h.plan_owner
        if enforcement_measures:
            h.enforcement_measures = enforcement_measures
        if h.is_major:
            _supervise(h, actor)
        h.version += 1
        h.save()
        audit_record("hazard.accept", h, actor=actor,
                     after={"case": case.number, "rectify_by": rectify_by.isoformat(), "level": h.level})
        recipients = rectifiers_of(h)
        url = hazard_url(h)
        title = _("隐患已受理，请于 %(d)s 前整改：%(t)s") % {"d": rectify_by.isoformat(), "t": h.title}
        notify(
            recipients=recipients, verb="hazard.accepted", title=title, url=url, obj=h, actor=actor,
        )
    return h


def hazard_reject(hazard: Hazard | int, *, actor: Actor, reason: str, expected_version: int | None = None) -> Hazard:
    """不予受理 (not a hazard, a duplicate, outside the department's remit), with the reason;
    the reporter (an account) is told."""
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, required=_("请说明不予受理的理由。"))
    with transaction.atomic():
        h = locked_for(hazard, "reject", actor, expected_version)
        h.stage = HazardStage.REJECTED
        h.rejection_reason = reason
        h.version += 1
        h.save(update_fields=["stage", "rejection_reason", "version"])
        audit_record("hazard.reject", h, actor=actor, after={"reason": reason})
        reporter = h.reported_by
        url = hazard_url(h)
        if reporter is not None:
            notify(
                recipients=[reporter], verb="hazard.rejected", title=_("隐患报告不予受理：%(t)s") % {"t": h.title},
                body=reason, url=url, obj=h, actor=actor,
            )
    return h


def _funds(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        funds = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("治理资金应为数字（万元）。"), field="plan_funds") from None
    if not funds.is_finite() or funds < 0 or funds > FUNDS_MAX:
        raise ValidationFailed(_("治理资金应为不小于 0 的金额（万元）。"), field="plan_funds")
    return funds.quantize(Decimal("0.01"))


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        parsed = parse_date(str(value).strip())
    except (ValueError, TypeError):
        parsed = None
    if parsed is None:
        raise ValidationFailed(_("治理时限应为日期（如 2026-12-31）。"), field="plan_deadline")
    return parsed


def hazard_complete_report(
    hazard: Hazard | int,
    *,
    actor: Actor,
    situation_cause: str = "",
    harm_difficulty: str = "",
    plan_measures: str = "",
    plan_owner: str = "",
    plan_funds: Any = None,
    plan_deadline: Any = None,
    plan_contingency: str = "",
    expected_version: int | None = None,
) -> Hazard:
    """The 重大隐患 report (第十四条): 现状及原因, 危害程度和整改难易程度, and the plan's
    措施、责任人、资金 (万元, ≥ 0)、时限、预案. Written by the supervising department or the
    rectifier, before or after acceptance; each call writes the whole report (an empty field
    is cleared)."""
    values: dict[str, Any] = {
        "situation_cause": clean_text(situation_cause, field="situation_cause", max_length=4000),
        "harm_difficulty": clean_text(harm_difficulty, field="harm_difficulty", max_length=4000),
        "plan_measures": clean_text(plan_measures, field="plan_measures", max_length=4000),
        "plan_owner": clean_text(plan_owner, field="plan_owner", max_length=OWNER_MAX),
        "plan_funds": _funds(plan_funds),
        "plan_deadline": _date(plan_deadline),
        "plan_contingency": clean_text(plan_contingency, field="plan_contingency", max_length=4000),
    }
    with transaction.atomic():
        h = locked_for(hazard, "complete_report", actor, expected_version)
        if not h.is_major:
            raise ValidationFailed(_("只有重大事故隐患需要填写治理方案报告。"), field="level")
        if values["plan_deadline"] is not None and values["plan_deadline"] <= _local_today() and h.case_id is None:
            raise ValidationFailed(_("治理时限应晚于今天。"), field="plan_deadline")
        before = {name: str(getattr(h, name) or "") for name in values}
        for name, value in values.items():
            setattr(h, name, value)
        h.version += 1
        h.save(update_fields=[*values, "version"])
        audit_record("hazard.complete_report", h, actor=actor, before=before,
                     after={name: str(value or "") for name, value in values.items()})
    return h


def hazard_reclassify(
    hazard: Hazard | int, *, actor: Actor, level: str, reason: str, expected_version: int | None = None
) -> Hazard:
    """一般 ↔ 重大, with the reason. Made 重大 after acceptance, it goes 挂牌督办 at once — and
    so only with its report complete (else refused, naming what is missing)."""
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, required=_("请说明调整等级的理由。"))
    if level not in HazardLevel.values:
        raise ValidationFailed(_("请选择隐患等级。"), field="level")
    with transaction.atomic():
        h = locked_for(hazard, "reclassify", actor, expected_version)
        if h.level == level:
            raise ValidationFailed(_("隐患已是该等级。"), field="level")
        before = h.level
        h.level = level
        if h.is_major and h.stage != HazardStage.REPORTED:
            _require_complete(h)
            _supervise(h, actor)
        h.version += 1
        h.save()
        audit_record("hazard.reclassify", h, actor=actor, before={"level": before}, after={"level": level, "reason": reason})
    return h
