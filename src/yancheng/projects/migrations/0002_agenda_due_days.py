"""Agenda items frozen before deadlines were shown as their day (issue 11 §1) carry
"办结期限 D+1" for a case due at the end of day D: the old code printed the local date of
the instant 24:00, which is the next day. This corrects the items whose case still has that
deadline (its solve_due_at is a local midnight and the item names the day after it). An
item whose case's deadline has changed since the agenda was frozen is left as it was: the
day it showed cannot be told apart from a real one."""

from __future__ import annotations

import datetime as dt

from django.db import migrations
from django.utils import timezone

CASE_SOURCES = ("red_case", "yellow_case", "new_case")
# The label as an agenda built in Chinese or in English wrote it.
LABELS = ("办结期限", "Resolve deadline")


def correct_agenda_due_days(apps, schema_editor):
    AgendaItem = apps.get_model("projects", "AgendaItem")
    Case = apps.get_model("cases", "Case")
    items = AgendaItem.objects.filter(source__in=CASE_SOURCES, ref_id__isnull=False)
    due_by_case = dict(
        Case.objects.filter(pk__in=items.values("ref_id"), solve_due_at__isnull=False).values_list("pk", "solve_due_at")
    )
    for item in items.iterator():
        due = due_by_case.get(item.ref_id)
        if due is None:
            continue
        local = timezone.localtime(due)
        if local.time() != dt.time(0):
            continue  # a deadline with a time of its own was printed right
        printed = local.date().isoformat()
        right = (local.date() - dt.timedelta(days=1)).isoformat()
        detail = item.detail
        for label in LABELS:
            detail = detail.replace(f"{label} {printed}", f"{label} {right}")
        if detail != item.detail:
            item.detail = detail
            item.save(update_fields=["detail"])


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_project_registry"),
        ("cases", "0005_ranking_moment_indexes"),
    ]

    operations = [migrations.RunPython(correct_agenda_due_days, migrations.RunPython.noop)]
