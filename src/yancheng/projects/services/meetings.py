"""周调度 (SPEC §3 item 5): the weekly dispatch meeting.

A meeting's agenda fills itself from live data when it is built (red and yellow cases,
problems reported since the last meeting, late nodes, unmet factor needs) and is then
frozen: what was on the table that day stays on it. It may be rebuilt until the meeting
is closed; manual items (临时议题) survive a rebuild. Each decision (议定事项) becomes a
case of kind 调度会议交办事项 when the meeting closes — submitted by the organiser and
assigned at once to the decision's lead unit with its deadline in working days.
Closing twice creates nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.cases.models import Case, CaseKind, Light, Status
from yancheng.cases.permissions import is_city_dispatch_office
from yancheng.cases.selectors import annotate_lights
from yancheng.cases.services import meeting_close_issuing
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Organisation, Region
from yancheng.core.typing import Actor, organisation_of
from yancheng.lib.deadlines import due_day, due_day_label

from ..models import AgendaItem, FactorNeed, MeetingDecision, Node, Project, WeeklyMeeting
from ..permissions import can_create_meeting, can_manage_meeting

# Case kinds a project meeting looks at (petitions, hazards and inspection complaints
# have their own meetings and their own confidentiality).
MEETING_CASE_KINDS = (CaseKind.PROJECT_PROBLEM, CaseKind.ENTERPRISE_REQUEST, CaseKind.MEETING_TASK)
# A factor need is "near" when it is due within this many calendar days.
FACTOR_NEED_HORIZON_DAYS = 7
# Without an earlier meeting, "new problems" are those of the last week.
DEFAULT_NEW_CASE_DAYS = 7
SOURCE_ORDER = [s.value for s in AgendaItem.Source]
LIT_ORDER = ("light_rank", "solve_due_at", "pk")
MAX_DUE_DAYS = 365


def _require_manage(user: Actor, meeting: WeeklyMeeting) -> None:
    if not can_manage_meeting(user, meeting):
        raise PermissionDeniedError(_("只有召集单位的调度员可以操作该会议。"))


def _lock_open(meeting: WeeklyMeeting) -> WeeklyMeeting:
    locked = WeeklyMeeting.objects.select_for_update(of=("self",)).select_related("organiser", "region").get(pk=meeting.pk)
    if locked.is_closed:
        raise ConflictError(_("会议已结束，不能再修改。"), code="meeting_closed")
    return locked


# --- the meeting -----------------------------------------------------------------------------------


def meeting_create(
    *,
    actor: Actor,
    title: str,
    held_on: dt.date,
    region: Region | None = None,
    chair: str = "",
) -> WeeklyMeeting:
    """Call a weekly dispatch meeting. The organiser is the actor's unit. A city-level
    office may hold it city-wide (no region) or for one region; a county or park holds it
    for its own region only."""
    if not can_create_meeting(actor):
        raise PermissionDeniedError(_("只有调度员可以召集周调度会议。"))
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写会议名称。"), field="title")
    if not isinstance(held_on, dt.date):
        raise ValidationFailed(_("请填写会议日期。"), field="held_on")
    organiser: Organisation = organisation_of(actor)
    if not is_city_dispatch_office(actor):
        own = organiser.region
        if region is None:
            region = own
        elif region.pk != own.pk:
            raise PermissionDeniedError(_("只能召集本区划的调度会议。"))
    with transaction.atomic():
        meeting = WeeklyMeeting.objects.create(
            title=title[:128], held_on=held_on, organiser=organiser, region=region, chair=(chair or "").strip()[:64],
            created_by=actor,
        )
        audit_record("meeting.create", meeting, actor=actor, after={
            "title": meeting.title, "held_on": held_on.isoformat(), "organiser": organiser.pk,
            "region": region.code if region else "",
        })
    return meeting


def meeting_update_minutes(meeting: WeeklyMeeting, *, actor: Actor, minutes: str) -> WeeklyMeeting:
    """Record the minutes (会议纪要) while the meeting is open."""
    _require_manage(actor, meeting)
    with transaction.atomic():
        locked = _lock_open(meeting)
        before = locked.minutes
        locked.minutes = (minutes or "").strip()
        locked.save(update_fields=["minutes"])
        audit_record("meeting.minutes", locked, actor=actor, before={"minutes": before[:500]},
                     after={"minutes": locked.minutes[:500]})
    meeting.minutes = locked.minutes
    return locked


# --- the agenda ------------------------------------------------------------------------------------


@dataclass
class _Item:
    source: str
    ref_id: int | None
    project: Project | None
    title: str
    detail: str
    responsible: str


def _region_ids(region: Region | None) -> list[int] | None:
    """The region and the regions under it; None means the whole city."""
    if region is None:
        return None
    ids = [region.pk]
    frontier = [region.pk]
    while frontier:
        frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def _projects_of(cases: Iterable[Case]) -> dict[int, Project]:
    """The project each case is about, by case: its link (``subject_ref`` "project:<pk>",
    set when the enterprise picks one of its projects as 所涉项目), or, for a case reported
    as free text before its project was filed, the enterprise's project of exactly the
    name written as 所涉项目."""
    cases = list(cases)
    linked: dict[int, int] = {}
    unlinked: dict[int, tuple[int, str]] = {}
    for case in cases:
        ref = case.subject_ref
        if ref.startswith("project:") and ref[8:].isdigit():
            linked[case.pk] = int(ref[8:])
        elif not ref and case.enterprise_id and case.subject.strip():
            unlinked[case.pk] = (case.enterprise_id, case.subject.strip())
    by_pk = Project.objects.in_bulk(set(linked.values()))
    by_name: dict[tuple[int, str], Project] = {}
    if unlinked:
        named = Project.objects.filter(
            is_active=True, enterprise_id__in={e for e, _n in unlinked.values()},
            name__in={n for _e, n in unlinked.values()},
        ).order_by("-pk")
        by_name = {(p.enterprise_id, p.name): p for p in named if p.enterprise_id is not None}
    found: dict[int, Project] = {pk: by_pk[ref] for pk, ref in linked.items() if ref in by_pk}
    found.update({pk: by_name[key] for pk, key in unlinked.items() if key in by_name})
    return found


def _case_item(source: str, case: Case, projects: dict[int, Project]) -> _Item:
    unit = case.lead_org or case.dispatch_org
    due = due_day_label(case.solve_due_at)
    status = case.get_status_display()
    detail = f"{case.number} · {status}" + (f" · {_('办结期限')} {due}" if due else "")
    if case.enterprise_id:
        detail += f" · {case.enterprise}"
    project = projects.get(case.pk)
    title = case.title if not case.subject or project else f"{case.subject}：{case.title}"
    return _Item(source, case.pk, project, title[:255], detail[:500], unit.name[:128] if unit else "")


def _previous_meeting_day(meeting: WeeklyMeeting) -> dt.date | None:
    previous = (
        WeeklyMeeting.objects.filter(organiser_id=meeting.organiser_id, held_on__lt=meeting.held_on)
        .exclude(pk=meeting.pk)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    return previous


def agenda_candidates(meeting: WeeklyMeeting, *, now: dt.datetime | None = None) -> list[_Item]:
    """What the agenda would hold now: red cases, yellow cases, new problems, late nodes
    and unmet factor needs within the meeting's region (or the whole city)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    regions = _region_ids(meeting.region)
    items: list[_Item] = []

    cases = Case.objects.filter(kind__in=MEETING_CASE_KINDS).select_related("lead_org", "dispatch_org", "enterprise")
    if regions is not None:
        cases = cases.filter(region_id__in=regions)
    # Filtered and ordered through kwargs: the light is an annotation (see cases.selectors).
    lit = list(annotate_lights(cases, now).filter(**{"light__in": [Light.RED.value, Light.YELLOW.value]}).order_by(*LIT_ORDER))
    previous = _previous_meeting_day(meeting)
    since = (
        dt.datetime.combine(previous, dt.time.min, tzinfo=timezone.get_current_timezone())
        if previous
        else now - dt.timedelta(days=DEFAULT_NEW_CASE_DAYS)
    )
    lit_ids = {c.pk for c in lit}
    fresh = [
        c for c in cases.filter(created_at__gte=since, created_at__lte=now)
        .exclude(status__in=[Status.WITHDRAWN, Status.MERGED])
        .exclude(kind=CaseKind.MEETING_TASK)
        .order_by("created_at", "pk")
        if c.pk not in lit_ids
    ]
    projects = _projects_of([*lit, *fresh])
    for case in lit:
        source = AgendaItem.Source.RED_CASE if case.light == Light.RED else AgendaItem.Source.YELLOW_CASE  # type: ignore[attr-defined]
        items.append(_case_item(source, case, projects))
    for case in fresh:
        items.append(_case_item(AgendaItem.Source.NEW_CASE, case, projects))

    nodes = Node.objects.filter(
        planned_finish__lt=today, actual_finish__isnull=True, project__is_active=True
    ).select_related("project", "responsible_org", "project__responsible_org")
    if regions is not None:
        nodes = nodes.filter(project__region_id__in=regions)
    for node in nodes.order_by("planned_finish", "pk"):
        assert node.planned_finish is not None
        late = (today - node.planned_finish).days
        unit = node.responsible_org or node.project.responsible_org
        items.append(_Item(
            AgendaItem.Source.LATE_NODE, node.pk, node.project, f"{node.project.name}：{node.name}"[:255],
            _("计划 %(d)s 完成，已滞后 %(n)d 天") % {"d": node.planned_finish.isoformat(), "n": late},
            unit.name[:128],
        ))

    needs = FactorNeed.objects.filter(
        status=FactorNeed.NeedStatus.REQUESTED,
        needed_by__lte=today + dt.timedelta(days=FACTOR_NEED_HORIZON_DAYS),
        project__is_active=True,
    ).select_related("project", "responsible_org")
    if regions is not None:
        needs = needs.filter(project__region_id__in=regions)
    for need in needs.order_by("needed_by", "pk"):
        assert need.needed_by is not None
        days = (need.needed_by - today).days
        when = (_("已逾期 %(n)d 天") % {"n": -days}) if days < 0 else (_("%(n)d 天内需要") % {"n": days})
        items.append(_Item(
            AgendaItem.Source.FACTOR_NEED, need.pk, need.project,
            f"{need.project.name}：{need.get_kind_display()} {need.quantity.normalize():f}{need.unit}"[:255],
            f"{_('需要时间')} {need.needed_by.isoformat()} · {when}"[:500],
            need.responsible_org.name[:128],
        ))
    return items


def agenda_build(meeting: WeeklyMeeting, *, actor: Actor, now: dt.datetime | None = None) -> list[AgendaItem]:
    """Freeze the agenda from live data. Allowed until the meeting closes; manual items
    stay; decisions taken on an item keep pointing at the same item after a rebuild."""
    _require_manage(actor, meeting)
    with transaction.atomic():
        locked = _lock_open(meeting)
        old = {i.pk: (i.source, i.ref_id) for i in locked.agenda.exclude(source=AgendaItem.Source.MANUAL)}
        links = {
            d.pk: old[d.agenda_item_id]
            for d in locked.decisions.filter(agenda_item_id__in=list(old))
            if d.agenda_item_id is not None
        }
        AgendaItem.objects.filter(pk__in=list(old)).delete()
        manual_count = locked.agenda.count()
        created = AgendaItem.objects.bulk_create([
            AgendaItem(meeting=locked, source=c.source, ref_id=c.ref_id, project=c.project, title=c.title,
                       detail=c.detail, responsible=c.responsible, sort_order=(SOURCE_ORDER.index(c.source) + 1) * 10000 + n)
            for n, c in enumerate(agenda_candidates(locked, now=now))
        ])
        by_key = {(i.source, i.ref_id): i for i in AgendaItem.objects.filter(meeting=locked)
                  .exclude(source=AgendaItem.Source.MANUAL)}
        for decision_pk, key in links.items():
            item = by_key.get(key)
            MeetingDecision.objects.filter(pk=decision_pk).update(agenda_item=item)
        counts: dict[str, int] = {}
        for item in created:
            counts[item.source] = counts.get(item.source, 0) + 1
        audit_record("meeting.agenda_build", locked, actor=actor,
                     before={"items": len(old)}, after={"items": len(created), "manual": manual_count, **counts})
    return list(AgendaItem.objects.filter(meeting=meeting).select_related("project"))


def agenda_item_add(
    meeting: WeeklyMeeting, *, actor: Actor, title: str, detail: str = "", responsible: str = "",
    project: Project | None = None,
) -> AgendaItem:
    """A manual item (临时议题) put on the agenda by the organiser."""
    _require_manage(actor, meeting)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写议题。"), field="title")
    with transaction.atomic():
        locked = _lock_open(meeting)
        item = AgendaItem.objects.create(
            meeting=locked, source=AgendaItem.Source.MANUAL, project=project, title=title[:255],
            detail=(detail or "").strip()[:500], responsible=(responsible or "").strip()[:128],
            sort_order=(SOURCE_ORDER.index(AgendaItem.Source.MANUAL) + 1) * 10000 + locked.agenda.count(),
        )
        audit_record("meeting.agenda_add", item, actor=actor, after={"meeting": locked.pk, "title": item.title})
    return item


# --- decisions -------------------------------------------------------------------------------------


def decision_add(
    meeting: WeeklyMeeting,
    *,
    actor: Actor,
    text: str,
    lead_org: Organisation,
    due_working_days: int = 5,
    project: Project | None = None,
    agenda_item: AgendaItem | None = None,
) -> MeetingDecision:
    """议定事项: what the meeting decided, who leads it and in how many working days.
    It becomes an assigned case when the meeting closes."""
    _require_manage(actor, meeting)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写议定事项。"), field="text")
    if not lead_org.is_active or lead_org.kind == Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("“%(o)s”不能承办事项。") % {"o": lead_org}, field="lead_org")
    if not 1 <= int(due_working_days) <= MAX_DUE_DAYS:
        raise ValidationFailed(_("办结时限应在 1 到 365 个工作日之间。"), field="due_working_days")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationFailed(_("议题不属于该会议。"), field="agenda_item")
    if project is None and agenda_item is not None:
        project = agenda_item.project
    with transaction.atomic():
        locked = _lock_open(meeting)
        decision = MeetingDecision.objects.create(
            meeting=locked, agenda_item=agenda_item, project=project, text=text, lead_org=lead_org,
            due_working_days=int(due_working_days),
        )
        audit_record("meeting.decision_add", decision, actor=actor, after={
            "meeting": locked.pk, "text": text[:500], "lead_org": lead_org.pk, "due_working_days": int(due_working_days),
            "project": project.pk if project else None,
        })
    return decision


def decision_remove(decision: MeetingDecision, *, actor: Actor) -> None:
    """Take a decision back before the meeting closes."""
    meeting = decision.meeting
    _require_manage(actor, meeting)
    with transaction.atomic():
        _lock_open(meeting)
        audit_record("meeting.decision_remove", decision, actor=actor, before={"text": decision.text[:500]})
        decision.delete()


def meeting_close(meeting: WeeklyMeeting, *, actor: Actor) -> list[Case]:
    """Close the meeting: every decision becomes a case (调度会议交办事项) submitted by the
    organiser — so the organiser's dispatcher confirms it at the end — and assigned to the
    decision's lead unit with its deadline. Idempotent: decisions that already have their
    case are skipped, so closing again creates nothing. All or nothing."""
    _require_manage(actor, meeting)
    with transaction.atomic():
        locked = WeeklyMeeting.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=meeting.pk)
        pending = list(locked.decisions.filter(case_id__isnull=True).select_related("lead_org", "project"))
        created = meeting_close_issuing(
            locked, pending, actor=actor, issuer=actor, note=_("周调度会议交办"),
            subject_of=lambda d: (d.project.name, f"project:{d.project.pk}") if d.project else ("", ""),
            audit_action="meeting.close",
        )
    meeting.is_closed = True
    return created


# --- reads for the pages and the notice ------------------------------------------------------------


@dataclass
class AgendaGroup:
    source: str
    label: str
    items: list[AgendaItem]


def agenda_groups(meeting: WeeklyMeeting, viewer: Any = None) -> list[AgendaGroup]:
    """The agenda by source. With a `viewer`, items about confidential projects the viewer
    may not see are left out (a city-wide agenda must not leak them)."""
    items = list(meeting.agenda.select_related("project"))
    if viewer is not None:
        hidden_ids = {i.project.pk for i in items if i.project is not None and i.project.is_confidential}
        if hidden_ids:
            visible = set(Project.objects.visible_to(viewer).filter(pk__in=hidden_ids).values_list("pk", flat=True))
            items = [i for i in items if i.project_id is None or i.project_id not in hidden_ids - visible]
    groups = []
    for value, label in AgendaItem.Source.choices:
        members = [i for i in items if i.source == value]
        groups.append(AgendaGroup(value, str(label), members))
    return groups


def agenda_counts(meeting: WeeklyMeeting) -> dict[str, int]:
    counts = {value: 0 for value in SOURCE_ORDER}
    for source in meeting.agenda.values_list("source", flat=True):
        counts[source] = counts.get(source, 0) + 1
    return counts


def decision_cases(meeting: WeeklyMeeting) -> dict[int, Case]:
    ids = [d for d in meeting.decisions.values_list("case_id", flat=True) if d]
    return {c.pk: c for c in annotate_lights(Case.objects.filter(pk__in=ids))}


def decision_deadline(decision: MeetingDecision, case: Case | None) -> dt.date | None:
    """The day the decision's case is due (its 24:00 deadline is that day, not the next)."""
    if case is not None:
        return due_day(case.solve_due_at)
    return None
