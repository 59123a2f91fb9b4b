"""The case steps follow the one text rule (issue 11 §2): a text longer than its field is
refused with a message naming the limit, and nothing is written — a title is never cut
to 200 characters, a suspension reason never reaches the database at 256."""

import pytest
from django.utils import translation

from yancheng.cases import services as svc
from yancheng.cases.models import Case, CaseEvent, ExtensionRequest
from yancheng.core.errors import ValidationFailed


def test_a_title_over_200_characters_is_refused_not_cut(world):
    before = Case.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        svc.case_submit(actor=world.enterprise_a_user, title="长" * 201, description="说明")
    assert refused.value.field == "title"
    assert "200" in str(refused.value)
    assert Case.objects.count() == before
    case = svc.case_submit(actor=world.enterprise_a_user, title="长" * 200, description="说明")
    assert case.title == "长" * 200


def test_the_limit_is_named_in_english_too(world):
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        svc.case_submit(actor=world.enterprise_a_user, title="标题", description="述" * 10_001)
    assert refused.value.field == "description"
    message = str(refused.value)
    assert "10000" in message and "内容过长" not in message


@pytest.mark.parametrize(
    "step, field, limit",
    [
        ("suspend", "reason", 255),
        ("request_extension", "reason", 500),
        ("note", "note", 5_000),
        ("resolve", "resolution", 20_000),
    ],
)
def test_a_step_refuses_a_text_over_its_field_and_writes_nothing(world, accepted, step, field, limit):
    call = {
        "suspend": lambda text: svc.case_suspend(accepted, actor=world.handler_power, reason=text),
        "request_extension": lambda text: svc.case_request_extension(
            accepted, actor=world.handler_power, working_days=3, reason=text),
        "note": lambda text: svc.case_add_note(accepted, actor=world.handler_power, note=text),
        "resolve": lambda text: svc.case_resolve(accepted, actor=world.handler_power, resolution=text),
    }[step]
    events = CaseEvent.objects.filter(case_id=accepted.pk).count()
    with pytest.raises(ValidationFailed) as refused:
        call("字" * (limit + 1))
    assert refused.value.field == field
    assert str(limit) in str(refused.value)
    assert CaseEvent.objects.filter(case_id=accepted.pk).count() == events
    assert not ExtensionRequest.objects.filter(case_id=accepted.pk).exists()
    call("字" * limit)  # at the limit it goes through
    assert CaseEvent.objects.filter(case_id=accepted.pk).count() == events + 1
