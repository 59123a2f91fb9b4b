"""Numbers people quote: a series counted per year (信访件编号, 督办 notice numbers, hazard
numbers) and an organ's 文号 (``衡阳市信访局信受告〔2026〕12号``). One counter table for every
module, below the apps."""

from __future__ import annotations

from django.db import transaction

from yancheng.core.models import NumberCounter, Organisation


def next_in_series(series: str, year: int) -> int:
    """The next number of `series` in `year`, from 1. The counter row stays locked until the
    caller's transaction commits, so two clerks never get the same number, and a rollback
    gives the number back (no gap). Outside a transaction it raises ``RuntimeError``: a number
    taken apart from the write it numbers could be lost or given twice."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers are taken inside the write's transaction")
    counter, _ = NumberCounter.objects.get_or_create(series=series, year=year)
    counter = NumberCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def document_number(issuer: Organisation, code: str, year: int, series: str) -> str:
    """An organ's 文号 (GB/T 9704: 发文机关代字〔年份〕序号号): ``衡阳市信访局信受告〔2026〕12号``,
    with the organ's short name when it has one. `code` is the 代字 of the kind of document,
    `series` the counter it is numbered from (one per organ and kind, e.g.
    ``doc:<issuer id>:<kind>``)."""
    name = issuer.short_name or issuer.name
    return f"{name}{code}〔{year}〕{next_in_series(series, year)}号"
