"""The 在建重大项目清单 and 重点问题清单 pages, their .xlsx, 提出链级问题 and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.chains.problems_world import build_problems
from yancheng.api.testing import api_client_for
from yancheng.cases.models import Case, CaseKind
from yancheng.testing.exports import read_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def pw(cw):
    build_problems(cw)
    return cw


def test_projects_page_lists_lights_links_and_exports(client, pw, django_assert_max_num_queries):
    client.force_login(pw.chain_leader)
    url = reverse("chains:projects", args=["nonferrous"])
    with django_assert_max_num_queries(14):
        page = client.get(url)
    body = page.content.decode()
    assert f'data-project="{pw.red_project.pk}"' in body
    assert f'data-project="{pw.signed_project.pk}"' not in body
    assert reverse("projects:project_detail", args=[pw.red_project.pk]) in body
    assert f'data-project="{pw.signed_project.pk}"' in client.get(url + "?stage=all").content.decode()
    assert 'data-total="0"' in client.get(url + "?light=green").content.decode()
    export = read_export(client.get(url + "?format=xlsx"), "在建重大项目清单")
    assert [r[0] for r in export.rows] == ["CH-P-1"]
    assert export.rows[0][5] == "红灯"


def test_problems_page_links_only_what_the_reader_may_open(client, pw, django_assert_max_num_queries):
    from yancheng.chains.services.problems import problem_raise

    own = problem_raise(pw.nonferrous, actor=pw.lianban, title="铜箔产能不足", description="说明",
                        lead_org=pw.world.city_ndrc, solve_days=10)
    client.force_login(pw.lianban)
    url = reverse("chains:problems", args=["nonferrous"])
    with django_assert_max_num_queries(14):
        body = client.get(url).content.decode()
    for case in (pw.request_case, pw.project_case, own):
        assert f'data-case="{case.pk}"' in body
    assert reverse("cases:case_detail", args=[own.pk]) in body  # the office dispatches it
    assert reverse("cases:case_detail", args=[pw.request_case.pk]) not in body  # not a case of the office's
    sheet = read_export(client.get(url + "?format=xlsx&source=chain"), "重点问题清单")
    assert [r[0] for r in sheet.rows] == [own.number]


def test_raise_form_assigns_and_shows_errors(client, pw):
    client.force_login(pw.lianban)
    url = reverse("chains:problem_raise", args=["nonferrous"])
    bad = client.post(url, {"title": "问题", "description": "说明", "urgency": "normal",
                            "lead_org": pw.world.enterprise_b.organisation.pk, "solve_days": 5})
    assert bad.status_code == 200 and not Case.objects.filter(kind=CaseKind.CHAIN_PROBLEM).exists()
    done = client.post(url, {"title": "再生铅原料不足", "description": "说明", "urgency": "normal",
                             "lead_org": pw.world.city_ndrc.pk, "solve_days": 5})
    assert done.status_code == 302
    case = Case.objects.get(kind=CaseKind.CHAIN_PROBLEM)
    assert case.lead_org == pw.world.city_ndrc and case.subject_ref == "chain:nonferrous"


def test_raise_is_refused_to_other_offices(client, pw):
    url = reverse("chains:problem_raise", args=["nonferrous"])
    client.force_login(pw.lianban_dz)
    assert client.post(url, {"title": "x", "description": "y", "urgency": "normal", "lead_org": pw.world.city_ndrc.pk,
                             "solve_days": 5}).status_code == 403
    client.force_login(pw.lianban_qd)
    assert client.get(url).status_code == 404


def test_api_lists_and_raises(pw):
    office = api_client_for(pw.lianban)
    listed = office.get("/api/v1/chains/nonferrous/problems")
    assert listed.status_code == 200
    assert {i["id"] for i in listed.json()["items"]} == {pw.request_case.pk, pw.project_case.pk}
    body = {"title": "铜箔产能不足", "description": "说明", "lead_org": pw.world.city_ndrc.pk, "solve_days": 8}
    made = office.post("/api/v1/chains/nonferrous/problems", body, headers={"Idempotency-Key": "cp-1"})
    assert made.status_code == 201, made.content
    again = office.post("/api/v1/chains/nonferrous/problems", body, headers={"Idempotency-Key": "cp-1"})
    assert again.json()["id"] == made.json()["id"]
    assert Case.objects.filter(kind=CaseKind.CHAIN_PROBLEM).count() == 1
    assert made.json()["source"] == "chain" and made.json()["openable"] is True
    projects = office.get("/api/v1/chains/nonferrous/projects").json()["items"]
    assert [p["code"] for p in projects] == ["CH-P-1"] and projects[0]["light_nodes"] == "red"
    other = api_client_for(pw.lianban_dz)
    assert other.post("/api/v1/chains/nonferrous/problems", body, headers={"Idempotency-Key": "cp-2"}).status_code == 403
    assert api_client_for(pw.lianban_qd).get("/api/v1/chains/nonferrous/problems").status_code == 404
    assert api_client_for(pw.world.dispatcher).get("/api/v1/chains/nonferrous/projects").status_code == 404


def test_the_office_opens_its_chain_problem_on_the_case_page(client, pw):
    from yancheng.chains.services.problems import problem_raise

    case = problem_raise(pw.nonferrous, actor=pw.lianban, title="铜箔产能不足", description="说明",
                         lead_org=pw.world.city_ndrc, solve_days=10)
    client.force_login(pw.lianban)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    client.force_login(pw.lianban_dz)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    client.force_login(pw.handler_ndrc)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200


def test_the_workbench_counts_the_red_problems_of_the_users_own_chains(client, pw):
    from yancheng.core.workbench import todos_for

    for user in (pw.lianban, pw.chain_leader):
        items = {t.key: t for t in todos_for(user)}
        todo = items["chains.problems.red.nonferrous"]
        assert todo.count == 2 and todo.light == "red"
        assert "chains.problems.red.electronics" not in items
        client.force_login(user)
        assert 'data-total="2"' in client.get(todo.url).content.decode()
    assert not [t for t in todos_for(pw.lianban_dz) if t.key == "chains.problems.red.nonferrous"]
    assert not [t for t in todos_for(pw.world.leader) if t.key.startswith("chains.problems")]
