"""Signed checkpoints and their key (SPEC §2.4: the key lives outside the database)."""

from __future__ import annotations

import hashlib
import stat
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yancheng.core.audit.checks import audit_key_available
from yancheng.core.audit.keys import AuditKeyError, load_keys
from yancheng.core.audit.models import AuditCheckpoint
from yancheng.core.audit.services import audit_checkpoint_create, audit_record, chain_head
from yancheng.core.audit.verify import Problem, verify_chain


@pytest.fixture
def key_file(settings, tmp_path):
    settings.YANCHENG_AUDIT_KEY = ""
    settings.YANCHENG_AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit-checkpoint.key")
    return tmp_path / "keys" / "audit-checkpoint.key"


def test_a_checkpoint_signs_the_current_head(world):
    seq, chain_hash = chain_head()
    checkpoint = audit_checkpoint_create()
    assert checkpoint is not None
    assert (checkpoint.seq, checkpoint.hash) == (seq, chain_hash)
    assert checkpoint.key_id == hashlib.sha256(b"test-audit-checkpoint-key-not-secret").hexdigest()[:8]
    assert len(checkpoint.signature) == 64
    assert not checkpoint.is_archive_cut


def test_signing_the_same_head_twice_is_a_no_op(world):
    assert audit_checkpoint_create() is not None
    assert audit_checkpoint_create() is None
    assert AuditCheckpoint.objects.count() == 1


def test_the_checkpoint_command_signs_the_head_daily(world):
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert f"checkpoint at seq {chain_head()[0]}" in out.getvalue()
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "already signed" in out.getvalue()


def test_a_checkpoint_is_made_every_n_records(world, settings):
    settings.YANCHENG_AUDIT_CHECKPOINT_EVERY = 5
    start = chain_head()[0]
    for n in range(12):
        audit_record("test.note", after={"n": n})
    seqs = sorted(AuditCheckpoint.objects.values_list("seq", flat=True))
    assert seqs == [s for s in range(start + 1, start + 13) if s % 5 == 0]
    assert verify_chain().ok


def test_outside_production_a_missing_key_file_is_created_private(world, key_file, settings):
    settings.IS_PRODUCTION = False
    ring = load_keys()
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert ring.signing_key == key_file.read_text().strip().encode()
    assert ring.signing_key_id == hashlib.sha256(ring.signing_key).hexdigest()[:8]
    assert load_keys() == ring  # the same key next time


def test_in_production_a_missing_key_is_an_error(world, key_file, settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(AuditKeyError):
        audit_checkpoint_create()
    assert not key_file.exists()
    with pytest.raises(CommandError):
        call_command("audit_checkpoint")
    assert [m.id for m in audit_key_available()] == ["yancheng.audit.E001"]
    settings.YANCHENG_AUDIT_KEY = "provisioned"
    assert audit_key_available() == []


def test_a_missing_key_does_not_block_the_write_it_rides_on(world, key_file, settings):
    settings.IS_PRODUCTION = True
    settings.YANCHENG_AUDIT_CHECKPOINT_EVERY = 1
    event = audit_record("test.note")
    assert event.pk is not None
    assert not AuditCheckpoint.objects.exists()


def test_a_retired_key_in_the_key_file_still_verifies_old_checkpoints(world, key_file, settings):
    key_file.parent.mkdir(parents=True)
    key_file.write_text("old-key-0123456789\n")
    old = audit_checkpoint_create()
    assert old is not None
    audit_record("test.note")
    key_file.write_text("new-key-9876543210\n# retired, kept for verifying\nold-key-0123456789\n")
    new = audit_checkpoint_create()
    assert new is not None and new.key_id != old.key_id
    assert verify_chain().ok
    key_file.write_text("new-key-9876543210\n")
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.BAD_SIGNATURE, old.seq)
