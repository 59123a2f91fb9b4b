"""The chain's tail is tamper-evident (issue 10 §3; SPEC §2.4): every checkpoint is also
written outside the database, and `yancheng audit verify` holds the database to those
anchors. Written from the side of someone who can rewrite the database (triggers off, rows
deleted, the chain recomputed, the database's own checkpoints deleted) but not the anchor
file on its other volume nor the key."""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from yancheng.core.audit.anchors import read_anchors
from yancheng.core.audit.chain import event_hash, fields_of
from yancheng.core.audit.keys import load_keys
from yancheng.core.audit.models import AuditCheckpoint, AuditEvent
from yancheng.core.audit.services import audit_checkpoint_create, audit_record
from yancheng.core.audit.verify import CheckpointData, Problem, signature_ok, verify_chain

from .conftest import triggers_off


@pytest.fixture
def anchor_file(settings, tmp_path):
    path = tmp_path / "other-volume" / "audit-anchors.jsonl"
    settings.YANCHENG_AUDIT_ANCHOR_FILE = str(path)
    settings.YANCHENG_AUDIT_CHECKPOINT_SECONDS = 60
    settings.YANCHENG_AUDIT_UNANCHORED_GRACE_SECONDS = 120
    return path


@pytest.fixture
def checkpoint(django_capture_on_commit_callbacks):
    """Take a checkpoint as the periodic job does: committed, so its anchor is written."""

    def take() -> AuditCheckpoint:
        with django_capture_on_commit_callbacks(execute=True):
            made = audit_checkpoint_create()
        assert made is not None
        return made

    return take


@pytest.fixture
def trail(db, anchor_file, checkpoint):
    """Records 1-5, checkpoint 5; 6-10, checkpoint 10; 11-13, checkpoint 13 (all anchored);
    then 14-15, young and not yet signed."""
    for block, upto in enumerate((5, 10, 13)):
        while AuditEvent.objects.count() < upto:
            audit_record("test.note", after={"block": block})
        checkpoint()
    audit_record("test.young", after={"n": 1})
    audit_record("test.young", after={"n": 2})
    return anchor_file


def _delete_checkpoints_from(seq: int) -> None:
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditcheckpoint WHERE seq >= %s", [seq])


def _delete_events_from(seq: int) -> None:
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq >= %s", [seq])


def _append_chained(count: int, *, ts) -> None:
    """Rows an attacker adds behind the application's back, correctly chained onto the head."""
    head = AuditEvent.objects.order_by("-seq").first()
    assert head is not None
    prev, seq = head.hash, head.seq
    for n in range(count):
        seq += 1
        event = AuditEvent(
            seq=seq, ts=ts, action="test.forged", after={"n": n}, actor_repr="", organisation_repr="",
            object_type="", object_id="", object_repr="", ip="", request_id="", outcome="success",
        )  # fmt: skip
        event.prev_hash = prev
        event.hash = prev = event_hash(prev, fields_of(event))
        event.save(force_insert=True)


def _rechain_from(seq: int) -> None:
    events = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditEvent.objects.values_list("hash", flat=True).get(seq=seq - 1)
    with triggers_off() as cursor:
        # Placeholders first: UNIQUE(prev_hash) must hold after every single statement.
        cursor.execute("UPDATE audit_auditevent SET prev_hash = 'tmp' || CAST(seq AS TEXT) WHERE seq >= %s", [seq])
        for event in events:
            new_hash = event_hash(prev, fields_of(event))
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, new_hash, event.seq]
            )
            prev = new_hash


def _verify_command() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue().strip()


# --- writing the anchors ---------------------------------------------------------------------


def test_every_checkpoint_is_appended_to_the_anchor_file_with_its_signature(trail, settings):
    lines = [json.loads(line) for line in trail.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [5, 10, 13]
    keys = load_keys().keys
    for line in lines:
        stored = AuditCheckpoint.objects.get(seq=line["seq"])
        assert (line["hash"], line["signature"]) == (stored.hash, stored.signature)
        data = CheckpointData(
            seq=line["seq"], hash=line["hash"], key_id=line["key_id"], signature=line["signature"],
            created_at=timezone.datetime.fromisoformat(line["created_at"]), is_archive_cut=line["is_archive_cut"],
        )  # fmt: skip
        assert signature_ok(data, keys=keys, deployment_id=settings.YANCHENG_AUDIT_DEPLOYMENT_ID)


def test_the_anchor_file_is_only_ever_appended_to(trail, checkpoint):
    before = trail.read_bytes()
    audit_record("test.more")
    checkpoint()
    after = trail.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1


def test_each_anchor_is_also_one_structured_log_line(db, anchor_file, checkpoint, caplog):
    audit_record("test.logged")
    with caplog.at_level(logging.INFO, logger="yancheng.audit.anchor"):
        made = checkpoint()
    lines = [r for r in caplog.records if r.name == "yancheng.audit.anchor"]
    assert len(lines) == 1
    assert lines[0].audit_anchor["seq"] == made.seq
    assert json.loads(lines[0].getMessage().removeprefix("audit anchor "))["signature"] == made.signature


def test_a_rolled_back_checkpoint_leaves_no_anchor(db, anchor_file, django_capture_on_commit_callbacks):
    audit_record("test.note")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        audit_checkpoint_create()
        raise RuntimeError("the business write failed")
    assert not anchor_file.exists()


def test_an_untouched_anchored_trail_verifies(trail):
    report = verify_chain()
    assert report.ok, report.summary()
    assert (report.anchors, report.unanchored) == (3, 2)
    assert _verify_command().startswith("OK: 15 records, 3 checkpoints, 3 anchors")


# --- the tail, tampered with -------------------------------------------------------------------


def test_a_tail_cut_with_its_checkpoint_is_caught_by_the_anchor(trail):
    """The attacker cuts records 11-15 and the database's checkpoint at 13: the last
    checkpoint left in the database (10) matches, but the anchor at 13 does not exist."""
    _delete_checkpoints_from(11)
    _delete_events_from(11)
    report = verify_chain()
    assert (report.problem, report.problem_seq, report.problem_seq_end) == (Problem.TRUNCATED, 11, 13)
    with pytest.raises(CommandError, match=r"FAILED at seq 11\.\.13: truncated") as excinfo:
        _verify_command()
    assert excinfo.value.returncode == 1


def test_a_deeper_cut_with_every_later_checkpoint_is_caught_too(trail):
    _delete_checkpoints_from(6)
    _delete_events_from(8)
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.TRUNCATED, 8)


def test_a_recomputed_tail_is_caught_by_the_anchor(trail, tamper):
    _delete_checkpoints_from(11)
    tamper.edit_after(12, {"forged": True})
    _rechain_from(12)
    report = verify_chain()
    assert (report.problem, report.problem_seq, report.problem_seq_end) == (Problem.RECHAINED, 11, 13)


def test_a_swap_in_the_tail_is_caught(trail, tamper):
    tamper.swap(11, 12)
    assert verify_chain().problem == Problem.REORDERED
    _delete_checkpoints_from(11)
    _rechain_from(11)
    report = verify_chain()
    assert (report.problem, report.problem_seq_end) == (Problem.RECHAINED, 13)


def test_an_edit_and_a_deletion_in_the_tail_are_named(trail, tamper):
    tamper.edit_after(14, {"n": 99})
    assert (verify_chain().problem, verify_chain().problem_seq) == (Problem.EDITED, 14)


def test_a_deleted_tail_record_is_named(trail, tamper):
    tamper.delete_event(12)
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.MISSING, 12)


def test_a_forged_row_in_place_of_a_tail_record_is_caught(trail, tamper):
    """A record deleted and a forged one, correctly chained, put in its place."""
    _delete_checkpoints_from(11)
    _delete_events_from(12)
    _append_chained(4, ts=timezone.now())
    report = verify_chain()
    assert (report.problem, report.problem_seq_end) == (Problem.RECHAINED, 13)


def test_correctly_chained_rows_appended_after_the_last_checkpoint_are_reported(trail):
    _append_chained(3, ts=timezone.now() - timedelta(minutes=30))
    report = verify_chain()
    assert (report.problem, report.problem_seq, report.problem_seq_end) == (Problem.UNANCHORED, 14, 18)
    with pytest.raises(CommandError, match="unanchored"):
        _verify_command()


def test_a_tail_left_unsigned_past_the_interval_is_reported(trail):
    """Records the checkpoint job never signed (it stopped, or someone appended them when it
    was stopped): reported once they are older than the grace."""
    assert verify_chain().ok
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.UNANCHORED, 14)


def test_a_checkpoint_deleted_from_the_database_is_reported(trail):
    _delete_checkpoints_from(10)  # 10 and 13; the chain itself is intact
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.CHECKPOINT_MISSING, 10)


def test_a_forged_anchor_line_is_rejected(trail, settings):
    line = json.loads(trail.read_text().splitlines()[-1])
    line.update(seq=15, hash=AuditEvent.objects.get(seq=15).hash, signature="0" * 64)
    with trail.open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.BAD_SIGNATURE, 15)


def test_a_damaged_or_missing_anchor_file_is_reported(trail):
    with trail.open("a") as handle:
        handle.write("not an anchor\n")
    assert verify_chain().problem == Problem.ANCHORS_UNREADABLE
    trail.unlink()
    report = verify_chain()
    assert report.problem == Problem.ANCHORS_UNREADABLE
    assert "does not exist" in report.detail


def test_anchors_of_another_deployment_in_the_same_file_are_left_alone(trail, settings):
    assert len(read_anchors(trail, deployment_id="another-city").anchors) == 0
    assert len(read_anchors(trail, deployment_id=settings.YANCHENG_AUDIT_DEPLOYMENT_ID).anchors) == 3


# --- the witness webhook ----------------------------------------------------------------------


class _Witness(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def witness(settings):
    _Witness.received = []
    _Witness.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Witness)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.YANCHENG_AUDIT_WITNESS_URL = f"http://127.0.0.1:{server.server_port}/witness"
    yield _Witness
    server.shutdown()
    server.server_close()


def test_every_checkpoint_is_sent_to_the_witness_after_commit(db, anchor_file, checkpoint, witness):
    audit_record("test.witnessed")
    made = checkpoint()
    assert [(w["seq"], w["signature"]) for w in witness.received] == [(made.seq, made.signature)]


def test_a_failed_witness_delivery_is_retried_later(db, anchor_file, checkpoint, witness):
    from django_tasks_db.models import DBTaskResult

    witness.status = 503
    audit_record("test.witnessed")
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        from yancheng.core.audit.witness import witness_task

        made = checkpoint()  # queued, not sent, inside the request
        assert witness.received == []
        queued = DBTaskResult.objects.get(task_path=witness_task.module_path)
        assert witness_task.call(*queued.args_kwargs["args"]) == "retry"
        retry = DBTaskResult.objects.filter(task_path=witness_task.module_path).exclude(pk=queued.pk).get()
        assert retry.args_kwargs["args"][1] == 2
        assert retry.run_after > timezone.now()
    assert witness.received[0]["seq"] == made.seq


# --- taking checkpoints ----------------------------------------------------------------------


def test_the_periodic_job_signs_only_when_new_records_arrived(db, anchor_file, django_capture_on_commit_callbacks):
    from yancheng.core.tasks import audit_checkpoint_task

    audit_record("test.note")
    with django_capture_on_commit_callbacks(execute=True):
        first = audit_checkpoint_task.call()
        again = audit_checkpoint_task.call()
    assert (first, again) == (1, None)
    audit_record("test.note")
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_checkpoint_task.call() == 2
    assert [a.seq for a in read_anchors(anchor_file, deployment_id=_deployment()).anchors] == [1, 2]


def _deployment() -> str:
    from django.conf import settings

    return settings.YANCHENG_AUDIT_DEPLOYMENT_ID


def test_the_checkpoint_job_comes_round_within_the_minute(db):
    from yancheng.core.jobs import SCHEDULER_TICK_SECONDS, enqueue_due_jobs, registered_jobs

    job = next(j for j in registered_jobs() if j.name == "audit.checkpoint")
    # Enqueued at the first scheduler tick after `every`, started at the worker's next poll.
    assert job.every.total_seconds() + 2 * SCHEDULER_TICK_SECONDS <= 60
    start = timezone.now()
    assert "audit.checkpoint" in enqueue_due_jobs(now=start)
    assert "audit.checkpoint" not in enqueue_due_jobs(now=start + job.every / 2)
    assert "audit.checkpoint" in enqueue_due_jobs(now=start + job.every)


def test_a_stopping_process_signs_the_head(db, anchor_file, caplog):
    from yancheng.core.audit.shutdown import worker_exit

    audit_record("test.last_words")
    with caplog.at_level(logging.INFO, logger="yancheng.audit"):
        worker_exit(server=None, worker=type("W", (), {"pid": 4242})())
    assert AuditCheckpoint.objects.filter(seq=1).exists()
    assert "shutdown of web worker 4242" in caplog.text


def test_the_production_server_runs_the_shutdown_hook(db, settings, monkeypatch):
    import os

    class Replaced(Exception):
        """os.execv does not return: the process becomes gunicorn."""

    def execv(path, argv):
        raise Replaced(argv)

    settings.IS_PRODUCTION = True
    monkeypatch.setattr(os, "execv", execv)
    with pytest.raises(Replaced) as replaced:
        call_command("serve", "127.0.0.1:8123")
    argv = replaced.value.args[0]
    assert argv[argv.index("--config") + 1] == "python:yancheng.core.audit.shutdown"


def test_an_archive_keeps_the_anchored_trail_verifiable(db, anchor_file, checkpoint, tmp_path):
    from yancheng.core.audit.archive import audit_archive

    with time_machine.travel(timezone.now() - timedelta(days=300), tick=False):
        for n in range(4):
            audit_record("test.old", after={"n": n})
        checkpoint()
    audit_record("test.recent")
    checkpoint()
    result = audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "a.jsonl")
    assert result.cut_seq == 4
    report = verify_chain()
    assert report.ok, report.summary()
    assert report.start_seq == 4
