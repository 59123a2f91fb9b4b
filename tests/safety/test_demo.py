"""The safety demo (issue 14, "The demo"): on the demo city with the inspections demo, the
module's loader makes the registry, a year of checks on registered inspections, hazards in
every stage with two 重大隐患 under 督办 and a repeat, overdue ones escalated, three letters
missing, a coverage gap and last month's 通报 — and a login of every safety role whose home
lists its to-dos. Loaded once for the module, inside a transaction rolled back at the end."""

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from yancheng.cases.models import EscalationLevel
from yancheng.core.demo import DEMO_PASSWORD, demo_notes, load_hengyang_demo
from yancheng.core.models import User
from yancheng.inspections.demo import load_inspection_demo
from yancheng.inspections.models import Inspection
from yancheng.safety.demo import SHOWN, load_safety_demo
from yancheng.safety.models import Bulletin, CheckKind, Hazard, HazardLevel, HazardStage, SafetyCheck
from yancheng.safety.selectors_registry import gaps_visible_to, letters_missing


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                             YANCHENG_ATTACHMENT_ROOT=tmp_path_factory.mktemp("attachments"))
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        load_hengyang_demo(enterprise_count=60)
        load_inspection_demo()
        load_safety_demo()
        yield demo_notes()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo, db):
    return demo


def test_hazards_in_every_stage_two_major_under_supervision_with_notices_and_a_repeat(loaded):
    assert set(Hazard.objects.values_list("stage", flat=True)) == set(HazardStage.values)
    supervised = Hazard.objects.filter(supervised_at__isnull=False)
    assert supervised.count() == 2
    assert all(h.level == HazardLevel.MAJOR and h.stage == HazardStage.RECTIFYING for h in supervised)
    numbers = [h.notice_number for h in supervised]
    assert all("安督" in n for n in numbers) and len(set(numbers)) == 2
    assert all(h.situation_cause and h.plan_measures and h.plan_contingency for h in supervised)
    assert not Hazard.objects.filter(level=HazardLevel.MAJOR).exclude(pk__in=supervised).exists()
    assert Hazard.objects.filter(repeat_of__isnull=False).exists()


def test_overdue_hazards_climbed_the_ladder(loaded):
    assert Hazard.objects.filter(case__escalation_level__in=[
        EscalationLevel.PRESSED, EscalationLevel.SUPERVISED, EscalationLevel.REPORTED]).exists()


def test_the_demo_enterprise_has_its_own_hazard_to_rectify(loaded):
    qiye = User.objects.get(username="qiye")
    own = Hazard.objects.filter(enterprise__organisation_id=qiye.organisation_id)
    assert own.filter(stage=HazardStage.RECTIFYING, supervised_at__isnull=False).exists()


def test_a_year_of_checks_of_every_kind(loaded):
    today = timezone.localdate()
    kinds = set(SafetyCheck.objects.values_list("kind", flat=True))
    assert {CheckKind.DEPARTMENT, CheckKind.SELF, CheckKind.GRID, CheckKind.VERIFICATION} <= kinds
    first = SafetyCheck.objects.order_by("performed_on").first()
    assert first is not None and first.performed_on <= today - dt.timedelta(days=300)
    assert not SafetyCheck.objects.filter(performed_on__gte=today + dt.timedelta(days=1)).exists()


def test_department_checks_sit_on_registrations_through_the_code_by_their_inspector(loaded):
    checks = SafetyCheck.objects.filter(kind=CheckKind.DEPARTMENT)
    assert checks.count() > 10
    for check in checks:
        assert check.inspection_id is not None
        inspection = Inspection.objects.get(pk=check.inspection_id)
        assert inspection.found_by == "code" and inspection.code_id is not None
        assert inspection.department_id == check.organisation_id
        assert inspection.inspectors.filter(licence__user_id=check.performed_by_id).exists()
        assert timezone.localdate(inspection.started_at) == check.performed_on
    # one check per registration and system: a registration is never made twice for it
    assert checks.values("inspection_id", "system_id").distinct().count() == checks.count()


def test_three_letters_missing_a_coverage_gap_and_last_months_bulletin(loaded):
    office = User.objects.get(username="anweiban")
    assert letters_missing(office).count() == 3
    assert gaps_visible_to(office)
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    bulletin = Bulletin.objects.get(issuer_id=office.organisation_id, month=last_month)
    assert bulletin.number and bulletin.data


# What each login's home must show, with a non-zero count: (to-do key, exact count or None).
EXPECTED = {
    "anweiban": [("safety.hazards.major_open", 2), ("safety.letters_missing", 3), ("safety.tasks_overdue", None)],
    "anweiban_qd": [("safety.hazards.major_open", 1)],
    "anquanyuan": [("safety.tasks_this_month", None)],
    "anquanyuan2": [("safety.tasks_this_month", None)],
    "anquanyuan_xf": [("safety.tasks_this_month", None)],
    "wangge": [("safety.tasks_this_month", None)],
    "qiye": [("safety.hazards.to_rectify", 1)],
}


@pytest.mark.parametrize("username", SHOWN)
def test_every_demo_login_signs_in_and_its_home_lists_its_safety_to_dos(loaded, client, settings, username):
    settings.YANCHENG_TOTP_REQUIRED = False
    assert f"安全生产演示账号：{username}" in "\n".join(loaded)
    response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    todos = {t.key: t.count for t in home.context["todos"]}
    for key, count in EXPECTED[username]:
        assert todos.get(key), (username, key, todos)
        if count is not None:
            assert todos[key] == count, (username, key, todos)
    safety = {k: v for k, v in todos.items() if k.startswith("safety.")}
    assert sum(v or 0 for v in safety.values()) > 0


def test_the_department_officers_see_hazards_to_work_on(loaded):
    from yancheng.core.workbench import todos_for

    for username in ("anquanyuan", "anquanyuan_xf"):
        todos = {t.key: t.count for t in todos_for(User.objects.get(username=username))}
        hazards = sum(todos.get(f"safety.hazards.{k}") or 0 for k in ("to_accept", "to_verify", "overdue"))
        assert hazards > 0, (username, todos)


def test_running_it_again_adds_nothing(loaded):
    before = (Hazard.objects.count(), SafetyCheck.objects.count(), Bulletin.objects.count(), User.objects.count())
    load_safety_demo()
    after = (Hazard.objects.count(), SafetyCheck.objects.count(), Bulletin.objects.count(), User.objects.count())
    assert after == before
