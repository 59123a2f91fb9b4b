"""Reporting a hazard: where it goes, who may report what, and repeats."""

import datetime as dt

import pytest
import time_machine

from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.safety.models import Hazard, HazardLevel, HazardSource, HazardStage
from yancheng.safety.services.hazards import hazard_report


def report(sw, actor, **kwargs):
    fields = {"system": sw.industry, "level": HazardLevel.GENERAL, "title": "除尘器泄爆片缺失",
              "description": "3号车间除尘器泄爆片缺失", "enterprise": sw.enterprise_b, "item": sw.items["GM-03"]}
    fields.update(kwargs)
    return hazard_report(actor=actor, **fields)


def test_a_hazard_goes_to_the_department_that_covers_the_enterprise_in_its_region(sw):
    in_shigu = report(sw, sw.safety_emergency)
    in_qidong = report(sw, sw.world.users["enterprise_a"], enterprise=None)
    assert in_shigu.supervising_org == sw.emergency_bureau and in_shigu.source == HazardSource.DEPARTMENT
    assert in_qidong.enterprise == sw.enterprise_a and in_qidong.supervising_org == sw.qidong_emergency
    assert in_qidong.source == HazardSource.SELF_CHECK
    assert in_shigu.stage == HazardStage.REPORTED and in_shigu.number.startswith("YH")
    assert in_shigu.accept_due_at > in_shigu.reported_at


def test_where_nobody_covers_the_enterprise_the_leading_department_receives_it(sw):
    """消防 has no unit in 祁东县: enterprise A is a gap, so the fire brigade (leading) gets it."""
    hazard = report(sw, sw.world.users["enterprise_a"], system=sw.fire, item=sw.items["XF-01"], enterprise=None)
    assert hazard.supervising_org == sw.fire_brigade


def test_an_enterprise_reports_only_its_own_hazards(sw):
    with pytest.raises(PermissionDeniedError):
        report(sw, sw.world.users["enterprise_a"], enterprise=sw.enterprise_b)


@pytest.mark.parametrize("name", ["leader", "dispatcher", "handler_power", "supervisor", "system_admin"])
def test_roles_outside_safety_cannot_report(sw, name):
    with pytest.raises(PermissionDeniedError):
        report(sw, sw.world.users[name])


def test_an_item_of_another_system_is_refused(sw):
    with pytest.raises(ValidationFailed) as refused:
        report(sw, sw.safety_emergency, item=sw.items["XF-01"])
    assert refused.value.field == "item"


def test_the_same_item_of_the_same_enterprise_within_the_window_is_a_repeat(sw):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        first = report(sw, sw.safety_emergency)
    with time_machine.travel(dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC), tick=False):
        again = report(sw, sw.safety_emergency)
        other_item = report(sw, sw.safety_emergency, item=sw.items["GM-04"])
    with time_machine.travel(dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC), tick=False):
        much_later = report(sw, sw.safety_emergency)  # 104 days after the second: outside 90
    assert again.repeat_of == first
    assert other_item.repeat_of is None
    assert much_later.repeat_of is None


def test_the_public_reports_a_place_without_an_account(sw):
    hazard = report(sw, None, enterprise=None, region=sw.shigu, item=None, reporter_phone="13800000000")
    assert hazard.source == HazardSource.PUBLIC and hazard.reported_by is None
    assert hazard.supervising_org == sw.emergency_bureau
    assert Hazard.objects.get(pk=hazard.pk).reporter_phone.reveal() == "13800000000"


def test_a_reported_hazard_is_lit_by_its_acceptance_limit_and_the_filters_find_it(sw):
    from yancheng.cases.models import Light
    from yancheng.safety.selectors import annotate_hazard_lights, hazard_filters

    with time_machine.travel(dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC), tick=False):  # Monday 10:00
        hazard = report(sw, sw.safety_emergency)
    lit = annotate_hazard_lights(Hazard.objects.all(), now=dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC))
    assert lit.get(pk=hazard.pk).light == Light.GREEN
    late = annotate_hazard_lights(Hazard.objects.all(), now=dt.datetime(2026, 3, 4, 3, tzinfo=dt.UTC))
    assert late.get(pk=hazard.pk).light == Light.RED
    assert list(hazard_filters(late, {"light": "red", "region": "430400", "system": "industry"})) == [hazard]
    assert not hazard_filters(late, {"light": "green"}).exists()
    assert list(hazard_filters(late, {"month": "2026-03", "open": "1"})) == [hazard]
    assert not hazard_filters(late, {"month": "2026-04"}).exists()
    assert list(hazard_filters(late, {"month": "garbage", "enterprise": "x"})) == [hazard]
