from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from openpyxl import load_workbook

from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.models import Region
from yancheng.dashboard import services
from yancheng.dashboard.models import RankingFormula, RankingSnapshot, SnapshotImmutable
from yancheng.dashboard.rankings import Month
from yancheng.dashboard.reports import ranking_docx, ranking_xlsx
from yancheng.dashboard.selectors import period_review
from yancheng.lib.numbers import plain
from yancheng.projects.models import MonthlyReport
from yancheng.testing.documents import body_tables, check_official_document

MARCH = Month(2026, 3)


def expected_region_scores(formula: RankingFormula) -> dict[str, float]:
    """The shown formula, computed by hand from the raw data of conftest.month_data."""
    w = {f: float(getattr(formula, f)) for f in
         ("w_investment", "w_nodes", "w_cases", "w_satisfaction", "w_attracted", "w_won", "w_escalations")}
    qidong = (
        w["w_investment"] * 600 / 1000 * 100  # ytd 600 of plan 1000
        + w["w_nodes"] * 1 / 2 * 100  # 土建 on time, 设备安装 late
        + w["w_cases"] * 1 / 2 * 100  # one of two resolved cases on time
        + w["w_satisfaction"] * 1 / 2 * 100  # satisfied + dissatisfied
        + w["w_attracted"] * 100  # signed 5000 in March: the month's highest
        + w["w_won"] * 0
        - w["w_escalations"] * 2  # pressed and supervised in March
    )
    shigu = (
        w["w_investment"] * 500 / 2000 * 100  # February's ytd; April's report does not count
        + w["w_nodes"] * 0  # 供电 finished late; 投产 not yet due
        + w["w_cases"] * 100
        + w["w_satisfaction"] * 100  # 基本满意 counts as satisfied
        + w["w_attracted"] * 0
        + w["w_won"] * 100  # 300 won, the month's highest
    )
    scores = {
        r.code: 0.0
        for r in Region.objects.filter(parent__code="430400", kind__in=["district", "county", "county_city"])
    }
    scores.update({"430426": round(qidong, 2), "430407": round(shigu, 2)})
    return scores


def test_the_ranking_order_equals_the_shown_formula_computed_from_the_raw_data(world, month_data):
    snapshot, created = services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    assert created
    formula = RankingFormula.objects.get(is_active=True)
    expected = expected_region_scores(formula)
    shown = {row["key"]: row["score"] for row in snapshot.rows}
    assert shown == pytest.approx(expected, abs=0.01)
    expected_order = sorted(expected, key=lambda code: (-expected[code], code))
    assert [row["key"] for row in snapshot.rows] == expected_order
    assert [row["key"] for row in snapshot.rows[:2]] == ["430426", "430407"]
    # The formula text shown beside the ranking carries the weights it was computed with.
    assert f"{formula.w_investment.normalize():f}×投资完成率" in snapshot.formula["text"]
    qidong = snapshot.rows[0]
    assert (qidong["investment_rate"], qidong["nodes_rate"], qidong["escalations"]) == (60.0, 50.0, 2)
    assert qidong["rank"] == 1 and snapshot.rows[1]["rank"] == 2


def test_units_are_ranked_by_their_cases_with_the_same_formula(world, month_data):
    snapshot, _ = services.ranking_snapshot_generate(kind="unit", month=MARCH, actor=world.supervisor)
    rows = {row["key"]: row for row in snapshot.rows}
    power = rows[str(world.power_company.pk)]
    formula = RankingFormula.objects.get(is_active=True)
    expected = (
        float(formula.w_cases) * 50 + float(formula.w_satisfaction) * 50 - float(formula.w_escalations) * 2
    )
    assert power["score"] == pytest.approx(expected, abs=0.01)
    assert power["cases_rate"] == 50.0 and power["escalations"] == 2


def test_a_snapshot_refuses_to_be_changed_by_save_delete_or_sql(world, month_data):
    snapshot, _ = services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    snapshot.note = "改一下"
    with pytest.raises(SnapshotImmutable):
        snapshot.save()
    with pytest.raises(SnapshotImmutable):
        snapshot.delete()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE dashboard_rankingsnapshot SET note = 'x' WHERE id = %s", [snapshot.pk])
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        RankingSnapshot.objects.filter(pk=snapshot.pk).delete()
    assert RankingSnapshot.objects.get(pk=snapshot.pk).note == ""


def test_running_a_month_again_creates_nothing_and_regenerating_keeps_the_old_version(world, month_data):
    first, created = services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    again, created_again = services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    assert created and not created_again and again.pk == first.pk
    assert RankingSnapshot.objects.count() == 1
    second, created_second = services.ranking_snapshot_generate(
        kind="region", month=MARCH, actor=world.supervisor, regenerate=True, note="补报数据后重新生成"
    )
    assert created_second and second.version == 2
    assert list(RankingSnapshot.objects.order_by("version").values_list("version", flat=True)) == [1, 2]


def test_only_the_ranking_office_may_generate_and_never_for_a_future_month(world, month_data):
    for persona in ("handler_power", "enterprise_a_user", "dispatcher", "leader"):
        with pytest.raises(PermissionDeniedError):
            services.ranking_snapshot_generate(kind="region", month=MARCH, actor=getattr(world, persona))
    with pytest.raises(ValidationFailed):
        services.ranking_snapshot_generate(kind="region", month=Month(2026, 5), actor=world.supervisor)
    assert not RankingSnapshot.objects.exists()


def test_the_quarterly_review_comes_from_the_snapshots_even_after_live_data_changes(world, month_data):
    jan, _ = services.ranking_snapshot_generate(kind="region", month=Month(2026, 1), actor=world.supervisor)
    mar, _ = services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    months = [dt.date(2026, m, 1) for m in (1, 2, 3)]
    before = period_review("region", months)
    # Live data changes after the ranking: a corrected March report for 石鼓.
    MonthlyReport.objects.create(project=month_data.p2, month=dt.date(2026, 3, 1),
                                 invested_this_month=Decimal("1500"), invested_ytd=Decimal("2000"))
    after = period_review("region", months)
    assert after["rows"] == before["rows"]
    assert after["missing"] == [dt.date(2026, 2, 1)]
    jan_scores = {r["key"]: Decimal(str(r["score"])) for r in jan.rows}
    mar_scores = {r["key"]: Decimal(str(r["score"])) for r in mar.rows}
    for row in after["rows"]:
        expected = ((jan_scores[row["key"]] + mar_scores[row["key"]]) / 2).quantize(Decimal("0.01"))
        assert row["average"] == expected
        assert row["months_counted"] == 2


def test_the_docx_and_xlsx_reopen_with_the_ranking_numbers(world, month_data):
    snapshot, _ = services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    top = snapshot.rows[0]

    sheet = load_workbook(io.BytesIO(ranking_xlsx(snapshot))).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = values[0]
    first = dict(zip(header, values[1], strict=False))
    assert first["单位"] == "祁东县" and first["名次"] == 1
    assert first["得分"] == pytest.approx(top["score"])
    assert first["投资完成率（%）"] == 60.0
    assert any(row and row[0] == "计分办法" and "投资完成率" in str(row[1]) for row in values)

    document = check_official_document(ranking_docx(snapshot), landscape=True)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2026年3月" in text and "月排名通报" in text
    assert snapshot.formula["text"] in text
    assert "（第 1 版）" in text and "2026年4月15日" in text
    table = body_tables(document)[0]
    cells = [c.text for c in table.rows[1].cells]
    assert cells[0] == "1" and cells[1] == "祁东县" and cells[-1] == plain(top["score"])


def test_the_formula_refuses_negative_or_empty_weights_and_records_changes(world):
    formula = RankingFormula.objects.get(is_active=True)
    with pytest.raises(ValidationFailed):
        services.ranking_formula_update(formula, name="x", weights={"w_investment": "-1"}, actor=world.supervisor)
    with pytest.raises(ValidationFailed):
        services.ranking_formula_update(formula, name="x", weights={"w_escalations": "5"}, actor=world.supervisor)
    with pytest.raises(PermissionDeniedError):
        services.ranking_formula_update(formula, name="x", weights={"w_cases": "1"}, actor=world.handler_power)
    updated = services.ranking_formula_update(
        formula, name="2026年办法", weights={"w_cases": "0.5", "w_satisfaction": "0.5", "w_escalations": "1"},
        actor=world.supervisor,
    )
    assert (updated.w_cases, updated.w_investment) == (Decimal("0.50"), Decimal("0.00"))
    from yancheng.core.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="dashboard.formula_update").exists()


def test_units_holding_cases_in_the_month_are_ranked_even_without_an_event(world, month_data):
    """Assigned before the month's end and not resolved before its start: ranked. Resolved
    before the month, or assigned after it: not (unless another case brings the unit in)."""
    from yancheng.dashboard.rankings import compute_ranking
    from yancheng.dashboard.services import active_formula

    from .conftest import make_case

    quiet = {"emergency": world.emergency_bureau, "justice": world.justice_bureau,
             "market": world.market_regulation}
    shown_before = {row["key"] for row in compute_ranking("unit", MARCH, active_formula())}
    assert not {str(org.pk) for org in quiet.values()} & shown_before
    make_case(world, region=world.shigu, lead=quiet["emergency"], assigned="2026-02-10")  # still open
    make_case(world, region=world.shigu, lead=quiet["justice"], assigned="2026-02-10", resolved="2026-02-20",
              rated=("2026-02-21", "satisfied"))  # resolved before March
    make_case(world, region=world.shigu, lead=quiet["market"], assigned="2026-04-02")  # after March
    shown = {row["key"] for row in compute_ranking("unit", MARCH, active_formula())}
    assert shown - shown_before == {str(quiet["emergency"].pk)}
    make_case(world, region=world.shigu, lead=quiet["justice"], assigned="2026-02-10", resolved="2026-04-03")  # held through March, resolved after it
    shown = {row["key"] for row in compute_ranking("unit", MARCH, active_formula())}
    assert shown - shown_before == {str(quiet["emergency"].pk), str(quiet["justice"].pk)}
