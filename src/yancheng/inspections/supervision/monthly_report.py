"""The monthly 通报 notice: telling the supervisors once a month that it can be downloaded."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from yancheng.core.audit.services import audit_record
from yancheng.core.notifications.services import notify

from ..alerts import supervisors_to_tell
from ..models import (
    InspectionPolicy,
)
from .params import link
from .periods import Period

REPORT_VERB = "inspection_report_ready"



def report_url(period: Period) -> str:
    return link("inspections:inspection_report", period=period.key)


def report_ready_notify(*, today: dt.date | None = None) -> int:
    """Tell the supervisors that last month's 通报 can be downloaded (the 1st of each month,
    or the first run after it). Each supervisor is told once per month however often the job
    runs; returns how many were told."""
    from yancheng.core.notifications.models import Notification

    period = Period.previous_month(today)
    url = report_url(period)
    with transaction.atomic():
        # One runner at a time: the policy row is the job's lock.
        InspectionPolicy.objects.select_for_update().filter(pk=InspectionPolicy.current().pk).exists()
        told = set(Notification.objects.filter(verb=REPORT_VERB, url=url).values_list("recipient_id", flat=True))
        recipients = [u for u in supervisors_to_tell() if u.pk not in told]
        if not recipients:
            return 0
        notify(
            recipients=recipients, verb=REPORT_VERB,
            title=_("涉企行政检查情况通报（%(p)s）已生成") % {"p": period.label},
            body=_("%(p)s各部门入企检查、联合检查率、预警、投诉和评价情况已汇总，可下载 Word 或 Excel。")
            % {"p": period.label},
            url=url, actor=None,
        )
        audit_record("inspection_report.ready", None, actor=None, object_type="inspection_report",
                     object_id=period.key, after={"period": period.key, "recipients": len(recipients)})
    return len(recipients)


@task()
def report_ready_task() -> int:
    return report_ready_notify()


def register_jobs() -> None:
    """Called by the app's ready(): checks every six hours; notifies once a month."""
    from yancheng.core.jobs import register_periodic

    register_periodic("inspections.monthly_report", every=timedelta(hours=6), task=report_ready_task)
