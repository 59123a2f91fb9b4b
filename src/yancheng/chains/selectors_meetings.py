"""Reads of the 链长 meetings: the meetings of a chain, the agenda by source, the decisions'
cases with their lights."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from yancheng.cases.models import Case
from yancheng.cases.selectors import annotate_lights
from yancheng.core.models import IndustryChain
from yancheng.core.typing import MaybeActor

from .models import ChainAgendaItem, ChainMeeting
from .permissions import chains_visible_to


def meetings_visible_to(user: MaybeActor | None, chain: IndustryChain | None = None) -> QuerySet[ChainMeeting]:
    qs = ChainMeeting.objects.filter(chain__in=chains_visible_to(user)).select_related("chain", "chair", "organiser")
    return qs.filter(chain=chain) if chain is not None else qs


@dataclass
class AgendaGroup:
    source: str
    label: str
    items: list[ChainAgendaItem]


def agenda_groups(meeting: ChainMeeting) -> list[AgendaGroup]:
    items = list(meeting.agenda.all())
    return [AgendaGroup(value, str(label), [i for i in items if i.source == value])
            for value, label in ChainAgendaItem.Source.choices]


def decision_cases(meeting: ChainMeeting) -> dict[int, Case]:
    """The decisions' cases, lit, by pk (one query)."""
    ids = [d for d in meeting.decisions.values_list("case_id", flat=True) if d]
    return {c.pk: c for c in annotate_lights(Case.objects.filter(pk__in=ids))} if ids else {}
