"""Rights come from roles and organisations, never from Django's permission rows."""

from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission

from yancheng.testing.world import PERSONA_PASSWORD


def test_a_permission_row_grants_nothing(world):
    handler = world.handler_power
    handler.user_permissions.add(Permission.objects.get(codename="add_enterprise"))
    handler = type(handler).objects.get(pk=handler.pk)
    assert not handler.has_perm("core.add_enterprise")


def test_passwords_still_authenticate(world, rf):
    assert authenticate(rf.post("/"), username="dispatcher", password=PERSONA_PASSWORD) == world.dispatcher
    assert authenticate(rf.post("/"), username="dispatcher", password="wrong") is None
