"""Every number on the dashboard and the ranking pages is a link, and the list behind it
counts what the number says, for the same viewer; charts keep counts whole and never share
an axis between a count and a percentage; freezing an unfinished month asks first."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from yancheng.core.models import Role
from yancheng.core.services import user_create
from yancheng.dashboard import services
from yancheng.dashboard.models import RankingSnapshot, RedYellowEntry
from yancheng.dashboard.rankings import Month
from yancheng.lib.charts import Axis, Series, axes_of, bar_chart
from yancheng.testing.pages import unlinked_figures

from .conftest import make_case

MARCH = Month(2026, 3)
HREF = re.compile(r'<a class="(?:num-link )?figure" href="([^"]+)"(?: data-(count|planned)="([^"]*)")?>')


def links(html: str) -> list[tuple[str, str]]:
    """(url, the count the link says, or "") of every figure link of a page."""
    return [(unescape(url), value if kind == "count" else "") for url, kind, value in HREF.findall(html)]


def rows_behind(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


@pytest.fixture
def county_supervisor(world):
    return user_create(username="qd_supervisor", password=None, role=Role.SUPERVISOR, organisation=world.qidong_gov,
                       full_name="祁东督查员", actor=None, must_change_password=False)


# --- the city view ------------------------------------------------------------------------------------


def test_every_number_of_the_dashboard_is_a_link(client, world, month_data):
    client.force_login(world.supervisor)
    html = client.get(reverse("dashboard:index"), {"year": 2026}).content.decode()
    assert unlinked_figures(html) == []
    assert len(links(html)) >= 30  # stages (2 figures each), regions (5 each), lights, units (3 each)
    # The plan, the completion and the rate of a region are links too (they were plain text).
    assert 'data-planned="1000' in html


def test_a_missing_link_would_be_found():
    assert unlinked_figures('<table><tbody><tr><td class="n">3</td></tr></tbody></table>') == ["3"]
    assert unlinked_figures('<p><span class="figure">3</span></p>') == ["<span class=figure> outside a link"]
    assert unlinked_figures('<table><tbody><tr><td><a href="/x">3</a></td></tr></tbody></table>') == []


def test_each_count_leads_to_a_list_of_as_many_rows(client, world, month_data):
    client.force_login(world.supervisor)
    html = client.get(reverse("dashboard:index"), {"year": 2026}).content.decode()
    counted = [(url, int(n)) for url, n in links(html) if n.isdigit()]
    kinds = {urlsplit(url).path for url, _n in counted}
    assert kinds == {"/projects/", "/cases/"}
    checked = 0
    for url, number in counted:
        if number or checked < 12:  # every non-zero count, and some zeros
            assert rows_behind(client, url) == number, url
            checked += 1
    assert checked >= 12


def test_a_regions_plan_leads_to_the_projects_with_a_plan_and_their_total(client, world, month_data):
    client.force_login(world.supervisor)
    data = client.get(reverse("dashboard:index"), {"year": 2026}).context["data"]
    qidong = next(r for r in data["region_rows"] if r["code"] == "430426")
    assert parse_qs(urlsplit(qidong["plan_url"]).query) == {"region": ["430426"], "plan_year": ["2026"]}
    page = client.get(qidong["plan_url"])
    assert page.context["planned_total"] == qidong["planned"] == Decimal(1000)
    assert [p.code for p in page.context["page"].object_list] == ["XM-QD-1"]
    body = page.content.decode()
    assert "有 2026 年度投资计划的项目" in body and 'data-active-filter="plan_year"' in body
    # The city tile's plan is the plans of the projects listed behind it.
    city = client.get(data["investment"]["url"])
    assert city.context["planned_total"] == data["investment"]["planned"] == Decimal(3000)


def test_the_plan_year_filter_is_validated_and_clearable(client, world, month_data):
    client.force_login(world.supervisor)
    url = reverse("projects:project_list")
    assert rows_behind(client, url + "?plan_year=2026") == 2
    assert rows_behind(client, url + "?plan_year=2025") == 0
    bad = client.get(url + "?plan_year=abc")  # not a year: no filter, not an error
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 2 and bad.context["plan_year"] == 0
    page = client.get(url, {"plan_year": "2026", "region": "430426"})
    assert 'href="?region=430426"' in page.content.decode()  # the chip clears the year, keeps the rest


def test_a_county_supervisor_sees_his_region_on_the_dashboard_and_behind_it(client, world, month_data,
                                                                            county_supervisor):
    make_case(world, region=world.shigu, lead=world.power_company, assigned="2026-04-13")  # another region's
    client.force_login(county_supervisor)
    response = client.get(reverse("dashboard:index"), {"region": "430407"})
    assert response.context["filters"].region == "430426"
    html = response.content.decode()
    assert unlinked_figures(html) == []
    counted = [(url, int(n)) for url, n in links(html) if n.isdigit()]
    assert counted
    for url, number in counted:
        assert rows_behind(client, url) == number, url
    power = next(r for r in response.context["data"]["unit_rows"] if r["id"] == world.power_company.pk)
    assert power["total"] == 1  # the 石鼓 case of the same unit is neither counted nor listed


# --- the ranking pages ----------------------------------------------------------------------------------


@pytest.fixture
def march(world, month_data):
    return services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)[0]


def counted_page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return {s.key: s for s in response.context["sections"]}


def test_every_number_of_a_ranking_links_to_what_it_counted(client, world, march):
    client.force_login(world.supervisor)
    html = client.get(reverse("dashboard:ranking_detail", args=[march.pk])).content.decode()
    assert unlinked_figures(html) == []
    row = next(r for r in march.rows if r["key"] == "430426")  # 祁东县
    assert 'id="r-430426"' in html
    url = next(unescape(u) for u in re.findall(r'href="([^"]+#nodes_rate)"', html) if "key=430426" in u)
    sections = counted_page(client, url)
    assert sections["nodes_rate"].total == row["nodes_due"] == 2
    assert sections["cases_rate"].total == row["cases_resolved"] == 2
    assert sum(1 for c in sections["cases_rate"].rows if c.on_time) == row["cases_on_time"] == 1
    assert sections["satisfaction_rate"].total == row["rated"] == 2
    assert sections["escalations"].total == row["escalations"] == 2  # 催办 and 督办 of one case
    assert sections["investment_rate"].total == 1
    assert sum(p.planned_investment for p in sections["investment_rate"].rows) == Decimal(str(row["planned"]))
    shigu = counted_page(client, reverse("dashboard:ranking_counted") + "?kind=region&key=430407&from=2026-03&to=2026-03")
    assert sum(f.amount for f in shigu["won"].rows) == Decimal("300")


def test_the_review_links_each_month_to_its_ranking_row_and_the_sums_to_the_period(client, world, march):
    client.force_login(world.leader)
    html = client.get(reverse("dashboard:quarterly_review", args=[2026, 1])).content.decode()
    assert unlinked_figures(html) == []
    assert f'href="/dashboard/rankings/{march.pk}/#r-430426"' in html
    url = next(unescape(u) for u in re.findall(r'href="([^"]+#escalations)"', html) if "key=430426" in u)
    assert "from=2026-03" in url and "to=2026-03" in url  # the months that have a ranking
    sections = counted_page(client, url)
    review = client.get(reverse("dashboard:quarterly_review", args=[2026, 1])).context["review"]
    qidong = next(r for r in review["rows"] if r["key"] == "430426")
    assert sections["escalations"].total == qidong["escalations"] == 2


def test_the_ranking_list_and_the_red_yellow_boards_show_their_numbers_as_links(client, world, march, month_data):
    RedYellowEntry.objects.create(board="red", project=month_data.p1, month=MARCH.first, reason="进度快",
                                  created_by=world.supervisor)
    client.force_login(world.supervisor)
    listing = client.get(reverse("dashboard:ranking_list")).content.decode()
    assert unlinked_figures(listing, strict=False) == [] and 'class="figure"' in listing
    board = client.get(reverse("dashboard:red_yellow")).content.decode()
    assert unlinked_figures(board, strict=False) == []
    assert '<span class="figure" data-count="red">1</span>' in board
    assert '<span class="figure" data-count="yellow">0</span>' in board
    assert reverse("projects:project_detail", args=[month_data.p1.pk]) in board


def test_the_counted_page_lists_only_what_the_viewer_may_open(client, world, march, county_supervisor):
    url = reverse("dashboard:ranking_counted") + "?kind=region&key=430407&from=2026-03&to=2026-03"  # 石鼓区
    client.force_login(world.supervisor)
    everything = counted_page(client, url)
    assert everything["cases_rate"].total == 1 and len(everything["cases_rate"].rows) == 1
    client.force_login(county_supervisor)
    response = client.get(url)
    sections = {s.key: s for s in response.context["sections"]}
    assert sections["cases_rate"].total == 1 and sections["cases_rate"].rows == []  # counted, not shown
    assert "其中 1 项您无权查看" in response.content.decode()
    case = everything["cases_rate"].rows[0]
    assert reverse("cases:case_detail", args=[case.pk]) not in response.content.decode()


def test_the_counted_page_refuses_others_and_explains_bad_months(client, world, march):
    url = reverse("dashboard:ranking_counted")
    client.force_login(world.handler_power)
    assert client.get(url + "?kind=region&key=430426&from=2026-03&to=2026-03").status_code == 403
    client.force_login(world.supervisor)
    assert client.get(url + "?kind=region&key=999999&from=2026-03&to=2026-03").status_code == 404
    lost = client.get(url + "?kind=nope&key=430426&from=2026-03&to=2026-03")
    assert lost.status_code == 400 and "请从月排名、季讲评或年考核表中的数字进入本页" in lost.content.decode()
    bad = client.get(url + "?kind=region&key=430426&from=2026-05&to=2026-03")
    assert bad.status_code == 400 and "请选择同一年内的起止月份" in bad.content.decode()


# --- charts -----------------------------------------------------------------------------------------------


def embedded_charts(html: str) -> dict:
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))["charts"]


def assert_honest(option: dict) -> None:
    axes = axes_of(option)
    assert 1 <= len(axes) <= 2
    assert len({a["name"] for a in axes}) == len(axes)  # one unit per axis
    index = "xAxisIndex" if isinstance(option["xAxis"], list) else "yAxisIndex"
    for series in option["series"]:
        axis = axes[series.get(index, 0)]
        if axis.get("minInterval") == 1:
            assert all(v is None or float(v).is_integer() for v in series["data"])


def test_the_dashboard_charts_count_whole_projects_and_cases(client, world, month_data):
    client.force_login(world.supervisor)
    charts = embedded_charts(client.get(reverse("dashboard:index")).content.decode())
    assert axes_of(charts["stages"]) == [{"type": "value", "name": "个", "min": 0, "minInterval": 1}]
    assert axes_of(charts["units"])[0]["minInterval"] == 1 and axes_of(charts["units"])[0]["name"] == "件"
    assert axes_of(charts["regions"])[0]["name"] == "万元" and "minInterval" not in axes_of(charts["regions"])[0]
    for name in ("stages", "regions", "units"):
        assert_honest(charts[name])
    assert charts["lights"]["series"][0]["type"] == "pie"


def test_the_supervisors_chart_puts_visits_and_the_joint_rate_on_two_axes(client, world):
    client.force_login(world.supervisor)
    html = client.get(reverse("inspections:inspection_supervision_home")).content.decode()
    option = embedded_charts(html)["regions"]
    axes = axes_of(option)
    assert [a["name"] for a in axes] == ["次", "%"] and axes[0]["minInterval"] == 1 and "minInterval" not in axes[1]
    assert [s["yAxisIndex"] for s in option["series"]] == [0, 1]
    assert_honest(option)


def test_a_chart_refuses_a_fraction_on_a_count_axis_and_two_axes_of_one_unit():
    with pytest.raises(ValueError):
        bar_chart(["a"], [Axis("个", whole=True)], [Series("n", [0.5])])
    with pytest.raises(ValueError):
        bar_chart(["a"], [Axis("%"), Axis("%")], [Series("r", [1])])


def test_the_ranking_chart_has_one_axis_of_points(client, world, march):
    client.force_login(world.leader)
    option = embedded_charts(client.get(reverse("dashboard:ranking_detail", args=[march.pk])).content.decode())["ranking"]
    assert [a["name"] for a in axes_of(option)] == ["分"]


# --- freezing the current month ----------------------------------------------------------------------------


def test_freezing_the_unfinished_month_asks_first_and_says_why(client, world, month_data):
    client.force_login(world.supervisor)
    response = client.post(reverse("dashboard:ranking_generate"), {"kind": "region", "month": "2026-04"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "尚未结束" in body and "用于通报" in body and 'name="confirm" value="1"' in body
    assert RankingSnapshot.objects.count() == 0
    response = client.post(reverse("dashboard:ranking_generate"),
                           {"kind": "region", "month": "2026-04", "confirm": "1"})
    assert response.status_code == 302
    assert RankingSnapshot.objects.filter(month=Month(2026, 4).first).count() == 1
    # Shown again (nothing new is frozen): no question.
    again = client.post(reverse("dashboard:ranking_generate"), {"kind": "region", "month": "2026-04"})
    assert again.status_code == 302
    # A new version of the unfinished month is a new freeze: asked again.
    regenerate = client.post(reverse("dashboard:ranking_generate"),
                             {"kind": "region", "month": "2026-04", "regenerate": "on", "note": "更正"})
    assert regenerate.status_code == 200 and 'name="regenerate" value="on"' in regenerate.content.decode()
    assert RankingSnapshot.objects.filter(month=Month(2026, 4).first).count() == 1


def test_a_past_month_freezes_at_once(client, world, month_data):
    client.force_login(world.supervisor)
    response = client.post(reverse("dashboard:ranking_generate"), {"kind": "unit", "month": "2026-03"})
    assert response.status_code == 302
    assert RankingSnapshot.objects.filter(kind="unit", month=MARCH.first).count() == 1


def test_a_leader_cannot_freeze_even_when_confirming(client, world, month_data):
    client.force_login(world.leader)
    response = client.post(reverse("dashboard:ranking_generate"), {"kind": "region", "month": "2026-04", "confirm": "1"})
    assert response.status_code == 403
    assert RankingSnapshot.objects.count() == 0


# --- in English ---------------------------------------------------------------------------------------------


CJK = re.compile(r"[\u4e00-\u9fff]+")


def test_the_new_pages_speak_english(client, world, march):
    client.force_login(world.supervisor)
    client.cookies["django_language"] = "en"
    names = {"祁东县", "石鼓区", "衡阳市"}

    def foreign(html: str) -> set[str]:
        body = re.sub(r"<script.*?</script>", "", html, flags=re.S)
        body = re.sub(r"<(?:nav|header)\b.*?</(?:nav|header)>", "", body, flags=re.S)  # the site's frame
        return {w for w in CJK.findall(body) if not any(w in n for n in names)}

    confirm = client.post(reverse("dashboard:ranking_generate"), {"kind": "region", "month": "2026-04"}).content.decode()
    assert "has not ended yet" in confirm and "Freeze it anyway" in confirm
    counted = client.get(reverse("dashboard:ranking_counted") + "?kind=region&key=430426&from=2026-03&to=2026-03")
    html = counted.content.decode()
    assert "What the ranking counted" in html and "Cases resolved on time" in html
    data = {"中文", world.supervisor.full_name, world.justice_bureau.name, "土建", "设备安装", "祁东纸箱扩产"}  # data
    assert {w for w in foreign(html) if not w.startswith("问题")} <= data  # case titles are 问题<n>
    index = client.get(reverse("dashboard:index")).content.decode()
    charts = embedded_charts(index)
    assert axes_of(charts["stages"])[0]["name"] == "projects"
    assert "2026 annual plan completion" in index  # the year and the words apart
    listing = client.get(reverse("projects:project_list"), {"plan_year": "2026"}).content.decode()
    assert "Projects with an investment plan for 2026" in listing and "Annual plans total 3000" in listing
