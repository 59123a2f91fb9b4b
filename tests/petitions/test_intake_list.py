"""The petitions list (filters, lights, masked names), its exports (masked, and revealed with
its audit record), the audited POST-only reveal, and the hotspots whose counts equal the list
totals they link to — each tried from the side that must not see."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from yancheng.core.audit.models import AuditEvent
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import Petition, Stage, Topic
from yancheng.testing.petitions import ID_NUMBERS, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def matters(pw):
    """A claim about 住建 (transferred to it), a 检举控告 about 住建 handled by the 纪委, a
    health matter from 祁东, and a 重复信访."""
    claim = register(pw).petition
    Petition.objects.filter(pk=claim.pk).update(handling_org=pw.housing, stage=Stage.TRANSFERRED)
    accusation = register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing,
                          petitioners=[PetitionerInput("钱七", ID_NUMBERS[3], "13907340009")],
                          title="住建局某科长收受好处费").petition
    Petition.objects.filter(pk=accusation.pk).update(handling_org=pw.discipline, stage=Stage.TRANSFERRED)
    health = register(pw, region=pw.world.qidong, topic=Topic.objects.get(code="health"), channel="visit",
                      petitioners=[PetitionerInput("李四", ID_NUMBERS[1])], title="医疗纠纷").petition
    duplicate = register(pw).petition  # 张三 again while the claim runs
    return {"claim": claim, "accusation": accusation, "health": health, "duplicate": duplicate}


def numbers(response) -> set[str]:
    return set(re.findall(r"XF\d{4}-\d{6}", response.content.decode()))


def test_the_list_filters_and_masks_the_names(client, pw, matters):
    client.force_login(pw.xinfang)
    url = reverse("petitions:petition_list")
    page = client.get(url)
    text = page.content.decode()
    assert page.context["page"].paginator.count == 4
    assert "张三" not in text and "李四" not in text and "钱七" not in text  # masked
    assert "13807340001" not in text
    assert numbers(client.get(url, {"flag": "duplicate"})) == {matters["duplicate"].number}
    assert numbers(client.get(url, {"type": "accusation"})) == {matters["accusation"].number}
    assert numbers(client.get(url, {"channel": "visit"})) == {matters["health"].number}
    assert numbers(client.get(url, {"region": pw.world.qidong.pk})) == {matters["health"].number}
    assert numbers(client.get(url, {"organ": pw.housing.pk})) == {matters["claim"].number}
    assert numbers(client.get(url, {"q": "医疗"})) == {matters["health"].number}
    assert numbers(client.get(url, {"stage": "not_accepted"})) == {matters["duplicate"].number}
    health_topic = Topic.objects.get(code="health").pk
    assert numbers(client.get(url, {"topic": health_topic})) == {matters["health"].number}


def test_a_registered_matter_has_the_light_of_its_transfer_clock(client, pw, matters):
    client.force_login(pw.xinfang)
    url = reverse("petitions:petition_list")
    assert numbers(client.get(url, {"light": "green"})) == {matters["health"].number}
    Petition.objects.filter(pk=matters["health"].pk).update(transfer_due_at=timezone.now() - dt.timedelta(hours=1))
    assert numbers(client.get(url, {"light": "red"})) == {matters["health"].number}
    Petition.objects.filter(pk=matters["health"].pk).update(transfer_due_at=timezone.now() + dt.timedelta(days=2))
    assert numbers(client.get(url, {"light": "yellow"})) == {matters["health"].number}


def test_the_organ_complained_about_never_lists_counts_or_exports_the_accusation(client, pw, matters):
    for user in (pw.handler_housing, pw.head_housing, pw.handler_housing_office, pw.supervisor_housing):
        client.force_login(user)
        listed = client.get(reverse("petitions:petition_list"))
        assert matters["accusation"].number not in listed.content.decode()
        assert "收受好处费" not in listed.content.decode()
        exported = client.get(reverse("petitions:petition_list"), {"format": "xlsx"})
        assert exported.status_code == 200
        assert "收受好处费" not in sheet_text(exported)
        assert matters["accusation"].number not in sheet_text(exported)


def sheet_text(response) -> str:
    book = load_workbook(io.BytesIO(response.content))
    return "\n".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)


def test_the_export_is_masked_and_the_revealed_one_is_audited(client, pw, matters):
    client.force_login(pw.xinfang)
    masked = client.get(reverse("petitions:petition_list"), {"format": "xlsx", "region": pw.world.city.pk})
    text = sheet_text(masked)
    assert matters["claim"].number in text and "张三" not in text and ID_NUMBERS[0] not in text
    assert AuditEvent.objects.filter(action="petition.export").count() == 1
    url = reverse("petitions:petition_export_revealed")
    assert client.get(url).status_code == 405
    revealed = client.post(url, {"region": pw.world.city.pk})
    text = sheet_text(revealed)
    assert "张三" in text and ID_NUMBERS[0] in text and "13807340001" in text
    assert "李四" not in text  # the same filters as the list: 祁东's matter left out
    event = AuditEvent.objects.get(action="petition.export_revealed")
    assert event.after["rows"] == 3 and event.after["filters"] == {"region": str(pw.world.city.pk)}
    assert "张三" not in str(event.after) and ID_NUMBERS[0] not in str(event.after)


def test_only_a_role_that_may_reveal_exports_names(client, pw, matters):
    for user in (pw.handler_housing, pw.supervisor, pw.head_housing):
        client.force_login(user)
        response = client.post(reverse("petitions:petition_export_revealed"))
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="petition.export_revealed").exists()


def test_reveal_is_post_only_audited_and_shows_the_values(client, pw, matters):
    claim = matters["claim"]
    person = claim.petitioners.get()
    url = reverse("petitions:petitioner_reveal", args=[claim.pk, person.pk])
    client.force_login(pw.handler_housing)  # the handling organ may reveal
    detail = client.get(reverse("petitions:petition_detail", args=[claim.pk])).content.decode()
    assert url in detail and "张三" not in detail
    assert client.get(url).status_code == 405
    response = client.post(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert "张三" in text and ID_NUMBERS[0] in text and "13807340001" in text and "人民路1号" in text
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="petition.personal_reveal")
    assert event.after["petitioner"] == person.pk and event.object_id == str(claim.pk)
    assert "张三" not in str(event.after) and ID_NUMBERS[0] not in str(event.after)


def test_reveal_is_refused_to_another_organ_and_to_the_organ_complained_about(client, pw, matters):
    claim, accusation = matters["claim"], matters["accusation"]
    claim_url = reverse("petitions:petitioner_reveal", args=[claim.pk, claim.petitioners.get().pk])
    accusation_url = reverse("petitions:petitioner_reveal", args=[accusation.pk, accusation.petitioners.get().pk])
    client.force_login(pw.handler_hrss)  # another organ: the matter is not theirs
    assert client.post(claim_url).status_code == 404
    for user in (pw.handler_housing, pw.head_housing, pw.handler_housing_office, pw.supervisor_housing):
        client.force_login(user)
        assert client.post(accusation_url).status_code == 404  # the organ complained about
    client.force_login(pw.supervisor_housing)  # sees the claim, may not reveal
    assert client.post(claim_url).status_code == 403
    client.force_login(pw.handler_discipline)  # the organ handling the accusation may
    assert client.post(accusation_url).status_code == 200
    # A petitioner of another matter through this matter's URL: 404.
    health_person = matters["health"].petitioners.get()
    client.force_login(pw.xinfang)
    assert client.post(reverse("petitions:petitioner_reveal", args=[claim.pk, health_person.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="petition.personal_reveal").count() == 1


def test_hotspot_counts_equal_the_list_totals_they_link_to(client, pw, matters):
    client.force_login(pw.xinfang)
    response = client.get(reverse("petitions:hotspots"), {"period": "year"})
    assert response.status_code == 200
    assert response.context["total"] == 4
    links = re.findall(r'href="([^"]+)" data-count="(\d+)" data-drill="([^"]+)"', response.content.decode())
    assert len(links) >= 8
    for href, count, _name in links:
        listed = client.get(href.replace("&amp;", "&"))
        assert listed.context["page"].paginator.count == int(count), href
    regions = {row["label"]: row["count"] for row in response.context["tables"][0]["rows"]}
    assert regions[pw.world.qidong.name] == 1 and regions[pw.world.city.name] == 3
    respondents = {row["label"]: row["count"] for row in response.context["tables"][2]["rows"]}
    assert respondents == {pw.housing.name: 1}
    assert "charts" in response.context and b'id="dashboard-data"' in response.content
    assert b"<script>" not in response.content  # no inline script (CSP)


def test_hotspots_count_only_what_the_user_sees(client, pw, matters):
    client.force_login(pw.supervisor_housing)
    response = client.get(reverse("petitions:hotspots"), {"period": "year"})
    respondents = {row["label"]: row["count"] for row in response.context["tables"][2]["rows"]}
    assert pw.housing.name not in respondents  # the accusation about 住建 is not counted for 住建
    listed = client.get(reverse("petitions:petition_list"), {"since": f"{timezone.localdate().year}-01-01"})
    assert response.context["total"] == listed.context["page"].paginator.count
    client.force_login(pw.handler_housing)
    assert client.get(reverse("petitions:hotspots")).status_code == 403


def test_a_month_outside_the_period_is_not_counted(client, pw, matters):
    client.force_login(pw.xinfang)
    last_year = dt.date(timezone.localdate().year - 1, 6, 1)
    response = client.get(reverse("petitions:hotspots"), {"period": "quarter", "on": last_year.isoformat()})
    assert response.context["total"] == 0
    assert [m["label"] for m in response.context["trend"]] == [f"{last_year.year}-04", f"{last_year.year}-05",
                                                               f"{last_year.year}-06"]


def test_the_region_map_places_every_area_with_its_count_and_its_list(client, pw, matters):
    """The map-style chart: the city's districts and counties as tiles where they lie
    (core/data/tile-map-430400.json), each with the count of its table row and the list
    that row links to; an area outside the layout (the city itself) in a row below."""
    client.force_login(pw.xinfang)
    response = client.get(reverse("petitions:hotspots"), {"period": "year"})
    tiles = {item["name"]: item for item in response.context["charts"]["charts"]["region_map"]["series"][0]["data"]}
    rows = {row["label"]: row for row in response.context["tables"][0]["rows"]}
    assert tiles[pw.world.qidong.name]["value"][:2] == [0, 1]  # 祁东县: west of the city
    for name, row in rows.items():
        assert tiles[name]["value"][2] == row["count"] and tiles[name]["url"] == row["url"], name
    layout_rows = 4
    assert tiles[pw.world.city.name]["value"][1] == layout_rows  # not a district: the row below
    assert tiles[pw.world.shigu.name]["value"][2] == 0  # an area without matters is still on the map
    opened = client.get(tiles[pw.world.shigu.name]["url"])
    assert opened.context["page"].paginator.count == 0
