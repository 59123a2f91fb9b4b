"""The registry's services: revisions on every change, retiring, only the city's 安委办 edits."""

import pytest

from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Organisation
from yancheng.safety.models import PostKind, SafetySystem, SystemCategory, SystemRevision
from yancheng.safety.services.registry import (
    duty_add,
    duty_deactivate,
    item_add,
    item_deactivate,
    item_update,
    person_add,
    person_deactivate,
    system_create,
    system_retire,
    system_update,
    unit_remove,
    unit_set,
)

pytestmark = pytest.mark.django_db


def test_the_test_world_is_built_through_the_services_with_revisions(sw):
    # create + 4 items + duty + 2 units for 工贸
    assert sw.industry.revisions.count() == 8
    latest = sw.industry.revisions.first()
    assert latest is not None and latest.number == 8
    assert [i["code"] for i in latest.snapshot["items"]] == ["GM-01", "GM-02", "GM-03", "GM-04"]
    assert {u["region"] for u in latest.snapshot["units"]} == {sw.world.shigu.code, sw.world.qidong.code}


def test_a_change_writes_a_dated_revision_with_the_new_snapshot_and_keeps_the_old(sw):
    before = sw.industry.revisions.count()
    version = sw.industry.version
    system = system_update(sw.industry, actor=sw.anweiban, expected_version=version, name="工贸安全责任制（修订）",
                           industry_codes="c31, C32；C31", summary="2026年修订")
    assert system.version == version + 1
    assert system.industry_codes == ["C31", "C32"]
    revision = system.revisions.first()
    assert revision is not None and revision.number == before + 1
    assert revision.summary == "2026年修订"
    assert revision.snapshot["name"] == "工贸安全责任制（修订）"
    assert revision.changed_by == sw.anweiban
    older = system.revisions.get(number=before)
    assert older.snapshot["name"] == "工贸行业安全生产责任制"


def test_an_update_with_nothing_changed_writes_no_revision(sw):
    before = sw.industry.revisions.count()
    system_update(sw.industry, actor=sw.anweiban, name=sw.industry.name)
    assert sw.industry.revisions.count() == before


def test_a_stale_version_is_refused(sw):
    with pytest.raises(ConflictError):
        system_update(sw.industry, actor=sw.anweiban, expected_version=sw.industry.version - 1, name="x")


def test_checklist_duty_and_unit_changes_are_revised(sw):
    n = sw.fire.revisions.count()
    item = item_add(sw.fire, actor=sw.anweiban, code="XF-03", text="电气线路敷设符合规范", is_major_criterion=True)
    item_update(item, actor=sw.anweiban, text="电气线路、燃气管路敷设符合规范")
    item_deactivate(item, actor=sw.anweiban)
    duty = duty_add(sw.fire, actor=sw.anweiban, level="county", text="每半年检查学校消防安全", frequency="half_yearly",
                    checks_enterprises=True)
    duty_deactivate(duty, actor=sw.anweiban)
    unit = unit_set(sw.fire, actor=sw.anweiban, region=sw.world.qidong, organisation=sw.qidong_emergency)
    unit_remove(unit, actor=sw.anweiban)
    assert sw.fire.revisions.count() == n + 7
    snapshots = list(sw.fire.revisions.order_by("number").values_list("snapshot", flat=True))
    assert snapshots[-1]["items"][-1] == {"code": "XF-03", "text": "电气线路、燃气管路敷设符合规范", "basis": "",
                                          "major": True, "active": False}
    assert any(u["region"] == sw.world.qidong.code for u in snapshots[-2]["units"])
    assert not any(u["region"] == sw.world.qidong.code for u in snapshots[-1]["units"])


def test_retiring_sets_the_date_and_freezes_the_system(sw):
    system = system_retire(sw.fire, actor=sw.anweiban, summary="并入新责任制")
    assert system.is_active is False and system.retired_on is not None
    revision = system.revisions.first()
    assert revision is not None and revision.snapshot["is_active"] is False
    assert revision.effective_on == system.retired_on
    with pytest.raises(ValidationFailed):
        system_update(system, actor=sw.anweiban, name="再改")
    with pytest.raises(ValidationFailed):
        item_add(system, actor=sw.anweiban, code="XF-09", text="x")
    with pytest.raises(ValidationFailed):
        system_retire(system, actor=sw.anweiban)
    assert SafetySystem.objects.active().filter(pk=system.pk).count() == 0


def test_bad_input_is_refused_with_a_message(sw):
    with pytest.raises(ValidationFailed) as exc:
        system_create(actor=sw.anweiban, code="Gas Safety", name="燃气", category="gas", leading_org=sw.fire_brigade)
    assert exc.value.field == "code"
    with pytest.raises(ValidationFailed) as exc:
        system_create(actor=sw.anweiban, code="gas", name="燃气", category="gas", leading_org=sw.fire_brigade,
                      industry_codes=["Z99"])
    assert exc.value.field == "industry_codes"
    with pytest.raises(ValidationFailed) as exc:
        system_create(actor=sw.anweiban, code="gas", name="燃气", category="nope", leading_org=sw.fire_brigade)
    assert exc.value.field == "category"
    with pytest.raises(ConflictError):
        system_create(actor=sw.anweiban, code="fire", name="消防2", category="fire", leading_org=sw.fire_brigade)
    with pytest.raises(ConflictError):
        item_add(sw.fire, actor=sw.anweiban, code="XF-01", text="重复")
    with pytest.raises(ValidationFailed) as exc:
        duty_add(sw.fire, actor=sw.anweiban, level="county", text="检查", checks_enterprises=True)
    assert exc.value.field == "frequency"
    enterprise_org = sw.world.enterprise_a.organisation
    with pytest.raises(ValidationFailed):
        unit_set(sw.fire, actor=sw.anweiban, region=sw.world.qidong, organisation=enterprise_org)


@pytest.mark.parametrize("persona", [
    "anweiban_qidong", "safety_emergency", "safety_fire", "grid_park", "leader", "inspector_emergency",
    "enterprise_a", "system_admin", "supervisor",
])
def test_only_the_city_office_edits_the_registry(sw, persona):
    user = sw.users.get(persona) or sw.world.users[persona]
    with pytest.raises(PermissionDeniedError):
        system_create(actor=user, code="gas", name="燃气", category=SystemCategory.GAS, leading_org=sw.fire_brigade)
    with pytest.raises(PermissionDeniedError):
        system_update(sw.fire, actor=user, name="改名")
    with pytest.raises(PermissionDeniedError):
        system_retire(sw.fire, actor=user)
    with pytest.raises(PermissionDeniedError):
        item_add(sw.fire, actor=user, code="XF-09", text="x")
    with pytest.raises(PermissionDeniedError):
        unit_set(sw.fire, actor=user, region=sw.world.qidong, organisation=sw.qidong_emergency)
    with pytest.raises(PermissionDeniedError):
        person_add(sw.fire, actor=user, region=sw.world.qidong, organisation=sw.qidong_emergency,
                   post=PostKind.DEPARTMENT_HEAD, name="某某")
    sw.fire.refresh_from_db()
    assert sw.fire.name == "消防安全责任制" and sw.fire.is_active
    assert SystemRevision.objects.filter(system=sw.fire, changed_by=user).count() == 0


def test_the_city_office_creates_a_system(sw):
    system = system_create(actor=sw.anweiban, code="gas", name="城镇燃气安全责任制", category=SystemCategory.GAS,
                           leading_org=sw.fire_brigade, co_orgs=[sw.world.emergency_bureau, sw.fire_brigade],
                           industry_codes=["D45", "H62"])
    assert list(system.co_orgs.all()) == [sw.world.emergency_bureau]
    revision = system.revisions.get()
    assert revision.number == 1 and revision.snapshot["industry_codes"] == ["D45", "H62"]


def test_responsible_persons_with_an_optional_account(sw):
    grid = person_add(sw.fire, actor=sw.anweiban, region=sw.world.qidong, organisation=sw.world.qidong_park,
                      post=PostKind.GRID, name="张三", title="网格员", user=sw.grid_park)
    assert grid.user == sw.grid_park
    with pytest.raises(ValidationFailed) as exc:  # an account of another unit
        person_add(sw.fire, actor=sw.anweiban, region=sw.world.qidong, organisation=sw.qidong_emergency,
                   post=PostKind.DEPARTMENT_HEAD, name="李四", user=sw.grid_park)
    assert exc.value.field == "user"
    with pytest.raises(ValidationFailed):
        person_add(sw.fire, actor=sw.anweiban, region=sw.world.qidong, organisation=sw.qidong_emergency,
                   post="boss", name="李四")
    person_deactivate(grid, actor=sw.anweiban)
    grid.refresh_from_db()
    assert grid.is_active is False
    assert Organisation.objects.filter(pk=sw.world.qidong_park.pk).exists()
