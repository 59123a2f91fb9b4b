"""The kit's text rule: stripped, a required text refused when empty, and a text over its
field's limit refused with a message that names the limit — never cut. The places that
used to cut (projects) or had no limit (an inspection item's legal basis) now refuse."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.text import clean_text
from yancheng.inspections.models import InspectionItem
from yancheng.inspections.services import item_create
from yancheng.projects.models import Commitment, DailyFeedback, ObservationRound, Project, TaskForceMember
from yancheng.projects.services.registry import project_create, task_force_add
from yancheng.projects.services.reports import daily_feedback_save
from yancheng.projects.services.supervision import commitment_add, observation_round_create
from yancheng.testing.inspections import build_inspection_world


def test_it_strips_and_keeps_a_text_at_the_limit():
    assert clean_text("  十个字十个字十个字  \r\n", field="name", max_length=9) == "十个字十个字十个字"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "内容过长（最多 5 个字）。"), ("en", "Text too long (at most 5 characters).")],
)
def test_it_refuses_a_text_over_the_limit_and_names_the_limit(language, expected):
    with translation.override(language), pytest.raises(ValidationFailed) as refused:
        clean_text("六个字六个字", field="note", max_length=5)
    assert str(refused.value.message) == expected
    assert refused.value.field == "note"


def test_it_refuses_an_empty_required_text_with_its_message():
    with pytest.raises(ValidationFailed) as refused:
        clean_text("   ", field="name", max_length=10, required="请填写名称。")
    assert refused.value.message == "请填写名称。" and refused.value.field == "name"


def test_an_optional_text_may_be_empty():
    assert clean_text(None, field="note", max_length=10) == ""
    assert clean_text(" \n ", field="note", max_length=10) == ""


def _refused_over(limit, call):
    with pytest.raises(ValidationFailed) as refused:
        call("字" * (limit + 1))
    assert str(limit) in str(refused.value.message)
    return refused.value.field


def test_a_project_name_over_200_characters_is_refused_not_cut(world):
    field = _refused_over(200, lambda text: project_create(
        actor=None, name=text, region=world.qidong, park=world.qidong_park, total_investment=Decimal("1"),
        responsible_org=world.qidong_park,
    ))
    assert field == "name" and not Project.objects.exists()


def test_a_task_force_member_name_over_64_characters_is_refused_not_cut(world):
    project = project_create(actor=None, name="示例项目", region=world.qidong, park=world.qidong_park,
                             total_investment=Decimal("1"), responsible_org=world.qidong_park)
    field = _refused_over(64, lambda text: task_force_add(
        project, name=text, organisation=world.qidong_park, actor=None))
    assert field == "name" and not TaskForceMember.objects.exists()


def test_a_daily_feedback_over_5000_characters_is_refused_not_cut(world):
    project = project_create(actor=None, name="示例项目", region=world.qidong, park=world.qidong_park,
                             total_investment=Decimal("1"), responsible_org=world.qidong_park)
    field = _refused_over(5000, lambda text: daily_feedback_save(project, progress=text, actor=None))
    assert field == "progress" and not DailyFeedback.objects.exists()


def test_a_promise_over_255_characters_is_refused_not_cut(world):
    field = _refused_over(255, lambda text: commitment_add(
        organisation=world.qidong_park, year=2026, kind=Commitment.Kind.START_DATE, promise=text,
        promised_date=dt.date(2026, 4, 1), actor=None,
    ))
    assert field == "promise" and not Commitment.objects.exists()


def test_an_observation_title_over_128_characters_is_refused_not_cut(world):
    field = _refused_over(128, lambda text: observation_round_create(title=text, held_on=dt.date(2026, 3, 20), actor=None))
    assert field == "title" and not ObservationRound.objects.exists()


def test_an_inspection_items_legal_basis_over_2000_characters_is_refused(world):
    iw = build_inspection_world(world)
    field = _refused_over(2000, lambda text: item_create(
        department=iw.world.market_regulation, code="LONG", name="长依据", legal_basis=text,
        actor=iw.world.clerk_market,
    ))
    assert field == "legal_basis" and not InspectionItem.objects.filter(code="LONG").exists()
