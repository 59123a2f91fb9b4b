"""The regions as .xlsx: every region; the counts only for those whose page shows them, and
only of what they may see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yancheng.core.models import Enterprise, Region
from yancheng.testing.exports import read_export


@pytest.fixture
def world(shared_world):
    return shared_world


def export_as(client, user):
    client.force_login(user)
    return client.get(reverse("core:region_list"), {"format": "xlsx"})


def test_the_regions_export_counts_what_the_user_may_see_as_numbers(client, world):
    client.force_login(world.dispatcher)
    page = client.get(reverse("core:region_list"))
    export = read_export(export_as(client, world.dispatcher), "行政区划")
    assert export.header == ("区划代码", "名称", "类型", "上级", "机构数", "企业数")
    assert export.column("区划代码") == [r.code for r in page.context["regions"]]
    counts = dict(zip(export.column("区划代码"), export.column("企业数"), strict=True))
    assert counts == {r.code: r.enterprise_count for r in page.context["regions"]}
    visible = Enterprise.objects.visible_to(world.dispatcher)
    assert sum(counts.values()) == visible.count() < Enterprise.objects.count()
    assert export.cell(0, "企业数").data_type == "n"


def test_an_enterprise_user_gets_the_regions_without_any_count(client, world):
    export = read_export(export_as(client, world.enterprise_a_user), "行政区划")
    assert export.header == ("区划代码", "名称", "类型", "上级")
    assert len(export.rows) == Region.objects.count()


def test_anonymous_visitors_get_no_export(client, world):
    response = client.get(reverse("core:region_list"), {"format": "xlsx"})
    assert response.status_code == 302 and "/login" in response["Location"]
