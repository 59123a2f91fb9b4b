"""What other modules may read of 赋码 inspections (the one import other domain apps are
allowed, see the import contract): the safety module records a department's safety check on
the inspection registered through the enterprise's supervision code, never on a registration
of its own, so it asks here which registrations a user may add findings to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from yancheng.core.models import Enterprise
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
