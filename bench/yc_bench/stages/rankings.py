"""The last twelve months' frozen rankings (月排名), made through the product's own service
by the city project office, as the office does each month."""

from __future__ import annotations

from typing import Any

from yancheng.core.models import Organisation, Role, User
from yancheng.dashboard.models import RankingKind, RankingSnapshot
from yancheng.dashboard.rankings import Month
from yancheng.dashboard.services import ranking_snapshot_generate

from .base import Context, Stage

MONTHS = 12


def office_dispatcher() -> User:
    office = Organisation.objects.filter(code="hy-zdxmb").first()
    user = User.objects.filter(organisation=office, role=Role.DISPATCHER, is_active=True).order_by("id").first()
    if user is None:
        raise SystemExit("no dispatcher of the city project office: run the world stage first")
    return user


class RankingStage(Stage):
    name = "rankings"
    tables = ()

    def planned(self, ctx: Context) -> int:
        return MONTHS * len(RankingKind.values)

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        actor = office_dispatcher()
        this = Month.of(ctx.today)
        made = 0
        for back in range(MONTHS, 0, -1):
            index = this.year * 12 + this.month - 1 - back
            month = Month(index // 12, index % 12 + 1)
            for kind in RankingKind.values:
                _snapshot, created = ranking_snapshot_generate(kind=kind, month=month, actor=actor)
                made += int(created)
        return made

    def finish(self, ctx: Context) -> None:
        ctx.bulk.analyze([RankingSnapshot._meta.db_table])
