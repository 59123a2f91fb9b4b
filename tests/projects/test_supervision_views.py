"""备案监督 pages (SPEC §3 item 6): 承诺兑现, 现场观摩 and the 规模榜单, each tried by who
must not (anonymous, enterprise, handler, administrators, another area's dispatcher) and
who may; the commitment statuses; the league against a sum computed here; the observation
ranking by average; the exports reopened with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import Role
from yancheng.core.services import organisation_create, user_create
from yancheng.projects.models import Commitment, ObservationRound, ObservationScore, Project
from yancheng.projects.selectors import KEPT, OVERDUE, PENDING, commitment_status
from yancheng.projects.services.registry import project_create
from yancheng.projects.services.supervision import (
    commitment_add,
    commitment_record_actual,
    observation_round_create,
    observation_score_set,
)

NOW = dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 5, 20)


@pytest.fixture
def office(world):
    return user_create(username="office", password=None, role=Role.DISPATCHER, organisation=world.project_office,
                       full_name="项目办调度员", must_change_password=False, actor=None)


@pytest.fixture
def shigu_gov(world):
    return organisation_create(code="sg-gov", name="石鼓区人民政府", kind="government", region=world.shigu, actor=None)


@pytest.fixture
def shigu_dispatcher(shigu_gov):
    return user_create(username="sg-dispatcher", password=None, role=Role.DISPATCHER, organisation=shigu_gov,
                       full_name="石鼓调度员", must_change_password=False, actor=None)


def _project(world, code, region, investment, *, signed_on=None, park=None, confidential=False, active=True):
    p = project_create(name=f"项目{code}", code=code, region=region, park=park, total_investment=Decimal(investment),
                       responsible_org=park or world.city_ndrc, is_confidential=confidential, actor=None)
    Project.objects.filter(pk=p.pk).update(signed_on=signed_on, stage="signed" if signed_on else "negotiating",
                                           is_active=active)
    return Project.objects.get(pk=p.pk)


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    return rows[0], rows[1:]


def _get_urls(round_pk):
    return [reverse("projects:commitment_list"), reverse("projects:observation_list"), reverse("projects:observation_detail", args=[round_pk]),
            reverse("projects:project_league")]


def _post_urls(round_pk, commitment_pk):
    return [reverse("projects:commitment_create"), reverse("projects:commitment_actual", args=[commitment_pk]),
            reverse("projects:observation_create"), reverse("projects:observation_score", args=[round_pk])]


@pytest.fixture
def obs(world):
    return observation_round_create(title="一季度观摩", held_on=dt.date(2026, 3, 20), actor=None)


@pytest.fixture
def park_commitment(world):
    return commitment_add(organisation=world.qidong_park, year=2026, kind=Commitment.Kind.START_DATE,
                          promise="园区项目4月开工", promised_date=dt.date(2026, 4, 1), actor=None)


@pytest.fixture
def shigu_commitment(shigu_gov):
    return commitment_add(organisation=shigu_gov, year=2026, kind=Commitment.Kind.ANNUAL_INVESTMENT,
                          promise="石鼓年度投资10亿", promised_amount=Decimal("100000"), actor=None)


# --- access ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, obs, park_commitment):
    for url in _get_urls(obs.pk) + _post_urls(obs.pk, park_commitment.pk):
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["enterprise_a_user", "handler_power", "inspector", "system_admin",
                                     "security_admin", "audit_admin"])
def test_other_roles_are_refused(client, world, obs, park_commitment, persona):
    user = world.users[persona.removesuffix("_user")]
    client.force_login(user)
    for url in _get_urls(obs.pk):
        assert client.get(url).status_code == 403, url
        assert client.get(url, {"format": "xlsx"}).status_code == 403, url
    for url in _post_urls(obs.pk, park_commitment.pk):
        assert client.post(url, {}).status_code == 403, url
    assert Commitment.objects.count() == 1


@pytest.mark.parametrize("persona", ["dispatcher", "leader", "supervisor"])
def test_viewers_read_but_do_not_write(client, world, obs, park_commitment, persona):
    client.force_login(world.users[persona])
    for url in _get_urls(obs.pk):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'action="' + reverse("projects:commitment_create") not in response.content.decode()
    for url in _post_urls(obs.pk, park_commitment.pk):
        assert client.post(url, {"title": "x", "held_on": "2026-05-01"}).status_code == 403, url
    assert ObservationRound.objects.count() == 1


def test_office_reads_and_post_only_routes_refuse_get(client, office, obs, park_commitment):
    client.force_login(office)
    for url in _get_urls(obs.pk):
        assert client.get(url).status_code == 200, url
    for url in _post_urls(obs.pk, park_commitment.pk):
        assert client.get(url).status_code == 405, url
    assert client.get(reverse("projects:observation_detail", args=[obs.pk + 999])).status_code == 404


@time_machine.travel(NOW)
def test_a_dispatcher_sees_only_commitments_of_their_area(client, world, park_commitment, shigu_commitment,
                                                          shigu_dispatcher, office):
    body = _get(client, world.dispatcher, reverse("projects:commitment_list")).content.decode()
    assert "园区项目4月开工" in body and "石鼓年度投资10亿" not in body
    body = _get(client, shigu_dispatcher, reverse("projects:commitment_list")).content.decode()
    assert "园区项目4月开工" not in body and "石鼓年度投资10亿" in body
    for user in (world.leader, world.supervisor, office):
        body = _get(client, user, reverse("projects:commitment_list")).content.decode()
        assert "园区项目4月开工" in body and "石鼓年度投资10亿" in body
    _, rows = _sheet(_get(client, world.dispatcher, reverse("projects:commitment_list"), format="xlsx"))
    assert [r[4] for r in rows] == ["园区项目4月开工"]


# --- 承诺兑现 ----------------------------------------------------------------------------------------


def _c(**kw):
    base = {"year": 2026, "kind": Commitment.Kind.START_DATE, "promised_date": None, "promised_amount": None,
            "actual_date": None, "actual_amount": None}
    return Commitment(**{**base, **kw})


def test_commitment_status_rules():
    april = dt.date(2026, 4, 1)
    assert commitment_status(_c(promised_date=april, actual_date=dt.date(2026, 3, 30)), TODAY) == KEPT
    assert commitment_status(_c(promised_date=april, actual_date=april), TODAY) == KEPT
    assert commitment_status(_c(promised_date=april), TODAY) == OVERDUE
    assert commitment_status(_c(promised_date=april), dt.date(2026, 3, 31)) == PENDING
    assert commitment_status(_c(promised_date=dt.date(2026, 6, 30)), TODAY) == PENDING
    # delivered after the promised date: the promise was not kept on time
    assert commitment_status(_c(promised_date=april, actual_date=dt.date(2026, 4, 20)), TODAY) == OVERDUE
    annual = {"kind": Commitment.Kind.ANNUAL_INVESTMENT, "promised_amount": Decimal("1000")}
    assert commitment_status(_c(**annual, actual_amount=Decimal("1200")), TODAY) == KEPT
    assert commitment_status(_c(**annual, actual_amount=Decimal("500")), TODAY) == PENDING
    assert commitment_status(_c(**annual), TODAY) == PENDING
    assert commitment_status(_c(**annual, year=2025, actual_amount=Decimal("500")), TODAY) == OVERDUE
    assert commitment_status(_c(**annual, year=2025, actual_amount=Decimal("1000")), TODAY) == KEPT


@time_machine.travel(NOW)
def test_office_adds_a_commitment_records_the_actual_and_the_status_follows(client, world, office):
    client.force_login(office)
    response = client.post(reverse("projects:commitment_create"), {
        "organisation": world.qidong_park.pk, "year": 2026, "kind": "start_date", "promise": "纸箱厂4月1日开工",
        "promised_date": "2026-04-01",
    })
    assert response.status_code == 302
    c = Commitment.objects.get(promise="纸箱厂4月1日开工")
    assert AuditEvent.objects.filter(action="project.commitment_add").count() == 1
    _, rows = _sheet(client.get(reverse("projects:commitment_list"), {"year": 2026, "format": "xlsx"}))
    assert rows[0][10] == "逾期未兑现" and rows[0][6] == dt.datetime(2026, 4, 1)

    response = client.post(reverse("projects:commitment_actual", args=[c.pk]), {f"c{c.pk}-actual_date": "2026-03-28"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.actual_date == dt.date(2026, 3, 28)
    assert AuditEvent.objects.filter(action="project.commitment_actual").count() == 1
    assert AuditEvent.objects.filter(action="project.commitment_export").count() == 1
    _, rows = _sheet(client.get(reverse("projects:commitment_list"), {"year": 2026, "format": "xlsx"}))
    assert rows[0][10] == "兑现"
    body = client.get(reverse("projects:commitment_list"), {"status": "kept"}).content.decode()
    assert "纸箱厂4月1日开工" in body
    body = client.get(reverse("projects:commitment_list"), {"status": "overdue"}).content.decode()
    assert "纸箱厂4月1日开工" not in body


@time_machine.travel(NOW)
def test_commitment_forms_refuse_bad_input(client, world, office, park_commitment):
    client.force_login(office)
    response = client.post(reverse("projects:commitment_create"), {
        "organisation": world.qidong_park.pk, "year": 2026, "kind": "annual_investment", "promise": "没有金额",
    })
    assert response.status_code == 400 and "年度投资承诺须填写承诺金额" in response.content.decode()
    response = client.post(reverse("projects:commitment_create"), {
        "organisation": world.qidong_park.pk, "year": 2026, "kind": "start_date", "promise": "无此项目",
        "promised_date": "2026-06-01", "project_code": "NOPE",
    })
    assert response.status_code == 400
    response = client.post(reverse("projects:commitment_actual", args=[park_commitment.pk]), {})
    assert response.status_code == 400 and "请填写实际日期或实际金额" in response.content.decode()
    assert Commitment.objects.count() == 1
    assert client.post(reverse("projects:commitment_actual", args=[park_commitment.pk + 999]), {}).status_code == 404


@time_machine.travel(NOW)
def test_commitment_filters(client, world, office, park_commitment, shigu_commitment, shigu_gov):
    commitment_record_actual(shigu_commitment, actual_amount=Decimal("50000"), actor=None)
    client.force_login(office)
    _, rows = _sheet(client.get(reverse("projects:commitment_list"), {"format": "xlsx", "organisation": shigu_gov.pk}))
    assert [(r[4], r[7], r[9], r[10]) for r in rows] == [("石鼓年度投资10亿", 100000, 50000, "未兑现")]
    _, rows = _sheet(client.get(reverse("projects:commitment_list"), {"format": "xlsx", "kind": "start_date"}))
    assert [r[4] for r in rows] == ["园区项目4月开工"]
    _, rows = _sheet(client.get(reverse("projects:commitment_list"), {"format": "xlsx", "year": 2025}))
    assert rows == []


# --- 现场观摩 ----------------------------------------------------------------------------------------


def test_office_creates_a_round_and_scores_it_and_the_ranking_is_by_average(client, world, office, shigu_gov):
    p1 = _project(world, "QD-1", world.qidong, "100", park=world.qidong_park)
    p2 = _project(world, "QD-2", world.qidong, "100", park=world.qidong_park)
    client.force_login(office)
    response = client.post(reverse("projects:observation_create"), {"title": "二季度观摩", "held_on": "2026-06-10"})
    assert response.status_code == 302
    obs = ObservationRound.objects.get(title="二季度观摩")
    url = reverse("projects:observation_score", args=[obs.pk])
    # 园区: 80 and 95 → 87.5; 石鼓: 90 → first; a second entry for 石鼓 overwrites
    for org, code, score in [(world.qidong_park, "QD-1", "80"), (world.qidong_park, "QD-2", "95"),
                             (shigu_gov, "", "70"), (shigu_gov, "", "90")]:
        assert client.post(url, {"organisation": org.pk, "project_code": code, "score": score,
                                 "remark": "好"}).status_code == 302
    assert ObservationScore.objects.filter(round=obs).count() == 3
    assert {s.project_id for s in ObservationScore.objects.filter(organisation=world.qidong_park)} == {p1.pk, p2.pk}
    assert client.post(url, {"organisation": shigu_gov.pk, "score": "101"}).status_code == 400
    assert client.post(url, {"organisation": shigu_gov.pk, "score": "-1"}).status_code == 400

    header, rows = _sheet(client.get(reverse("projects:observation_detail", args=[obs.pk]), {"format": "xlsx"}))
    assert header[:4] == ("名次", "被观摩单位", "平均分", "评分项数")
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in rows] == [
        (1, "石鼓区人民政府", 90, 1, 90),
        (2, "祁东经济开发区", 87.5, 2, 80),
        (2, "祁东经济开发区", 87.5, 2, 95),
    ]
    assert AuditEvent.objects.filter(action="project.observation_export").count() == 1
    body = client.get(reverse("projects:observation_detail", args=[obs.pk])).content.decode()
    assert body.index("石鼓区人民政府") < body.index("祁东经济开发区")


def test_equal_averages_share_a_rank_and_an_area_dispatcher_sees_only_their_own(client, world, obs, shigu_gov,
                                                                                 shigu_dispatcher):
    observation_score_set(obs, organisation=world.qidong_park, score="88", remark="园区点评", actor=None)
    observation_score_set(obs, organisation=shigu_gov, score="88", remark="石鼓点评", actor=None)
    observation_score_set(obs, organisation=world.qidong_gov, score="60", remark="祁东点评", actor=None)
    _, rows = _sheet(_get(client, world.leader, reverse("projects:observation_detail", args=[obs.pk]), format="xlsx"))
    assert [(r[0], r[1]) for r in rows] == [(1, "石鼓区人民政府"), (1, "祁东经济开发区"), (3, "祁东县人民政府")]
    _, rows = _sheet(_get(client, world.dispatcher, reverse("projects:observation_detail", args=[obs.pk]), format="xlsx"))
    assert [(r[0], r[1]) for r in rows] == [(1, "祁东经济开发区")]
    body = _get(client, shigu_dispatcher, reverse("projects:observation_detail", args=[obs.pk])).content.decode()
    assert "石鼓点评" in body and "园区点评" not in body and "祁东点评" not in body


# --- 规模榜单 ----------------------------------------------------------------------------------------


@pytest.fixture
def signed(world):
    may = dt.date(2026, 5, 1)
    specs = [
        ("QD-A", world.qidong, "30000", dt.date(2026, 5, 3), world.qidong_park, False, True),
        ("QD-B", world.qidong, "25000.50", dt.date(2026, 5, 31), None, False, True),
        ("SG-A", world.shigu, "40000", dt.date(2026, 5, 12), None, False, True),
        ("SG-B", world.shigu, "20000", dt.date(2026, 5, 20), None, True, True),  # confidential
        ("SG-C", world.shigu, "99999", dt.date(2026, 4, 30), None, False, True),  # April
        ("SG-D", world.shigu, "77777", dt.date(2026, 5, 2), None, False, False),  # out of the registry
        ("CT-A", world.city, "1000", dt.date(2026, 6, 1), None, False, True),  # June
        ("QD-N", world.qidong, "5000", None, None, False, True),  # not signed
    ]
    for code, region, amount, on, park, confidential, active in specs:
        _project(world, code, region, amount, signed_on=on, park=park, confidential=confidential, active=active)
    return may, specs


def _expected(specs, month, include):
    totals: dict[str, list] = {}
    for code, region, amount, on, _park, _conf, active in specs:
        if on and active and on.year == month.year and on.month == month.month and include(code):
            entry = totals.setdefault(region.name, [Decimal(0), 0])
            entry[0] += Decimal(amount)
            entry[1] += 1
    return sorted(((name, amount, n) for name, (amount, n) in totals.items()), key=lambda t: -t[1])


def test_league_order_equals_an_independent_sum(client, office, signed):
    may, specs = signed
    expected = _expected(specs, may, lambda code: True)
    assert [t[0] for t in expected] == ["石鼓区", "祁东县"]  # 60000 > 55000.50
    header, rows = _sheet(_get(client, office, reverse("projects:project_league"), month="2026-05", format="xlsx"))
    assert header == ("名次", "区划", "区划代码", "引资额（万元）", "签约项目数")
    assert [(r[1], Decimal(str(r[3])), r[4]) for r in rows] == expected
    assert [r[0] for r in rows] == [1, 2]
    assert AuditEvent.objects.filter(action="project.league_export").count() == 1
    sheet = load_workbook(io.BytesIO(client.get(reverse("projects:project_league"),
                                                 {"month": "2026-05", "format": "xlsx"}).content)).worksheets[0]
    amount = sheet.cell(row=2, column=4)
    assert amount.data_type == "n" and amount.number_format == "#,##0.00"  # a Decimal amount, summable
    body = _get(client, office, reverse("projects:project_league"), month="2026-05").content.decode()
    assert body.index("石鼓区") < body.index("祁东县")
    assert "/projects/?region=430407&amp;sort=-investment" in body
    assert reverse("dashboard:funds_won") in body


def test_league_counts_only_what_the_viewer_may_see(client, world, signed):
    may, specs = signed
    # the city leader does not see 石鼓's confidential project: 祁东 comes first
    expected = _expected(specs, may, lambda code: code != "SG-B")
    _, rows = _sheet(_get(client, world.leader, reverse("projects:project_league"), month="2026-05", format="xlsx"))
    assert [(r[1], Decimal(str(r[3])), r[4]) for r in rows] == expected
    assert rows[0][1] == "祁东县"
    # the park's dispatcher: the park's projects only
    _, rows = _sheet(_get(client, world.dispatcher, reverse("projects:project_league"), month="2026-05", format="xlsx"))
    assert [(r[1], r[3], r[4]) for r in rows] == [("祁东县", 30000, 1)]
    # a bad month falls back to the current one instead of failing
    assert _get(client, world.leader, reverse("projects:project_league"), month="2026-13").status_code == 200
