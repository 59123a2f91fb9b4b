"""The back office speaks the site's words (issue 12 §2): no "---------" empty choice, no
"确保该变量包含不超过 N 字符", no label ending in an ASCII colon, on a Chinese admin page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yancheng.core.models import Organisation

STOCK = ("---------", "确保该变量包含不超过", ":</label>")


def zh(client, user):
    client.force_login(user)
    client.cookies.load({"django_language": "zh-hans"})
    return client


@pytest.mark.parametrize("url", [
    lambda w: reverse("admin:core_organisation_add"),
    lambda w: reverse("admin:core_enterprise_change", args=[w.enterprise_a.pk]),
    lambda w: reverse("admin:core_organisation_changelist"),
    lambda w: reverse("admin:core_holidayyear_add"),  # with its inline rows
])
def test_admin_pages_show_none_of_django_s_stock_wording(client, world, url):
    response = zh(client, world.system_admin).get(url(world), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    for stock in STOCK:
        assert stock not in html, stock
    if "changelist" not in response.resolver_match.url_name:
        assert "— 请选择 —" in html  # the empty choice, in our words


def test_a_name_too_long_is_refused_in_the_site_s_words(client, world):
    response = zh(client, world.system_admin).post(reverse("admin:core_organisation_add"), {
        "code": "too-long", "name": "长" * 129, "kind": "department", "region": world.city.pk, "is_active": "on",
    }, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert "内容过长（最多 128 个字）。" in html and "确保该变量包含不超过" not in html
    assert not Organisation.objects.filter(code="too-long").exists()
