"""The monthly ranking's 信访 terms: 信访按期办结率, 信访满意率 and 重复信访率 per handling organ
and per region, computed from matters made here; 0 weights leave a ranking as it was, and a
weight moves it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.urls import reverse

from yancheng.cases.models import Case, Status
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ValidationFailed
from yancheng.dashboard import services
from yancheng.dashboard.models import RankingFormula
from yancheng.dashboard.rankings import Month, compute_ranking, formula_json
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import Petition, Stage
from yancheng.testing.petitions import build_petition_world
from yancheng.testing.petitions import register as register_as

pytestmark = pytest.mark.django_db
MARCH = Month(2026, 3)
TZ = dt.timezone(dt.timedelta(hours=8))
_numbers = count(1)


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=TZ)


@pytest.fixture
def pw(world):
    return build_petition_world(world)


def matter(pw: Any, *, registered: str = "2026-03-02", region: Any = None, **overrides: Any) -> Petition:
    overrides.setdefault("petitioners", [PetitionerInput(f"来访人{next(_numbers)}")])
    petition = register_as(pw, region=region or pw.world.city, **overrides).petition
    Petition.objects.filter(pk=petition.pk).update(registered_at=at(registered))
    petition.refresh_from_db()
    return petition


def concluded(petition: Petition, organ: Any, *, accepted: str, accept_due: str, resolved: str | None,
              solve_due: str) -> Case:
    """The matter handled by ``organ``: its case with the limits and the moments given."""
    case = Case.objects.create(
        number=f"XFR-{next(_numbers):05d}", kind="petition", title=f"信访事项 {petition.number}", description="—",
        status=Status.RESOLVED if resolved else Status.ACCEPTED, reporter_org=petition.registering_org,
        dispatch_org=petition.registering_org, region=petition.region, lead_org=organ,
        assigned_at=at("2026-01-05"), clock_started_at=at("2026-01-05"), accept_due_at=at(accept_due),
        accepted_at=at(accepted), solve_due_at=at(solve_due), resolved_at=at(resolved) if resolved else None,
        day_unit="natural", withheld_from=petition.respondent_org if petition.is_accusation else None,
    )
    Petition.objects.filter(pk=petition.pk).update(case=case, handling_org=organ, stage=Stage.ANSWERED,
                                                   accepted_at=at(accepted))
    return case


def ordinary_case(pw: Any, organ: Any) -> Case:
    """An enterprise's problem the organ resolved in time in March: the ranking's case terms
    count these, never the petition cases (their terms are the petition ones)."""
    return Case.objects.create(
        number=f"XFR-{next(_numbers):05d}", kind="enterprise_request", title="企业诉求", description="—",
        status=Status.RESOLVED, reporter_org=pw.world.qidong_park, dispatch_org=pw.world.qidong_park,
        region=pw.world.qidong, lead_org=organ, assigned_at=at("2026-03-02"), clock_started_at=at("2026-03-02"),
        accept_due_at=at("2026-03-03"), accepted_at=at("2026-03-02"), solve_due_at=at("2026-03-09"),
        resolved_at=at("2026-03-06"),
    )


def rated(petition: Petition, result: str, day: str = "2026-03-20") -> None:
    Petition.objects.filter(pk=petition.pk).update(rating_result=result, rating_handling=result, rated_at=at(day))


@pytest.fixture
def march(pw):
    """住建局: two matters concluded in March (one on time; one whose 受理告知 came late, though
    its case was resolved in time), rated 满意 and 不满意, and a repeat filing of one of its
    matters; 人社局: one concluded on time, rated 不满意."""
    h1 = matter(pw)
    concluded(h1, pw.housing, accepted="2026-01-10", accept_due="2026-01-20", resolved="2026-03-10",
              solve_due="2026-03-15")
    h2 = matter(pw)
    concluded(h2, pw.housing, accepted="2026-01-25", accept_due="2026-01-20", resolved="2026-03-12",
              solve_due="2026-03-31")
    rated(h1, "satisfied")
    rated(h2, "dissatisfied")
    # 重复信访: the same person again on a 住建局 matter still being handled (filed in February).
    person = [PetitionerInput("甲", "430407198803150014")]
    earlier = matter(pw, petitioners=person, registered="2026-02-01")
    Petition.objects.filter(pk=earlier.pk).update(handling_org=pw.housing, stage=Stage.ACCEPTED)
    repeat = matter(pw, petitioners=person)
    s1 = matter(pw)
    concluded(s1, pw.hrss, accepted="2026-01-10", accept_due="2026-01-20", resolved="2026-03-05",
              solve_due="2026-03-31")
    rated(s1, "dissatisfied")
    ordinary_case(pw, pw.housing)
    ordinary_case(pw, pw.hrss)
    return {"h1": h1, "h2": h2, "repeat": repeat, "earlier": earlier, "s1": s1}


def rows(formula: RankingFormula, kind: str = "unit") -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in compute_ranking(kind, MARCH, formula)}


def formula(**weights: str) -> RankingFormula:
    return RankingFormula(name="试算", **{k: Decimal(v) for k, v in weights.items()})


def test_the_terms_are_counted_per_handling_organ(pw, march):
    assert march["repeat"].duplicate_of_id == march["earlier"].pk  # the registry flagged it
    got = rows(formula(w_cases="1", w_petition_ontime="1"))
    housing, hrss = got[str(pw.housing.pk)], got[str(pw.hrss.pk)]
    assert (housing["petitions_concluded"], housing["petitions_on_time"]) == (2, 1)  # h2 accepted late
    assert housing["petition_ontime_rate"] == 50.0
    assert (housing["petitions_rated"], housing["petition_satisfaction_rate"]) == (2, 50.0)
    # Filed in March and charged to 住建局: h1, h2 (its own) and the repeat of its matter.
    assert (housing["petitions_filed"], housing["petitions_repeated"]) == (3, 1)
    assert housing["petition_repeat_rate"] == pytest.approx(33.33, abs=0.01)
    assert (hrss["petition_ontime_rate"], hrss["petition_satisfaction_rate"], hrss["petition_repeat_rate"]) == (
        100.0, 0.0, 0.0)


def test_the_terms_are_counted_per_region_of_the_problem(pw, march):
    shigu = matter(pw, region=pw.world.shigu)
    concluded(shigu, pw.housing, accepted="2026-01-10", accept_due="2026-01-20", resolved="2026-04-02",
              solve_due="2026-03-31")  # concluded in April: not March's
    rated(shigu, "basically")
    got = rows(formula(w_petition_satisfaction="1"), kind="region")
    row = got[pw.world.shigu.code]
    assert row["petitions_concluded"] == 0 and row["petition_ontime_rate"] is None
    assert row["petition_satisfaction_rate"] == 100.0  # 基本满意 counts as satisfied
    assert row["score"] == 100.0


def test_zero_weights_leave_the_ranking_as_it_was_and_a_weight_moves_it(pw, march):
    plain = formula(w_cases="1")
    before = rows(plain)
    # Its enterprise problem resolved in time; its petition cases are not counted as cases.
    assert before[str(pw.housing.pk)]["cases_rate"] == 100.0
    assert before[str(pw.housing.pk)]["cases_resolved"] == 1
    # More petition data under weights of 0: the terms change, the scores do not.
    extra = matter(pw)
    Petition.objects.filter(pk=extra.pk).update(handling_org=pw.hrss)
    rated(extra, "satisfied")
    after = rows(plain)
    assert {k: r["score"] for k, r in after.items()} == {k: r["score"] for k, r in before.items()}
    assert after[str(pw.hrss.pk)]["petition_satisfaction_rate"] == 50.0
    # Weighed in: 住建局 100 + 50 (on time) − 3 × 33.33 (repeats); 人社局 100 + 100 − 0.
    got = rows(formula(w_cases="1", w_petition_ontime="1", w_petition_repeat="3"))
    assert got[str(pw.housing.pk)]["score"] == pytest.approx(100 + 50 - 3 * 100 / 3, abs=0.01)
    assert got[str(pw.hrss.pk)]["score"] == pytest.approx(200)


def test_a_petition_weight_moves_the_order(pw, march):
    rated(march["h2"], "satisfied")  # 住建局 100 % satisfied, 人社局 0 %
    housing, hrss = str(pw.housing.pk), str(pw.hrss.pk)
    on_time = [r["key"] for r in compute_ranking("unit", MARCH, formula(w_petition_ontime="1"))]
    assert on_time.index(hrss) < on_time.index(housing)  # 100 against 50
    weighed = formula(w_petition_ontime="1", w_petition_satisfaction="1")
    both = [r["key"] for r in compute_ranking("unit", MARCH, weighed)]
    assert both.index(housing) < both.index(hrss)  # 150 against 100


def test_an_organ_with_petitions_only_is_ranked_once_a_petition_term_counts(pw):
    quiet = matter(pw)
    Petition.objects.filter(pk=quiet.pk).update(handling_org=pw.discipline)
    rated(quiet, "satisfied")
    key = str(pw.discipline.pk)
    assert key not in rows(formula(w_cases="1"))
    assert rows(formula(w_cases="1", w_petition_satisfaction="1"))[key]["score"] == 100.0


def test_the_formula_page_and_service_take_the_petition_weights(client, world, pw):
    current = services.active_formula()
    assert (current.w_petition_ontime, current.w_petition_satisfaction, current.w_petition_repeat) == (0, 0, 0)
    client.force_login(world.supervisor)
    page = client.get(reverse("dashboard:formula_edit")).content.decode()
    assert "信访满意率" in page and "重复信访率（每个百分点扣分）" in page
    data = {"name": "含信访", **{f: "0" for f in current.weights()}, "w_cases": "1", "w_petition_repeat": "0.5"}
    assert client.post(reverse("dashboard:formula_edit"), data).status_code == 302
    current.refresh_from_db()
    assert current.w_petition_repeat == Decimal("0.50")
    assert "0.5×重复信访率" in formula_json(current)["text"]
    record = AuditEvent.objects.filter(action="dashboard.formula_update").latest("pk")
    assert record.after["w_petition_repeat"] == "0.50"
    # A deduction alone is not a formula.
    with pytest.raises(ValidationFailed, match="至少一项加分指标"):
        services.ranking_formula_update(current, name="x", weights={"w_petition_repeat": "1"}, actor=world.supervisor)


def test_the_counted_page_counts_an_accusation_for_its_respondent_as_the_ranking_does_but_never_lists_it(
        client, pw):
    accusation = matter(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing_office)
    concluded(accusation, pw.discipline, accepted="2026-01-10", accept_due="2026-01-20", resolved="2026-03-10",
              solve_due="2026-03-31")
    url = reverse("dashboard:ranking_counted") + f"?kind=unit&key={pw.discipline.pk}&from=2026-03&to=2026-03"
    client.force_login(pw.world.supervisor)
    html = client.get(url).content.decode()
    assert 'data-section="petition_ontime_rate" data-total="1"' in html and accusation.number in html
    # 住建局's supervisor: 物业科 is its sub-unit, so 住建局 sees it (the superior) …
    client.force_login(pw.supervisor_housing)
    html = client.get(url).content.decode()
    assert 'data-section="petition_ontime_rate" data-total="1"' in html
    # … and an accusation about 住建局 itself is counted, as in the ranking's own number (a
    # smaller count would tell 住建局 one exists), but never listed.
    Petition.objects.filter(pk=accusation.pk).update(respondent_org=pw.housing)
    Case.objects.filter(petition=accusation).update(withheld_from=pw.housing)
    html = client.get(url).content.decode()
    assert 'data-section="petition_ontime_rate" data-total="1"' in html and accusation.number not in html
