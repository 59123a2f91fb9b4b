"""扫码入企: registering an inspection before entering an enterprise, and its result at the end.

The rules come from the anchors of SPEC §4:

- only licensed inspectors, at least two, each with a usable enforcement certificate of a
  participating department (国办发〔2024〕54号: no 网格员、临时工、辅助人员 without one);
- only published items ("未经公布的，不得实施"); a legal basis; a filed plan or the reason the
  inspection is outside any plan (投诉举报、转办交办、上级部署、突发事件);
- scan before entering; in an emergency inspect first and scan before leaving; when the
  system was down, back-fill within 10 natural days with the reason (深府规〔2025〕6号 and
  its 解读);
- grade A enterprises get no proactive inspection in a year (衡政办发〔2025〕6号); caps per
  item, per department and in total, exempt inspections not counted; quiet periods admit
  only exempt inspections; alerts to the supervisor when a cap is reached or exceeded and
  on high-frequency visits of any kind (国办发〔2024〕54号, 宁波市政府令第280号 第五条);
- a joint inspection (联合检查, 进一次门、查多项事) is one registration of several departments
  and counts once against every cap.

`registration_preview` says what the inspector must know before registering;
`inspection_register` registers (or refuses, with a Chinese message naming the field);
`inspection_finish` records the result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Enterprise, Organisation, Region, Role, User
from yancheng.core.notifications.services import notify

from .alerts import alert_raise
from .counting import CapUsage, local_year, recent_visits, usage
from .lookup import CodeRevoked, revoked_message
from .models import (
    CapRule,
    EntryMode,
    ExemptionReason,
    FoundBy,
    Inspection,
    InspectionAlert,
    InspectionDepartment,
    InspectionInspector,
    InspectionItem,
    InspectionItemChecked,
    InspectionKind,
    InspectionPlan,
    InspectionPolicy,
    InspectorLicence,
    JointProposal,
    OutsidePlanReason,
    PlanEntry,
    QuietPeriod,
    SupervisionCode,
    VisitPurpose,
)
from .permissions import active_licence, department_of
from .services import licence_usable, require

MIN_INSPECTORS = 2
MAX_INSPECTORS = 20
MAX_ITEMS = 50
# A phone's clock may run a little ahead of the server's.
CLOCK_GRACE = dt.timedelta(minutes=5)
# Outside-plan reasons that are not proactive (grade A may still be inspected).
REACTIVE_REASONS = frozenset({OutsidePlanReason.COMPLAINT, OutsidePlanReason.REFERRAL})
NUMBER_PREFIX = "JC"


# --- notices shown to the inspector ---------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """A warning for the inspector. `build` makes the message in the active language, so
    the same notice is shown in the inspector's language and stored in the site's."""

    code: str
    build: Callable[[], str]
    needs_ack: bool = False

    @property
    def message(self) -> str:
        return self.build()

    def stored(self) -> dict[str, str]:
        with translation.override(settings.LANGUAGE_CODE):
            return {"code": self.code, "message": self.build()}

    def __str__(self) -> str:
        return self.message


class AcknowledgementRequired(ValidationFailed):
    """The registration is admitted only once the inspector confirms the warnings (a cap
    would be exceeded and the rules say "admit and alert")."""

    code = "acknowledge_required"

    def __init__(self, notices: Sequence[Notice]) -> None:
        self.notices = list(notices)
        text = "；".join(n.message for n in self.notices)
        super().__init__(
            _("请确认以下提示后再登记：%(warnings)s") % {"warnings": text}, field="acknowledge_warnings"
        )


def _day(value: dt.date) -> str:
    return date_format(value, "Y-m-d")


def _cap_text(u: CapUsage, after: int) -> str:
    return _("%(label)s本年已计 %(used)s 次，本次登记后为 %(after)s 次，上限 %(limit)s 次") % {
        "label": u.label, "used": u.used, "after": after, "limit": u.limit,
    }


def _notice_cap(u: CapUsage, after: int) -> Notice:
    """This registration brings a cap to its limit (reached) or past it (exceeded)."""
    if after > u.limit:
        return Notice("cap_exceeded", lambda: _("超过频次上限：%(text)s。") % {"text": _cap_text(u, after)},
                      needs_ack=True)
    return Notice("cap_reached", lambda: _("达到频次上限：%(text)s。") % {"text": _cap_text(u, after)})


def _notice_cap_full(u: CapUsage) -> Notice:
    """Before registering: the cap is already used up this year."""
    return Notice("cap_reached", lambda: _(
        "%(label)s本年已检查 %(used)s 次，已达上限 %(limit)s 次；再登记计入频次的检查将超过上限。"
    ) % {"label": u.label, "used": u.used, "limit": u.limit})


def _notice_grade_a(policy: InspectionPolicy) -> Notice:
    if policy.grade_a_proactive == InspectionPolicy.Handling.REFUSE:
        return Notice("grade_a", lambda: _("该企业为 A 类企业（企业自检+信用承诺），原则上一年内不实施主动检查；"
                                           "投诉举报、转办交办的检查或豁免检查除外。"))
    return Notice("grade_a", lambda: _("该企业为 A 类企业，原则上一年内不实施主动检查；如仍登记，将向执法监督机构预警。"))


def _notice_quiet(periods: Sequence[QuietPeriod]) -> Notice:
    names = "、".join(f"{p.name}（{_day(p.starts_on)}–{_day(p.ends_on)}）" for p in periods)
    return Notice("quiet_period", lambda: _("企业宁静期：%(periods)s，期间只允许有豁免事由的检查。") % {"periods": names})


def _notice_high_frequency(count: int, days: int) -> Notice:
    return Notice("high_frequency", lambda: _(
        "高频入企：该企业近 %(days)s 日内已有 %(n)s 次入企（含非执法入企），本次为第 %(m)s 次，将向执法监督机构预警。"
    ) % {"days": days, "n": count, "m": count + 1})


# --- the preview ------------------------------------------------------------------------------------


@dataclass
class Preview:
    """What the inspector sees before registering: the enterprise's grade, this year's
    counted inspections against each cap, quiet periods, the department's open plans and
    accepted joint inspections for the enterprise, and the warnings."""

    enterprise: Enterprise
    grade: str
    grade_display: str
    department: Organisation | None
    year: int
    caps: list[CapUsage]
    total: CapUsage | None
    quiet_periods: list[QuietPeriod]
    plan_entries: list[PlanEntry]
    joint_proposals: list[JointProposal]
    recent_visits: int
    window_days: int
    items: list[InspectionItem]
    warnings: list[Notice] = field(default_factory=list)
    licence: InspectorLicence | None = None


def _region_ids(region: Region) -> list[int]:
    """The region and the regions above it (a quiet period of the city covers its counties)."""
    ids: list[int] = []
    current: Region | None = region
    while current is not None and current.pk not in ids and len(ids) < 10:
        ids.append(current.pk)
        current = current.parent
    return ids


def quiet_periods_on(enterprise: Enterprise, day: dt.date) -> list[QuietPeriod]:
    """企业宁静期 in force on `day` for the enterprise: city-wide, its region (or a region
    above it), or the enterprise itself."""
    return list(
        QuietPeriod.objects.filter(starts_on__lte=day, ends_on__gte=day).filter(
            Q(region__isnull=True, enterprise__isnull=True)
            | Q(enterprise__isnull=True, region_id__in=_region_ids(enterprise.region))
            | Q(enterprise_id=enterprise.pk)
        ).order_by("starts_on", "pk")
    )


def _target_q(enterprise: Enterprise) -> Q:
    return Q(enterprise_id=enterprise.pk) | (Q(enterprise__isnull=True) & ~Q(enterprise_class=""))


def open_plan_entries(enterprise: Enterprise, departments: Iterable[Organisation], day: dt.date) -> QuerySet[PlanEntry]:
    """Filed plan entries of the departments that target the enterprise (or a class of
    enterprises) and whose window covers `day` or lies ahead; not yet used for it."""
    return (
        PlanEntry.objects.filter(
            plan__department__in=list(departments), plan__status=InspectionPlan.Status.FILED, window_end__gte=day
        )
        .filter(_target_q(enterprise))
        .exclude(inspections__enterprise_id=enterprise.pk)
        .select_related("item", "plan__department", "enterprise")
        .order_by("window_start", "pk")
    )


def accepted_joint_proposals(enterprise: Enterprise, department: Organisation) -> QuerySet[JointProposal]:
    """Accepted joint inspections of the enterprise the department is part of."""
    return (
        JointProposal.objects.filter(
            enterprise_id=enterprise.pk, status=JointProposal.Status.ACCEPTED,
            entries__plan__department_id=department.pk,
        )
        .distinct()
        .select_related("lead_department")
        .order_by("window_start", "pk")
    )


def published_items(departments: Iterable[Organisation]) -> QuerySet[InspectionItem]:
    return (
        InspectionItem.objects.filter(
            department__in=list(departments), published_at__isnull=False, withdrawn_at__isnull=True
        )
        .select_related("department")
        .order_by("department__name", "code")
    )


def joint_departments(proposal: JointProposal) -> list[Organisation]:
    """The departments of a joint proposal's entries, the lead first."""
    depts = {
        o.pk: o for o in Organisation.objects.filter(inspection_plans__entries__joint_proposal=proposal).distinct()
    }
    lead = proposal.lead_department_id
    return sorted(depts.values(), key=lambda o: (o.pk != lead, o.name))


def registration_preview(enterprise: Enterprise, *, actor: Any, when: dt.datetime | None = None) -> Preview:
    """What the inspector must know before registering a visit to `enterprise` (a read: no
    permission beyond seeing the enterprise, which the caller checked)."""
    when = when or timezone.now()
    day = timezone.localdate(when)
    year = day.year
    policy = InspectionPolicy.current()
    department = department_of(actor)
    licence = active_licence(actor)
    departments = [department] if department is not None else []
    items = list(published_items(departments))
    all_usage = usage(enterprise, year, departments, items)
    caps = [u for u in all_usage if u.rule.scope != CapRule.Scope.TOTAL]
    total = next((u for u in all_usage if u.rule.scope == CapRule.Scope.TOTAL), None)
    quiet = quiet_periods_on(enterprise, day)
    plans = list(open_plan_entries(enterprise, departments, day)) if departments else []
    joints = list(accepted_joint_proposals(enterprise, department)) if department is not None else []
    visits = recent_visits(enterprise, policy.high_frequency_window_days, now=when)

    warnings: list[Notice] = []
    if enterprise.grade == Enterprise.Grade.A:
        warnings.append(_notice_grade_a(policy))
    if quiet:
        warnings.append(_notice_quiet(quiet))
    for u in all_usage:
        if u.used >= u.limit:
            warnings.append(_notice_cap_full(u))
    if visits + 1 >= policy.high_frequency_threshold:
        warnings.append(_notice_high_frequency(visits, policy.high_frequency_window_days))
    return Preview(
        enterprise=enterprise, grade=enterprise.grade, grade_display=str(enterprise.get_grade_display()),
        department=department, year=year, caps=caps, total=total, quiet_periods=quiet, plan_entries=plans,
        joint_proposals=joints, recent_visits=visits, window_days=policy.high_frequency_window_days, items=items,
        warnings=warnings, licence=licence,
    )


# --- registering ------------------------------------------------------------------------------------


def _start_time(
    entry_mode: str, started_at: dt.datetime | None, reason: str, now: dt.datetime, policy: InspectionPolicy
) -> tuple[dt.datetime, str]:
    """When the inspection started, by entry mode (深府规〔2025〕6号 解读)."""
    if entry_mode not in EntryMode.values:
        raise ValidationFailed(_("请选择登记方式。"), field="entry_mode")
    if started_at is not None and timezone.is_naive(started_at):
        started_at = timezone.make_aware(started_at)
    if started_at is not None and started_at > now + CLOCK_GRACE:
        raise ValidationFailed(_("开始时间不能晚于现在。"), field="started_at")
    reason = (reason or "").strip()
    if entry_mode == EntryMode.SCANNED:
        return now, ""
    if not reason:
        if entry_mode == EntryMode.EMERGENCY:
            raise ValidationFailed(_("先查后扫须说明紧急情况（例如证据可能灭失）。"), field="entry_mode_reason")
        raise ValidationFailed(_("事后补录须说明原因（例如网络或系统故障）。"), field="entry_mode_reason")
    if len(reason) > 2000:
        raise ValidationFailed(_("内容过长（最多 %(n)s 个字）。") % {"n": 2000}, field="entry_mode_reason")
    if started_at is None:
        raise ValidationFailed(_("请填写实际开始检查的时间。"), field="started_at")
    started_at = min(started_at, now)
    today = timezone.localdate(now)
    day = timezone.localdate(started_at)
    if entry_mode == EntryMode.EMERGENCY:
        if day != today:
            raise ValidationFailed(
                _("先查后扫须在离开企业前、当天登记；更早的检查请选择“系统故障事后补录”。"), field="started_at"
            )
        return started_at, reason
    if (today - day).days > policy.backfill_days:
        raise ValidationFailed(
            _("只能补录 %(n)s 个自然日内的入企检查（开始于 %(day)s 的检查已超过期限）。")
            % {"n": policy.backfill_days, "day": _day(day)},
            field="started_at",
        )
    return started_at, reason


def _lock_code(code: SupervisionCode | None, enterprise: Enterprise, found_by: str) -> SupervisionCode | None:
    if found_by not in FoundBy.values:
        raise ValidationFailed(_("未知的查找方式。"), field="found_by")
    if code is None:
        if found_by == FoundBy.CODE:
            raise ValidationFailed(_("扫码登记须提供所扫的监督码。"), field="code")
        return None
    locked = SupervisionCode.objects.select_for_update().filter(pk=code.pk).first()
    if locked is None or locked.enterprise_id != enterprise.pk:
        raise ValidationFailed(_("监督码与企业不符。"), field="code")
    if not locked.is_active:
        raise CodeRevoked(revoked_message(), field="code")
    return locked


def _lock_joint(
    proposal: JointProposal | None, enterprise: Enterprise, department: Organisation, day: dt.date
) -> JointProposal | None:
    if proposal is None:
        return None
    locked = JointProposal.objects.select_for_update().filter(pk=proposal.pk).first()
    if locked is None or locked.enterprise_id != enterprise.pk:
        raise ValidationFailed(_("该联合检查不是针对本企业的。"), field="joint_proposal")
    if locked.status == JointProposal.Status.DONE:
        raise ConflictError(_("该联合检查已登记实施，不能重复登记。"), code="joint_done")
    if locked.status != JointProposal.Status.ACCEPTED:
        raise ValidationFailed(_("该联合检查尚未经各部门确认，不能按联合检查登记。"), field="joint_proposal")
    if not PlanEntry.objects.filter(joint_proposal=locked, plan__department_id=department.pk).exists():
        raise ValidationFailed(_("本部门不在该联合检查之中。"), field="joint_proposal")
    if not locked.window_start <= day <= locked.window_end:
        raise ValidationFailed(
            _("联合检查的时间窗口为 %(a)s 至 %(b)s，开始时间不在其中。")
            % {"a": _day(locked.window_start), "b": _day(locked.window_end)},
            field="joint_proposal",
        )
    return locked


def _licences(
    inspectors: Iterable[str | InspectorLicence], own: InspectorLicence, departments: Sequence[Organisation],
    day: dt.date,
) -> list[InspectorLicence]:
    wanted: list[str] = []
    for value in inspectors:
        number = value.certificate_no if isinstance(value, InspectorLicence) else str(value or "")
        number = number.strip().upper()
        if number and number not in wanted:
            wanted.append(number)
    if len(wanted) > MAX_INSPECTORS:
        raise ValidationFailed(_("检查人员过多（最多 %(n)s 人）。") % {"n": MAX_INSPECTORS}, field="inspectors")
    found = {
        lic.certificate_no: lic
        for lic in InspectorLicence.objects.filter(certificate_no__in=wanted).select_related("department")
    }
    dept_ids = {d.pk for d in departments}
    result: list[InspectorLicence] = []
    for number in wanted:
        lic = found.get(number)
        if lic is None:
            raise ValidationFailed(
                _("执法证号 %(no)s 不在执法人员名录中，不能参加检查。") % {"no": number}, field="inspectors"
            )
        if not licence_usable(lic, day):
            state = (
                _("已过期") if lic.status == InspectorLicence.Status.ACTIVE else str(lic.get_status_display())
            )
            raise ValidationFailed(
                _("执法证号 %(no)s（%(name)s）%(state)s，不能参加检查。")
                % {"no": number, "name": lic.full_name, "state": state},
                field="inspectors",
            )
        if lic.department_id not in dept_ids:
            raise ValidationFailed(
                _("执法证号 %(no)s（%(name)s）属于%(dept)s，不是参加本次检查的部门。")
                % {"no": number, "name": lic.full_name, "dept": lic.department.name},
                field="inspectors",
            )
        result.append(lic)
    if own.pk not in {lic.pk for lic in result}:
        raise ValidationFailed(
            _("登记人本人（执法证号 %(no)s）须为检查人员之一。") % {"no": own.certificate_no}, field="inspectors"
        )
    if len(result) < MIN_INSPECTORS:
        raise ValidationFailed(
            _("入企检查须有至少两名持有效执法证的检查人员，请添加另一名检查人员。"), field="inspectors"
        )
    return result


def _items(items: Iterable[InspectionItem | int], departments: Sequence[Organisation]) -> list[InspectionItem]:
    ids: list[int] = []
    for value in items:
        pk = value.pk if isinstance(value, InspectionItem) else int(value)
        if pk not in ids:
            ids.append(pk)
    if len(ids) > MAX_ITEMS:
        raise ValidationFailed(_("检查事项过多（最多 %(n)s 项）。") % {"n": MAX_ITEMS}, field="items")
    found = {i.pk: i for i in InspectionItem.objects.filter(pk__in=ids).select_related("department")}
    dept_ids = {d.pk for d in departments}
    result: list[InspectionItem] = []
    for pk in ids:
        item = found.get(pk)
        if item is None:
            raise ValidationFailed(_("检查事项不存在。"), field="items")
        if item.department_id not in dept_ids:
            raise ValidationFailed(
                _("检查事项“%(item)s”属于%(dept)s；其他部门的事项只能通过已确认的联合检查一并登记。")
                % {"item": item.name, "dept": item.department.name},
                field="items",
            )
        if not item.is_published:
            raise ValidationFailed(
                _("检查事项“%(item)s”未公布或已停止实施，不得检查（未经公布的，不得实施）。") % {"item": item.name},
                field="items",
            )
        result.append(item)
    return result


def _plan(
    plan_entry: PlanEntry | None, enterprise: Enterprise, departments: Sequence[Organisation], day: dt.date
) -> PlanEntry | None:
    if plan_entry is None:
        return None
    entry = (
        PlanEntry.objects.filter(pk=plan_entry.pk).select_related("plan", "item").filter(_target_q(enterprise)).first()
    )
    if entry is None:
        raise ValidationFailed(_("所选计划不是针对本企业的。"), field="plan_entry")
    if entry.plan.department_id not in {d.pk for d in departments}:
        raise ValidationFailed(_("所选计划不是参加检查部门的计划。"), field="plan_entry")
    if entry.plan.status != InspectionPlan.Status.FILED:
        raise ValidationFailed(_("所选计划尚未报备，不能作为检查依据。"), field="plan_entry")
    if not entry.window_start <= day <= entry.window_end:
        raise ValidationFailed(
            _("所选计划的实施时间为 %(a)s 至 %(b)s，开始时间不在其中。")
            % {"a": _day(entry.window_start), "b": _day(entry.window_end)},
            field="plan_entry",
        )
    return entry


def _next_number(now: dt.datetime) -> tuple[str, int]:
    prefix = f"{NUMBER_PREFIX}{local_year(now)}-"
    last = (
        Inspection.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    )
    n = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return prefix, n


def _create(fields: dict[str, Any], now: dt.datetime) -> Inspection:
    """Insert with the next number JC<year>-NNNNNN. Two registrations at once may pick the
    same number: the loser's insert fails on the unique number inside a savepoint and it
    takes the next one."""
    prefix, n = _next_number(now)
    for _attempt in range(20):
        number = f"{prefix}{n:06d}"
        try:
            with transaction.atomic():
                return Inspection.objects.create(number=number, **fields)
        except IntegrityError:
            if not Inspection.objects.filter(number=number).exists():
                raise
            prefix, n = _next_number(now)
            n = max(n, int(number[len(prefix):]) + 1)
    raise ConflictError(_("登记人数较多，请稍后重试。"), code="busy")


def _enterprise_users(enterprise: Enterprise) -> list[User]:
    if not enterprise.organisation_id:
        return []
    return list(User.objects.filter(organisation_id=enterprise.organisation_id, role=Role.ENTERPRISE, is_active=True))


def visit_url(inspection: Inspection) -> str:
    """The enterprise's page of a visit (built by the enterprise side)."""
    return f"/inspections/visits/{inspection.pk}/"


@dataclass
class _Findings:
    """What the checks found to tell: warnings for the inspector (shown now and stored on
    the registration) and alerts for the supervisor (raised once the registration is saved)."""

    warnings: list[Notice] = field(default_factory=list)
    alerts: list[tuple[str, Notice, dict[str, Any]]] = field(default_factory=list)

    def alert(self, kind: str, notice: Notice, **extra: Any) -> None:
        self.alerts.append((kind, notice, extra))


def _check_actor(actor: Any, enterprise: Enterprise) -> InspectorLicence:
    """Only a licensed inspector registers, in person; the actor's usable licence."""
    if actor is None:
        raise PermissionDeniedError(_("入企检查须由持证检查员本人登记。"))
    require(actor, "inspections.register", enterprise)
    own = active_licence(actor)
    if own is None:  # require() passed, so only a race with a suspension gets here
        raise PermissionDeniedError(_("您的执法证当前不可用，不能登记入企检查。"))
    return own


def _departments(joint: JointProposal | None, home: Organisation) -> tuple[list[Organisation], Organisation]:
    """The participating departments and the lead: the joint inspection's, or the home's."""
    if joint is None:
        return [home], home
    departments = joint_departments(joint)
    lead = joint.lead_department if joint.lead_department_id in {d.pk for d in departments} else home
    assert lead is not None
    return departments, lead


def _check_kind(kind: str) -> None:
    if kind not in InspectionKind.values:
        raise ValidationFailed(_("请选择入企类型：行政检查或非执法入企。"), field="kind")


def _check_plan(
    plan_entry: PlanEntry | None, joint: JointProposal | None, enterprise: Enterprise,
    departments: Sequence[Organisation], home: Organisation, day: dt.date,
) -> PlanEntry | None:
    """The plan entry the inspection follows: the one given, or the home department's entry
    of the joint inspection."""
    entry = _plan(plan_entry, enterprise, departments, day)
    if joint is not None and entry is None:
        entry = PlanEntry.objects.filter(joint_proposal=joint, plan__department_id=home.pk).order_by("pk").first()
    return entry


def _check_basis(
    kind: str, purpose: str, legal_basis: str, outside_plan_reason: str, checked: Sequence[InspectionItem],
    entry: PlanEntry | None, joint: JointProposal | None,
) -> tuple[str, str, str]:
    """An enforcement inspection has items, a legal basis (the items' by default) and a plan
    or an outside-plan reason; a visit has a purpose. The purpose, basis and reason kept."""
    basis = (legal_basis or "").strip()
    reason = (outside_plan_reason or "").strip()
    if kind == InspectionKind.ENFORCEMENT:
        if not checked:
            raise ValidationFailed(_("行政检查须至少选择一项已公布的检查事项。"), field="items")
        if not basis:
            basis = "\n".join(dict.fromkeys(i.legal_basis for i in checked))
        if not basis:
            raise ValidationFailed(_("请填写检查依据。"), field="legal_basis")
        if entry is not None or joint is not None:
            reason = ""
        elif not reason:
            raise ValidationFailed(
                _("请选择所依据的检查计划；计划外检查须选择事由（投诉举报、转办交办、上级部署、突发事件）。"),
                field="outside_plan_reason",
            )
        elif reason not in OutsidePlanReason.values:
            raise ValidationFailed(_("未知的计划外事由。"), field="outside_plan_reason")
        return "", basis, reason
    if purpose not in VisitPurpose.values:
        raise ValidationFailed(_("非执法入企须选择目的：调研、走访或宣传。"), field="purpose")
    if reason and reason not in OutsidePlanReason.values:
        raise ValidationFailed(_("未知的计划外事由。"), field="outside_plan_reason")
    return purpose, basis, reason


def _check_exemption(
    exemption_reason: ExemptionReason | None, exemption_evidence: str, found: _Findings
) -> tuple[ExemptionReason | None, str]:
    """An exemption needs an active reason and its evidence (an attachment, later, if the
    reason asks for one). The reason and the evidence kept."""
    if exemption_reason is None:
        return None, ""
    evidence = (exemption_evidence or "").strip()
    exemption = ExemptionReason.objects.filter(pk=exemption_reason.pk, is_active=True).first()
    if exemption is None:
        raise ValidationFailed(_("该豁免事由已停用。"), field="exemption_reason")
    if not evidence:
        raise ValidationFailed(
            _("豁免检查须提供证明：%(what)s。") % {"what": exemption.evidence_required},
            field="exemption_evidence",
        )
    if len(evidence) > 2000:
        raise ValidationFailed(_("内容过长（最多 %(n)s 个字）。") % {"n": 2000}, field="exemption_evidence")
    if exemption.requires_attachment:
        what, name = exemption.evidence_required, exemption.name
        found.warnings.append(Notice("attachment_needed", lambda: _(
            "豁免事由“%(name)s”须上传证明材料（%(what)s），请在登记后于登记详情页上传附件。"
        ) % {"name": name, "what": what}))
    return exemption, evidence


def _check_quiet_period(
    enterprise: Enterprise, day: dt.date, exemption: ExemptionReason | None, lead: Organisation, found: _Findings
) -> None:
    """企业宁静期: only exempt inspections."""
    quiet = quiet_periods_on(enterprise, day)
    if not quiet:
        return
    if exemption is None:
        names = "、".join(p.name for p in quiet)
        raise ValidationFailed(
            _("企业宁静期（%(periods)s）内只允许有豁免事由的检查，请选择豁免事由并提供证明。")
            % {"periods": names},
            field="exemption_reason",
            code="quiet_period",
        )
    notice = _notice_quiet(quiet)
    found.warnings.append(notice)
    found.alert(InspectionAlert.Kind.QUIET_PERIOD, notice, department=lead)


def _check_grade_a(
    enterprise: Enterprise, kind: str, exemption: ExemptionReason | None, reason: str, policy: InspectionPolicy,
    lead: Organisation, found: _Findings,
) -> None:
    """Grade A: no proactive inspection (衡政办发〔2025〕6号); refused or alerted by the policy."""
    proactive = kind == InspectionKind.ENFORCEMENT and exemption is None and reason not in REACTIVE_REASONS
    if enterprise.grade != Enterprise.Grade.A or not proactive:
        return
    notice = _notice_grade_a(policy)
    if policy.grade_a_proactive == InspectionPolicy.Handling.REFUSE:
        raise ValidationFailed(notice.message, field="kind", code="grade_a")
    found.warnings.append(notice)
    found.alert(InspectionAlert.Kind.GRADE_A, notice, department=lead)


def _check_caps(
    enterprise: Enterprise, day: dt.date, departments: Sequence[Organisation], checked: Sequence[InspectionItem],
    lead: Organisation, policy: InspectionPolicy, acknowledged: bool, found: _Findings,
) -> None:
    """Caps, for a counted inspection: it adds one to every applicable cap. Reaching a cap
    warns; exceeding one is refused or, by the policy, admitted once acknowledged."""
    exceeded: list[Notice] = []
    for u in usage(enterprise, day.year, departments, checked, grade=enterprise.grade):
        after = u.used + 1
        dept = u.department or (u.rule.item.department if u.rule.item is not None else lead)
        extra = {"department": dept, "cap_rule": u.rule, "count": after, "limit": u.limit}
        if after == u.limit:
            notice = _notice_cap(u, after)
            found.warnings.append(notice)
            found.alert(InspectionAlert.Kind.CAP_REACHED, notice, **extra)
        elif after > u.limit:
            notice = _notice_cap(u, after)
            exceeded.append(notice)
            found.alert(InspectionAlert.Kind.CAP_EXCEEDED, notice, **extra)
    if not exceeded:
        return
    if policy.cap_exceeded == InspectionPolicy.Handling.REFUSE:
        text = "；".join(n.message for n in exceeded)
        raise ValidationFailed(
            _("本次检查将超过年度检查频次上限，按规定不予登记：%(caps)s") % {"caps": text},
            field="items", code="cap_exceeded",
        )
    if not acknowledged:
        raise AcknowledgementRequired([*found.warnings, *exceeded])
    found.warnings.extend(exceeded)


def _check_high_frequency(
    enterprise: Enterprise, policy: InspectionPolicy, now: dt.datetime, lead: Organisation, found: _Findings
) -> None:
    """High-frequency visits of any kind (宁波市政府令第280号 第五条; 龙华): warn and alert."""
    visits = recent_visits(enterprise, policy.high_frequency_window_days, now=now)
    if visits + 1 < policy.high_frequency_threshold:
        return
    notice = _notice_high_frequency(visits, policy.high_frequency_window_days)
    found.warnings.append(notice)
    found.alert(InspectionAlert.Kind.HIGH_FREQUENCY, notice, department=lead, count=visits + 1,
                limit=policy.high_frequency_threshold)


def _entry_mode_alert(entry_mode: str, mode_reason: str, day: dt.date, lead: Organisation, found: _Findings) -> None:
    """Inspect-first (emergency) and back-filled registrations are told to the supervisor."""
    if entry_mode == EntryMode.EMERGENCY:
        notice = Notice("emergency", lambda: _("先查后扫：%(reason)s") % {"reason": mode_reason})
        found.alert(InspectionAlert.Kind.EMERGENCY, notice, department=lead)
    elif entry_mode == EntryMode.BACKFILL:
        notice = Notice("backfill", lambda: _("事后补录（开始于 %(day)s）：%(reason)s")
                        % {"day": _day(day), "reason": mode_reason})
        found.alert(InspectionAlert.Kind.BACKFILL, notice, department=lead)


def inspection_register(
    *,
    actor: Any,
    enterprise: Enterprise,
    found_by: str,
    code: SupervisionCode | None = None,
    kind: str,
    purpose: str = "",
    items: Iterable[InspectionItem | int] = (),
    inspectors: Iterable[str | InspectorLicence] = (),
    legal_basis: str = "",
    plan_entry: PlanEntry | None = None,
    joint_proposal: JointProposal | None = None,
    outside_plan_reason: str = "",
    exemption_reason: ExemptionReason | None = None,
    exemption_evidence: str = "",
    entry_mode: str = EntryMode.SCANNED,
    entry_mode_reason: str = "",
    started_at: dt.datetime | None = None,
    acknowledge_warnings: bool = False,
) -> Inspection:
    """Register an inspection (扫码入企) of `enterprise` by the actor's department — or, with
    an accepted `joint_proposal`, by all its departments at once.

    Refuses (ValidationFailed / PermissionDeniedError / CodeRevoked / ConflictError, each
    with a Chinese message and the offending `field`) what the rules forbid; raises
    `AcknowledgementRequired` when a cap would be exceeded and the inspector has not
    confirmed the warning. Raises alerts to the supervisor (cap reached or exceeded, grade
    A, quiet period, high frequency, emergency, back-fill), records the warnings shown,
    audits, and tells the enterprise's users. The checks run in this order, and the first
    refusal wins."""
    own = _check_actor(actor, enterprise)
    home = own.department
    policy = InspectionPolicy.current()
    now = timezone.now()
    started, mode_reason = _start_time(entry_mode, started_at, entry_mode_reason, now, policy)
    day = timezone.localdate(started)

    with transaction.atomic():
        # One registration of an enterprise at a time: the caps and the high-frequency
        # count cannot be raced past.
        locked_enterprise = Enterprise.objects.select_for_update().select_related("region").get(pk=enterprise.pk)
        scanned = _lock_code(code, locked_enterprise, found_by)
        joint = _lock_joint(joint_proposal, locked_enterprise, home, day)
        departments, lead = _departments(joint, home)
        licences = _licences(inspectors, own, departments, day)
        _check_kind(kind)
        checked = _items(items, departments)
        entry = _check_plan(plan_entry, joint, locked_enterprise, departments, home, day)
        purpose, basis, reason = _check_basis(kind, purpose, legal_basis, outside_plan_reason, checked, entry, joint)
        found = _Findings()
        exemption, evidence = _check_exemption(exemption_reason, exemption_evidence, found)
        counts = kind == InspectionKind.ENFORCEMENT and exemption is None
        _check_quiet_period(locked_enterprise, day, exemption, lead, found)
        _check_grade_a(locked_enterprise, kind, exemption, reason, policy, lead, found)
        if counts:
            _check_caps(locked_enterprise, day, departments, checked, lead, policy, acknowledge_warnings, found)
        _check_high_frequency(locked_enterprise, policy, now, lead, found)
        _entry_mode_alert(entry_mode, mode_reason, day, lead, found)

        inspection = _create(
            {
                "enterprise": locked_enterprise, "department": lead, "code": scanned, "found_by": found_by,
                "kind": kind, "purpose": purpose if kind == InspectionKind.VISIT else "", "legal_basis": basis,
                "plan_entry": entry, "joint_proposal": joint, "outside_plan_reason": reason,
                "exemption_reason": exemption, "exemption_evidence": evidence, "entry_mode": entry_mode,
                "entry_mode_reason": mode_reason, "started_at": started,
                "grade_at_registration": locked_enterprise.grade, "counts_toward_caps": counts,
                "warnings": [n.stored() for n in found.warnings], "registered_by": actor, "registered_at": now,
            },
            now,
        )
        _save_participants(inspection, departments, licences, checked, joint, actor)
        audit_record(
            "inspection.register", inspection, actor=actor,
            after={
                "enterprise": locked_enterprise.uscc, "departments": [d.code for d in departments],
                "kind": kind, "items": [i.code for i in checked], "inspectors": [lic.certificate_no for lic in licences],
                "found_by": found_by, "entry_mode": entry_mode, "started_at": started.isoformat(),
                "counts_toward_caps": counts, "exemption": exemption.code if exemption else "",
                "warnings": [n.code for n in found.warnings],
            },
        )
        with translation.override(settings.LANGUAGE_CODE):
            for kind_, notice, extra in found.alerts:
                alert_raise(kind_, enterprise=locked_enterprise, message=notice.message, inspection=inspection,
                            actor=actor, **extra)
            _tell_enterprise_registered(inspection, departments, licences, checked, actor)
    inspection.notices = found.warnings  # type: ignore[attr-defined]  # what to show the inspector now
    return inspection


def _save_participants(
    inspection: Inspection, departments: Sequence[Organisation], licences: Sequence[InspectorLicence],
    checked: Sequence[InspectionItem], joint: JointProposal | None, actor: Any,
) -> None:
    """The departments, inspectors and items of a new registration; a joint inspection is done."""
    InspectionDepartment.objects.bulk_create(
        [InspectionDepartment(inspection=inspection, department=d) for d in departments]
    )
    InspectionInspector.objects.bulk_create([
        InspectionInspector(inspection=inspection, licence=lic, full_name=lic.full_name,
                            certificate_no=lic.certificate_no)
        for lic in licences
    ])
    InspectionItemChecked.objects.bulk_create([InspectionItemChecked(inspection=inspection, item=i) for i in checked])
    if joint is not None:
        joint.status = JointProposal.Status.DONE
        joint.save(update_fields=["status"])
        audit_record("joint_proposal.done", joint, actor=actor, after={"inspection": inspection.number})


def _tell_enterprise_registered(
    inspection: Inspection, departments: Sequence[Organisation], licences: Sequence[InspectorLicence],
    items: Sequence[InspectionItem], actor: Any,
) -> None:
    recipients = _enterprise_users(inspection.enterprise)
    if not recipients:
        return
    body = _("%(depts)s登记了%(kind)s，开始时间 %(at)s；检查人员：%(who)s；检查事项：%(items)s。") % {
        "depts": "、".join(d.name for d in departments),
        "kind": inspection.get_kind_display(),
        "at": timezone.localtime(inspection.started_at).strftime("%Y-%m-%d %H:%M"),
        "who": "、".join(f"{lic.full_name}（{lic.certificate_no}）" for lic in licences),
        "items": "、".join(i.name for i in items) or _("无"),
    }
    notify(
        recipients=recipients, verb="inspection_registered",
        title=_("入企检查登记：%(number)s") % {"number": inspection.number},
        body=body, url=visit_url(inspection), obj=inspection, actor=actor,
    )


# --- the result ------------------------------------------------------------------------------------


def inspection_finish(
    inspection: Inspection,
    *,
    actor: Any,
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
        recipients = _enterprise_users(locked.enterprise)
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


# --- attachments (evidence of an exemption, on-site records) ----------------------------------------


def registrations_visible_to_staff(user: Any) -> QuerySet[Inspection]:
    """Registrations on the staff side. Enterprise users are left out: an exemption's
    evidence may be a complaint record naming whoever complained."""
    if getattr(user, "role", None) == Role.ENTERPRISE:
        return Inspection.objects.none()
    return Inspection.objects.visible_to(user)


def may_attach_to_registration(user: Any, inspection: Inspection) -> bool:
    """The inspectors of the participating departments add evidence (e.g. what an
    exemption reason with `requires_attachment` asks for)."""
    import rules

    return bool(rules.has_perm("inspections.finish", user, inspection))


def register_attachments() -> None:
    """Let registrations carry attachments; call it from ``InspectionsConfig.ready()``."""
    from yancheng.core.attachments.registry import register_attachable

    register_attachable(Inspection, registrations_visible_to_staff, may_attach_to_registration)
