import datetime as dt

from chinese_calendar import constants

PACKAGE_LAST_YEAR = max(constants.holidays).year
UNKNOWN_YEAR = PACKAGE_LAST_YEAR + 1  # the first year the installed package does not know


def csv_for_unknown_year(year: int = UNKNOWN_YEAR) -> str:
    """A plausible notice for a year the package lacks: New Year's Day on Jan 1 plus
    a Spring-Festival-like week in mid-February with one adjusted Saturday."""
    jan1 = dt.date(year, 1, 1)
    lines = ["date,kind,name", f"{jan1.isoformat()},放假,元旦"]
    first = dt.date(year, 2, 10)
    for i in range(8):
        lines.append(f"{(first + dt.timedelta(days=i)).isoformat()},holiday,春节")
    saturday = first - dt.timedelta(days=(first.weekday() - 5) % 7 or 7)
    lines.append(f"{saturday.isoformat()},调休上班,春节")
    return "\n".join(lines) + "\n"
