"""Where a new case starts: its number and the unit that dispatches it first."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from yancheng.core.errors import ValidationFailed
from yancheng.core.models import Enterprise, Organisation

from . import clocks
from .models import CaseCounter

# --- the number ------------------------------------------------------------------------------


def next_case_number(now: dt.datetime) -> str:
    """The next number of ``now``'s year, gapless: the counter row is incremented in the
    caller's transaction and stays locked until it commits (a rolled-back case gives its
    number back). One statement: UPDATE … RETURNING (PostgreSQL, SQLite ≥ 3.35)."""
    year = clocks.local_date(now).year
    quote = connection.ops.quote_name
    table, last, year_col = quote(CaseCounter._meta.db_table), quote("last"), quote("year")
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {last} = {last} + 1 WHERE {year_col} = %s RETURNING {last}",  # noqa: S608 - our names
                [year],
            )
            row = cursor.fetchone()
        if row is not None:
            return f"WT{year}-{int(row[0]):06d}"
        # The year's first case: make its counter (once, even with two at once) and go again.
        CaseCounter.objects.get_or_create(year=year)
    raise RuntimeError("case counter missing")  # pragma: no cover - get_or_create made it


def default_dispatch_org(enterprise: Enterprise | None, reporter_org: Organisation) -> Organisation:
    """Where a problem goes first: the enterprise's park, else its county/district
    government, else the city government (the city office dispatches from there)."""
    if enterprise is not None and enterprise.park_id:
        assert enterprise.park is not None
        return enterprise.park
    region_id = enterprise.region_id if enterprise is not None else reporter_org.region_id
    government = (
        Organisation.objects.select_related("region")
        .filter(region_id=region_id, kind=Organisation.Kind.GOVERNMENT, is_active=True)
        .first()
    )
    if government is not None:
        return government
    city = Organisation.objects.select_related("region").filter(
        kind=Organisation.Kind.GOVERNMENT, region__kind__in=["city"], is_active=True
    ).first()
    if city is None:
        raise ValidationFailed(_("尚未配置受理单位，请联系系统管理员。"))
    return city
