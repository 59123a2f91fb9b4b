"""A matter registered as urgent is reported to the leaders on duty at once (第二十五条)."""

import pytest

from yancheng.core.notifications.models import Notification
from yancheng.petitions.models import PetitionEvent
from yancheng.testing.petitions import register

pytestmark = pytest.mark.django_db


def test_registering_an_urgent_matter_tells_the_city_leader(pw):
    petition = register(pw, is_urgent=True).petition
    told = Notification.objects.filter(recipient=pw.world.leader, object_id=str(petition.pk))
    assert told.count() == 1
    assert petition.number in told.get().title
    assert "张三" not in told.get().title + told.get().body  # nothing personal
    assert PetitionEvent.objects.filter(petition=petition, action="urgent_report").exists()


def test_an_ordinary_matter_tells_no_leader(pw):
    petition = register(pw).petition
    assert not Notification.objects.filter(recipient=pw.world.leader, object_id=str(petition.pk)).exists()
