"""Reporting periods (a month, a quarter, a year or a range of days) and their day bounds."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.errors import ValidationFailed

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    """A month, a quarter, a year, or any range of days (both ends included)."""

    kind: str  # "month" | "quarter" | "year" | "range"
    start: dt.date
    end: dt.date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return cls("month", first, nxt - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = cls.month(year, 3 * quarter - 2)
        last = cls.month(year, 3 * quarter)
        return cls("quarter", first.start, last.end)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls("year", dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def current_month(cls, today: dt.date | None = None) -> Period:
        day = today or timezone.localdate()
        return cls.month(day.year, day.month)

    @classmethod
    def previous_month(cls, today: dt.date | None = None) -> Period:
        day = (today or timezone.localdate()).replace(day=1) - timedelta(days=1)
        return cls.month(day.year, day.month)

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        if end < start:
            raise ValidationFailed(_("结束日期不能早于开始日期。"), field="end")
        if (end - start).days > 3 * 366:
            raise ValidationFailed(_("统计区间最长三年。"), field="end")
        return cls("range", start, end)

    @classmethod
    def parse(cls, value: str) -> Period:
        """``2026-10`` (a month), ``2026-Q3`` (a quarter) or ``2026`` (a year)."""
        text = (value or "").strip()
        for regex, make in ((_MONTH_RE, "m"), (_QUARTER_RE, "q"), (_YEAR_RE, "y")):
            match = regex.match(text)
            if match is None:
                continue
            year = int(match.group(1))
            if not 2000 <= year <= 2100:
                break
            if make == "m":
                month = int(match.group(2))
                if not 1 <= month <= 12:
                    break
                return cls.month(year, month)
            if make == "q":
                return cls.quarter(year, int(match.group(2)))
            return cls.year(year)
        raise ValidationFailed(
            _("统计期间格式不正确：月份如 2026-10，季度如 2026-Q3，年度如 2026。"), field="period"
        )

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(y)d年%(m)d月") % {"y": self.start.year, "m": self.start.month}
        if self.kind == "quarter":
            return _("%(y)d年第%(q)d季度") % {"y": self.start.year, "q": (self.start.month - 1) // 3 + 1}
        if self.kind == "year":
            return _("%(y)d年") % {"y": self.start.year}
        return _("%(a)s至%(b)s") % {"a": self.start.isoformat(), "b": self.end.isoformat()}

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes [from, to) in the local time zone."""
        return day_bounds(self.start, self.end)

    def params(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    high = dt.datetime.combine(end + timedelta(days=1), dt.time.min, tzinfo=zone)
    return low, high


def period_choices(today: dt.date | None = None, years: int = 3) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods offered by the selector, newest first, grouped by year (up to today)."""
    day = today or timezone.localdate()
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for year in range(day.year, day.year - years, -1):
        last_month = day.month if year == day.year else 12
        options = [(Period.year(year).key, Period.year(year).label)]
        options += [
            (p.key, p.label) for q in range((last_month - 1) // 3 + 1, 0, -1) for p in [Period.quarter(year, q)]
        ]
        options += [(p.key, p.label) for m in range(last_month, 0, -1) for p in [Period.month(year, m)]]
        groups.append((str(year), options))
    return groups
