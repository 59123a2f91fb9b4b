"""链长 meetings: the 周调度 pattern (``projects/services/meetings.py``) on a chain.

The 链长 or the chain's office (``chains.hold_meeting``) calls the meeting; its chair is the
链长 and its organiser the chain's office. The agenda is built from the chain's red items by
the source functions of ``AGENDA_SOURCES`` (one line per source) and frozen; manual items
(临时议题) survive a rebuild. Each decision (议定事项) has a lead unit and a deadline in working
days; closing the meeting turns every decision into a 调度会议交办事项 case about the chain
(``subject_ref`` "chain:<code>", so it shows in the 重点问题清单), submitted to the chain's
office and assigned to the lead unit (``cases.services.meeting_task_issue``). Closing twice
creates nothing; the whole closing is one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.cases.models import Case
from yancheng.cases.services import meeting_close_issuing
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import IndustryChain, Organisation
from yancheng.core.typing import Actor, organisation_of
from yancheng.lib.deadlines import due_day_label

from ..models import ChainAgendaItem, ChainDecision, ChainMeeting, ChainProfile, MapNode, Strength
from ..permissions import runs_chain
from ..selectors import profile_of
from ..selectors_leads import stale_leads
from ..selectors_map import gap_nodes
from ..selectors_problems import chain_ref, red_problems, red_projects
from ..selectors_targets import red_targets

Source = ChainAgendaItem.Source
SOURCE_ORDER = [s.value for s in Source]
MAX_DUE_DAYS = 365


@dataclass
class AgendaCandidate:
    source: str
    ref_id: int | None
    title: str
    detail: str = ""
    responsible: str = ""


# --- the agenda's sources: each reads the chain's red items of one kind -----------------------------


def red_case_items(chain: IndustryChain, now: dt.datetime) -> list[AgendaCandidate]:
    """Red problems of the 重点问题清单."""
    items = []
    for case in red_problems(chain, now=now):
        unit = case.lead_org or case.dispatch_org
        due = due_day_label(case.solve_due_at)
        detail = f"{case.number} · {case.get_status_display()}" + (f" · {_('办结期限')} {due}" if due else "")
        if case.enterprise_id:
            detail += f" · {case.enterprise}"
        title = f"{case.subject}：{case.title}" if case.subject else case.title
        items.append(AgendaCandidate(Source.CASE, case.pk, title[:255], detail[:500], unit.name[:128] if unit else ""))
    return items


def red_project_items(chain: IndustryChain, now: dt.datetime) -> list[AgendaCandidate]:
    """Projects under construction with a red start, progress or nodes light."""
    items = []
    for row in red_projects(chain):
        project, lights = row.project, row.lights
        reds = [label for label, light in ((_("开工"), lights.start), (_("进度"), lights.progress.light),
                                           (_("节点"), lights.nodes)) if light == "red"]
        unit = project.responsible_org
        items.append(AgendaCandidate(
            Source.PROJECT, project.pk, project.name[:255],
            (_("红灯：%(l)s") % {"l": "、".join(str(r) for r in reds)})[:500], unit.name[:128] if unit else "",
        ))
    return items


def missing_node_items(chain: IndustryChain, now: dt.datetime) -> list[AgendaCandidate]:
    """Nodes of the target map that no enterprise fills (缺)."""
    nodes = gap_nodes(MapNode.objects.filter(chain=chain)).filter(**{"strength": Strength.MISSING})
    return [
        AgendaCandidate(Source.NODE, node.pk, (_("补链：%(n)s") % {"n": node.name})[:255],
                        f"{node.get_segment_display()} · {Strength.MISSING.label}")
        for node in nodes.order_by("segment", "sort_order", "pk")
    ]


def red_target_items(chain: IndustryChain, now: dt.datetime) -> list[AgendaCandidate]:
    """This year's targets lit red: more than 30 points behind the linear plan (序时进度)."""
    items = []
    for row in red_targets(chain, timezone.localdate(now)):
        target = row.target
        detail = _("%(p)s累计完成 %(c)s%%，序时进度 %(e)s%%，落后 %(b)s 个百分点") % {
            "p": row.latest_label, "c": row.completion, "e": row.expected, "b": row.behind}
        items.append(AgendaCandidate(Source.TARGET, target.pk, f"{target.year} {target.label}"[:255], detail[:500]))
    return items


def stale_lead_items(chain: IndustryChain, now: dt.datetime) -> list[AgendaCandidate]:
    """Open leads lit red: the next step more than two weeks late, or no follow-up for 60 days."""
    items = []
    for lead in stale_leads(chain, today=timezone.localdate(now)):
        detail = f"{lead.number} · {lead.get_stage_display()} · {_('最近跟进')} {lead.last_activity_on}"
        if lead.next_step_on:
            detail += f" · {_('下一步')} {lead.next_step_on} {lead.next_step}"
        items.append(AgendaCandidate(Source.LEAD, lead.pk, f"{lead.investor}：{lead.project_name}"[:255],
                                     detail[:500], lead.owner_org.name[:128]))
    return items


AGENDA_SOURCES: tuple[Callable[[IndustryChain, dt.datetime], list[AgendaCandidate]], ...] = (
    red_target_items,
    stale_lead_items,
    red_case_items,
    red_project_items,
    missing_node_items,
)


def agenda_candidates(chain: IndustryChain, *, now: dt.datetime | None = None) -> list[AgendaCandidate]:
    now = now or timezone.now()
    return [item for source in AGENDA_SOURCES for item in source(chain, now)]


# --- the meeting -----------------------------------------------------------------------------------


def _lock_open(meeting: ChainMeeting) -> ChainMeeting:
    locked = ChainMeeting.objects.select_for_update(of=("self",)).select_related("chain", "organiser").get(pk=meeting.pk)
    if locked.is_closed:
        raise ConflictError(_("会议已结束，不能再修改。"), code="meeting_closed")
    return locked


def meeting_create(chain: IndustryChain, *, actor: Actor | None, title: str, held_on: dt.date) -> ChainMeeting:
    """Call a 链长 meeting: chaired by the chain's 链长, organised by its office."""
    require(actor, "chains.hold_meeting", chain)
    title = clean_text(title, field="title", max_length=128, required=_("请填写会议名称。"))
    if not isinstance(held_on, dt.date):
        raise ValidationFailed(_("请填写会议日期。"), field="held_on")
    profile = ChainProfile.objects.filter(chain=chain).select_related("office", "leader").first() or profile_of(chain)
    organiser = profile.office or (organisation_of(actor) if actor is not None else None)
    if organiser is None:
        raise ValidationFailed(_("该产业链还没有链办，不能召集会议。"))
    with transaction.atomic():
        meeting = ChainMeeting.objects.create(chain=chain, title=title, held_on=held_on, chair=profile.leader,
                                              organiser=organiser, created_by=actor)
        audit_record("chains.meeting_create", meeting, actor=actor, after={
            "chain": chain.code, "title": title, "held_on": held_on.isoformat(), "organiser": organiser.pk,
        })
    return meeting


def meeting_minutes(meeting: ChainMeeting, *, actor: Actor | None, minutes: str) -> ChainMeeting:
    """Record the minutes (会议纪要) while the meeting is open."""
    require(actor, "chains.hold_meeting", meeting.chain)
    minutes = clean_text(minutes, field="minutes", max_length=20000)
    with transaction.atomic():
        locked = _lock_open(meeting)
        before = locked.minutes
        locked.minutes = minutes
        locked.save(update_fields=["minutes"])
        audit_record("chains.meeting_minutes", locked, actor=actor, before={"minutes": before[:500]},
                     after={"minutes": minutes[:500]})
    return locked


def agenda_build(meeting: ChainMeeting, *, actor: Actor | None, now: dt.datetime | None = None) -> list[ChainAgendaItem]:
    """Freeze the agenda from the chain's live red items; manual items stay, and decisions
    taken on an item keep pointing at the same item after a rebuild."""
    require(actor, "chains.hold_meeting", meeting.chain)
    with transaction.atomic():
        locked = _lock_open(meeting)
        old = {i.pk: (i.source, i.ref_id) for i in locked.agenda.exclude(source=Source.MANUAL)}
        links = {d.pk: old[d.agenda_item_id] for d in locked.decisions.filter(agenda_item_id__in=list(old))
                 if d.agenda_item_id is not None}
        ChainAgendaItem.objects.filter(pk__in=list(old)).delete()
        created = ChainAgendaItem.objects.bulk_create([
            ChainAgendaItem(meeting=locked, source=c.source, ref_id=c.ref_id, title=c.title, detail=c.detail,
                            responsible=c.responsible, sort_order=(SOURCE_ORDER.index(c.source) + 1) * 10000 + n)
            for n, c in enumerate(agenda_candidates(locked.chain, now=now))
        ])
        by_key = {(i.source, i.ref_id): i for i in ChainAgendaItem.objects.filter(meeting=locked)
                  .exclude(source=Source.MANUAL)}
        for decision_pk, key in links.items():
            ChainDecision.objects.filter(pk=decision_pk).update(agenda_item=by_key.get(key))
        counts: dict[str, int] = {}
        for item in created:
            counts[item.source] = counts.get(item.source, 0) + 1
        audit_record("chains.meeting_agenda_build", locked, actor=actor, before={"items": len(old)},
                     after={"items": len(created), **counts})
    return list(ChainAgendaItem.objects.filter(meeting=meeting))


def agenda_item_add(meeting: ChainMeeting, *, actor: Actor | None, title: str, detail: str = "",
                    responsible: str = "") -> ChainAgendaItem:
    """A manual item (临时议题)."""
    require(actor, "chains.hold_meeting", meeting.chain)
    title = clean_text(title, field="title", max_length=255, required=_("请填写议题。"))
    detail = clean_text(detail, field="detail", max_length=500)
    responsible = clean_text(responsible, field="responsible", max_length=128)
    with transaction.atomic():
        locked = _lock_open(meeting)
        item = ChainAgendaItem.objects.create(
            meeting=locked, source=Source.MANUAL, title=title, detail=detail, responsible=responsible,
            sort_order=(SOURCE_ORDER.index(Source.MANUAL) + 1) * 10000 + locked.agenda.count(),
        )
        audit_record("chains.meeting_agenda_add", item, actor=actor, after={"meeting": locked.pk, "title": title})
    return item


def decision_add(meeting: ChainMeeting, *, actor: Actor | None, text: str, lead_org: Organisation,
                 due_working_days: int = 10, agenda_item: ChainAgendaItem | None = None) -> ChainDecision:
    """议定事项: what was decided, the unit that leads it and its deadline in working days."""
    require(actor, "chains.hold_meeting", meeting.chain)
    text = clean_text(text, field="text", max_length=2000, required=_("请填写议定事项。"))
    if not lead_org.is_active or lead_org.kind == Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("“%(o)s”不能承办事项。") % {"o": lead_org}, field="lead_org")
    try:
        days = int(due_working_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DUE_DAYS:
        raise ValidationFailed(_("办结时限应在 1 到 365 个工作日之间。"), field="due_working_days")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationFailed(_("议题不属于该会议。"), field="agenda_item")
    with transaction.atomic():
        locked = _lock_open(meeting)
        decision = ChainDecision.objects.create(meeting=locked, agenda_item=agenda_item, text=text,
                                                lead_org=lead_org, due_working_days=days)
        audit_record("chains.meeting_decision_add", decision, actor=actor, after={
            "meeting": locked.pk, "text": text[:500], "lead_org": lead_org.pk, "due_working_days": days,
            "agenda_item": agenda_item.pk if agenda_item else None,
        })
    return decision


def decision_remove(decision: ChainDecision, *, actor: Actor | None) -> None:
    """Take a decision back before the meeting closes."""
    meeting = decision.meeting
    require(actor, "chains.hold_meeting", meeting.chain)
    with transaction.atomic():
        _lock_open(meeting)
        audit_record("chains.meeting_decision_remove", decision, actor=actor, before={"text": decision.text[:500]})
        decision.delete()


def meeting_close(meeting: ChainMeeting, *, actor: Actor | None) -> list[Case]:
    """Close the meeting: each decision without its case becomes a 调度会议交办事项 about the
    chain, submitted to the chain's office and assigned to its lead unit. The office's own
    staff issue it in their name; a 链长 closing it issues it on the office's behalf.
    Idempotent (closing again creates nothing) and all or nothing."""
    require(actor, "chains.hold_meeting", meeting.chain)
    with transaction.atomic():
        locked = ChainMeeting.objects.select_for_update(of=("self",)).select_related("chain", "organiser").get(
            pk=meeting.pk)
        issuer = actor if (actor is not None and runs_chain(actor, locked.chain)
                           and actor.organisation_id == locked.organiser_id) else None
        created = meeting_close_issuing(
            locked, locked.decisions.filter(case_id__isnull=True).select_related("lead_org"),
            actor=actor, issuer=issuer, note=_("链长会议交办"),
            subject_of=lambda _d: (locked.chain.name, chain_ref(locked.chain)), audit_action="chains.meeting_close",
        )
    meeting.is_closed = True
    return created
