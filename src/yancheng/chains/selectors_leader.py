"""The 链长's reads: each chain's figures (the chain's home blocks, the 链长's to-dos, the
overview page and the city dashboard all read them), every figure with the filtered list that
shows the same number. No second rule: each count is the family's own selector under the
filter its list applies (targets ``light``, projects ``light``, leads ``light=stale`` /
``stage=open``, problems ``light`` with the open scope, research ``overdue=1``, the gap list,
meetings ``status=open``). A chain's figures take a constant number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import IndustryChain, Role
from yancheng.core.typing import Actor, MaybeActor

from .models import ChainAgendaItem, ChainDecision, ChainMeeting, MapNode, Strength
from .permissions import chains_visible_to
from .selectors import GREEN, NONE, RED, SEVERITY, YELLOW
from .selectors_leads import lead_list
from .selectors_map import gap_nodes
from .selectors_problems import chain_problems, project_rows
from .selectors_registry import chain_strengths
from .selectors_research import result_list
from .selectors_targets import light_counts, target_rows


@dataclass(frozen=True)
class Figure:
    """One number of a block: its label, count, light and the list that shows it."""

    key: str
    label: Any
    count: int
    url: str
    light: str = NONE


def _url(route: str, chain: IndustryChain, **params: Any) -> str:
    url = reverse(route, args=[chain.code])
    query = {k: v for k, v in params.items() if v not in ("", None)}
    return url + ("?" + urlencode(query) if query else "")


def _lit(count: int, light: str) -> str:
    return light if count else NONE


def target_figures(chain: IndustryChain, today: dt.date) -> list[Figure]:
    counts = light_counts(target_rows(chain, today.year, today=today))
    return [
        Figure("targets.red", _("红灯目标"), counts[RED], _url("chains:targets", chain, year=today.year, light=RED),
               _lit(counts[RED], RED)),
        Figure("targets.yellow", _("黄灯目标"), counts[YELLOW],
               _url("chains:targets", chain, year=today.year, light=YELLOW), _lit(counts[YELLOW], YELLOW)),
    ]


def project_figures(user: Actor, chain: IndustryChain, today: dt.date) -> list[Figure]:
    rows = project_rows(user, chain, today=today)
    red = sum(1 for r in rows if r.worst == RED)
    return [
        Figure("projects.construction", _("在建项目"), len(rows), _url("chains:projects", chain)),
        Figure("projects.red", _("红灯项目"), red, _url("chains:projects", chain, light=RED), _lit(red, RED)),
    ]


def lead_figures(user: Actor, chain: IndustryChain, today: dt.date) -> list[Figure]:
    counts = lead_list(user, chain, today=today).order_by().aggregate(
        open=Count("pk", filter=Q(light__in=(RED, YELLOW, GREEN))), stale=Count("pk", filter=Q(light__in=(RED, YELLOW))))
    return [
        Figure("leads.open", _("在谈线索"), counts["open"], _url("chains:leads", chain, stage="open")),
        Figure("leads.stale", _("待跟进（红黄灯）"), counts["stale"], _url("chains:leads", chain, light="stale"),
               _lit(counts["stale"], RED)),
    ]


def problem_figures(chain: IndustryChain, now: dt.datetime) -> list[Figure]:
    counts = chain_problems(chain, now=now).order_by().aggregate(
        open=Count("pk"), red=Count("pk", filter=Q(light=RED)))
    return [
        Figure("problems.open", _("未办结问题"), counts["open"], _url("chains:problems", chain)),
        Figure("problems.red", _("红灯问题"), counts["red"], _url("chains:problems", chain, light=RED),
               _lit(counts["red"], RED)),
    ]


def research_figures(chain: IndustryChain) -> list[Figure]:
    results = result_list(chain).count()
    overdue = result_list(chain, {"overdue": "1"}).count()
    return [
        Figure("research.results", _("在库成果"), results, _url("chains:research", chain)),
        Figure("research.overdue", _("对接逾期"), overdue, _url("chains:research", chain, overdue="1"),
               _lit(overdue, YELLOW)),
    ]


def map_figures(chain: IndustryChain) -> list[Figure]:
    strengths = chain_strengths(chain)
    gaps = gap_nodes(MapNode.objects.filter(chain=chain)).count()
    return [
        Figure("map.strong", _("强"), strengths[Strength.STRONG], _url("chains:map", chain)),
        Figure("map.weak", _("弱"), strengths[Strength.WEAK], _url("chains:map", chain)),
        Figure("map.missing", _("缺"), strengths[Strength.MISSING], _url("chains:map", chain),
               _lit(strengths[Strength.MISSING], YELLOW)),
        Figure("map.gaps", _("待补环节（缺、弱）"), gaps, _url("chains:gaps", chain), _lit(gaps, YELLOW)),
    ]


def open_meetings(chain: IndustryChain) -> QuerySet[ChainMeeting]:
    """The chain's meetings not closed yet (the meetings list under ``status=open``)."""
    return ChainMeeting.objects.filter(chain=chain, is_closed=False)


def waiting_items(chain: IndustryChain) -> QuerySet[ChainAgendaItem]:
    """The agenda items of the chain's open meetings that no decision answers yet."""
    decided = ChainDecision.objects.filter(meeting__chain=chain, agenda_item__isnull=False).values("agenda_item_id")
    return ChainAgendaItem.objects.filter(meeting__chain=chain, meeting__is_closed=False).exclude(pk__in=decided)


def meeting_figures(chain: IndustryChain) -> list[Figure]:
    meetings, items = open_meetings(chain).count(), waiting_items(chain).count()
    url = _url("chains:meetings", chain, status="open")
    return [
        Figure("meetings.open", _("待决策会议"), meetings, url, _lit(meetings, YELLOW)),
        Figure("meetings.items", _("待决议题"), items, ""),  # shown on each meeting's page, not a list
    ]


def block_figures(user: Actor, chain: IndustryChain, *, today: dt.date | None = None,
                  now: dt.datetime | None = None) -> dict[str, list[Figure]]:
    """The figures of each block of the chain's home, by the list's route name."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    return {
        "chains:targets": target_figures(chain, today),
        "chains:projects": project_figures(user, chain, today),
        "chains:leads": lead_figures(user, chain, today),
        "chains:problems": problem_figures(chain, now),
        "chains:research": research_figures(chain),
        "chains:map": map_figures(chain),
        "chains:meetings": meeting_figures(chain),
    }


def worst(figures: list[Figure]) -> str:
    return max((f.light for f in figures), key=lambda light: SEVERITY.get(light, 0), default=NONE)


def led_chains(user: MaybeActor | None) -> QuerySet[IndustryChain]:
    """The chains the user leads (链长 or 副链长)."""
    if user is None or not user.is_authenticated or not user.is_active or user.role != Role.LEADER:
        return IndustryChain.objects.none()
    mine = Q(profile__leader=user) | Q(profile__deputy_leaders=user)
    return IndustryChain.objects.filter(pk__in=IndustryChain.objects.filter(mine).values("pk")).order_by(
        "sort_order", "code")


def overview_chains(user: MaybeActor | None) -> QuerySet[IndustryChain]:
    """The chains of the overview page: a 链长's own; anyone else's every chain they read."""
    led = led_chains(user)
    if led.exists():
        return led
    return chains_visible_to(user).order_by("sort_order", "code")
