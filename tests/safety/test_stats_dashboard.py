"""The safety figures outside the module: the dashboard's panel, the leader's home and the
monthly ranking's terms (a weight of 0 leaves a ranking as it was)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from yancheng.core.workbench import todos_for
from yancheng.dashboard.models import RankingFormula
from yancheng.dashboard.rankings import Month, compute_ranking, formula_text
from yancheng.safety.models import Hazard
from yancheng.safety.selectors import hazard_filters
from yancheng.safety.selectors_dashboard import ranking_terms, safety_panel
from yancheng.safety.selectors_stats import HAZARD_FIGURES, visible_hazards
from yancheng.testing.exports import read_export

from .stats_world import NOW, at, build_stats_world

pytestmark = pytest.mark.django_db
APRIL = Month(2026, 4)
MAY = Month(2026, 5)


@pytest.fixture
def stats(sw):
    return build_stats_world(sw)


def test_the_panel_counts_this_month_and_what_is_open_now(sw, stats):
    panel = safety_panel(sw.anweiban, now=NOW)
    shown = {f["figure"]: f["count"] for f in panel["hazards"]}
    assert panel["month"] == "2026-05"
    assert shown == {"found": 1, "major_found": 0, "ontime": 0, "late": 0, "overdue_open": 3, "major_open": 1,
                     "supervised_open": 1}
    checks = {f["figure"]: f["count"] for f in panel["checks"]}
    assert checks == {"tasks": 1, "done": 0, "overdue": 0}


def test_the_panel_s_figures_are_the_totals_of_their_lists_also_in_a_region(sw, stats):
    for region in ("", sw.qidong.code, sw.shigu.code):
        panel = safety_panel(sw.world.users["leader"], region=region, now=NOW)
        visible = visible_hazards(sw.world.users["leader"], NOW)
        for figure in panel["hazards"]:
            flow, own = HAZARD_FIGURES[figure["figure"]]
            wanted = {**({"region": region} if region else {}), **({"period": "2026-05"} if flow else {}), **own}
            assert hazard_filters(visible, wanted).count() == figure["count"], (region, figure)
        assert bool(panel["checks"]) is (region == "")


def test_the_dashboard_shows_the_panel_to_a_leader(client, sw, stats):
    client.force_login(sw.world.users["leader"])
    with at(NOW):
        page = client.get(reverse("dashboard:index")).content.decode()
    shown = dict(re.findall(r'data-safety="([\w-]+)" data-count="(\d+)"', page))
    assert shown["overdue_open"] == "3" and shown["major_open"] == "1" and shown["task-tasks"] == "1"


def test_the_dashboard_shows_no_panel_to_a_dispatcher(client, sw, stats):
    client.force_login(sw.world.users["dispatcher"])
    with at(NOW):
        page = client.get(reverse("dashboard:index")).content.decode()
    assert 'data-panel="safety"' not in page


def test_the_leader_s_home_holds_the_overdue_hazards_and_its_list_shows_them(client, sw, stats):
    leader = sw.world.users["leader"]
    with at(NOW):
        items = {t.key: t for t in todos_for(leader)}
    overdue = items["safety.overdue_open"]
    assert overdue.count == 3 and overdue.light == "red"
    client.force_login(leader)
    with at(NOW):
        export = client.get(f"{overdue.url}&format=xlsx")
    assert len(read_export(export, "安全隐患").rows) == 3
    with at(NOW):
        others = {t.key for t in todos_for(sw.world.users["dispatcher"])}
    assert not any(key.startswith("safety.") for key in others)


def test_the_ranking_terms_per_region(sw, stats):
    with at(NOW):
        april = ranking_terms(*APRIL.window)
        march = ranking_terms(*Month(2026, 3).window)
    # April: 祁东 closed one on time; 石鼓 none closed; the 重大 one is not yet late.
    assert april[sw.qidong.pk] == {"hazards_closed": 1, "hazards_on_time": 1}
    assert sw.shigu.pk not in april
    # March: 石鼓 closed one on time and one late (closed on 22 March).
    assert march[sw.shigu.pk] == {"hazards_closed": 2, "hazards_on_time": 1}
    # The 重大 one goes past its deadline: counted at the end of the month it is late in.
    Hazard.objects.filter(pk=stats.hazards["major"].pk).update(reported_at=dt.datetime(2026, 4, 7, tzinfo=dt.UTC))
    from yancheng.cases.models import Case

    Case.objects.filter(pk=stats.hazards["major"].case_id).update(solve_due_at=dt.datetime(2026, 4, 20, tzinfo=dt.UTC))
    with at(NOW):
        assert ranking_terms(*APRIL.window)[sw.shigu.pk] == {"major_hazards_overdue": 1}


def scores(formula: RankingFormula, month: Month = APRIL) -> dict[str, float]:
    with at(NOW):
        return {row["key"]: row["score"] for row in compute_ranking("region", month, formula)}


def test_safety_weights_of_zero_leave_the_ranking_as_it_was_and_a_weight_moves_it(sw, stats):
    plain = RankingFormula(name="试算", w_cases=Decimal(1))
    before = scores(plain)
    with at(NOW):
        rows = {row["key"]: row for row in compute_ranking("region", APRIL, plain)}
    assert rows[sw.qidong.code]["hazard_ontime_rate"] == 100.0 and rows[sw.shigu.code]["hazard_ontime_rate"] is None
    assert rows[sw.shigu.code]["major_hazards_overdue"] == 0
    # Safety data changed, weights 0: the scores do not move.
    Hazard.objects.filter(pk=stats.hazards["overdue"].pk).update(stage="closed", closed_at=NOW, closed_by=sw.safety_emergency2)
    assert scores(plain) == before
    weighed = scores(RankingFormula(name="试算", w_cases=Decimal(1), w_hazard_ontime=Decimal(1)))
    assert weighed[sw.qidong.code] == before[sw.qidong.code] + 100.0
    assert weighed[sw.shigu.code] == before[sw.shigu.code]
    assert "隐患按期整改率" in formula_text(RankingFormula(name="x").weights())


def test_the_unit_ranking_has_no_safety_terms(sw, stats):
    with at(NOW):
        rows = compute_ranking("unit", APRIL, RankingFormula(name="试算", w_cases=Decimal(1), w_hazard_ontime=Decimal(1)))
    assert all(row["hazard_ontime_rate"] is None and row["major_hazards_overdue"] is None for row in rows)
