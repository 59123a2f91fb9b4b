"""月排名 snapshots are immutable in the database itself: triggers refuse UPDATE and DELETE
on dashboard_rankingsnapshot (SQLite and PostgreSQL). Also seeds the default formula."""

from decimal import Decimal

from django.db import migrations

TABLE = "dashboard_rankingsnapshot"

SQLITE_FORWARD = [
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'yancheng: UPDATE on {TABLE} refused: ranking snapshots are immutable'); END""",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'yancheng: DELETE on {TABLE} refused: ranking snapshots are immutable'); END""",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION yancheng_ranking_snapshot_immutable() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'yancheng: % on % refused: ranking snapshots are immutable', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END;
    $$""",
    f"""CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION yancheng_ranking_snapshot_immutable()""",
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_immutable ON {TABLE}",
    "DROP FUNCTION IF EXISTS yancheng_ranking_snapshot_immutable()",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"ranking snapshot triggers are not written for {vendor}")
        for sql in statements[vendor]:
            schema_editor.execute(sql, params=None)

    return run


def default_formula(apps, schema_editor):
    RankingFormula = apps.get_model("dashboard", "RankingFormula")
    if not RankingFormula.objects.exists():
        RankingFormula.objects.create(
            name="月排名计分办法",
            w_investment=Decimal("0.30"),
            w_nodes=Decimal("0.20"),
            w_cases=Decimal("0.20"),
            w_satisfaction=Decimal("0.10"),
            w_attracted=Decimal("0.10"),
            w_won=Decimal("0.10"),
            w_escalations=Decimal("2.00"),
            is_active=True,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("dashboard", "0001_ranking_snapshots_and_red_yellow_list"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
        migrations.RunPython(default_formula, migrations.RunPython.noop),
    ]
