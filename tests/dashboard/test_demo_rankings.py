"""The demo rankings: after the core city and the demo projects, the ranking loader freezes
the 月排名 of regions and units for the last twelve complete months and puts a few
projects on the 红黄榜; loading it twice adds nothing.

Loaded once for the module (inside a transaction rolled back at the end): the city and
the projects are the slow part."""

import pytest
from django.db import transaction
from django.utils import timezone

from yancheng.core.demo import load_hengyang_demo
from yancheng.dashboard import demo as ranking_demo
from yancheng.dashboard.models import RankingKind, RankingSnapshot, RedYellowEntry
from yancheng.projects import demo as project_demo


def counts() -> dict[str, int]:
    return {"snapshots": RankingSnapshot.objects.count(), "red_yellow": RedYellowEntry.objects.count()}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_hengyang_demo(enterprise_count=40)
        project_demo.load_project_demo()
        first = ranking_demo.load_ranking_demo()
        before = counts()
        second = ranking_demo.load_ranking_demo()
        yield {"first": first, "second": second, "before": before, "after": counts()}
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo, db):
    return demo


def test_one_run_freezes_both_rankings_for_the_last_twelve_complete_months(loaded):
    assert loaded["first"]["snapshots"] == 24
    assert RankingSnapshot.objects.count() == 24
    months = ranking_demo.last_complete_months(timezone.localdate())
    expected = {m.first for m in months}
    for kind in RankingKind.values:
        assert set(RankingSnapshot.objects.filter(kind=kind).values_list("month", flat=True)) == expected
    assert timezone.localdate().replace(day=1) not in expected
    assert all(s.created_by.username == "ducha" for s in RankingSnapshot.objects.select_related("created_by"))
    assert RankingSnapshot.objects.filter(kind=RankingKind.REGION, month=months[-1].first).get().rows


def test_a_few_projects_go_on_the_red_and_yellow_boards(loaded):
    assert RedYellowEntry.objects.filter(board="red").count() >= 1
    yellow = RedYellowEntry.objects.filter(board="yellow")
    assert yellow.count() >= 1 and all(e.deadline and e.rectification_plan for e in yellow)


def test_a_second_run_adds_nothing(loaded):
    assert loaded["second"] == {"snapshots": 0, "red_yellow": 0}
    assert loaded["before"] == loaded["after"]

