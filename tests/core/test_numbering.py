"""The numbering kit: a series counts from 1 each year, a number is taken inside the write's
transaction (a rollback gives it back), two takers never get the same number, and an organ's
文号 reads ``衡阳市信访局信受告〔2026〕12号``."""

import threading

import pytest
from django.db import connection, connections, transaction

from yancheng.core.kit.numbering import document_number, next_in_series
from yancheng.core.models import NumberCounter, Organisation
from yancheng.core.services import organisation_create


@pytest.mark.django_db
def test_a_series_counts_from_one_and_each_series_and_year_on_its_own():
    with transaction.atomic():
        taken = [next_in_series("hazard", 2026) for _ in range(3)]
        other_series = next_in_series("notice", 2026)
        next_year = next_in_series("hazard", 2027)
    assert taken == [1, 2, 3] and other_series == 1 and next_year == 1
    assert NumberCounter.objects.get(series="hazard", year=2026).last == 3


@pytest.mark.django_db
def test_a_rolled_back_write_gives_its_number_back():
    with transaction.atomic():
        assert next_in_series("hazard", 2026) == 1
    with pytest.raises(LookupError), transaction.atomic():
        assert next_in_series("hazard", 2026) == 2
        raise LookupError("the write that took the number fails")
    with transaction.atomic():
        assert next_in_series("hazard", 2026) == 2


@pytest.mark.django_db(transaction=True)
def test_a_number_is_not_taken_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the write's transaction"):
        next_in_series("hazard", 2026)
    with pytest.raises(RuntimeError):
        document_number(Organisation(name="衡阳市应急管理局"), "督", 2026, "notice")
    assert not NumberCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_taker_waits_for_the_first_to_commit_and_gets_the_next_number():
    if connection.vendor != "postgresql":
        pytest.skip("row locks race only on PostgreSQL; SQLite serialises every write transaction")
    with transaction.atomic():
        next_in_series("hazard", 2026)  # the row exists: both takers lock the same one
    first_took = threading.Event()
    first_may_commit = threading.Event()
    got: dict[str, int] = {}

    def first():
        try:
            with transaction.atomic():
                got["first"] = next_in_series("hazard", 2026)
                first_took.set()
                first_may_commit.wait(timeout=10)
        finally:
            connections.close_all()

    def second():
        try:
            first_took.wait(timeout=10)
            with transaction.atomic():
                got["second"] = next_in_series("hazard", 2026)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    threads[1].join(timeout=0.5)
    assert threads[1].is_alive() and "second" not in got  # held by the first's lock
    first_may_commit.set()
    for t in threads:
        t.join(timeout=30)
    assert got == {"first": 2, "second": 3}


@pytest.mark.django_db
def test_a_document_number_uses_the_short_name_when_there_is_one(world):
    bureau = organisation_create(code="hy-xfj", name="衡阳市信访局", kind="department", region=world.city,
                                 parent=world.city_gov, actor=None)
    named = organisation_create(code="hy-yjj2", name="衡阳市应急管理局", short_name="衡应急", kind="department",
                                region=world.city, parent=world.city_gov, actor=None)
    with transaction.atomic():
        first = document_number(bureau, "信受告", 2026, f"doc:{bureau.pk}:acceptance")
        second = document_number(bureau, "信受告", 2026, f"doc:{bureau.pk}:acceptance")
        short = document_number(named, "督", 2026, f"doc:{named.pk}:notice")
    assert (first, second) == ("衡阳市信访局信受告〔2026〕1号", "衡阳市信访局信受告〔2026〕2号")
    assert short == "衡应急督〔2026〕1号"
