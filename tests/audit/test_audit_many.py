"""`audit_record_many` appends what `audit_record` would have appended, record by record:
the same fields and canonical form in one chain, the checkpoints that fall inside the batch
signed, and `yancheng audit verify` passes."""

from __future__ import annotations

from yancheng.core.audit.chain import HASHED_FIELDS
from yancheng.core.audit.models import AuditCheckpoint, AuditEvent
from yancheng.core.audit.services import ANONYMOUS, AuditEntry, audit_record, audit_record_many
from yancheng.core.audit.verify import verify_chain

CONTENT = [f for f in HASHED_FIELDS if f not in ("seq", "ts")]


def _content(event: AuditEvent) -> dict[str, object]:
    return {f: getattr(event, f) for f in CONTENT}


def test_each_record_is_the_one_audit_record_writes(world):
    calls = [
        ("enterprise.create", world.enterprise_a, {"after": {"n": 1, "when": "2026-03-02", "list": [1, "二"]}}),
        ("enterprise.update", world.enterprise_b, {"before": {"grade": "B"}, "after": {"grade": "A"}}),
        ("test.note", None, {"object_type": "x.y", "object_id": "7", "object_repr": "七", "outcome": "denied"}),
    ]
    singles = [audit_record(action, obj, actor=world.dispatcher, **kw) for action, obj, kw in calls]
    many = audit_record_many([AuditEntry(action, obj, **kw) for action, obj, kw in calls], actor=world.dispatcher)
    stored = [AuditEvent.objects.get(pk=e.pk) for e in [*singles, *many]]
    assert [_content(e) for e in stored[:3]] == [_content(e) for e in stored[3:]]
    assert [e.seq for e in stored] == list(range(stored[0].seq, stored[0].seq + 6))
    assert stored[3].prev_hash == stored[2].hash
    assert verify_chain().ok


def test_anonymous_records_name_nobody(world):
    [event] = audit_record_many([AuditEntry("rating.create", after={"score": 5})], actor=ANONYMOUS, ip="10.0.0.1")
    assert (event.actor_id, event.actor_repr, event.ip, event.request_id) == (None, "", "", "")


def test_nothing_to_append_writes_nothing(world):
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert audit_record_many([], actor=None) == []
    assert AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() == head


def test_checkpoints_inside_a_batch_are_signed_and_the_chain_verifies(world, settings):
    settings.YANCHENG_AUDIT_CHECKPOINT_EVERY = 7
    before = AuditCheckpoint.objects.count()
    events = audit_record_many([AuditEntry("test.bulk", after={"n": n}) for n in range(30)], actor=world.dispatcher)
    expected = [e.seq for e in events if e.seq % 7 == 0]
    assert len(expected) >= 4
    signed = AuditCheckpoint.objects.filter(seq__in=expected)
    assert sorted(signed.values_list("seq", flat=True)) == expected
    assert {c.seq: c.hash for c in signed} == {e.seq: e.hash for e in events if e.seq in expected}
    assert AuditCheckpoint.objects.count() == before + len(expected)
    report = verify_chain()
    assert report.ok and report.records == events[-1].seq
