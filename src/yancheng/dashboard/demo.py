"""Demo rankings for the Hengyang demo city (SPEC §3 item 5, §9).

`load_ranking_demo()` runs after the projects loader (which submits twelve months of
monthly reports): it freezes the 月排名 of regions and of units for each of the last
twelve complete months, acting as the demo supervisor "ducha" (督查, 市司法局), and puts
a few projects on the 红黄榜 for the last complete month.

Everything goes through the services. Idempotent: ``ranking_snapshot_generate`` returns a
month's existing snapshot unchanged, and a 红黄榜 entry is only added when the project is
not on that board for that month yet. Without the demo supervisor (the core demo city is
not loaded) nothing is done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from yancheng.core.models import User
from yancheng.core.typing import Actor
from yancheng.projects.models import Project

from .models import RankingKind, RedYellowEntry
from .rankings import Month
from .services import ranking_snapshot_generate, red_yellow_add

SUPERVISOR = "ducha"  # 督查 (core demo login)
MONTHS = 12
RED_CODES = ("HY-DEMO-0001",)  # 恒飞电缆智能化产业园: the article's model project
YELLOW_COUNT = 2


def last_complete_months(today: dt.date, n: int = MONTHS) -> list[Month]:
    """The ``n`` complete months before ``today``'s month, oldest first."""
    months = []
    for back in range(n, 0, -1):
        index = today.year * 12 + today.month - 1 - back
        months.append(Month(index // 12, index % 12 + 1))
    return months


def _red_yellow(month: Month, actor: Actor, today: dt.date) -> int:
    added = 0
    board = RedYellowEntry.Board
    listed = set(
        RedYellowEntry.objects.filter(month=month.first).values_list("board", "project_id")
    )
    visible = Project.objects.visible_to(actor)
    for project in visible.filter(code__in=RED_CODES).order_by("code"):
        if (board.RED, project.pk) not in listed:
            red_yellow_add(board=board.RED, project=project, month=month, actor=actor,
                           reason="投资完成率领先、节点按期推进，列入红榜予以通报表扬。")
            added += 1
    # 黄榜: the projects with the least invested in the month among those that reported.
    laggards = (
        visible.filter(monthly_reports__month=month.first)
        .annotate(invested=Sum("monthly_reports__invested_this_month"))
        .exclude(code__in=RED_CODES)
        .order_by("invested", "code")[:YELLOW_COUNT]
    )
    for project in laggards:
        if (board.YELLOW, project.pk) not in listed:
            red_yellow_add(
                board=board.YELLOW, project=project, month=month, actor=actor,
                reason="当月投资完成明显滞后于年度计划。",
                deadline=max(today, month.last) + dt.timedelta(days=30),
                rectification_plan="倒排工期，专班每周调度；要素保障问题提交周调度会协调解决。",
            )
            added += 1
    return added


def load_ranking_demo() -> dict[str, Any]:
    """Generate the demo ranking snapshots and 红黄榜 entries (idempotent)."""
    actor = User.objects.filter(username=SUPERVISOR, is_active=True).first()
    if actor is None:
        return {"snapshots": 0, "red_yellow": 0}
    today = timezone.localdate()
    months = last_complete_months(today)
    snapshots = 0
    with transaction.atomic():
        for month in months:
            for kind in (RankingKind.REGION, RankingKind.UNIT):
                _snapshot, created = ranking_snapshot_generate(kind=kind, month=month, actor=actor)
                snapshots += int(created)
        red_yellow = _red_yellow(months[-1], actor, today) if Project.objects.exists() else 0
    return {"snapshots": snapshots, "red_yellow": red_yellow}
