"""The dashboard's 信访 panel: counts by light, type, region and handling organ, each linking
to the petitions list filtered to it, counted only over what the viewer may see — an
accusation is never counted for the organ complained about (a count of one is a leak)."""

from __future__ import annotations

import datetime as dt
import json
import re
from itertools import count
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yancheng.cases.models import Case, Status
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import Petition, Stage
from yancheng.petitions.selectors_dashboard import annotate_petition_lights, petition_panel
from yancheng.testing.petitions import register as register_as

pytestmark = pytest.mark.django_db

_numbers = count(1)


def register(pw: Any, **overrides: Any) -> Any:
    """A matter by a new person each time (no ID number: nothing links it to another)."""
    overrides.setdefault("petitioners", [PetitionerInput(f"来信人{next(_numbers)}")])
    return register_as(pw, **overrides)


def handled(petition: Petition, organ: Any, *, status: str = Status.ACCEPTED, solve_in_days: int = 30,
            stage: str = Stage.ACCEPTED, resolved_at: dt.datetime | None = None) -> Case:
    """Give the matter a handling case at ``organ`` with a solve deadline ``solve_in_days``
    from now (negative: already past), as the transfer leaves it."""
    now = timezone.now()
    case = Case.objects.create(
        number=f"XFT-{next(_numbers):05d}", kind="petition", title=f"信访事项 {petition.number}", description="—",
        status=status, reporter_org=petition.registering_org, dispatch_org=petition.registering_org,
        region=petition.region, lead_org=organ, assigned_at=now - dt.timedelta(days=20),
        clock_started_at=now - dt.timedelta(days=20), accept_due_at=now - dt.timedelta(days=5),
        accepted_at=now - dt.timedelta(days=10), solve_due_at=now + dt.timedelta(days=solve_in_days),
        solve_yellow_at=now + dt.timedelta(days=solve_in_days - 10), resolved_at=resolved_at, day_unit="natural",
        withheld_from=petition.respondent_org if petition.is_accusation else None,
    )
    Petition.objects.filter(pk=petition.pk).update(case=case, handling_org=organ, stage=stage,
                                                   transferred_at=now - dt.timedelta(days=20))
    return case


def transfer_due(petition: Petition, days: float) -> None:
    Petition.objects.filter(pk=petition.pk).update(transfer_due_at=timezone.now() + dt.timedelta(days=days))


def rows_by(panel: dict[str, Any], table: str, key: str) -> dict[str, dict[str, Any]]:
    return {str(row[key]): row for row in panel[table]}


def query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert parts.path == reverse("petitions:petition_list")
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_lights_follow_the_transfer_clock_and_the_handling_case(pw):
    green = register(pw).petition  # 15 days to transfer
    yellow = register(pw).petition
    transfer_due(yellow, 3)
    red = register(pw).petition
    transfer_due(red, -1)
    late_case = register(pw).petition
    handled(late_case, pw.housing, solve_in_days=-2)
    paused = register(pw).petition
    case = handled(paused, pw.hrss)
    Case.objects.filter(pk=case.pk).update(suspended_at=timezone.now())
    on_time = register(pw).petition
    handled(on_time, pw.housing, status=Status.RESOLVED, resolved_at=timezone.now(), stage=Stage.CLOSED)
    refused = register(pw).petition
    Petition.objects.filter(pk=refused.pk).update(stage=Stage.NOT_ACCEPTED, transfer_due_at=None)

    lights = dict(annotate_petition_lights(Petition.objects.all()).values_list("pk", "light"))
    assert lights == {green.pk: "green", yellow.pk: "yellow", red.pk: "red", late_case.pk: "red",
                      paused.pk: "paused", on_time.pk: "ontime", refused.pk: "none"}

    panel = petition_panel(pw.world.supervisor)
    by_light = rows_by(panel, "light_rows", "light")
    assert {k: r["count"] for k, r in by_light.items() if r["count"]} == {
        "green": 1, "yellow": 1, "red": 2, "paused": 1, "ontime": 1, "none": 1}
    assert query(by_light["red"]["url"]) == {"light": "red"}
    organs = rows_by(panel, "organ_rows", "id")
    housing = organs[str(pw.housing.pk)]
    assert (housing["count"], housing["red"], housing["yellow"]) == (2, 1, 0)
    assert query(housing["red_url"]) == {"organ": str(pw.housing.pk), "light": "red"}
    assert query(housing["url"]) == {"organ": str(pw.housing.pk)}
    assert panel["total"] == 7


def test_types_and_regions_link_to_the_list_filtered_to_them(pw):
    register(pw)
    register(pw, region=pw.world.qidong, petition_type="suggestion", claim_route="")
    register(pw, petition_type="", claim_route="")
    panel = petition_panel(pw.world.supervisor)
    types = rows_by(panel, "type_rows", "type")
    assert {k: r["count"] for k, r in types.items()} == {"suggestion": 1, "accusation": 0, "claim": 1,
                                                         "unclassified": 1}
    assert query(types["claim"]["url"]) == {"type": "claim"}
    assert query(types["unclassified"]["url"]) == {"type": "unclassified"}
    regions = rows_by(panel, "region_rows", "code")
    assert {k: r["count"] for k, r in regions.items()} == {pw.world.city.code: 2, pw.world.qidong.code: 1}
    assert query(regions[pw.world.qidong.code]["url"]) == {"region": pw.world.qidong.code}
    # The dashboard's region filter narrows the panel and every link keeps it.
    qidong = petition_panel(pw.world.supervisor, region=pw.world.qidong.code)
    assert qidong["total"] == 1
    assert query(rows_by(qidong, "type_rows", "type")["suggestion"]["url"]) == {
        "type": "suggestion", "region": pw.world.qidong.code}


def test_an_accusation_is_never_counted_for_the_organ_complained_about(client, pw):
    accusation = register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing,
                          title="举报住建局某科长违规插手工程").petition
    handled(accusation, pw.discipline)
    # The city's supervisor counts it; the supervisor of 住建局 (about whom it is) does not,
    # anywhere on the panel: not by type, light, region or organ, nor in the total.
    seen = petition_panel(pw.world.supervisor)
    assert rows_by(seen, "type_rows", "type")["accusation"]["count"] == 1
    withheld = petition_panel(pw.supervisor_housing)
    assert withheld["total"] == 0
    assert all(row["count"] == 0 for row in withheld["type_rows"] + withheld["light_rows"])
    assert withheld["region_rows"] == [] and withheld["organ_rows"] == []

    client.force_login(pw.supervisor_housing)
    html = client.get(reverse("dashboard:index")).content.decode()
    assert 'data-panel="petitions"' in html
    assert 'data-stat="petitions" data-count="0"' in html
    assert 'data-type="accusation" data-count="0"' in html
    assert pw.discipline.name not in html
    assert accusation.number not in html and "插手工程" not in html
    # The same page for the city's supervisor counts it: the test above can fail.
    client.force_login(pw.world.supervisor)
    html = client.get(reverse("dashboard:index")).content.decode()
    assert 'data-type="accusation" data-count="1"' in html


def test_a_leader_counts_only_the_matters_it_may_see(pw):
    mine = register(pw).petition
    handled(mine, pw.housing)
    other = register(pw).petition
    handled(other, pw.hrss)
    panel = petition_panel(pw.head_housing)
    assert panel["total"] == 1
    assert list(rows_by(panel, "organ_rows", "id")) == [str(pw.housing.pk)]


def test_the_panel_is_for_dashboard_viewers_who_may_see_petitions(client, pw):
    register(pw)
    client.force_login(pw.world.dispatcher)  # a dashboard viewer with no petitions to see
    html = client.get(reverse("dashboard:index")).content.decode()
    assert 'data-panel="petitions"' not in html
    client.force_login(pw.world.supervisor)
    response = client.get(reverse("dashboard:index"))
    html = response.content.decode()
    assert 'data-panel="petitions"' in html
    charts = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))["charts"]
    assert charts["petition_regions"]["series"][0]["data"] == [1]
    assert 'data-chart="petition_regions"' in html


def test_the_panel_runs_the_same_queries_however_many_matters(client, pw):
    client.force_login(pw.world.supervisor)
    client.get(reverse("dashboard:index"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboard:index")).status_code == 200
        return len(captured)

    handled(register(pw).petition, pw.housing)
    before = queries()
    for organ in (pw.hrss, pw.discipline, pw.housing):
        handled(register(pw, region=pw.world.qidong).petition, organ)
        register(pw, petition_type="suggestion", claim_route="")
    assert queries() == before
