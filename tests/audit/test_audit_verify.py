"""`yancheng audit verify` finds and names each kind of tampering (SPEC §2.4;
security checklist §6 "Tamper evidence", §9)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yancheng.core.audit.models import AuditCheckpoint
from yancheng.core.audit.services import audit_checkpoint_create, audit_record
from yancheng.core.audit.verify import Problem, verify_chain
from yancheng.core.services import user_set_active


@pytest.fixture
def trail(world):
    """The world's records plus a few more, signed at the head, then a few unsigned ones."""
    for n in range(5):
        audit_record("test.note", actor=world.dispatcher, after={"n": n})
    checkpoint = audit_checkpoint_create()
    assert checkpoint is not None
    for n in range(3):
        audit_record("test.later", actor=world.dispatcher, after={"n": n})
    return checkpoint


def _verify_command() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue().strip()


def test_an_untouched_trail_verifies(trail, tamper):
    report = verify_chain()
    assert report.ok
    assert report.records == tamper.head_seq()
    assert report.checkpoints == 1
    assert _verify_command() == f"OK: {tamper.head_seq()} records, 1 checkpoints"


def test_an_edited_record_is_named(trail, tamper):
    tamper.edit_after(4, {"role": "system_admin"})
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.EDITED, 4)
    with pytest.raises(CommandError, match="FAILED at seq 4: edited") as excinfo:
        _verify_command()
    assert excinfo.value.returncode == 1


def test_an_edit_after_the_last_checkpoint_is_named_too(trail, tamper):
    tamper.edit_after(tamper.head_seq() - 1, {"n": 99})
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.EDITED, tamper.head_seq() - 1)


def test_a_deleted_middle_record_is_named(trail, tamper):
    tamper.delete_event(6)
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.MISSING, 6)
    with pytest.raises(CommandError, match="FAILED at seq 6: missing"):
        _verify_command()


def test_two_swapped_records_are_named_as_reordered(trail, tamper):
    tamper.swap(5, 9)
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.REORDERED, 5)


def test_two_swapped_neighbours_are_named_as_reordered(trail, tamper):
    tamper.swap(7, 8)
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.REORDERED, 7)


def test_a_tail_cut_off_after_a_checkpoint_is_caught_by_the_checkpoint(trail, tamper):
    tamper.delete_after(trail.seq - 2)
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.TRUNCATED, trail.seq - 1)
    with pytest.raises(CommandError, match=f"FAILED at seq {trail.seq - 1}..{trail.seq}: truncated"):
        _verify_command()


def test_a_recomputed_chain_is_caught_by_the_checkpoint(trail, tamper):
    tamper.edit_after(3, {"forged": True})
    tamper.rechain_from(3)
    report = verify_chain()
    assert report.problem == Problem.RECHAINED
    assert report.problem_seq == 1  # no earlier checkpoint: the change lies in 1..checkpoint
    assert report.problem_seq_end == trail.seq


def test_a_rechain_is_narrowed_to_the_stretch_after_the_last_good_checkpoint(trail, tamper, world):
    user_set_active(world.users["enterprise_b"], active=False, actor=None)
    second = audit_checkpoint_create()
    assert second is not None
    tamper.edit_after(second.seq, {"is_active": True})
    tamper.rechain_from(second.seq)
    report = verify_chain()
    assert (report.problem, report.problem_seq, report.problem_seq_end) == (
        Problem.RECHAINED,
        trail.seq + 1,
        second.seq,
    )


def test_a_checkpoint_signed_with_another_key_is_rejected(trail, settings):
    settings.YANCHENG_AUDIT_KEY = "a-different-key-than-the-one-that-signed"
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.BAD_SIGNATURE, trail.seq)
    assert "unknown key id" in report.detail


def test_a_forged_signature_is_rejected(trail, tamper):
    tamper.edit_signature(trail.seq, "0" * 64)
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.BAD_SIGNATURE, trail.seq)
    assert "does not match" in report.detail


def test_a_checkpoint_turned_into_an_archive_cut_is_rejected(trail, tamper):
    tamper.mark_archive_cut(trail.seq)
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.BAD_SIGNATURE, trail.seq)


def test_the_first_problem_is_reported_when_there_are_several(trail, tamper):
    tamper.edit_after(9, {"x": 1})
    tamper.delete_event(4)
    report = verify_chain()
    assert (report.problem, report.problem_seq) == (Problem.MISSING, 4)


def test_verification_without_a_key_fails_loudly(trail, settings, tmp_path):
    settings.YANCHENG_AUDIT_KEY = ""
    settings.YANCHENG_AUDIT_KEY_FILE = str(tmp_path / "missing.key")
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError) as excinfo:
        _verify_command()
    assert excinfo.value.returncode == 2
    assert AuditCheckpoint.objects.count() == 1
