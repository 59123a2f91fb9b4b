"""The leads pages in English: no Chinese left in their labels, headings and buttons (the data
— names of units, people, chains, nodes, leads and projects — stays as entered)."""

import pytest
from django.urls import reverse

from tests.chains.leads_world import make_lead, signed_lead
from tests.safety.test_english_pages import chinese_left
from yancheng.chains.models import Lead, LeadEvent, MapNode
from yancheng.chains.services.leads import lead_convert, lead_follow_up
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region, User
from yancheng.projects.models import Project

pytestmark = pytest.mark.django_db


def _data() -> set[str]:
    words: set[str] = set()
    for model, fields in [
        (Organisation, ["name"]), (Enterprise, ["name"]), (Region, ["name"]), (User, ["full_name"]),
        (IndustryChain, ["name"]), (MapNode, ["name"]), (Project, ["name", "code"]),
        (Lead, ["investor", "project_name", "next_step", "note", "dropped_reason", "number"]), (LeadEvent, ["text"]),
    ]:
        for row in model.objects.values_list(*fields):
            words.update(str(v) for v in row if v)
    return words


def test_the_leads_pages_in_english_have_no_chinese_labels(client, cw, settings):
    lead = make_lead(cw, next_step="拜访", next_step_on=None)
    lead_follow_up(lead, actor=cw.lianban, text="电话沟通")
    converted = signed_lead(cw, investor="江西铜业")
    lead_convert(converted, actor=cw.lianban, region=cw.shigu)
    code = cw.nonferrous.code
    pages = [
        (cw.lianban, reverse("chains:leads", args=[code])),
        (cw.lianban, reverse("chains:lead", args=[code, lead.pk])),
        (cw.lianban, reverse("chains:lead", args=[code, converted.pk])),
        (cw.lianban, reverse("chains:lead_add", args=[code])),
        (cw.lianban, reverse("chains:lead_convert", args=[code, signed_lead(cw).pk])),
        (cw.lianban, reverse("chains:gaps", args=[code])),
        (cw.lianban, reverse("chains:leads_import", args=[code])),
        (cw.handler_ndrc, reverse("chains:my_leads")),
    ]
    data = _data()
    found = {}
    for user, url in pages:
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.get(url)
        assert response.status_code == 200, url
        left = chinese_left(response.content.decode(), data)
        if left:
            found[url] = left
    assert not found, "\n".join(f"{url}: {left}" for url, left in found.items())
