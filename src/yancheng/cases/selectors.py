"""Reads of cases: lights in SQL, inboxes with their counts, fetching one case for a user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from yancheng.core.typing import Actor

from .models import CLOCK_STATUSES, Case, CaseTask, ExtensionRequest, Light, Status
from .subjects import worked_elsewhere_kinds

LIGHTS = tuple(Light.values)
LIGHT_RANK = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, Light.WAITING: 3, Light.PAUSED: 4, Light.LATE: 5,
              Light.ONTIME: 6, Light.NONE: 7}


def annotate_lights(qs: QuerySet[Case], now: dt.datetime | None = None) -> QuerySet[Case]:
    """Add ``light`` and ``light_rank`` computed in SQL from the stored deadlines and now:
    red when a running clock is overdue, yellow in its last third (the policy's threshold),
    green otherwise; paused while 挂起; waiting while 待受理; resolved and closed cases
    keep on-time / late against the solve deadline."""
    now = now or timezone.now()
    running = Q(status__in=CLOCK_STATUSES, suspended_at__isnull=True)
    awaiting_accept = Q(status__in=[Status.ASSIGNED, Status.RETURNED])
    red = running & (Q(solve_due_at__lte=now) | (awaiting_accept & Q(accept_due_at__lte=now)))
    yellow = running & (Q(solve_yellow_at__lte=now) | (awaiting_accept & Q(accept_yellow_at__lte=now)))
    finished = Q(status__in=[Status.RESOLVED, Status.CLOSED], resolved_at__isnull=False, solve_due_at__isnull=False)
    light = SqlCase(
        When(red, then=Value(Light.RED.value)),
        When(yellow, then=Value(Light.YELLOW.value)),
        When(running, then=Value(Light.GREEN.value)),
        When(Q(status__in=CLOCK_STATUSES, suspended_at__isnull=False), then=Value(Light.PAUSED.value)),
        When(status=Status.SUBMITTED, then=Value(Light.WAITING.value)),
        When(finished & Q(resolved_at__lte=F("solve_due_at")), then=Value(Light.ONTIME.value)),
        When(finished, then=Value(Light.LATE.value)),
        default=Value(Light.NONE.value),
        output_field=CharField(),
    )
    rank = SqlCase(
        *[When(light=Value(name.value), then=Value(position)) for name, position in LIGHT_RANK.items()],
        default=Value(9),
        output_field=IntegerField(),
    )
    return qs.annotate(light=light).annotate(light_rank=rank)


@dataclass(frozen=True)
class InboxFilters:
    light: str = ""
    kind: str = ""
    status: str = ""
    region: str = ""
    unit: str = ""
    overdue: str = ""
    mine: str = ""
    escalation: str = ""
    q: str = ""
    scope: str = ""  # "" open cases | "done" | "all"
    # The workbench's to-dos that no other filter expresses: "lead" (my unit leads it),
    # "extension" (延期待审核), "assist" (my unit's open 协办 tasks), "urged" (催办
    # received), "revisit" (回访 to answer), "new" (submitted today), "due_soon" / "overdue"
    # (临期 / 超期 for my unit: cases it leads under that light, and cases where its own open
    # 协办 task is near or past the task's deadline).
    todo: str = ""

    @classmethod
    def from_params(cls, params: Any) -> InboxFilters:
        return cls(**{name: str(params.get(name, "") or "").strip()[:64] for name in cls.__dataclass_fields__})


def inbox(user: Actor, filters: InboxFilters, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The cases this user works on, most urgent first: red, yellow, green, then the
    nearest deadline."""
    # Kinds worked on their module's own pages (信访) are listed there, not here.
    qs = annotate_lights(Case.objects.visible_to(user).exclude(kind__in=worked_elsewhere_kinds()), now).select_related(
        "lead_org", "dispatch_org", "enterprise", "region"
    )
    if filters.scope == "done":
        qs = qs.filter(status__in=[Status.RESOLVED, Status.CLOSED, Status.WITHDRAWN, Status.MERGED])
    elif filters.scope != "all":
        qs = qs.filter(status__in=[Status.SUBMITTED, Status.ASSIGNED, Status.RETURNED, Status.ACCEPTED,
                                   Status.RESOLVED])
    if filters.light in LIGHTS:
        qs = qs.filter(**{"light": filters.light})
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    if filters.region:
        qs = qs.filter(region__code=filters.region)
    if filters.unit.isdigit():
        unit = int(filters.unit)
        qs = qs.filter(Q(lead_org_id=unit) | Q(pk__in=CaseTask.objects.filter(org_id=unit).values("case_id")))
    if filters.overdue == "1":
        qs = qs.filter(**{"light": Light.RED.value})
    if filters.escalation.isdigit():
        qs = qs.filter(escalation_level__gte=int(filters.escalation))
    if filters.mine == "1" and getattr(user, "organisation_id", None):
        org_id = user.organisation_id
        qs = qs.filter(
            Q(lead_org_id=org_id)
            | Q(pk__in=CaseTask.objects.filter(org_id=org_id, status="open").values("case_id"))
            | Q(reporter_id=user.pk)
            | Q(dispatch_org_id=org_id, status__in=[Status.SUBMITTED, Status.RETURNED])
        )
    if filters.todo in TODO_FILTERS:
        qs = qs.filter(_todo_filter(user, filters.todo, now))
    if filters.q:
        qs = qs.filter(Q(number__icontains=filters.q) | Q(title__icontains=filters.q)
                       | Q(enterprise__name__icontains=filters.q))
    if getattr(user, "role", None) == "dispatcher":
        # The dispatcher's own work first: new cases to triage and objections to review.
        triage = SqlCase(
            When(status__in=[Status.SUBMITTED, Status.RETURNED], then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return qs.annotate(triage=triage).order_by(*["triage", "light_rank", "solve_due_at", "-created_at", "pk"])
    return qs.order_by(*["light_rank", "solve_due_at", "-created_at", "pk"])


TODO_FILTERS = ("lead", "extension", "assist", "urged", "revisit", "new", "due_soon", "overdue")


def _unit_clock_filter(org_id: int | None, todo: str, now: dt.datetime) -> Q:
    """临期 (due_soon) or 超期 (overdue) for a unit: the cases it leads whose light says so, and
    the cases where its open 协办 task, on a running clock, is past its own deadline (超期) or
    not yet but the case's solve clock is in its last stretch (临期: the task is due with it)."""
    light = Light.RED if todo == "overdue" else Light.YELLOW
    tasks = CaseTask.objects.filter(org_id=org_id, status=CaseTask.TaskStatus.OPEN, due_at__isnull=False,
                                    case__status__in=CLOCK_STATUSES, case__suspended_at__isnull=True)
    if todo == "overdue":
        tasks = tasks.filter(due_at__lte=now)
    else:
        tasks = tasks.filter(due_at__gt=now, case__solve_yellow_at__lte=now)
    return Q(lead_org_id=org_id, light=light.value) | Q(pk__in=tasks.values("case_id"))


def _todo_filter(user: Actor, todo: str, now: dt.datetime | None) -> Q:
    if todo in ("due_soon", "overdue"):
        return _unit_clock_filter(getattr(user, "organisation_id", None), todo, now or timezone.now())
    if todo == "lead":
        return Q(lead_org_id=getattr(user, "organisation_id", None))
    if todo == "extension":
        return Q(pk__in=ExtensionRequest.objects.filter(status=ExtensionRequest.Decision.PENDING).values("case_id"))
    if todo == "assist":
        org_id = getattr(user, "organisation_id", None)
        return Q(pk__in=CaseTask.objects.filter(org_id=org_id, status=CaseTask.TaskStatus.OPEN).values("case_id"))
    if todo == "urged":
        return Q(status__in=CLOCK_STATUSES) & (Q(pressed_at__isnull=False) | Q(last_urged_at__isnull=False))
    if todo == "revisit":
        return Q(status=Status.CLOSED, revisit_asked_at__isnull=False, revisit_answered_at__isnull=True)
    start = timezone.localtime(now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return Q(created_at__gte=start)


def light_counts(qs: QuerySet[Case]) -> dict[str, int]:
    """Counts per light of an (annotated) queryset, in one query."""
    rows = qs.order_by().values(*["light"]).annotate(n=Count("pk"))
    counts = dict.fromkeys(LIGHTS, 0)
    for row in rows:
        counts[row["light"]] = row["n"]
    return counts


def get_case_for(user: Actor, pk: Any) -> Case:
    """The case if `user` may see it, else 404 (its existence is not revealed)."""
    try:
        return (
            annotate_lights(Case.objects.visible_to(user))
            .select_related("lead_org", "dispatch_org", "reporter_org", "enterprise", "region", "reporter",
                            "escalated_to", "merged_into")
            .get(pk=int(pk))
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def timeline(case: Case, *, include_internal: bool) -> QuerySet[Any]:
    events = case.events.select_related("actor", "actor_org")
    if not include_internal:
        events = events.filter(internal=False)
    return events.order_by("at", "pk")


def report_list(user: Actor) -> QuerySet[Case]:
    """The 通报 list: cases escalated to the third level, newest first."""
    return (
        annotate_lights(Case.objects.visible_to(user))
        .filter(escalation_level__gte=3)
        .select_related("lead_org", "region")
        .order_by("-reported_at")
    )


def cases_about(
    *, enterprise_ids: Any = None, subject_refs: Any = (),
    kinds: Any = (), now: dt.datetime | None = None,
) -> QuerySet[Case]:
    """The cases of the given kinds about any of these enterprises (a list or a subquery of
    ids), or whose ``subject_ref`` is one of ``subject_refs`` ("project:12", "chain:nonferrous"),
    lit (``annotate_lights``). Read without the reader's case visibility: the caller checked
    its own permission to list them (the chains' 重点问题清单), and links a row to the case
    page only where ``Case.objects.visible_to`` allows it."""
    match = Q(pk__in=[])
    if enterprise_ids is not None:
        match |= Q(enterprise_id__in=enterprise_ids)
    if subject_refs:
        match |= Q(subject_ref__in=list(subject_refs))
    qs = Case.objects.filter(match, kind__in=list(kinds))
    return annotate_lights(qs, now).select_related("lead_org", "dispatch_org", "enterprise")
