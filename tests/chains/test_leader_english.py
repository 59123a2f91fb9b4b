"""The 链长's pages in English: no Chinese left in their labels (the data stays as entered)."""

import pytest
from django.urls import reverse

from tests.chains.leader_world import build_leader
from tests.chains.problems_world import build_problems
from tests.safety.test_english_pages import chinese_left
from yancheng.cases.models import Case
from yancheng.chains.models import ChainProfile, ChainTarget, Lead, MapNode
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region, User
from yancheng.projects.models import Project

pytestmark = pytest.mark.django_db


def _data() -> set[str]:
    words: set[str] = set()
    for model, fields in [
        (Organisation, ["name"]), (Enterprise, ["name"]), (Region, ["name"]), (User, ["full_name"]),
        (IndustryChain, ["name"]), (MapNode, ["name"]), (Project, ["name", "code"]), (Case, ["title", "number"]),
        (Lead, ["investor", "project_name", "number"]), (ChainTarget, ["name", "unit"]),
        (ChainProfile, ["industry_group"]),
    ]:
        for row in model.objects.values_list(*fields):
            words.update(str(v) for v in row if v)
    words.add("Lead enterprises (链主)")  # the registry's own label keeps the Chinese term beside it
    return words


def test_the_leaders_pages_in_english_have_no_chinese_labels(client, cw, settings):
    build_problems(cw)
    build_leader(cw)
    pages = [reverse("chains:overview"), reverse("chains:chain", args=["nonferrous"]),
             reverse("chains:report", args=["nonferrous"])]
    data = _data()
    found = {}
    client.force_login(cw.chain_leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        left = chinese_left(response.content.decode(), data)
        if left:
            found[url] = left
    assert not found, "\n".join(f"{url}: {left}" for url, left in found.items())
