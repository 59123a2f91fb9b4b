"""What other modules may read of 赋码 inspections (the one import other domain apps are
allowed, see the import contract): the safety module records a department's safety check on
the inspection registered through the enterprise's supervision code, never on a registration
of its own, so it asks here which registrations a user may add findings to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from yancheng.core.models import Enterprise, User
from yancheng.core.typing import MaybeActor

from .models import Inspection

# How long after the visit began its safety findings may still be added (the record is
# written on site or back at the office the same week).
FINDINGS_WINDOW = dt.timedelta(days=10)


@dataclass(frozen=True)
class RegisteredVisit:
    """A registration as the safety module shows it."""

    pk: int
    number: str
    enterprise_id: int
    department_id: int
    started_at: dt.datetime
    is_finished: bool
    counts_toward_caps: bool
    inspector_names: tuple[str, ...]


def _as_visit(inspection: Inspection) -> RegisteredVisit:
    return RegisteredVisit(
        pk=inspection.pk,
        number=inspection.number,
        enterprise_id=inspection.enterprise_id,
        department_id=inspection.department_id,
        started_at=inspection.started_at,
        is_finished=inspection.status == Inspection.Status.FINISHED,
        counts_toward_caps=inspection.counts_toward_caps,
        inspector_names=tuple(i.full_name for i in inspection.inspectors.all()),
    )


def _own_recent(user: MaybeActor | None) -> QuerySet[Inspection]:
    """Registrations the user inspected in (as one of its licensed inspectors), recent enough."""
    if user is None or not user.is_authenticated:
        return Inspection.objects.none()
    since = timezone.now() - FINDINGS_WINDOW
    return (
        Inspection.objects.visible_to(user)
        .filter(inspectors__licence__user_id=user.pk, started_at__gte=since)
        .prefetch_related("inspectors")
        .distinct()
    )


def visits_open_for_findings(user: MaybeActor | None, enterprise: Enterprise | None = None) -> list[RegisteredVisit]:
    """The user's own recent registrations (of one enterprise, or of any), newest first."""
    qs = _own_recent(user)
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise.pk)
    return [_as_visit(i) for i in qs.order_by("-started_at", "-pk")[:50]]


def visit_open_for_findings(user: MaybeActor | None, pk: int) -> RegisteredVisit | None:
    """One of them by id, or None when the user may not add findings to it."""
    inspection = _own_recent(user).filter(pk=pk).first()
    return _as_visit(inspection) if inspection is not None else None


def visit_label(pk: int) -> str:
    """The registration's number, for a page that shows a record's origin."""
    return Inspection.objects.filter(pk=pk).values_list("number", flat=True).first() or ""


# Outside-plan reasons of a safety check made under an exemption (SPEC §4: an accident, a
# complaint, a follow-up of a rectification); a check without one follows the year's duties.
DEMO_REASONS = {"complaint": "complaint", "accident": "emergency", "follow-up": "superior", "referral": "referral"}
DEMO_RESULT = "开展安全生产检查，检查情况见安全检查记录。"


def register_demo_visit(moment: dt.datetime, inspector: User, enterprise: Enterprise, *,
                        reason_code: str | None = None, evidence: str = "") -> int | None:
    """DEMO ONLY (the safety demo's department checks): ``inspector`` registers, as of
    ``moment``, an inspection of ``enterprise`` through its supervision code with a licensed
    colleague of the same department, on the department's published safety item, then
    finishes it an hour and a half later. The inspection rules are judged as they were then
    and are never overridden: a cap that would be exceeded, grade A, a quiet period or a
    missing licence, code or item refuses it, and None is returned. ``reason_code`` names an
    exemption reason (``follow-up``, ``complaint``, ``accident``) when there is one, with its
    ``evidence`` (a default line when none is given). Returns the registration's id."""
    from yancheng.core.errors import DomainError

    from .demo import _as_of
    from .models import ExemptionReason, InspectionItem, InspectionKind, InspectorLicence, SupervisionCode
    from .registration.finish import inspection_finish
    from .registration.register import inspection_register

    own = InspectorLicence.objects.filter(user_id=inspector.pk, status=InspectorLicence.Status.ACTIVE).first()
    code = SupervisionCode.objects.filter(enterprise_id=enterprise.pk, revoked_at__isnull=True).first()
    if own is None or code is None:
        return None
    colleague = (InspectorLicence.objects.filter(department_id=own.department_id, status=InspectorLicence.Status.ACTIVE)
                 .exclude(pk=own.pk).order_by("pk").first())
    items = list(InspectionItem.objects.filter(department_id=own.department_id, published_at__isnull=False,
                                               withdrawn_at__isnull=True).order_by("code"))
    item = next((i for i in items if "安全生产" in i.name), None) or next((i for i in items if "安全" in i.name), None)
    item = item or (items[0] if items else None)
    if colleague is None or item is None:
        return None
    exemption = None
    if reason_code is not None:
        exemption = ExemptionReason.objects.filter(code=reason_code, is_active=True).first()
        if exemption is None:
            return None
    try:
        with _as_of(moment):
            inspection = inspection_register(
                actor=inspector, enterprise=enterprise, found_by="code", code=code, kind=InspectionKind.ENFORCEMENT,
                items=[item], inspectors=[own, colleague],
                outside_plan_reason=DEMO_REASONS.get(reason_code or "", "superior"), exemption_reason=exemption,
                exemption_evidence=(evidence or f"安全生产检查（{exemption.name}）") if exemption else "",
            )
        end = moment + dt.timedelta(minutes=90)
        if end < timezone.now():
            with _as_of(end):
                inspection_finish(inspection, actor=inspector, outcome=Inspection.Outcome.OTHER, result=DEMO_RESULT,
                                  ended_at=end)
    except DomainError:
        return None  # the rules said no, as they would have then
    return inspection.pk
