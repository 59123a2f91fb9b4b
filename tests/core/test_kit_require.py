"""The kit's audited permission check: a refusal is written to the audit trail and stops
the service; the system itself (no actor) is never refused."""

import pytest
from django.core.exceptions import PermissionDenied

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import PermissionDeniedError
from yancheng.core.kit.require import require, require_page
from yancheng.core.models import Region
from yancheng.core.services import region_upsert


def test_a_refusal_writes_its_audit_record_and_raises(world):
    with pytest.raises(PermissionDeniedError) as refused:
        require(world.dispatcher, "core.manage_organisations", world.qidong)
    assert str(refused.value.message) == "您没有执行此操作的权限。"
    event = AuditEvent.objects.get(action="permission_denied")
    assert event.actor_id == world.dispatcher.pk
    assert event.outcome == AuditEvent.Outcome.DENIED
    assert event.after == {"perm": "core.manage_organisations"}
    assert event.object_id == str(world.qidong.pk)


def test_an_allowed_actor_and_the_system_pass_without_a_record(world):
    require(world.system_admin, "core.manage_organisations")
    require(None, "core.manage_organisations")
    assert not AuditEvent.objects.filter(action="permission_denied").exists()


def test_a_service_refused_by_require_keeps_the_record_and_writes_nothing(world):
    with pytest.raises(PermissionDeniedError):
        region_upsert(code="430499", name="测试区", kind="district", parent=world.city, actor=world.enterprise_a_user)
    assert not Region.objects.filter(code="430499").exists()
    event = AuditEvent.objects.get(action="permission_denied")
    assert event.actor_id == world.enterprise_a_user.pk and event.after == {"perm": "core.manage_organisations"}


def test_the_services_have_no_copy_of_the_check_left():
    from yancheng.core import services as core_services
    from yancheng.inspections import services as inspection_services
    from yancheng.projects.services import common as project_common

    assert not hasattr(core_services, "_require")
    assert not hasattr(project_common, "_require")
    assert inspection_services.require is require


def test_a_pages_check_answers_403_without_an_audit_record(world, rf):
    request = rf.get("/")
    request.user = world.dispatcher
    with pytest.raises(PermissionDenied):
        require_page(request, "core.manage_organisations")
    request.user = world.system_admin
    require_page(request, "core.manage_organisations")
    assert not AuditEvent.objects.filter(action="permission_denied").exists()
