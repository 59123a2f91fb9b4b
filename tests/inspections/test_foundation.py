"""Codes, the registry and the item list: the ground the registration stands on."""

import pytest

from yancheng.core.errors import ConflictError, PermissionDeniedError
from yancheng.inspections.models import SupervisionCode
from yancheng.inspections.services import code_issue, item_create, licence_register


def test_reissuing_a_code_revokes_the_old_one_at_once(iw):
    old = iw.code_a
    new = code_issue(iw.world.enterprise_a, actor=iw.world.enterprise_a_user)
    old.refresh_from_db()
    assert old.revoked_at is not None and new.revoked_at is None
    assert new.token != old.token
    assert SupervisionCode.objects.filter(enterprise=iw.world.enterprise_a, revoked_at__isnull=True).count() == 1


def test_an_enterprise_cannot_reissue_another_enterprises_code(iw):
    with pytest.raises(PermissionDeniedError):
        code_issue(iw.world.enterprise_b, actor=iw.world.enterprise_a_user)


def test_a_certificate_number_is_registered_once(iw):
    with pytest.raises(ConflictError):
        licence_register(department=iw.world.market_regulation, full_name="某人", certificate_no="43040012345",
                         actor=iw.world.clerk_market)


def test_only_the_departments_clerk_maintains_its_item_list(iw):
    with pytest.raises(PermissionDeniedError):
        item_create(department=iw.world.market_regulation, code="X", name="x", legal_basis="y",
                    actor=iw.world.inspector)
    with pytest.raises(PermissionDeniedError):
        item_create(department=iw.world.emergency_bureau, code="X", name="x", legal_basis="y",
                    actor=iw.world.clerk_market)
    item = item_create(department=iw.world.market_regulation, code="X", name="x", legal_basis="y",
                       actor=iw.world.clerk_market)
    assert not item.is_published
