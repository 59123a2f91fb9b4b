"""The escalation ladder 催办 → 督办 → 通报 (SPEC §2.3), run by `yancheng tick` and the
worker. Set-based and idempotent: each level is taken by batches of the rows still at the
level below — locked, moved up by one conditional UPDATE, their case events, inbox
notifications and audit records written in bulk — so running the job twice escalates
once, and a night's batch costs the same few statements whether it holds ten cases or a
thousand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, F, Value, When
from django.db.models import Case as SqlCase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import AuditEntry, audit_record_many
from yancheng.core.models import Organisation, Role, User
from yancheng.core.notifications.services import Message, notify_many

from . import notify
from .models import CLOCK_STATUSES, Case, CaseEvent, EscalationLevel

# Cases per batch: each batch is one transaction, its rows locked until it commits.
BATCH = 1000
# Per level (EscalationLevel): the case event's action, the clock that makes a case due,
# the time stamp the step sets.
ACTIONS: dict[int, str] = {1: "press", 2: "supervise", 3: "report"}
DUE_FIELDS: dict[int, str] = {1: "solve_due_at", 2: "supervise_at", 3: "report_at"}
LEVEL_TIME_FIELDS: dict[int, str] = {1: "pressed_at", 2: "supervised_at", 3: "reported_at"}
# Who of the supervising unit hears of a 督办/通报 (as notify.case_escalated).
SUPERVISING_ROLES = (Role.LEADER, Role.DISPATCHER, Role.HANDLER, Role.SUPERVISOR)


@dataclass
class TickReport:
    pressed: list[int] = field(default_factory=list)
    supervised: list[int] = field(default_factory=list)
    reported: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.pressed) + len(self.supervised) + len(self.reported)


def _running() -> dict[str, object]:
    return {"status__in": CLOCK_STATUSES, "suspended_at__isnull": True}


def escalation_targets(leads: Iterable[Organisation]) -> dict[int, int | None]:
    """`services.escalation_target` for many lead units at once, by id: the lead unit's
    parent, else another active government of its region, else a city government (each
    the first by path) — two queries at most, however many units."""
    targets: dict[int, int | None] = {}
    orphans: dict[int, Organisation] = {}
    for lead in leads:
        if lead.parent_id:
            targets[lead.pk] = lead.parent_id
        else:
            orphans[lead.pk] = lead
    if not orphans:
        return targets
    regional: dict[int, list[int]] = {}
    for pk, region_id in (
        Organisation.objects.filter(region_id__in={o.region_id for o in orphans.values()},
                                    kind=Organisation.Kind.GOVERNMENT, is_active=True)
        .order_by("path").values_list("pk", "region_id")
    ):
        regional.setdefault(region_id, []).append(pk)
    # The first two by path: the first that is not the lead unit itself.
    city = list(
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, region__kind="city")
        .order_by("path").values_list("pk", flat=True)[:2]
    )
    for pk, lead in orphans.items():
        found = [g for g in regional.get(lead.region_id, []) if g != pk] or [g for g in city if g != pk]
        targets[pk] = found[0] if found else None
    return targets


class _Recipients:
    """The staff `notify.case_escalated` tells, read once per batch (one query) instead of
    three or four times per case; the same users in the same order (by username)."""

    def __init__(self, cases: list[Case], level: int) -> None:
        org_ids = {pk for c in cases for pk in (c.lead_org_id, c.dispatch_org_id, c.escalated_to_id) if pk}
        self.by_org: dict[int, list[User]] = {}
        staff = User.objects.filter(organisation_id__in=org_ids, role__in=SUPERVISING_ROLES, is_active=True)
        for user in staff.order_by("username"):
            self.by_org.setdefault(user.organisation_id, []).append(user)  # type: ignore[arg-type]
        self.supervisors: list[User] = []
        if level >= EscalationLevel.REPORTED:  # 通报 goes to every supervisor
            self.supervisors = list(User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("username"))

    def of(self, org_id: int | None, roles: Iterable[str]) -> list[User]:
        wanted = set(roles)
        return [u for u in self.by_org.get(org_id, []) if u.role in wanted] if org_id else []

    def for_case(self, case: Case, level: int) -> list[User]:
        recipients = [*self.of(case.lead_org_id, [Role.HANDLER]), *self.of(case.dispatch_org_id, [Role.DISPATCHER])]
        if level >= EscalationLevel.SUPERVISED and case.escalated_to_id is not None:
            recipients += self.of(case.escalated_to_id, SUPERVISING_ROLES)
        if level >= EscalationLevel.REPORTED:
            recipients += self.supervisors
        return recipients


def _message(case: Case, level: int, recipients: list[User]) -> Message | None:
    """What `notify.case_escalated` sends about one case (None when it sends nothing)."""
    names = {1: _("催办"), 2: _("督办"), 3: _("通报")}
    orgs = [pk for pk in (case.lead_org_id, case.escalated_to_id) if pk is not None]
    unique = list({user.pk: user for user in recipients}.values())
    if not unique and not orgs:
        return None
    title = _("逾期%(what)s：%(t)s") % {"what": names.get(level, ""), "t": case.title}
    return Message(
        recipients=unique,
        verb=f"case.escalated.{level}",
        title=f"[{case.number}] {title}",
        body=case.title,
        url=reverse("cases:case_detail", args=[case.pk]),
        obj=case,
        organisation_ids=orgs,
    )


def _escalate_batch(level: int, now: dt.datetime) -> list[int]:
    """Take one batch of the cases due for ``level``: lock them (skipping rows another
    transaction holds), move them up with one conditional UPDATE, write their case events,
    notifications and audit records in bulk. Returns the ids escalated."""
    with transaction.atomic():
        # No ORDER BY (the planner takes whichever index finds the due rows fastest); the
        # batch is put in id order here.
        cases = sorted(
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(escalation_level=level - 1, **{f"{DUE_FIELDS[level]}__lte": now}, **_running())
            .select_related("lead_org")
            .order_by()[:BATCH],
            key=lambda case: case.pk,
        )
        if not cases:
            return []
        ids = [case.pk for case in cases]
        changes: dict[str, Any] = {
            "escalation_level": level,
            LEVEL_TIME_FIELDS[level]: now,
            "version": F("version") + 1,
            "updated_at": timezone.now(),
        }
        if level == EscalationLevel.SUPERVISED:
            targets = escalation_targets({c.lead_org_id: c.lead_org for c in cases if c.lead_org}.values())
            for case in cases:
                case.escalated_to_id = targets.get(case.lead_org_id) if case.lead_org_id else None
            whens = [When(lead_org_id=lead, then=Value(target)) for lead, target in targets.items()]
            changes["escalated_to"] = (
                SqlCase(*whens, default=Value(None), output_field=BigIntegerField()) if whens else None
            )
        # The condition again in the UPDATE: only rows still at the level below move.
        Case.objects.filter(pk__in=ids, escalation_level=level - 1).update(**changes)
        action = ACTIONS[level]
        for case in cases:
            case.escalation_level = level
            setattr(case, LEVEL_TIME_FIELDS[level], now)
            case.version += 1
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(case_id=case.pk, at=now, action=action, from_status=case.status, to_status=case.status,
                          data={"level": level, "escalated_to": case.escalated_to_id})
                for case in cases
            ]
        )
        people = _Recipients(cases, level)
        messages = {case.pk: _message(case, level, people.for_case(case, level)) for case in cases}
        notified = iter(notify_many([m for m in messages.values() if m is not None], actor=None, defer_audit=True))
        # Each case's record, then the record of the notification about it: the order the
        # case-by-case job wrote them in.
        entries: list[AuditEntry] = []
        for case in cases:
            entries.append(AuditEntry(f"case.{action}", case, after={"level": level}))
            if messages[case.pk] is not None:
                entries.append(next(notified).audit)
        audit_record_many(entries, actor=None)
    return ids


def escalation_tick(now: dt.datetime | None = None) -> TickReport:
    """Press the day after a missed deadline; 督办 one level up after N more working days;
    通报 after M more (N and M from the case's policy, stored as supervise_at/report_at)."""
    now = now or timezone.now()
    result = TickReport()
    done = {
        EscalationLevel.PRESSED: result.pressed,
        EscalationLevel.SUPERVISED: result.supervised,
        EscalationLevel.REPORTED: result.reported,
    }
    for level, report in done.items():
        while True:
            ids = _escalate_batch(level, now)
            report.extend(ids)
            if len(ids) < BATCH:
                break
    return result


def send_revisits(now: dt.datetime | None = None) -> list[int]:
    """回访: N days after a case closed, ask the reporter "is it really solved?" once.
    The answer (case_revisit) may reopen it."""
    now = now or timezone.now()
    asked: list[int] = []
    due = Case.objects.filter(
        status="closed", revisit_due_at__lte=now, revisit_asked_at__isnull=True, revisit_answered_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, revisit_asked_at__isnull=True)
                .first()
            )
            if case is None:
                continue
            case.revisit_asked_at = now
            case.save(update_fields=["revisit_asked_at", "updated_at"])
            CaseEvent.objects.create(case=case, at=now, action="revisit_asked", from_status=case.status,
                                     to_status=case.status)
            notify.revisit_asked(case)
            asked.append(case.pk)
    return asked
