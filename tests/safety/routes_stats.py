"""Route policies of the statistics and the monthly 通报 (see test_route_matrix.py).

The figures are for the 安委办, the departments' safety staff and inspectors (their own
hazards), grid persons and leaders; the 通报 is issued by a 安委办 and read by leaders."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import Policy

STATISTICS = {"anweiban", "anweiban_qidong", "safety_emergency", "safety_emergency2", "safety_qidong", "safety_fire",
              "grid_park", "inspector", "leader"}


BULLETIN_READERS = {"anweiban", "anweiban_qidong", "leader"}


def build(sw: Any) -> None:
    """The city's 通报 of last month."""
    import datetime as dt

    from django.utils import timezone

    from yancheng.safety.services.stats import bulletin_issue

    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    sw.bulletin = bulletin_issue(month=month, actor=sw.users["anweiban"])


POLICIES: dict[str, Policy] = {
    "safety:statistics": Policy(STATISTICS),
    "safety:bulletin_list": Policy(BULLETIN_READERS),
    "safety:bulletin_download": Policy(BULLETIN_READERS, kwargs=lambda sw: {"pk": sw.bulletin.pk}),
}
API_ROUTES: set[str] = set()
API_PATHS: dict[str, str] = {}
