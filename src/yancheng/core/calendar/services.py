"""The holiday table's services (import, delete, correct one date), each audited in one
transaction; modules whose stored deadlines were provisional register a callback run once
an import has committed."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yancheng.core.kit.require import require
from yancheng.core.typing import Actor

from .. import permissions as _permissions  # noqa: F401  (registers core.manage_holidays)
from ..audit.services import audit_record
from ..errors import NotFoundError, ValidationFailed
from ..models import HolidayDay, HolidayYear
from .parsers import HolidayEntry, HolidayImportError, HolidayNotice, validate_entries
from .source import HOLIDAY, WORKDAY, invalidate_cache, workday_calendar, year_days

logger = logging.getLogger("yancheng.workdays")

# --- recomputing provisional deadlines ----------------------------------------------------

_recompute_callbacks: list[Callable[[int], object]] = []


def register_provisional_recompute(callback: Callable[[int], object]) -> Callable[[int], object]:
    """Register ``callback(year)``, called after a year's notice has been imported so that
    deadlines stored as provisional for that year can be recomputed. Usable as a
    decorator; registering the same callback twice has no effect."""
    if callback not in _recompute_callbacks:
        _recompute_callbacks.append(callback)
    return callback


def unregister_provisional_recompute(callback: Callable[[int], object]) -> None:
    if callback in _recompute_callbacks:
        _recompute_callbacks.remove(callback)


def _after_commit(year: int) -> None:
    invalidate_cache()
    for callback in list(_recompute_callbacks):
        try:
            callback(year)
        except Exception:
            # One module's failure must not keep the others' deadlines provisional.
            logger.exception("Recomputing provisional deadlines for %s failed in %r", year, callback)


# --- services -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    """What an import did or, on a dry run, would do."""

    year: int
    notice: str
    dry_run: bool
    replaced: bool  # the year was already in the table
    before: dict[str, Any] | None
    after: dict[str, Any]
    previous_origin: str  # where the year came from before: "table", "package" or ""
    added: list[tuple[dt.date, str, str]]  # vs. the previous source of the year
    removed: list[tuple[dt.date, str, str]]
    entries: list[HolidayEntry]


def _counts(days: Iterable[tuple[dt.date, str, str]], notice: str) -> dict[str, Any]:
    kinds = [kind for _day, kind, _name in days]
    return {"notice": notice, "holidays": kinds.count(HOLIDAY), "workdays": kinds.count(WORKDAY)}


def holiday_year_import(*, notice: HolidayNotice, actor: Actor | None, dry_run: bool = False) -> ImportReport:
    """Load (or replace) a year's State Council holiday notice into the holiday table.

    The whole year is replaced in one transaction and audited with the counts before
    and after; once committed, the calendar cache is dropped and every callback
    registered with :func:`register_provisional_recompute` is called with the year.
    ``dry_run`` validates and reports without writing anything."""
    require(actor, "core.manage_holidays")
    errors = validate_entries(notice.year, notice.entries)
    if errors:
        raise HolidayImportError(errors)
    year = notice.year
    new_days = sorted((e.date, e.kind, e.name) for e in notice.entries)
    with transaction.atomic():
        existing = HolidayYear.objects.select_for_update().filter(year=year).first()
        previous_rules = workday_calendar.source.rules_for(year)
        old_days = year_days(year) if previous_rules is not None else []
        before = _counts(old_days, existing.notice) if existing is not None else None
        after = _counts(new_days, notice.notice)
        old_keys = {(d, k) for d, k, _n in old_days}
        new_keys = {(d, k) for d, k, _n in new_days}
        report = ImportReport(
            year=year,
            notice=notice.notice,
            dry_run=dry_run,
            replaced=existing is not None,
            before=before,
            after=after,
            previous_origin=previous_rules.origin if previous_rules is not None else "",
            added=[day for day in new_days if (day[0], day[1]) not in old_keys],
            removed=[day for day in old_days if (day[0], day[1]) not in new_keys],
            entries=list(notice.entries),
        )
        if dry_run:
            return report
        if existing is None:
            existing = HolidayYear(year=year)
        else:
            existing.days.all().delete()
        existing.notice = notice.notice[:255]
        existing.imported_by = actor if getattr(actor, "pk", None) else None
        existing.save()
        HolidayDay.objects.bulk_create(
            HolidayDay(year=existing, date=day, kind=kind, name=name[:32]) for day, kind, name in new_days
        )
        audit_record(
            "holiday_year.replace" if report.replaced else "holiday_year.import",
            existing,
            actor=actor,
            before=before,
            after={**after, "source": notice.source_name[:100]},
        )
        invalidate_cache()
        transaction.on_commit(lambda: _after_commit(year))
    return report


def _year_for_update(year: int) -> HolidayYear:
    holiday_year = HolidayYear.objects.select_for_update().filter(year=year).first()
    if holiday_year is None:
        raise NotFoundError(_("节假日表中没有 %(year)s 年。") % {"year": year})
    return holiday_year


def holiday_year_delete(*, year: int, actor: Actor) -> None:
    """Remove a year from the holiday table: it falls back to the package, or to
    weekends only (provisional) when the package does not know it either."""
    require(actor, "core.manage_holidays")
    with transaction.atomic():
        holiday_year = _year_for_update(year)
        before = _counts(
            HolidayDay.objects.filter(year=holiday_year).values_list("date", "kind", "name"),
            holiday_year.notice,
        )
        audit_record("holiday_year.delete", holiday_year, actor=actor, before=before)
        holiday_year.delete()
        invalidate_cache()
        transaction.on_commit(invalidate_cache)


def holiday_day_set(*, year: int, date: dt.date, kind: str, name: str = "", actor: Actor) -> HolidayDay:
    """Add or change one date of a year already in the holiday table (a correction to
    an imported notice)."""
    require(actor, "core.manage_holidays")
    errors = validate_entries(year, [HolidayEntry(date=date, kind=kind, name=name, where=date.isoformat())])
    if errors:
        raise ValidationFailed("；".join(errors), field="date")
    with transaction.atomic():
        holiday_year = _year_for_update(year)
        day = HolidayDay.objects.select_for_update().filter(date=date).first()
        before = {"kind": day.kind, "name": day.name} if day is not None else None
        if day is None:
            day = HolidayDay(year=holiday_year, date=date)
        day.kind, day.name = kind, name
        day.save()
        holiday_year.save(update_fields=["imported_at"])  # the table's change stamp
        audit_record(
            "holiday_day.set",
            day,
            actor=actor,
            before=before,
            after={"date": date, "kind": kind, "name": name},
        )
        invalidate_cache()
        transaction.on_commit(lambda: _after_commit(year))
    return day


def holiday_day_delete(*, date: dt.date, actor: Actor) -> None:
    """Remove one date from the holiday table (it follows the weekday rule again)."""
    require(actor, "core.manage_holidays")
    with transaction.atomic():
        day = HolidayDay.objects.select_for_update(of=("self",)).select_related("year").filter(date=date).first()
        if day is None:
            raise NotFoundError(_("节假日表中没有 %(date)s。") % {"date": date.isoformat()})
        audit_record(
            "holiday_day.delete", day, actor=actor, before={"date": date, "kind": day.kind, "name": day.name}
        )
        holiday_year = day.year
        day.delete()
        holiday_year.save(update_fields=["imported_at"])
        invalidate_cache()
        transaction.on_commit(invalidate_cache)
