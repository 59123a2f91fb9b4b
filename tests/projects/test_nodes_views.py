"""The schedule page of a project and the project page's nodes section: who sees them, who
may change the plan, and the whole loop (add nodes, link them, 倒排, record actual dates)
through the forms a user presses."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yancheng.projects.models import Node, NodeLink, Project
from yancheng.projects.services.nodes import node_add, node_link_add, node_schedule_backward

SH = dt.timezone(dt.timedelta(hours=8))
D = dt.date


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 9, 18, 10, 0, tzinfo=SH), tick=False) as traveller:
        yield traveller


@pytest.fixture
def project(world) -> Project:
    from yancheng.projects.services.registry import project_create

    return project_create(
        actor=None, name="纸箱包装扩建项目", region=world.qidong, park=world.qidong_park,
        enterprise=world.enterprise_a, total_investment=12000, responsible_org=world.qidong_park,
        planned_start=D(2026, 3, 1), planned_completion=D(2026, 12, 31),
    )


@pytest.fixture
def shigu_project(world) -> Project:
    from yancheng.projects.services.registry import project_create

    return project_create(actor=None, name="石鼓区机械项目", region=world.shigu, enterprise=world.enterprise_b,
                          total_investment=5000, responsible_org=world.city_ndrc)


def page(project: Project) -> str:
    return reverse("projects:project_nodes", args=[project.pk])


def act(project: Project, action: str) -> str:
    return reverse("projects:project_node_act", args=[project.pk, action])


# --- who -----------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, project):
    for response in (client.get(page(project)), client.post(act(project, "add"), {"add-name": "x"})):
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not Node.objects.exists()


def test_a_dispatcher_of_another_area_does_not_learn_the_project_exists(client, world, shigu_project):
    client.force_login(world.dispatcher)
    assert client.get(page(shigu_project)).status_code == 404
    assert client.post(act(shigu_project, "add"), {"add-name": "x", "add-duration_days": 1}).status_code == 404
    assert client.get(reverse("projects:project_nodes", args=[999999])).status_code == 404


def test_an_enterprise_sees_only_its_own_projects_schedule(client, world, project, shigu_project):
    client.force_login(world.enterprise_a_user)
    assert client.get(page(project)).status_code == 200
    assert client.get(page(shigu_project)).status_code == 404


def test_a_viewer_who_may_not_edit_reads_the_page_without_forms_and_is_refused_on_post(client, world, project):
    node = node_add(project, name="高压专线接入", duration_days=5, actor=world.dispatcher)
    client.force_login(world.handler_power)
    response = client.get(page(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert "高压专线接入" in body and act(project, "schedule") not in body and act(project, "add") not in body
    assert client.post(act(project, "add"), {"add-name": "越权", "add-duration_days": 1}).status_code == 403
    assert client.post(act(project, "schedule"), {"schedule-target_date": "2026-10-13"}).status_code == 403
    assert client.post(act(project, "remove"), {"remove-node": node.pk}).status_code == 403
    assert client.post(act(project, "actual"), {"actual-node": node.pk,
                                                "actual-actual_start": "2026-09-17"}).status_code == 403
    assert list(Node.objects.values_list("name", flat=True)) == ["高压专线接入"]


def test_the_enterprise_may_not_record_actual_dates_either(client, world, project):
    node = node_add(project, name="高压专线接入", duration_days=5, actor=world.dispatcher)
    client.force_login(world.enterprise_a_user)
    response = client.post(act(project, "actual"), {"actual-node": node.pk, "actual-actual_start": "2026-09-17"})
    assert response.status_code == 403


def test_get_on_an_action_and_an_unknown_action_are_refused(client, world, project):
    client.force_login(world.dispatcher)
    assert client.get(act(project, "add")).status_code == 405
    assert client.post(act(project, "explode")).status_code == 404


# --- the loop ------------------------------------------------------------------------------------


def test_the_dispatcher_builds_the_schedule_and_runs_it_backward_from_a_target_date(client, world, project):
    client.force_login(world.dispatcher)
    for name, days in (("设备安装", 3), ("供电线路架设", 4), ("送电调试", 2)):
        response = client.post(act(project, "add"), {"add-name": name, "add-duration_days": days,
                                                     "add-responsible_org": world.power_company.pk})
        assert response.status_code == 302
    nodes = {n.name: n for n in Node.objects.filter(project=project)}
    for pred, succ, lag in (("设备安装", "送电调试", 0), ("供电线路架设", "送电调试", 2)):
        response = client.post(act(project, "link"), {"link-predecessor": nodes[pred].pk,
                                                      "link-successor": nodes[succ].pk, "link-lag_days": lag})
        assert response.status_code == 302
    response = client.post(act(project, "schedule"), {"schedule-target_date": "2026-10-13"}, follow=True)
    assert response.status_code == 200
    assert "已按 2026-10-13 倒排工期" in response.content.decode()
    got = {n.name: (n.planned_start, n.planned_finish) for n in Node.objects.filter(project=project)}
    assert got == {
        "设备安装": (D(2026, 10, 8), D(2026, 10, 10)),
        "供电线路架设": (D(2026, 9, 28), D(2026, 10, 8)),
        "送电调试": (D(2026, 10, 12), D(2026, 10, 13)),
    }
    response = client.post(act(project, "actual"), {"actual-node": nodes["供电线路架设"].pk,
                                                    "actual-actual_start": "2026-09-17"})
    assert response.status_code == 302
    assert Node.objects.get(pk=nodes["供电线路架设"].pk).actual_start == D(2026, 9, 17)


def test_a_link_closing_a_cycle_comes_back_as_a_form_error_naming_the_nodes(client, world, project):
    a = node_add(project, name="用地预审", duration_days=2, actor=world.dispatcher)
    b = node_add(project, name="规划许可", duration_days=3, actor=world.dispatcher)
    node_link_add(a, b, actor=world.dispatcher)
    client.force_login(world.dispatcher)
    response = client.post(act(project, "link"), {"link-predecessor": b.pk, "link-successor": a.pk,
                                                  "link-lag_days": 0})
    assert response.status_code == 400
    body = response.content.decode()
    assert "循环依赖" in body and "用地预审" in body
    assert NodeLink.objects.count() == 1


def test_a_node_of_another_project_cannot_be_smuggled_into_a_form(client, world, project, shigu_project):
    foreign = node_add(shigu_project, name="外部节点", duration_days=1, actor=None)
    client.force_login(world.dispatcher)
    response = client.post(act(project, "remove"), {"remove-node": foreign.pk})
    assert response.status_code == 302
    assert Node.objects.filter(pk=foreign.pk).exists()


def test_removing_a_node_returns_to_the_page_it_came_from_when_safe(client, world, project):
    node = node_add(project, name="临时节点", duration_days=1, actor=world.dispatcher)
    client.force_login(world.dispatcher)
    response = client.post(act(project, "remove"), {"remove-node": node.pk, "next": "https://evil.example/"})
    assert response["Location"] == page(project)
    assert not Node.objects.filter(pk=node.pk).exists()


# --- the project page's section ------------------------------------------------------------------


def test_the_section_loads_its_own_nodes_and_lights_for_the_project_page(world, project):
    node_add(project, name="送电调试", duration_days=2, actor=world.dispatcher)
    node_schedule_backward(project, target_date=D(2026, 9, 22), actor=world.dispatcher)
    html = render_to_string("projects/_nodes_section.html", {"project": project, "user": world.dispatcher})
    assert "送电调试" in html and "2026-09-21" in html and "2026-09-22" in html
    assert 'data-light="yellow"' in html  # due within 5 working days
    assert page(project) in html


def test_the_schedule_page_costs_the_same_queries_for_three_nodes_or_thirty(client, world, project):
    client.force_login(world.dispatcher)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(project)).status_code == 200
        return len(queries)

    previous = None
    for index in range(30):
        node = node_add(project, name=f"节点{index}", duration_days=2, actor=world.dispatcher)
        if previous is not None:
            node_link_add(previous, node, actor=world.dispatcher)
        previous = node
        if index == 2:
            node_schedule_backward(project, target_date=D(2026, 12, 31), actor=world.dispatcher)
            few = count()
    node_schedule_backward(project, target_date=D(2026, 12, 31), actor=world.dispatcher)
    assert count() == few
