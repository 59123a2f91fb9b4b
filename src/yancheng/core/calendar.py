"""The holiday calendar (SPEC §2.2): the database-backed source of working days, the
import of the State Council's annual notice, and its services.

Where a year's holidays come from, in order:

1. the holiday table (:class:`~yancheng.core.models.HolidayYear` with its
   :class:`~yancheng.core.models.HolidayDay` rows), entered or imported by a system
   administrator — it overrides the package for that year;
2. the ``chinesecalendar`` package, for the years the installed version knows;
3. nothing: that year is counted as weekends only and every result touching it is
   provisional (see :mod:`yancheng.lib.workdays`).

Modules that store deadlines computed from a provisional year register a callback with
:func:`register_provisional_recompute`; :func:`holiday_year_import` calls every callback
with the imported year once the import has committed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from yancheng.lib import workdays as lib

from . import permissions as _permissions  # noqa: F401  (registers core.manage_holidays)
from .audit.services import audit_record
from .errors import NotFoundError, ValidationFailed
from .models import HolidayDay, HolidayYear
from .services import _require

logger = logging.getLogger("yancheng.workdays")

HOLIDAY = HolidayDay.Kind.HOLIDAY.value
WORKDAY = HolidayDay.Kind.WORKDAY.value

# How often another process's change to the holiday table is noticed at the latest (a
# change made in this process is seen at once).
RECHECK_SECONDS = 60.0


# --- the database-backed calendar source ------------------------------------------------


class DatabaseSource:
    """Holiday table first, then the ``chinesecalendar`` package."""

    def __init__(
        self, package: lib.PackageSource | None = None, recheck_seconds: float = RECHECK_SECONDS
    ) -> None:
        self.package = package or lib.PackageSource()
        self.recheck_seconds = recheck_seconds
        self._stamp: Hashable = None
        self._checked_at = -float("inf")
        self._lock = threading.Lock()

    def rules_for(self, year: int) -> lib.YearRules | None:
        holiday_year = HolidayYear.objects.filter(year=year).first()
        if holiday_year is None:
            return self.package.rules_for(year)
        off: set[dt.date] = set()
        on: set[dt.date] = set()
        names: list[tuple[dt.date, str]] = []
        for day, kind, name in HolidayDay.objects.filter(year=holiday_year).values_list(
            "date", "kind", "name"
        ):
            (on if kind == WORKDAY else off).add(day)
            names.append((day, name))
        return lib.YearRules(
            year=year,
            off_days=frozenset(off),
            on_days=frozenset(on),
            origin="table",
            names=tuple(sorted(names)),
        )

    def _read_stamp(self) -> Hashable:
        row = HolidayYear.objects.aggregate(n=Count("id"), last=Max("imported_at"), top=Max("id"))
        return (row["n"], row["last"], row["top"])

    def generation(self) -> Hashable:
        now = time.monotonic()
        if now - self._checked_at >= self.recheck_seconds:
            with self._lock:
                self._stamp = self._read_stamp()
                self._checked_at = now
        return self._stamp

    def refresh(self) -> None:
        """Re-read the table's stamp now (after a change committed in this process)."""
        self._checked_at = -float("inf")


workday_calendar = lib.WorkdayCalendar(DatabaseSource())


def install() -> None:
    """Make the database-backed calendar the one :mod:`yancheng.lib.workdays`'s
    module-level functions use (called from the core app's ``ready()``)."""
    lib.set_calendar(workday_calendar)


def invalidate_cache() -> None:
    source = workday_calendar.source
    if isinstance(source, DatabaseSource):
        source.refresh()
    workday_calendar.invalidate()


# The calendar API with the database as source, for the case engine and the domain apps.
def is_working_day(day: dt.date) -> bool:
    return workday_calendar.is_working_day(day)


def add_working_days(start: dt.date, n: int) -> lib.WorkdayResult:
    return workday_calendar.add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> lib.WorkdayCount:
    return workday_calendar.working_days_between(a, b)


def deadline(start: dt.datetime, n: int) -> lib.Deadline:
    return workday_calendar.deadline(start, n)


def deadline_after(start: dt.datetime, n: int) -> dt.datetime:
    return workday_calendar.deadline_after(start, n)


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


# --- what each year is known from (the holidays page) -----------------------------------


@dataclass(frozen=True)
class YearStatus:
    year: int
    origin: str  # "table", "package" or "" (no data)
    holidays: int
    workdays: int
    notice: str = ""
    imported_at: dt.datetime | None = None
    imported_by: str = ""


def year_statuses(years: Iterable[int]) -> list[YearStatus]:
    """Where each of ``years`` comes from, with its counts of holidays/adjusted workdays."""
    wanted = sorted(set(years))
    table = {
        hy.year: hy
        for hy in HolidayYear.objects.filter(year__in=wanted)
        .select_related("imported_by")
        .annotate(
            n_holidays=Count("days", filter=Q(days__kind=HOLIDAY)),
            n_workdays=Count("days", filter=Q(days__kind=WORKDAY)),
        )
    }
    package = workday_calendar.source.package if isinstance(workday_calendar.source, DatabaseSource) else None
    result = []
    for year in wanted:
        hy = table.get(year)
        if hy is not None:
            result.append(
                YearStatus(
                    year=year,
                    origin="table",
                    holidays=hy.n_holidays,
                    workdays=hy.n_workdays,
                    notice=hy.notice,
                    imported_at=hy.imported_at,
                    imported_by=str(hy.imported_by or ""),
                )
            )
            continue
        rules = package.rules_for(year) if package is not None else None
        if rules is not None:
            result.append(
                YearStatus(
                    year=year, origin="package", holidays=len(rules.off_days), workdays=len(rules.on_days)
                )
            )
        else:
            result.append(YearStatus(year=year, origin="", holidays=0, workdays=0))
    return result


def table_years() -> list[int]:
    return list(HolidayYear.objects.order_by("year").values_list("year", flat=True))


def package_years() -> range:
    source = workday_calendar.source
    return source.package.years if isinstance(source, DatabaseSource) else range(0)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover
        return ""


def year_days(year: int) -> list[tuple[dt.date, str, str]]:
    """The year's listed dates as (date, kind, name), from wherever the year comes from."""
    rules = workday_calendar.source.rules_for(year)
    if rules is None:
        return []
    names = dict(rules.names)
    days = [(d, HOLIDAY, names.get(d, "")) for d in rules.off_days]
    days += [(d, WORKDAY, names.get(d, "")) for d in rules.on_days]
    return sorted(days)


# --- parsing a notice -------------------------------------------------------------------


@dataclass(frozen=True)
class HolidayEntry:
    """One date of a notice; ``where`` names its line or entry for error messages."""

    date: dt.date
    kind: str
    name: str = ""
    where: str = ""


@dataclass
class HolidayNotice:
    """A year's notice, parsed: the dates that differ from the plain weekday rule."""

    year: int
    notice: str = ""
    entries: list[HolidayEntry] = field(default_factory=list)
    source_name: str = ""

    @property
    def holidays(self) -> list[HolidayEntry]:
        return [e for e in self.entries if e.kind == HOLIDAY]

    @property
    def workdays(self) -> list[HolidayEntry]:
        return [e for e in self.entries if e.kind == WORKDAY]


class HolidayImportError(ValidationFailed):
    """The file was refused; ``errors`` has one Chinese message per bad line/entry."""

    code = "holiday_import_invalid"

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__(_("节假日文件有误，未导入任何数据：") + "；".join(self.errors))


KIND_WORDS = {
    "holiday": HOLIDAY,
    "off": HOLIDAY,
    "放假": HOLIDAY,
    "休": HOLIDAY,
    "休息": HOLIDAY,
    "节假日": HOLIDAY,
    "workday": WORKDAY,
    "work": WORKDAY,
    "调休上班": WORKDAY,
    "调休": WORKDAY,
    "上班": WORKDAY,
    "补班": WORKDAY,
    "班": WORKDAY,
}

WEEKDAY_NAMES = ("一", "二", "三", "四", "五", "六", "日")

_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(value: object) -> dt.date | None:
    """A date from ``2027-02-05``, ``2027/2/5``, ``2027.2.5`` or ``2027年2月5日``."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    match = _DATE_RE.match(str(value or ""))
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _problem(where: str, problem: str) -> str:
    return _("%(where)s：%(problem)s") % {"where": where, "problem": problem}


def _bad_date(value: object) -> str:
    return _("无法识别的日期“%(value)s”（应为 2027-02-05 这样的格式）") % {"value": value}


def validate_entries(year: int, entries: Sequence[HolidayEntry]) -> list[str]:
    """Every problem with the entries of a notice for ``year`` (empty when it is valid)."""
    errors: list[str] = []
    seen: dict[dt.date, HolidayEntry] = {}
    if not 1900 <= year <= 2200:
        errors.append(_("年份 %(year)s 不合理。") % {"year": year})
    if not entries:
        errors.append(_("文件中没有任何放假或调休上班的日期。"))
    for entry in entries:
        if entry.kind not in (HOLIDAY, WORKDAY):
            errors.append(_problem(entry.where, _("未知的类型“%(kind)s”") % {"kind": entry.kind}))
            continue
        if entry.date.year != year:
            errors.append(
                _problem(
                    entry.where,
                    _("日期 %(date)s 不在声明的年份 %(year)s 内")
                    % {"date": entry.date.isoformat(), "year": year},
                )
            )
        if entry.kind == WORKDAY and entry.date.weekday() < 5:
            errors.append(
                _problem(
                    entry.where,
                    _("%(date)s 是星期%(weekday)s，不是周末，不能作为调休上班日")
                    % {"date": entry.date.isoformat(), "weekday": WEEKDAY_NAMES[entry.date.weekday()]},
                )
            )
        if len(entry.name) > 32:
            errors.append(_problem(entry.where, _("节日名称超过 32 个字")))
        first = seen.get(entry.date)
        if first is not None:
            errors.append(
                _problem(
                    entry.where,
                    _("日期 %(date)s 重复（%(first)s 已有）")
                    % {"date": entry.date.isoformat(), "first": first.where},
                )
            )
        else:
            seen[entry.date] = entry
    return errors


def decode_text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HolidayImportError([_("文件编码无法识别（请存为 UTF-8）。")])


_COMMENT_RE = re.compile(r"^\s*#\s*(year|年份|notice|通知)\s*[:：]\s*(.*?)\s*$", re.IGNORECASE)
_HEADER_WORDS = {"date", "日期"}


def parse_csv(
    data: bytes | str, *, year: int | None = None, notice: str = "", source_name: str = ""
) -> HolidayNotice:
    """Parse ``date,kind,name`` rows (a header row and ``# year: 2027`` / ``# notice: …``
    comment lines are optional). The year is ``year``, else the comment's, else the
    first date's; raises :class:`HolidayImportError` naming every bad line."""
    text = decode_text(data)
    errors: list[str] = []
    entries: list[HolidayEntry] = []
    declared: int | None = None
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _COMMENT_RE.match(line)
            if match and match[1].lower() in {"year", "年份"}:
                if match[2].isdigit():
                    declared = int(match[2])
                else:
                    errors.append(_problem(_("第 %(line)d 行") % {"line": number}, _("年份应为四位数字")))
            elif match:
                notice = notice or match[2]
            continue
        where = _("第 %(line)d 行") % {"line": number}
        row = next(csv.reader(io.StringIO(line)))
        cells = [cell.strip() for cell in row]
        if cells and cells[0].lower() in _HEADER_WORDS:
            continue
        if len(cells) < 2 or len(cells) > 3:
            errors.append(_problem(where, _("应有 date,kind,name 三列，实有 %(n)d 列") % {"n": len(cells)}))
            continue
        day = parse_date(cells[0])
        kind = KIND_WORDS.get(cells[1].lower())
        name = cells[2] if len(cells) == 3 else ""
        if day is None:
            errors.append(_problem(where, _bad_date(cells[0])))
        if kind is None:
            errors.append(
                _problem(
                    where,
                    _("未知的类型“%(kind)s”（应为 holiday/放假 或 workday/调休上班）") % {"kind": cells[1]},
                )
            )
        if day is not None and kind is not None:
            entries.append(HolidayEntry(date=day, kind=kind, name=name, where=where))
    if year is not None and declared is not None and year != declared:
        errors.insert(0, _("文件声明的年份 %(a)s 与指定的年份 %(b)s 不一致") % {"a": declared, "b": year})
    final_year = year or declared or (entries[0].date.year if entries else None)
    if final_year is None:
        raise HolidayImportError(errors or [_("文件中没有任何放假或调休上班的日期。")])
    errors += validate_entries(final_year, entries) if entries or not errors else []
    if errors:
        raise HolidayImportError(errors)
    return HolidayNotice(year=final_year, notice=notice, entries=entries, source_name=source_name)


def _yaml_day(value: object, where: str, errors: list[str]) -> dt.date | None:
    day = parse_date(value)
    if day is None:
        errors.append(_problem(where, _bad_date(value)))
    return day


def parse_yaml(
    data: bytes | str, *, year: int | None = None, notice: str = "", source_name: str = ""
) -> HolidayNotice:
    """Parse the YAML form (see docs/working-days.md): ``year``, ``notice``,
    ``holidays`` as a list of ``{name, from, to}`` (or ``{name, date}``) and
    ``workdays`` as a list of dates (or ``{date, name}``). Raises
    :class:`HolidayImportError` naming every bad entry."""
    try:
        document = yaml.safe_load(decode_text(data))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("第 %(line)d 行") % {"line": mark.line + 1} if mark is not None else _("文件")
        raise HolidayImportError([_problem(where, _("YAML 格式错误"))]) from exc
    if not isinstance(document, dict):
        raise HolidayImportError([_("YAML 文件应包含 year、holidays、workdays 等键。")])
    errors: list[str] = []
    declared = document.get("year")
    if declared is not None and not isinstance(declared, int):
        errors.append(_("year 应为四位数字，而不是“%(value)s”") % {"value": declared})
        declared = None
    if year is not None and declared is not None and year != declared:
        errors.append(_("文件声明的年份 %(a)s 与指定的年份 %(b)s 不一致") % {"a": declared, "b": year})
    final_year = year or declared
    if final_year is None:
        errors.append(_("YAML 文件缺少 year（年份）。"))
    unknown_keys = set(document) - {"year", "notice", "holidays", "workdays"}
    if unknown_keys:
        errors.append(_("未知的键：%(keys)s") % {"keys": "、".join(sorted(map(str, unknown_keys)))})
    entries: list[HolidayEntry] = []
    for key in ("holidays", "workdays"):
        if not isinstance(document.get(key) or [], list):
            errors.append(_("%(key)s 应为列表") % {"key": key})
            document[key] = []
    for index, item in enumerate(document.get("holidays") or [], start=1):
        label = item.get("name", "") if isinstance(item, dict) else ""
        where = _("holidays 第 %(index)d 项") % {"index": index} + (f"（{label}）" if label else "")
        if not isinstance(item, dict):
            errors.append(_problem(where, _("应写成 {name: 春节, from: 日期, to: 日期}")))
            continue
        name = str(item.get("name") or "")
        if "date" in item:
            first = _yaml_day(item["date"], where, errors)
            last = first
        elif "from" in item:
            first = _yaml_day(item["from"], where, errors)
            last = _yaml_day(item.get("to", item["from"]), where, errors)
        else:
            errors.append(_problem(where, _("缺少 from/to 或 date")))
            continue
        if first is None or last is None:
            continue
        if last < first:
            errors.append(
                _problem(where, _("结束日期 %(to)s 早于开始日期 %(from)s") % {"to": last, "from": first})
            )
            continue
        if (last - first).days > 31:
            errors.append(_problem(where, _("放假期间超过 31 天，请检查日期")))
            continue
        day = first
        while day <= last:
            entries.append(HolidayEntry(date=day, kind=HOLIDAY, name=name, where=where))
            day += dt.timedelta(days=1)
    for index, item in enumerate(document.get("workdays") or [], start=1):
        where = _("workdays 第 %(index)d 项") % {"index": index}
        name = ""
        value: object = item
        if isinstance(item, dict):
            value, name = item.get("date"), str(item.get("name") or "")
        workday = _yaml_day(value, where, errors)
        if workday is not None:
            entries.append(HolidayEntry(date=workday, kind=WORKDAY, name=name, where=where))
    if final_year is not None:
        errors += validate_entries(final_year, entries)
    if errors or final_year is None:
        raise HolidayImportError(errors)
    return HolidayNotice(
        year=final_year,
        notice=notice or str(document.get("notice") or ""),
        entries=entries,
        source_name=source_name,
    )


def parse_holiday_file(
    data: bytes | str, *, filename: str = "", year: int | None = None, notice: str = ""
) -> HolidayNotice:
    """Parse a notice file, CSV or YAML by its extension (YAML when it starts ``year:``)."""
    lower = filename.lower()
    if lower.endswith((".yaml", ".yml")):
        return parse_yaml(data, year=year, notice=notice, source_name=filename)
    if lower.endswith((".csv", ".txt")):
        return parse_csv(data, year=year, notice=notice, source_name=filename)
    text = decode_text(data)
    if re.search(r"^\s*(year|holidays|workdays)\s*:", text, re.MULTILINE):
        return parse_yaml(text, year=year, notice=notice, source_name=filename)
    return parse_csv(text, year=year, notice=notice, source_name=filename)


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


def holiday_year_import(*, notice: HolidayNotice, actor: Any, dry_run: bool = False) -> ImportReport:
    """Load (or replace) a year's State Council holiday notice into the holiday table.

    The whole year is replaced in one transaction and audited with the counts before
    and after; once committed, the calendar cache is dropped and every callback
    registered with :func:`register_provisional_recompute` is called with the year.
    ``dry_run`` validates and reports without writing anything."""
    _require(actor, "core.manage_holidays")
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


def holiday_year_delete(*, year: int, actor: Any) -> None:
    """Remove a year from the holiday table: it falls back to the package, or to
    weekends only (provisional) when the package does not know it either."""
    _require(actor, "core.manage_holidays")
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


def holiday_day_set(*, year: int, date: dt.date, kind: str, name: str = "", actor: Any) -> HolidayDay:
    """Add or change one date of a year already in the holiday table (a correction to
    an imported notice)."""
    _require(actor, "core.manage_holidays")
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


def holiday_day_delete(*, date: dt.date, actor: Any) -> None:
    """Remove one date from the holiday table (it follows the weekday rule again)."""
    _require(actor, "core.manage_holidays")
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
