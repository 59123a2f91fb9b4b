"""Raising an inspection alert (预警): one row for the supervisor's list, and an in-app
notice to the supervisors of the supervising organisation (InspectionPolicy) — never to
the department's own staff for anything that concerns ratings."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.models import Enterprise, Organisation, Role, User
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor

from .models import CapRule, Inspection, InspectionAlert, InspectionPolicy


def open_alerts_on_registrations_of(user: Actor) -> QuerySet[InspectionAlert]:
    """Open alerts raised on registrations the inspector took part in: the inspector's
    workbench counts them and his landing page lists them."""
    return InspectionAlert.objects.filter(
        status=InspectionAlert.Status.OPEN,
        pk__in=InspectionAlert.objects.filter(inspection__inspectors__licence__user_id=user.pk).values("pk"),
    )


def supervisors_to_tell(policy: InspectionPolicy | None = None) -> list[User]:
    """The supervisors of the supervising organisation (all supervisors when none is set)."""
    policy = policy or InspectionPolicy.current()
    users = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
    if policy.supervising_org_id:
        users = users.filter(organisation_id=policy.supervising_org_id)
    return list(users)


def alert_raise(
    kind: str,
    *,
    enterprise: Enterprise,
    message: str,
    department: Organisation | None = None,
    inspection: Inspection | None = None,
    cap_rule: CapRule | None = None,
    count: int = 0,
    limit: int | None = None,
    actor: Actor | None = None,
) -> InspectionAlert:
    """Record an alert and tell the supervisors. Call inside the caller's transaction: the
    alert commits (and is notified) with the registration or report that raised it."""
    alert = InspectionAlert.objects.create(
        kind=kind, enterprise=enterprise, department=department, inspection=inspection, cap_rule=cap_rule,
        count=count, limit=limit, message=message[:300], created_at=timezone.now(),
    )
    audit_record("inspection_alert.raise", alert, actor=actor,
                 after={"kind": kind, "enterprise": enterprise.uscc, "count": count, "limit": limit})
    notify(
        recipients=supervisors_to_tell(), verb="inspection_alert",
        title=_("检查预警：%(kind)s · %(enterprise)s") % {"kind": alert.get_kind_display(), "enterprise": enterprise.name},
        body=alert.message, url="/inspections/supervision/alerts/", obj=alert, actor=actor,
    )
    return alert
