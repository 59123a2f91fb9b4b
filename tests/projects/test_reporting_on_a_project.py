"""An enterprise reporting a problem picks 所涉项目 among its own registered projects, and
the case is linked to that project (it shows on the project page)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from yancheng.cases.models import Case
from yancheng.projects.services.registry import project_create

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def projects(world):
    own = project_create(name="祁东纸箱智能工厂", code="QD-1", region=world.qidong, park=world.qidong_park,
                         total_investment=Decimal("50000"), responsible_org=world.qidong_park,
                         enterprise=world.enterprise_a, actor=None)
    foreign = project_create(name="石鼓机械扩产", code="SG-1", region=world.shigu, total_investment=Decimal("8000"),
                             responsible_org=world.city_ndrc, enterprise=world.enterprise_b, actor=None)
    return own, foreign


def report(client, **fields):
    data = {"kind": "project_problem", "title": "高压专线未接入", "description": "专线尚未接入。", "urgency": "normal"}
    return client.post(reverse("cases:case_new"), data | fields)


@time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=False)
def test_the_enterprise_reports_on_one_of_its_projects_and_the_case_is_linked(client, world, projects):
    own, _foreign = projects
    client.force_login(world.enterprise_a_user)
    form = client.get(reverse("cases:case_new")).content.decode()
    assert f'<option value="project:{own.pk}">祁东纸箱智能工厂</option>' in form
    assert "石鼓机械扩产" not in form

    response = report(client, subject=f"project:{own.pk}")
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.subject_ref, case.subject) == (f"project:{own.pk}", "祁东纸箱智能工厂")

    client.force_login(world.dispatcher)
    page = client.get(reverse("projects:project_detail", args=[own.pk])).content.decode()
    assert case.number in page


@time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=False)
def test_another_enterprises_project_cannot_be_named(client, world, projects):
    _own, foreign = projects
    client.force_login(world.enterprise_a_user)
    response = report(client, subject=f"project:{foreign.pk}")
    assert response.status_code == 200 and not Case.objects.exists()
    assert report(client, subject="").status_code == 302
    assert Case.objects.get().subject_ref == ""
