"""Archiving past the retention period (SPEC §2.4; 网络安全法 art. 23(3): ≥ 184 days):
export, cut at a signed checkpoint, and the rest of the chain still verifies."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from yancheng.core.audit.archive import ArchiveRefused, audit_archive
from yancheng.core.audit.chain import genesis_hash
from yancheng.core.audit.keys import load_keys
from yancheng.core.audit.models import AuditCheckpoint, AuditEvent
from yancheng.core.audit.services import audit_checkpoint_create, audit_record
from yancheng.core.audit.verify import CheckpointData, Problem, verify_chain, verify_events


@pytest.fixture
def aged_trail(db):
    """300 days ago: records 1-10 and a checkpoint at 10, then 11-15 unsigned; 250 days ago
    16-20 and a checkpoint at 20; today 21-25 and a checkpoint at 25."""
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=300), tick=False):
        for n in range(10):
            audit_record("test.old", after={"n": n})
        audit_checkpoint_create()
        for n in range(5):
            audit_record("test.old.unsigned", after={"n": n})
    with time_machine.travel(now - timedelta(days=250), tick=False):
        for n in range(5):
            audit_record("test.older", after={"n": n})
        audit_checkpoint_create()
    for n in range(5):
        audit_record("test.recent", after={"n": n})
    audit_checkpoint_create()
    return now


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_it_refuses_to_archive_records_within_the_retention_period(aged_trail, tmp_path):
    today = timezone.localdate()
    with pytest.raises(ArchiveRefused, match="184"):
        audit_archive(before=today - timedelta(days=183), out=tmp_path / "a.jsonl")
    with pytest.raises(CommandError):
        call_command("audit_archive", "--before", str(today - timedelta(days=30)), "--out", str(tmp_path / "a.jsonl"))
    assert not (tmp_path / "a.jsonl").exists()
    assert AuditEvent.objects.count() == 25


def test_a_longer_configured_retention_is_respected(aged_trail, tmp_path, settings):
    settings.YANCHENG_AUDIT_RETENTION_DAYS = 400
    with pytest.raises(ArchiveRefused):
        audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "a.jsonl")


def test_a_shorter_configured_retention_is_raised_to_184_days(aged_trail, tmp_path, settings):
    settings.YANCHENG_AUDIT_RETENTION_DAYS = 30
    with pytest.raises(ArchiveRefused):
        audit_archive(before=timezone.localdate() - timedelta(days=100), out=tmp_path / "a.jsonl")


def test_archiving_cuts_at_the_last_checkpoint_before_the_date_and_the_rest_verifies(aged_trail, tmp_path):
    out = tmp_path / "audit-2026.jsonl"
    result = audit_archive(before=timezone.localdate() - timedelta(days=280), out=out)
    assert (result.cut_seq, result.records, result.checkpoints) == (10, 10, 1)
    assert AuditEvent.objects.filter(seq__lte=10).count() == 0
    assert AuditEvent.objects.filter(seq__gt=10).count() == 16  # 11-25 and the archive's own record
    cut = AuditCheckpoint.objects.get(is_archive_cut=True)
    assert cut.seq == 10
    report = verify_chain()
    assert report.ok, report.summary()
    assert (report.start_seq, report.records) == (10, 16)


def test_the_archive_file_holds_the_records_with_their_hashes_and_verifies_on_its_own(aged_trail, tmp_path, settings):
    out = tmp_path / "audit.jsonl"
    result = audit_archive(before=timezone.localdate() - timedelta(days=200), out=out)
    assert result.cut_seq == 20
    lines = _lines(out)
    header, checkpoints, events = lines[0], [x for x in lines if x["type"] == "checkpoint"], [
        x for x in lines if x["type"] == "event"
    ]
    assert header["type"] == "archive" and (header["from_seq"], header["to_seq"]) == (1, 20)
    assert [e["seq"] for e in events] == list(range(1, 21))
    assert all(len(e["hash"]) == 64 and len(e["prev_hash"]) == 64 for e in events)
    report = verify_events(
        events,
        [
            CheckpointData(
                seq=c["seq"], hash=c["hash"], key_id=c["key_id"], signature=c["signature"],
                created_at=timezone.datetime.fromisoformat(c["created_at"]), is_archive_cut=c["is_archive_cut"],
            )
            for c in checkpoints
        ],
        genesis=genesis_hash(settings.YANCHENG_AUDIT_DEPLOYMENT_ID),
        deployment_id=settings.YANCHENG_AUDIT_DEPLOYMENT_ID,
        keys=load_keys().keys,
    )  # fmt: skip
    assert report.ok, report.summary()
    assert report.records == 20


def test_the_archive_operation_is_itself_audited(aged_trail, tmp_path):
    result = audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "a.jsonl")
    record = AuditEvent.objects.get(action="audit.archive")
    assert record.object_id == "20"
    assert record.after["records"] == 20
    assert record.after["sha256"] == result.sha256


def test_after_an_archive_the_tables_are_append_only_again(aged_trail, tmp_path):
    audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "a.jsonl")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")


def test_a_second_archive_continues_from_the_first_cut(aged_trail, tmp_path):
    audit_archive(before=timezone.localdate() - timedelta(days=280), out=tmp_path / "first.jsonl")
    second = audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "second.jsonl")
    assert (second.cut_seq, second.records) == (20, 10)
    events = [x for x in _lines(tmp_path / "second.jsonl") if x["type"] == "event"]
    first_cut_hash = [x for x in _lines(tmp_path / "first.jsonl") if x["type"] == "event"][-1]["hash"]
    assert events[0]["prev_hash"] == first_cut_hash
    assert list(AuditCheckpoint.objects.filter(is_archive_cut=True).values_list("seq", flat=True)) == [20]
    assert verify_chain().ok


def test_the_command_archives_and_reports(aged_trail, tmp_path):
    out = StringIO()
    before = (timezone.localdate() - timedelta(days=200)).isoformat()
    call_command("audit_archive", "--before", before, "--out", str(tmp_path / "a.jsonl"), stdout=out)
    assert "up to seq 20" in out.getvalue()
    assert AuditEvent.objects.get(action="audit.archive").after["operator"].startswith("cli:")
    verify_out = StringIO()
    call_command("audit_verify", stdout=verify_out)
    assert verify_out.getvalue().startswith("OK: ")


def test_it_refuses_to_archive_a_tampered_chain(aged_trail, tmp_path, tamper):
    tamper.edit_after(3, {"n": 99})
    with pytest.raises(ArchiveRefused, match="edited"):
        audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "a.jsonl")
    assert not (tmp_path / "a.jsonl").exists()
    assert not (tmp_path / "a.jsonl.partial").exists()


def test_it_refuses_to_overwrite_an_archive_file(aged_trail, tmp_path):
    (tmp_path / "a.jsonl").write_text("keep me")
    with pytest.raises(ArchiveRefused):
        audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "a.jsonl")
    assert (tmp_path / "a.jsonl").read_text() == "keep me"


def test_it_refuses_when_no_checkpoint_lies_before_the_date(db, tmp_path):
    with time_machine.travel(timezone.now() - timedelta(days=300), tick=False):
        audit_record("test.old")
    audit_record("test.recent")
    audit_checkpoint_create()
    with pytest.raises(ArchiveRefused, match="audit_checkpoint"):
        audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "a.jsonl")
    assert AuditEvent.objects.count() == 2


def test_deleting_the_first_record_after_the_cut_is_still_caught(aged_trail, tmp_path, tamper):
    audit_archive(before=timezone.localdate() - timedelta(days=280), out=tmp_path / "a.jsonl")
    tamper.delete_event(11)
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.MISSING, 11)
