"""The petitions module's foundation: registration (one record, petitioners encrypted, the ID
number checked and its digest linking the same person), the 查询码, numbering, classification,
and the visibility rule that withholds a 检举控告 from the organ complained about."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.petitions import querycode
from yancheng.petitions.intake import PetitionerInput, petition_classify
from yancheng.petitions.models import Petition, Petitioner, Stage
from yancheng.testing.petitions import ID_NUMBERS, register

pytestmark = pytest.mark.django_db


def test_register_keeps_one_record_with_encrypted_petitioners(pw):
    registered = register(pw)
    petition = registered.petition
    assert petition.number.startswith(f"XF{timezone.localdate().year}-")
    assert petition.stage == Stage.REGISTERED
    assert petition.transfer_due_at is not None
    person = Petitioner.objects.get(petition=petition)
    assert person.name.reveal() == "张三"
    assert person.id_number.reveal() == ID_NUMBERS[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number, phone, address FROM petitions_petitioner WHERE id = %s", [person.pk])
        stored = cursor.fetchone()
    for column, plain in zip(stored, ("张三", ID_NUMBERS[0], "13807340001", "人民路"), strict=True):
        assert plain not in column  # ciphertext at rest
    assert str(person.name) != "张三"  # lists show the mask


def test_transfer_deadline_is_fifteen_natural_days(pw):
    petition = register(pw).petition
    registered_day = timezone.localdate(petition.registered_at)
    due_day = timezone.localdate(petition.transfer_due_at - dt.timedelta(microseconds=1))
    assert due_day >= registered_day + dt.timedelta(days=15)
    assert (due_day - registered_day).days <= 15 + 9  # at most the longest holiday run later


def test_query_code_is_random_long_and_only_its_digest_is_stored(pw):
    first, second = register(pw), register(pw, petitioners=[PetitionerInput("李四")])
    assert len(first.query_code) >= 12
    assert first.query_code != second.query_code
    assert set(first.query_code) <= set(querycode.ALPHABET)
    stored = Petition.objects.get(pk=first.petition.pk).query_code_digest
    assert first.query_code not in stored
    assert stored == querycode.digest(querycode.display(first.query_code).lower())


def test_a_wrong_id_number_is_refused_with_its_reason(pw):
    with pytest.raises(ValidationFailed) as refused:
        register(pw, petitioners=[PetitionerInput("张三", ID_NUMBERS[0][:-1] + "9")])
    assert "身份证号码有误" in refused.value.message
    assert not Petition.objects.exists()


def test_only_an_accusation_may_be_anonymous(pw):
    with pytest.raises(ValidationFailed):
        register(pw, petitioners=[])
    anonymous = register(pw, petitioners=[], petition_type="accusation", claim_route="")
    assert anonymous.petition.petitioners.count() == 0


def test_a_group_visit_names_at_most_five_representatives(pw):
    people = [PetitionerInput(f"代表{i}", is_representative=True) for i in range(6)]
    with pytest.raises(ValidationFailed) as refused:
        register(pw, petitioners=people, is_group=True, head_count=30, channel="visit")
    assert "第二十条" in refused.value.message
    ok = register(pw, petitioners=people[:5], is_group=True, head_count=30, channel="visit")
    assert ok.petition.head_count == 30


def test_same_person_is_linked_and_a_running_matter_is_flagged(pw):
    first = register(pw).petition
    again = register(pw, petitioners=[PetitionerInput("张三", ID_NUMBERS[0].lower())]).petition
    assert again.earlier_id == first.pk
    assert again.duplicate_of_id == first.pk  # still within its time limit: 重复信访
    assert again.stage == Stage.NOT_ACCEPTED
    other_person = register(pw, petitioners=[PetitionerInput("王五", ID_NUMBERS[1])]).petition
    assert other_person.earlier_id is None and other_person.duplicate_of_id is None


def test_a_new_filing_after_final_is_flagged(pw):
    first = register(pw).petition
    Petition.objects.filter(pk=first.pk).update(stage=Stage.FINAL)
    again = register(pw).petition
    assert again.after_final is True
    assert again.duplicate_of_id is None


def test_classification_needs_a_route_for_claims_and_the_office(pw):
    petition = register(pw, petition_type="", claim_route="").petition
    with pytest.raises(ValidationFailed):
        petition_classify(petition, actor=pw.xinfang, petition_type="claim")
    with pytest.raises(PermissionDeniedError):
        petition_classify(petition, actor=pw.handler_housing, petition_type="suggestion")
    petition_classify(petition, actor=pw.xinfang, petition_type="claim", claim_route="litigation",
                      expected_version=petition.version)
    petition.refresh_from_db()
    assert (petition.petition_type, petition.claim_route) == ("claim", "litigation")
    with pytest.raises(ConflictError):
        petition_classify(petition, actor=pw.xinfang, petition_type="suggestion", expected_version=1)


def test_only_petition_staff_register(pw):
    with pytest.raises(PermissionDeniedError):
        register(pw, actor=pw.handler_housing)
    assert not Petition.objects.exists()


def test_an_accusation_is_withheld_from_the_organ_complained_about(pw):
    accusation = register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing).petition
    Petition.objects.filter(pk=accusation.pk).update(handling_org=pw.housing)  # even if sent there by mistake
    for user in (pw.handler_housing, pw.head_housing, pw.handler_housing_office, pw.supervisor_housing):
        assert not Petition.objects.visible_to(user).filter(pk=accusation.pk).exists(), user.username
    assert Petition.objects.visible_to(pw.xinfang).filter(pk=accusation.pk).exists()
    claim = register(pw, respondent_org=pw.housing, petitioners=[PetitionerInput("赵六")]).petition
    Petition.objects.filter(pk=claim.pk).update(handling_org=pw.housing)
    assert Petition.objects.visible_to(pw.handler_housing).filter(pk=claim.pk).exists()


def test_county_bureau_sees_its_region_only(pw):
    city_matter = register(pw).petition
    county_matter = register(pw, region=pw.world.qidong, petitioners=[PetitionerInput("钱七")]).petition
    visible = set(Petition.objects.visible_to(pw.xinfang_qidong).values_list("pk", flat=True))
    assert county_matter.pk in visible and city_matter.pk not in visible
    assert not Petition.objects.visible_to(pw.world.enterprise_a_user).exists()
    assert not Petition.objects.visible_to(pw.audit_admin).exists()
