"""Enterprises: one service for every path, USCC checks, visibility and rights."""

import pytest
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Enterprise
from yancheng.core.services import enterprise_create, enterprise_update
from yancheng.lib.uscc import complete

GOOD = complete("91430426MA4LXE4T1")


def test_a_dispatcher_registers_an_enterprise_in_his_county_and_it_is_audited(world):
    enterprise = enterprise_create(uscc=GOOD, name="祁东测试有限公司", region=world.qidong, actor=world.dispatcher)
    assert enterprise.organisation.kind == "enterprise"
    event = AuditEvent.objects.filter(action="enterprise.create", object_id=str(enterprise.pk)).get()
    assert event.actor_id == world.dispatcher.pk
    assert event.after["uscc"] == GOOD


def test_a_county_dispatcher_cannot_register_an_enterprise_in_another_district(world):
    with pytest.raises(PermissionDeniedError):
        enterprise_create(uscc=GOOD, name="外区企业", region=world.shigu, actor=world.dispatcher)
    assert not Enterprise.objects.filter(uscc=GOOD).exists()


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        (GOOD[:17] + ("0" if GOOD[17] != "0" else "1"), "uscc_check_character"),
        (GOOD[:16], "uscc_length"),
        (GOOD[:5] + "O" + GOOD[6:], "uscc_forbidden_letter"),
    ],
)
def test_a_bad_code_is_refused_with_a_reason_and_nothing_is_written(world, code, error_code):
    before = Enterprise.objects.count()
    with pytest.raises(ValidationFailed) as info:
        enterprise_create(uscc=code, name="坏代码企业", region=world.qidong, actor=world.system_admin)
    assert info.value.code == error_code
    assert info.value.field == "uscc"
    assert Enterprise.objects.count() == before


def test_a_duplicate_code_is_refused(world):
    with pytest.raises(ConflictError) as info:
        enterprise_create(uscc=world.enterprise_a.uscc, name="重复", region=world.qidong, actor=world.system_admin)
    assert info.value.code == "uscc_duplicate"


@pytest.mark.parametrize("persona", ["enterprise_a_user", "handler_power", "inspector", "security_admin", "audit_admin"])
def test_roles_that_do_not_register_enterprises_are_refused(world, persona):
    with pytest.raises(PermissionDeniedError):
        enterprise_create(uscc=GOOD, name="不该创建", region=world.qidong, actor=getattr(world, persona))
    assert not Enterprise.objects.filter(uscc=GOOD).exists()
    assert AuditEvent.objects.filter(action="permission_denied", actor=getattr(world, persona)).exists()


def test_an_enterprise_user_may_change_only_address_and_representative_of_its_own(world):
    updated = enterprise_update(world.enterprise_a, address="祁东县新地址 1 号", actor=world.enterprise_a_user)
    assert updated.address == "祁东县新地址 1 号"
    with pytest.raises(PermissionDeniedError):
        enterprise_update(world.enterprise_a, grade="A", actor=world.enterprise_a_user)
    with pytest.raises(PermissionDeniedError):
        enterprise_update(world.enterprise_b, address="别人的地址", actor=world.enterprise_a_user)
    world.enterprise_b.refresh_from_db()
    assert world.enterprise_b.address == ""


def test_a_stale_version_is_a_conflict_and_changes_nothing(world):
    enterprise_update(world.enterprise_a, name="新名称有限公司", actor=world.system_admin)
    with pytest.raises(ConflictError):
        enterprise_update(world.enterprise_a, name="旧页面提交", expected_version=1, actor=world.system_admin)
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.name == "新名称有限公司"
    assert world.enterprise_a.organisation.name == "新名称有限公司"


def test_the_uscc_never_changes(world):
    with pytest.raises(ValidationFailed):
        enterprise_update(world.enterprise_a, uscc=GOOD, actor=world.system_admin)


# --- visibility ----------------------------------------------------------------------


def test_an_enterprise_user_sees_only_its_own_enterprise(world):
    assert list(Enterprise.objects.visible_to(world.enterprise_a_user)) == [world.enterprise_a]


def test_a_park_dispatcher_sees_the_parks_enterprises_only(world):
    assert list(Enterprise.objects.visible_to(world.dispatcher)) == [world.enterprise_a]


def test_a_county_department_sees_its_county_and_a_city_department_sees_all(world):
    assert list(Enterprise.objects.visible_to(world.handler_other)) == [world.enterprise_a]
    assert set(Enterprise.objects.visible_to(world.handler_power)) == {world.enterprise_a, world.enterprise_b}


@pytest.mark.parametrize("persona", ["security_admin", "audit_admin"])
def test_security_and_audit_administrators_read_no_business_data(world, persona):
    assert not Enterprise.objects.visible_to(getattr(world, persona)).exists()


# --- pages -------------------------------------------------------------------------------


def test_the_enterprise_page_of_another_enterprise_answers_404(client, world):
    client.force_login(world.enterprise_b_user)
    response = client.get(reverse("core:enterprise_detail", args=[world.enterprise_a.pk]))
    assert response.status_code == 404
    response = client.post(reverse("core:enterprise_edit", args=[world.enterprise_a.pk]), {"address": "x"})
    assert response.status_code == 404


def test_an_enterprise_user_going_to_the_list_lands_on_its_own_page(client, world):
    client.force_login(world.enterprise_a_user)
    response = client.get(reverse("core:enterprise_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:enterprise_detail", args=[world.enterprise_a.pk])


def test_the_create_form_shows_which_character_is_wrong(client, world):
    client.force_login(world.system_admin)
    bad = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")
    response = client.post(
        reverse("core:enterprise_create"), {"uscc": bad, "name": "表单企业", "region": world.qidong.pk, "grade": "B"}
    )
    assert response.status_code == 200
    assert f"第 18 位应为 {GOOD[17]}" in response.content.decode()
    assert not Enterprise.objects.filter(name="表单企业").exists()


def test_the_create_form_registers_an_enterprise(client, world):
    client.force_login(world.system_admin)
    response = client.post(
        reverse("core:enterprise_create"),
        {"uscc": GOOD.lower(), "name": "表单企业", "region": world.qidong.pk, "park": world.qidong_park.pk, "grade": "C"},
    )
    assert response.status_code == 302
    created = Enterprise.objects.get(uscc=GOOD)
    assert created.grade == "C" and created.park == world.qidong_park


def test_a_park_outside_the_region_is_refused_on_the_form(client, world):
    client.force_login(world.system_admin)
    response = client.post(
        reverse("core:enterprise_create"),
        {"uscc": GOOD, "name": "错园区企业", "region": world.shigu.pk, "park": world.qidong_park.pk, "grade": "B"},
    )
    assert response.status_code == 200
    assert not Enterprise.objects.filter(uscc=GOOD).exists()


def test_the_list_filters_and_exports_only_what_the_user_may_see(client, world):
    client.force_login(world.dispatcher)
    response = client.get(reverse("core:enterprise_list"))
    body = response.content.decode()
    assert world.enterprise_a.name in body and world.enterprise_b.name not in body
    export = client.get(reverse("core:enterprise_list"), {"format": "xlsx"})
    assert export.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == [world.enterprise_a.uscc]


def test_the_enterprise_list_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for index in range(30):
        enterprise_create(
            uscc=complete(f"91430426MA4Q{index:05d}"), name=f"批量企业{index:02d}", region=world.qidong, actor=None
        )
    client.force_login(world.handler_power)
    with django_assert_max_num_queries(14):  # 13, and the menu's check of the chains the user reads
        response = client.get(reverse("core:enterprise_list"))
    assert response.status_code == 200


def test_editing_keeps_a_date_the_form_did_not_touch(client, world):
    import datetime as dt

    enterprise_update(world.enterprise_a, srdi_tier="srdi", srdi_valid_until=dt.date(2028, 6, 30), actor=world.system_admin)
    client.force_login(world.system_admin)
    page = client.get(reverse("core:enterprise_edit", args=[world.enterprise_a.pk])).content.decode()
    # <input type=date> only understands ISO dates: a localised value would be dropped and lost on save.
    assert 'value="2028-06-30"' in page
