"""Registering an inspection (扫码入企): the checks in order, then the registration, its audit record, the
alerts to the supervisor and the notice to the enterprise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError
from yancheng.core.models import Enterprise, Organisation, Role, User
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor

from ..alerts import alert_raise
from ..counting import local_year
from ..models import (
    EntryMode,
    ExemptionReason,
    Inspection,
    InspectionDepartment,
    InspectionInspector,
    InspectionItem,
    InspectionItemChecked,
    InspectionKind,
    InspectionPolicy,
    InspectorLicence,
    JointProposal,
    PlanEntry,
    SupervisionCode,
)
from .checks import (
    Findings,
    check_actor,
    check_basis,
    check_caps,
    check_code,
    check_entry_mode,
    check_exemption,
    check_grade_a,
    check_high_frequency,
    check_inspectors,
    check_items,
    check_joint,
    check_kind,
    check_plan,
    check_quiet_period,
    check_start_time,
    participating_departments,
)

NUMBER_PREFIX = "JC"


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


def enterprise_users(enterprise: Enterprise) -> list[User]:
    if not enterprise.organisation_id:
        return []
    return list(User.objects.filter(organisation_id=enterprise.organisation_id, role=Role.ENTERPRISE, is_active=True))


def visit_url(inspection: Inspection) -> str:
    """The enterprise's page of a visit (built by the enterprise side)."""
    return f"/inspections/visits/{inspection.pk}/"


def inspection_register(
    *,
    actor: Actor,
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
    own = check_actor(actor, enterprise)
    home = own.department
    policy = InspectionPolicy.current()
    now = timezone.now()
    started, mode_reason = check_start_time(entry_mode, started_at, entry_mode_reason, now, policy)
    day = timezone.localdate(started)

    with transaction.atomic():
        # One registration of an enterprise at a time: the caps and the high-frequency
        # count cannot be raced past.
        locked_enterprise = Enterprise.objects.select_for_update().select_related("region").get(pk=enterprise.pk)
        scanned = check_code(code, locked_enterprise, found_by)
        joint = check_joint(joint_proposal, locked_enterprise, home, day)
        departments, lead = participating_departments(joint, home)
        licences = check_inspectors(inspectors, own, departments, day)
        check_kind(kind)
        checked = check_items(items, departments)
        entry = check_plan(plan_entry, joint, locked_enterprise, departments, home, day)
        purpose, basis, reason = check_basis(kind, purpose, legal_basis, outside_plan_reason, checked, entry, joint)
        found = Findings()
        exemption, evidence = check_exemption(exemption_reason, exemption_evidence, found)
        counts = kind == InspectionKind.ENFORCEMENT and exemption is None
        check_quiet_period(locked_enterprise, day, exemption, lead, found)
        check_grade_a(locked_enterprise, kind, exemption, reason, policy, lead, found)
        if counts:
            check_caps(locked_enterprise, day, departments, checked, lead, policy, acknowledge_warnings, found)
        check_high_frequency(locked_enterprise, policy, now, lead, found)
        check_entry_mode(entry_mode, mode_reason, day, lead, found)

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
    checked: Sequence[InspectionItem], joint: JointProposal | None, actor: Actor,
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
    items: Sequence[InspectionItem], actor: Actor,
) -> None:
    recipients = enterprise_users(inspection.enterprise)
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
