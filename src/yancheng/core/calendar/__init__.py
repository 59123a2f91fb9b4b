"""The holiday calendar (SPEC §2.2), in three modules: :mod:`.source` (the database-backed
source of working days and the calendar API), :mod:`.parsers` (reading the State
Council's annual notice) and :mod:`.services` (the audited writes to the holiday table).

Where a year's holidays come from, in order:

1. the holiday table (:class:`~yancheng.core.models.HolidayYear` with its
   :class:`~yancheng.core.models.HolidayDay` rows), entered or imported by a system
   administrator — it overrides the package for that year;
2. the ``chinesecalendar`` package, for the years the installed version knows;
3. nothing: that year is counted as weekends only and every result touching it is
   provisional (see :mod:`yancheng.lib.workdays`).

Modules that store deadlines computed from a provisional year register a callback with
:func:`register_provisional_recompute`; :func:`holiday_year_import` calls every callback
with the imported year once the import has committed (both in :mod:`.services`).

The domain apps call the working-day API re-exported here (``calendar.deadline(...)``,
``calendar.natural_deadline(...)`` for limits in natural days);
everything else is imported from its module.
"""

from .source import (
    add_working_days,
    deadline,
    deadline_after,
    is_working_day,
    natural_deadline,
    working_days_between,
)

__all__ = [
    "add_working_days", "deadline", "deadline_after", "is_working_day", "natural_deadline", "working_days_between",
]
