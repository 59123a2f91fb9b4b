"""The named checks `inspection_register` runs, in order; each refuses with a Chinese message naming the field, or
records what to warn and alert in `Findings`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.models import Enterprise, Organisation
from yancheng.core.typing import Actor

from ..counting import recent_visits, usage
from ..lookup import CodeRevoked, revoked_message
from ..models import (
    EntryMode,
    ExemptionReason,
    FoundBy,
    InspectionAlert,
    InspectionItem,
    InspectionKind,
    InspectionPlan,
    InspectionPolicy,
    InspectorLicence,
    JointProposal,
    OutsidePlanReason,
    PlanEntry,
    SupervisionCode,
    VisitPurpose,
)
from ..permissions import active_licence
from ..services import licence_usable
from .notices import (
    AcknowledgementRequired,
    Notice,
    day_text,
    notice_cap,
    notice_grade_a,
    notice_high_frequency,
    notice_quiet,
)
from .preview import joint_departments, quiet_periods_on, target_q

MIN_INSPECTORS = 2
MAX_INSPECTORS = 20
MAX_ITEMS = 50
# A phone's clock may run a little ahead of the server's.
CLOCK_GRACE = dt.timedelta(minutes=5)
# Outside-plan reasons that are not proactive (grade A may still be inspected).
REACTIVE_REASONS = frozenset({OutsidePlanReason.COMPLAINT, OutsidePlanReason.REFERRAL})




def check_start_time(
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
            % {"n": policy.backfill_days, "day": day_text(day)},
            field="started_at",
        )
    return started_at, reason


def check_code(code: SupervisionCode | None, enterprise: Enterprise, found_by: str) -> SupervisionCode | None:
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


def check_joint(
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
            % {"a": day_text(locked.window_start), "b": day_text(locked.window_end)},
            field="joint_proposal",
        )
    return locked


def check_inspectors(
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


def check_items(items: Iterable[InspectionItem | int], departments: Sequence[Organisation]) -> list[InspectionItem]:
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
        PlanEntry.objects.filter(pk=plan_entry.pk).select_related("plan", "item").filter(target_q(enterprise)).first()
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
            % {"a": day_text(entry.window_start), "b": day_text(entry.window_end)},
            field="plan_entry",
        )
    return entry


@dataclass
class Findings:
    """What the checks found to tell: warnings for the inspector (shown now and stored on
    the registration) and alerts for the supervisor (raised once the registration is saved)."""

    warnings: list[Notice] = field(default_factory=list)
    alerts: list[tuple[str, Notice, dict[str, Any]]] = field(default_factory=list)

    def alert(self, kind: str, notice: Notice, **extra: Any) -> None:
        self.alerts.append((kind, notice, extra))


def check_actor(actor: Actor | None, enterprise: Enterprise) -> InspectorLicence:
    """Only a licensed inspector registers, in person; the actor's usable licence."""
    if actor is None:
        raise PermissionDeniedError(_("入企检查须由持证检查员本人登记。"))
    require(actor, "inspections.register", enterprise)
    own = active_licence(actor)
    if own is None:  # require() passed, so only a race with a suspension gets here
        raise PermissionDeniedError(_("您的执法证当前不可用，不能登记入企检查。"))
    return own


def participating_departments(joint: JointProposal | None, home: Organisation) -> tuple[list[Organisation], Organisation]:
    """The participating departments and the lead: the joint inspection's, or the home's."""
    if joint is None:
        return [home], home
    departments = joint_departments(joint)
    lead = joint.lead_department if joint.lead_department_id in {d.pk for d in departments} else home
    assert lead is not None
    return departments, lead


def check_kind(kind: str) -> None:
    if kind not in InspectionKind.values:
        raise ValidationFailed(_("请选择入企类型：行政检查或非执法入企。"), field="kind")


def check_plan(
    plan_entry: PlanEntry | None, joint: JointProposal | None, enterprise: Enterprise,
    departments: Sequence[Organisation], home: Organisation, day: dt.date,
) -> PlanEntry | None:
    """The plan entry the inspection follows: the one given, or the home department's entry
    of the joint inspection."""
    entry = _plan(plan_entry, enterprise, departments, day)
    if joint is not None and entry is None:
        entry = PlanEntry.objects.filter(joint_proposal=joint, plan__department_id=home.pk).order_by("pk").first()
    return entry


def check_basis(
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


def check_exemption(
    exemption_reason: ExemptionReason | None, exemption_evidence: str, found: Findings
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


def check_quiet_period(
    enterprise: Enterprise, day: dt.date, exemption: ExemptionReason | None, lead: Organisation, found: Findings
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
    notice = notice_quiet(quiet)
    found.warnings.append(notice)
    found.alert(InspectionAlert.Kind.QUIET_PERIOD, notice, department=lead)


def check_grade_a(
    enterprise: Enterprise, kind: str, exemption: ExemptionReason | None, reason: str, policy: InspectionPolicy,
    lead: Organisation, found: Findings,
) -> None:
    """Grade A: no proactive inspection (衡政办发〔2025〕6号); refused or alerted by the policy."""
    proactive = kind == InspectionKind.ENFORCEMENT and exemption is None and reason not in REACTIVE_REASONS
    if enterprise.grade != Enterprise.Grade.A or not proactive:
        return
    notice = notice_grade_a(policy)
    if policy.grade_a_proactive == InspectionPolicy.Handling.REFUSE:
        raise ValidationFailed(notice.message, field="kind", code="grade_a")
    found.warnings.append(notice)
    found.alert(InspectionAlert.Kind.GRADE_A, notice, department=lead)


def check_caps(
    enterprise: Enterprise, day: dt.date, departments: Sequence[Organisation], checked: Sequence[InspectionItem],
    lead: Organisation, policy: InspectionPolicy, acknowledged: bool, found: Findings,
) -> None:
    """Caps, for a counted inspection: it adds one to every applicable cap. Reaching a cap
    warns; exceeding one is refused or, by the policy, admitted once acknowledged."""
    exceeded: list[Notice] = []
    for u in usage(enterprise, day.year, departments, checked, grade=enterprise.grade):
        after = u.used + 1
        dept = u.department or (u.rule.item.department if u.rule.item is not None else lead)
        extra = {"department": dept, "cap_rule": u.rule, "count": after, "limit": u.limit}
        if after == u.limit:
            notice = notice_cap(u, after)
            found.warnings.append(notice)
            found.alert(InspectionAlert.Kind.CAP_REACHED, notice, **extra)
        elif after > u.limit:
            notice = notice_cap(u, after)
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


def check_high_frequency(
    enterprise: Enterprise, policy: InspectionPolicy, now: dt.datetime, lead: Organisation, found: Findings
) -> None:
    """High-frequency visits of any kind (宁波市政府令第280号 第五条; 龙华): warn and alert."""
    visits = recent_visits(enterprise, policy.high_frequency_window_days, now=now)
    if visits + 1 < policy.high_frequency_threshold:
        return
    notice = notice_high_frequency(visits, policy.high_frequency_window_days)
    found.warnings.append(notice)
    found.alert(InspectionAlert.Kind.HIGH_FREQUENCY, notice, department=lead, count=visits + 1,
                limit=policy.high_frequency_threshold)


def check_entry_mode(entry_mode: str, mode_reason: str, day: dt.date, lead: Organisation, found: Findings) -> None:
    """Inspect-first (emergency) and back-filled registrations are told to the supervisor."""
    if entry_mode == EntryMode.EMERGENCY:
        notice = Notice("emergency", lambda: _("先查后扫：%(reason)s") % {"reason": mode_reason})
        found.alert(InspectionAlert.Kind.EMERGENCY, notice, department=lead)
    elif entry_mode == EntryMode.BACKFILL:
        notice = Notice("backfill", lambda: _("事后补录（开始于 %(day)s）：%(reason)s")
                        % {"day": day_text(day), "reason": mode_reason})
        found.alert(InspectionAlert.Kind.BACKFILL, notice, department=lead)
