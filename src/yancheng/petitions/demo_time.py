"""How the petitions demo makes a year of history (DEMO ONLY).

Every step of a matter goes through the real services, now. Between two steps the matter
is moved back in time by the gap between them: every timestamp of the matter and of its
handling cases (their events, extension requests and in-app notifications) moves by the
same whole number of days, and the deadlines are then computed again from the moved
starts (``cases.clocks.set_clocks``, ``core.calendar.natural_deadline``), so a rest day
stays a rest day. The next step therefore runs "now" against a history that is as old as
it should be, and the services' own checks (the 30-day 复查 window, the 5-working-day
objection) see real intervals. Audit records keep the moment the demo was loaded.
Nothing outside the demo writes timestamps like this.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Model, QuerySet

from yancheng.cases.clocks import policy_for, set_clocks
from yancheng.cases.models import Case, CaseEvent, CaseTask, ExtensionRequest
from yancheng.core import calendar
from yancheng.core.notifications.models import Notification

from .intake import TRANSFER_DAYS
from .models import FollowUp, Petition, PetitionDocument, PetitionEvent, PetitionReview

PETITION_MOMENTS = ("registered_at", "transferred_at", "report_due_at", "report_received_at", "accepted_at",
                    "answered_at", "ended_at", "rated_at", "created_at")
CASE_MOMENTS = ("assigned_at", "clock_started_at", "solve_started_at", "accepted_at", "resolved_at", "closed_at",
                "suspended_at", "pressed_at", "supervised_at", "reported_at", "last_urged_at", "revisit_due_at",
                "revisit_asked_at", "revisit_answered_at", "created_at")


def _shift(qs: QuerySet[Any], fields: tuple[str, ...], delta: dt.timedelta) -> None:
    """Move each named moment of the rows by ``delta`` (a null stays null: F() + delta is null)."""
    model: type[Model] = qs.model
    present = [f for f in fields if any(field.name == f for field in model._meta.concrete_fields)]
    if present:
        qs.update(**{name: F(name) + delta for name in present})


def _cases_of(petition: Petition) -> list[int]:
    ids = [petition.case_id] if petition.case_id else []
    ids += [r.case_id for r in PetitionReview.objects.filter(petition=petition) if r.case_id]
    return ids


def move_back(petition: Petition, days: int) -> None:
    """Move the matter and its cases ``days`` whole days into the past, then recompute the
    deadlines from the moved starts."""
    if days <= 0:
        return
    delta = -dt.timedelta(days=days)
    _shift(Petition.objects.filter(pk=petition.pk), PETITION_MOMENTS, delta)
    Petition.objects.filter(pk=petition.pk).update(received_on=F("received_on") + delta)
    _shift(PetitionEvent.objects.filter(petition=petition), ("at",), delta)
    _shift(PetitionDocument.objects.filter(petition=petition), ("created_at", "served_at"), delta)
    _shift(PetitionReview.objects.filter(petition=petition), ("decided_at", "created_at"), delta)
    PetitionReview.objects.filter(petition=petition).update(requested_on=F("requested_on") + delta)
    _shift(FollowUp.objects.filter(petition=petition), ("done_at", "created_at"), delta)
    FollowUp.objects.filter(petition=petition).update(due_on=F("due_on") + delta)
    case_ids = _cases_of(petition)
    if case_ids:
        _shift(Case.objects.filter(pk__in=case_ids), CASE_MOMENTS, delta)
        _shift(CaseEvent.objects.filter(case_id__in=case_ids), ("at",), delta)
        _shift(CaseTask.objects.filter(case_id__in=case_ids), ("assigned_at", "done_at", "due_at"), delta)
        _shift(ExtensionRequest.objects.filter(case_id__in=case_ids), ("created_at", "decided_at"), delta)
        _shift(Notification.objects.filter(object_type="cases.case", object_id__in=[str(i) for i in case_ids]),
               ("created_at",), delta)
        for case in Case.objects.filter(pk__in=case_ids):
            fields = set_clocks(case, policy_for(case.kind, case.urgency))
            if fields:
                case.save(update_fields=sorted(set(fields) | {"solve_started_at"}))
    _shift(Notification.objects.filter(object_type="petitions.petition", object_id=str(petition.pk)),
           ("created_at",), delta)
    moved = Petition.objects.get(pk=petition.pk)
    if moved.transfer_due_at is not None:
        moved.transfer_due_at = calendar.natural_deadline(moved.registered_at, TRANSFER_DAYS).at
        moved.save(update_fields=["transfer_due_at"])
    petition.refresh_from_db()
