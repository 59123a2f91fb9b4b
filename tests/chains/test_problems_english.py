"""The projects, problems and meeting pages in English: no Chinese left outside the data."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.chains.problems_world import build_problems
from tests.safety.test_english_pages import chinese_left

pytestmark = pytest.mark.django_db


def _data_words() -> set[str]:
    from yancheng.cases.models import Case
    from yancheng.chains.models import ChainAgendaItem, ChainDecision, ChainMeeting, MapNode
    from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region, User
    from yancheng.projects.models import Project

    words: set[str] = set()
    for model, fields in [
        (Organisation, ["name"]), (Enterprise, ["name"]), (Region, ["name"]), (User, ["full_name"]),
        (IndustryChain, ["name"]), (Case, ["title", "subject", "description"]), (Project, ["name"]),
        (ChainMeeting, ["title", "minutes"]), (ChainAgendaItem, ["title", "detail", "responsible"]),
        (ChainDecision, ["text"]), (MapNode, ["name"]),
    ]:
        for row in model.objects.values_list(*fields):
            words.update(str(v) for v in row if v)
    return words


def test_the_pages_in_english_have_no_chinese_labels(client, cw, settings):
    from yancheng.chains.services import meetings as svc

    build_problems(cw)
    meeting = svc.meeting_create(cw.nonferrous, actor=None, title="链长办公会", held_on=timezone.localdate())
    svc.agenda_build(meeting, actor=None)
    svc.decision_add(meeting, actor=None, text="协调用电", lead_org=cw.world.city_ndrc)
    svc.meeting_close(meeting, actor=None)
    open_meeting = svc.meeting_create(cw.nonferrous, actor=None, title="第二次会议", held_on=timezone.localdate())
    data = _data_words()
    urls = [reverse("chains:projects", args=["nonferrous"]), reverse("chains:problems", args=["nonferrous"]),
            reverse("chains:problem_raise", args=["nonferrous"]), reverse("chains:meetings", args=["nonferrous"]),
            reverse("chains:meeting_create", args=["nonferrous"]),
            reverse("chains:meeting", args=["nonferrous", meeting.pk]),
            reverse("chains:meeting", args=["nonferrous", open_meeting.pk])]
    client.force_login(cw.lianban)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        left = chinese_left(response.content.decode(), data)
        if left:
            found[url] = left
    assert not found, "\n".join(f"{url}: {left}" for url, left in found.items())
