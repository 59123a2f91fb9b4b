"""The menu's one safety entry and the landing page: every page a role may open is linked,
each link opens, and who may open none has neither."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
HOME = reverse("safety:home")
PAGES = {
    "safety:registry_list", "safety:coverage", "safety:letter_list", "safety:check_task_list", "safety:check_list",
    "safety:hazard_list", "safety:statistics", "safety:bulletin_list",
}


def landing_links(client) -> set[str]:
    return set(re.findall(r'data-page="([^"]+)"', client.get(HOME).content.decode()))


def test_the_city_office_reaches_every_safety_page_from_the_menu(client, sw):
    client.force_login(sw.anweiban)
    home = client.get(reverse("core:home")).content.decode()
    assert f'href="{HOME}"' in home  # the menu's entry
    links = landing_links(client)
    assert {reverse(name) for name in PAGES} <= links
    for url in links:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("name", ["safety_emergency", "grid_park", "leader", "inspector", "enterprise_a"])
def test_each_role_s_landing_links_only_what_it_may_open(client, sw, name):
    user = sw.users[name] if name in sw.users else sw.world.users[name]
    client.force_login(user)
    links = landing_links(client)
    assert links
    for url in links:
        assert client.get(url).status_code == 200, (name, url)
    if name == "enterprise_a":
        assert reverse("safety:registry_list") not in links and reverse("safety:statistics") not in links
        assert reverse("safety:hazard_list") in links
    if name == "safety_emergency":
        assert reverse("safety:bulletin_list") not in links and reverse("safety:coverage") not in links


@pytest.mark.parametrize("name", ["dispatcher", "handler_power", "system_admin"])
def test_who_opens_no_safety_page_has_no_menu_entry_and_no_landing(client, sw, name):
    client.force_login(sw.world.users[name])
    assert f'href="{HOME}"' not in client.get(reverse("core:home")).content.decode()
    assert client.get(HOME).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, sw):
    assert client.get(HOME).status_code == 302
