import uuid
from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from yancheng.api.idempotency import idempotency_prune, request_fingerprint
from yancheng.api.models import IdempotencyRecord
from yancheng.core.models import Enterprise
from yancheng.lib.uscc import complete

LIST = "/api/v1/enterprises"


def payload(n=0, **extra):
    return {"uscc": complete(f"91430426MA4L3000{n}"), "name": f"幂等测试企业{n}", "region": "430426", **extra}


def key():
    return str(uuid.uuid4())


def test_a_retry_with_the_same_key_replays_the_first_answer_byte_for_byte(world, as_user):
    client = as_user("dispatcher")
    k = key()
    first = client.post(LIST, payload(), headers={"Idempotency-Key": k})
    second = client.post(LIST, payload(), headers={"Idempotency-Key": k})
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["ETag"] == first["ETag"] and second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert Enterprise.objects.filter(name="幂等测试企业0").count() == 1


def test_the_same_request_with_keys_reordered_is_still_the_same_request(world, as_user):
    client = as_user("dispatcher")
    k = key()
    body = payload()
    first = client.post(LIST, body, headers={"Idempotency-Key": k})
    second = client.post(LIST, dict(reversed(list(body.items()))), headers={"Idempotency-Key": k})
    assert second.content == first.content


def test_an_error_answer_is_replayed_too(world, as_user):
    client = as_user("dispatcher")
    k = key()
    first = client.post(LIST, payload(uscc=world.enterprise_a.uscc), headers={"Idempotency-Key": k})
    assert first.status_code == 409
    second = client.post(LIST, payload(uscc=world.enterprise_a.uscc), headers={"Idempotency-Key": k})
    assert second.status_code == 409 and second.content == first.content


def test_the_same_key_with_a_different_body_answers_422(world, as_user):
    client = as_user("dispatcher")
    k = key()
    assert client.post(LIST, payload(0), headers={"Idempotency-Key": k}).status_code == 201
    response = client.post(LIST, payload(1), headers={"Idempotency-Key": k})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert not Enterprise.objects.filter(name="幂等测试企业1").exists()


def test_the_same_key_while_the_first_request_runs_answers_409(world, as_user):
    client = as_user("dispatcher")
    k = key()
    # What a concurrent retry finds: the first request's reservation, not yet answered.
    running = RequestFactory().post(LIST, payload(), content_type="application/json")
    IdempotencyRecord.objects.create(
        user=world.users["dispatcher"], key=k, fingerprint=request_fingerprint(running), method="POST", path=LIST
    )
    response = client.post(LIST, payload(), headers={"Idempotency-Key": k})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_in_flight"
    assert response["Retry-After"] == "1"
    assert not Enterprise.objects.filter(name="幂等测试企业0").exists()


def test_an_abandoned_reservation_is_taken_over_after_ten_minutes(world, as_user):
    client = as_user("dispatcher")
    k = key()
    IdempotencyRecord.objects.create(
        user=world.users["dispatcher"], key=k, fingerprint="x" * 64, method="POST", path=LIST,
        created_at=timezone.now() - timedelta(minutes=11),
    )
    assert client.post(LIST, payload(), headers={"Idempotency-Key": k}).status_code == 201


def test_keys_are_scoped_to_the_user(world, as_user):
    k = key()
    first = as_user("dispatcher").post(LIST, payload(0), headers={"Idempotency-Key": k})
    other = as_user("system_admin").post(LIST, payload(1), headers={"Idempotency-Key": k})
    assert first.status_code == other.status_code == 201
    assert other.content != first.content
    assert "Idempotent-Replayed" not in other
    assert Enterprise.objects.filter(name__startswith="幂等测试企业").count() == 2


def test_a_request_refused_by_validation_is_not_stored(world, as_user):
    client = as_user("dispatcher")
    k = key()
    assert client.post(LIST, {"name": "缺少代码"}, headers={"Idempotency-Key": k}).status_code == 422
    assert not IdempotencyRecord.objects.filter(key=k).exists()


def test_an_anonymous_request_with_a_key_is_refused_and_not_stored(world, as_user):
    response = as_user(None).post(LIST, payload(), headers={"Idempotency-Key": key()})
    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_a_key_longer_than_255_characters_answers_400(world, as_user):
    response = as_user("dispatcher").post(LIST, payload(), headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_invalid"
    assert as_user("dispatcher").post(LIST, payload(), headers={"Idempotency-Key": "k" * 255}).status_code == 201


def test_requests_without_a_key_are_not_stored(world, as_user):
    assert as_user("dispatcher").post(LIST, payload()).status_code == 201
    assert not IdempotencyRecord.objects.exists()


def test_records_are_pruned_after_24_hours(world, as_user):
    client = as_user("dispatcher")
    k = key()
    client.post(LIST, payload(), headers={"Idempotency-Key": k})
    assert idempotency_prune() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        assert idempotency_prune() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        call_command("api_prune_idempotency")
    assert not IdempotencyRecord.objects.filter(key=k).exists()
