"""Objects the 链长's view, the dashboard panel and the monthly report need on top of the chain
world (and the problems' world): this year's targets of 有色金属 — one red (产值 far behind the
linear plan) and one green — a green target of 电子信息, and leads of 有色金属: one red (no
follow-up for 90 days), one yellow and one green."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.chains.leads_world import make_lead
from yancheng.chains.models import Lead
from yancheng.chains.services.targets import actual_record, target_add


def build_leader(cw: Any) -> Any:
    today = timezone.localdate()
    year, month = today.year, max(today.month - 1, 1)
    end = dt.date(year, 12, 31)
    cw.red_target = target_add(cw.nonferrous, actor=None, year=year, metric="output", unit="亿元", target_value=1200)
    actual_record(cw.red_target, actor=None, period=month, value=1, today=end)  # ≈0 % against month/12
    cw.green_target = target_add(cw.nonferrous, actor=None, year=year, metric="tax", unit="亿元", target_value=12)
    actual_record(cw.green_target, actor=None, period=month, value=12, today=end)  # done already
    cw.dz_target = target_add(cw.electronics, actor=None, year=year, metric="investment", unit="亿元",
                              target_value=120)
    actual_record(cw.dz_target, actor=None, period=month, value=120, today=end)
    cw.red_lead = make_lead(cw, investor="红灯投资公司")
    cw.yellow_lead = make_lead(cw, investor="黄灯投资公司")
    cw.green_lead = make_lead(cw, investor="绿灯投资公司")
    Lead.objects.filter(pk=cw.red_lead.pk).update(last_activity_on=today - dt.timedelta(days=90))
    Lead.objects.filter(pk=cw.yellow_lead.pk).update(last_activity_on=today - dt.timedelta(days=40))
    return cw
