"""The monthly ranking's 产业链 terms (unit ranking): 招商转化率 per owning unit and 产业链目标完成率
per chain office; a weight of 0 leaves a ranking as it was; the "counted" page lists the leads
and targets behind each number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.chains.leads_world import make_lead
from yancheng.chains.models import Lead, LeadStage
from yancheng.chains.selectors_dashboard import ranking_terms
from yancheng.chains.services.targets import actual_record, target_add
from yancheng.dashboard.models import RankingFormula
from yancheng.dashboard.rankings import Month, compute_ranking, formula_text

pytestmark = pytest.mark.django_db
MAY = Month(2026, 5)
NOW = dt.datetime(2026, 6, 3, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone()), tick=False)


@pytest.fixture
def rw(cw):
    with _at(dt.date(2026, 1, 10)):
        cw.open_lead = make_lead(cw, investor="仍在洽谈公司")
        cw.landed_early = make_lead(cw, investor="三月落地公司")
        cw.dropped_early = make_lead(cw, investor="二月终止公司")
    with _at(dt.date(2026, 4, 10)):
        cw.signed_lead = make_lead(cw, investor="五月签约公司")
    with _at(dt.date(2026, 6, 2)):
        cw.june_lead = make_lead(cw, investor="六月登记公司")
    Lead.objects.filter(pk=cw.signed_lead.pk).update(stage=LeadStage.SIGNED, signed_on=dt.date(2026, 5, 12))
    Lead.objects.filter(pk=cw.landed_early.pk).update(stage=LeadStage.LANDED, signed_on=dt.date(2026, 2, 1),
                                                       landed_on=dt.date(2026, 3, 1))
    Lead.objects.filter(pk=cw.dropped_early.pk).update(stage=LeadStage.DROPPED, last_activity_on=dt.date(2026, 2, 1))
    end = dt.date(2026, 12, 31)
    output = target_add(cw.nonferrous, actor=None, year=2026, metric="output", unit="亿元", target_value=1200)
    actual_record(output, actor=None, period=4, value=300, today=end)  # 25 % of 33.3 %: 75
    actual_record(output, actor=None, period=6, value=1200, today=end)  # June: not counted for May
    tax = target_add(cw.nonferrous, actor=None, year=2026, metric="tax", unit="亿元", target_value=12)
    actual_record(tax, actor=None, period=5, value=12, today=end)  # ahead: at most 100
    target_add(cw.nonferrous, actor=None, year=2026, metric="investment", unit="亿元", target_value=80)  # no actual
    cw.output_target, cw.tax_target = output, tax
    return cw


def test_the_terms_count_the_units_leads_and_the_offices_targets(rw):
    terms = ranking_terms(*MAY.window)
    ndrc = terms[rw.city_ndrc.pk]
    assert ndrc["leads_counted"] == 2 and ndrc["leads_converted"] == 1  # open + signed; not landed/dropped before
    office = terms[rw.office.pk]
    assert office["targets_counted"] == 2
    assert office["target_completion"].quantize(Decimal("0.1")) == Decimal("87.5")


def _rows(formula: RankingFormula) -> dict[str, dict]:
    with time_machine.travel(NOW, tick=False):
        return {row["key"]: row for row in compute_ranking("unit", MAY, formula)}


def test_weights_of_zero_leave_the_ranking_as_it_was_and_a_weight_moves_it(rw):
    plain = RankingFormula(name="试算", w_cases=Decimal(1))
    before = _rows(plain)
    assert str(rw.office.pk) not in before  # a unit with chain figures only waits for a weight
    weighed = _rows(RankingFormula(name="试算", w_cases=Decimal(1), w_lead_conversion=Decimal(1),
                                   w_target_completion=Decimal(1)))
    ndrc = weighed[str(rw.city_ndrc.pk)]
    assert ndrc["lead_conversion_rate"] == 50.0 and ndrc["leads_counted"] == 2
    assert ndrc["score"] == before.get(str(rw.city_ndrc.pk), {"score": 0.0})["score"] + 50.0
    assert weighed[str(rw.office.pk)]["target_completion_rate"] == 87.5
    for key, row in before.items():
        assert weighed[key]["score"] >= row["score"]
    text = formula_text(RankingFormula(name="x").weights())
    assert "招商转化率" in text and "序时进度" in text


def test_the_region_ranking_has_no_chain_terms(rw):
    with time_machine.travel(NOW, tick=False):
        rows = compute_ranking("region", MAY, RankingFormula(name="试算", w_lead_conversion=Decimal(1)))
    assert all(row["lead_conversion_rate"] is None and row["target_completion_rate"] is None for row in rows)


def test_the_counted_page_lists_the_leads_and_targets(client, rw):
    client.force_login(rw.world.leader)
    url = reverse("dashboard:ranking_counted") + f"?kind=unit&key={rw.city_ndrc.pk}&from=2026-05&to=2026-05"
    with time_machine.travel(NOW, tick=False):
        body = client.get(url).content.decode()
    assert 'data-section="lead_conversion_rate" data-total="2"' in body
    assert f'data-lead="{rw.signed_lead.pk}"' in body and f'data-lead="{rw.landed_early.pk}"' not in body
    office = reverse("dashboard:ranking_counted") + f"?kind=unit&key={rw.office.pk}&from=2026-05&to=2026-05"
    with time_machine.travel(NOW, tick=False):
        body = client.get(office).content.decode()
    assert 'data-section="target_completion_rate" data-total="2"' in body
    assert f'data-target="{rw.output_target.pk}"' in body and "75.0" in body
