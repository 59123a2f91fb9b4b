import pytest

from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import Role


@pytest.fixture
def world(shared_world):
    """Built once for the module: these tests only read it."""
    return shared_world


def test_the_world_has_a_persona_for_every_role_but_petition_chain_and_safety(world):
    roles = {u.role for u in world.users.values()}
    assert Role.ENTERPRISE in roles and Role.AUDIT_ADMIN in roles
    assert world.enterprise_a.park == world.qidong_park
    assert world.enterprise_a.organisation.kind == "enterprise"


def test_building_the_world_writes_an_audit_record_per_write(world):
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"region.create", "organisation.create", "enterprise.create", "user.create"} <= actions
