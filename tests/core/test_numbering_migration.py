"""The counters move from petitions to core (petitions 0003) with the numbers already given,
on SQLite and PostgreSQL, and going back returns the petitions' rows to their table."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from yancheng.core.kit.numbering import next_in_series
from yancheng.core.models import NumberCounter

BEFORE = [("petitions", "0002_topics")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.mark.django_db(transaction=True)
def test_the_numbers_given_before_the_move_go_on_after_it_and_come_back_going_back():
    try:
        _migrate(BEFORE)
        for series, year, last in [("petition", 2026, 41), ("doc:7:acceptance", 2026, 12), ("petition", 2025, 300)]:
            _raw("INSERT INTO petitions_numbercounter (series, year, last) VALUES (%s, %s, %s)", [series, year, last])
        _migrate(_leaves())

        assert set(NumberCounter.objects.values_list("series", "year", "last")) == {
            ("petition", 2026, 41), ("doc:7:acceptance", 2026, 12), ("petition", 2025, 300),
        }
        with transaction.atomic():
            assert next_in_series("petition", 2026) == 42  # no number is given twice
            assert next_in_series("hazard", 2026) == 1  # another module's series, core only

        _migrate(BEFORE)
        assert set(_raw("SELECT series, year, last FROM petitions_numbercounter")) == {
            ("petition", 2026, 42), ("doc:7:acceptance", 2026, 12), ("petition", 2025, 300),
        }
    finally:
        _migrate(_leaves())
        NumberCounter.objects.all().delete()
