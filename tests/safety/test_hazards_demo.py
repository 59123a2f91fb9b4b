"""The hazards demo: every stage, two 重大隐患 under 督办, a repeat, overdue ones escalated."""

from yancheng.cases.models import EscalationLevel, Light
from yancheng.safety.demo_hazards import load_hazards_demo
from yancheng.safety.models import Hazard, HazardStage
from yancheng.safety.selectors import annotate_hazard_lights


def test_the_demo_has_hazards_in_every_stage_and_runs_once(sw):
    made = load_hazards_demo()
    assert made == Hazard.objects.count() == 10
    assert {h.stage for h in Hazard.objects.all()} == set(HazardStage.values)
    assert Hazard.objects.filter(supervised_at__isnull=False).count() == 2
    assert Hazard.objects.filter(title__endswith="防护栏缺失", repeat_of__title__endswith="防护栏缺失").count() == 1
    lit = annotate_hazard_lights(Hazard.objects.filter(stage=HazardStage.RECTIFYING))
    assert lit.filter(light=Light.RED).exists()
    assert Hazard.objects.filter(case__escalation_level__in=[
        EscalationLevel.PRESSED, EscalationLevel.SUPERVISED, EscalationLevel.REPORTED]).exists()
    assert len({h.region_id for h in Hazard.objects.all()}) >= 2
    assert load_hazards_demo() == 0
