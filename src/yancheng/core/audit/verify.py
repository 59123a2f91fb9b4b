"""Verifying the audit trail (SPEC §2.4): `verify_chain()` walks the hash chain in seq order
and checks every signed checkpoint against it. Used by `manage.py audit_verify`
(`yancheng audit verify`), the audit admin's verify page and the archive operation.

The arithmetic lives in `verify_events`, which takes plain mappings and no database, so it
can be tested exhaustively; `verify_chain` feeds it from the database in chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .anchors import Anchor, AnchorFile, anchor_path, read_anchors
from .chain import HASHED_FIELDS, event_hash, format_ts, genesis_hash
from .keys import checkpoint_message, load_keys, signature_valid
from .models import AuditCheckpoint, AuditEvent

CHUNK_SIZE = 2000


class Problem(StrEnum):
    EDITED = "edited"
    MISSING = "missing"
    REORDERED = "reordered"
    RECHAINED = "rechained"
    TRUNCATED = "truncated"
    BAD_SIGNATURE = "bad_signature"
    CHECKPOINT_MISSING = "checkpoint_missing"
    UNANCHORED = "unanchored"
    ANCHORS_UNREADABLE = "anchors_unreadable"


PROBLEM_LABELS = {
    Problem.EDITED: _("记录被修改"),
    Problem.MISSING: _("记录缺失（被删除）"),
    Problem.REORDERED: _("记录顺序被调换"),
    Problem.RECHAINED: _("哈希链被重算（与检查点不符）"),
    Problem.TRUNCATED: _("检查点之后的记录被截断"),
    Problem.BAD_SIGNATURE: _("检查点签名无效"),
    Problem.CHECKPOINT_MISSING: _("数据库缺少锚点文件中的检查点（被删除）"),
    Problem.UNANCHORED: _("链尾记录超过检查点间隔仍未被签名（可能为数据库外追加）"),
    Problem.ANCHORS_UNREADABLE: _("锚点文件缺失或无法读取"),
}


@dataclass(frozen=True)
class CheckpointData:
    seq: int
    hash: str
    created_at: datetime
    key_id: str
    signature: str
    is_archive_cut: bool = False


@dataclass(frozen=True)
class VerifyReport:
    """What `verify_chain` found. ``problem_seq`` is the first broken record; for a re-chained
    stretch, whose altered record cannot be pinpointed, ``problem_seq``..``problem_seq_end``
    is the range between the last good checkpoint and the one that no longer matches."""

    records: int
    checkpoints: int
    start_seq: int  # records up to here were archived (0: the chain starts at genesis)
    last_seq: int
    problem: Problem | None = None
    problem_seq: int | None = None
    problem_seq_end: int | None = None
    detail: str = ""
    anchors: int | None = None  # anchors read from the anchor file (None: no anchor file set)
    unanchored: int = 0  # records after the newest checkpoint/anchor, still within the interval

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def problem_label(self) -> str:
        return str(PROBLEM_LABELS[self.problem]) if self.problem else ""

    def summary(self) -> str:
        if self.ok:
            text = f"OK: {self.records} records, {self.checkpoints} checkpoints"
            if self.anchors is not None:
                text += f", {self.anchors} anchors"
                if self.unanchored:
                    text += f" ({self.unanchored} newest records not yet signed, within the interval)"
            return text
        where = f"seq {self.problem_seq}"
        if self.problem_seq_end is not None and self.problem_seq_end != self.problem_seq:
            where = f"seq {self.problem_seq}..{self.problem_seq_end}"
        return f"FAILED at {where}: {self.problem} - {self.detail}"


def signature_ok(checkpoint: CheckpointData, *, keys: Mapping[str, bytes], deployment_id: str) -> bool:
    key = keys.get(checkpoint.key_id)
    if key is None:
        return False
    message = checkpoint_message(
        deployment_id=deployment_id,
        seq=checkpoint.seq,
        chain_hash=checkpoint.hash,
        is_archive_cut=checkpoint.is_archive_cut,
        created_at=format_ts(checkpoint.created_at),
    )
    return signature_valid(key, message, checkpoint.signature)


def archive_start(checkpoints: Sequence[CheckpointData]) -> CheckpointData | None:
    """The latest archive-cut checkpoint: the chain verifies from its hash onwards."""
    cuts = [c for c in checkpoints if c.is_archive_cut]
    return max(cuts, key=lambda c: c.seq) if cuts else None


def _no_locate(_hash: str) -> int | None:
    return None


def verify_events(
    events: Iterable[Mapping[str, Any]],
    checkpoints: Sequence[CheckpointData],
    *,
    genesis: str,
    deployment_id: str,
    keys: Mapping[str, bytes],
    locate: Callable[[str], int | None] = _no_locate,
    anchors: Sequence[CheckpointData] = (),
) -> VerifyReport:
    """Check a chain given in seq order. Each event maps the HASHED_FIELDS plus ``prev_hash``
    and ``hash``. ``locate(hash)`` answers the seq of the record holding ``hash`` (to tell a
    reordered record from an edited one); it is only called once something is wrong.

    ``anchors`` are the checkpoints as written outside the database (anchors.py): each is
    checked like a checkpoint (signature, and the chain's hash at its seq, so a chain cut or
    recomputed before it is caught even when the database's own checkpoints were deleted),
    but only the database's checkpoints say where an archive cut the chain."""
    start = archive_start(sorted(checkpoints, key=lambda c: c.seq))
    seen = {(c.seq, c.signature) for c in checkpoints}
    ordered = sorted([*checkpoints, *[a for a in anchors if (a.seq, a.signature) not in seen]], key=lambda c: c.seq)
    start_seq = start.seq if start else 0
    records = 0
    last_seq = start_seq

    def fail(problem: Problem, seq: int, detail: str, end: int | None = None) -> VerifyReport:
        return VerifyReport(
            records=records,
            checkpoints=len(checkpoints),
            start_seq=start_seq,
            last_seq=last_seq,
            problem=problem,
            problem_seq=seq,
            problem_seq_end=end,
            detail=detail,
        )

    def bad_signature(checkpoint: CheckpointData) -> VerifyReport | None:
        if signature_ok(checkpoint, keys=keys, deployment_id=deployment_id):
            return None
        why = "unknown key id" if checkpoint.key_id not in keys else "signature does not match"
        kind = "archive-cut checkpoint" if checkpoint.is_archive_cut else "checkpoint"
        return fail(Problem.BAD_SIGNATURE, checkpoint.seq, f"{kind} at seq {checkpoint.seq}: {why} (key {checkpoint.key_id})")

    # Checkpoints at or before the start can only be checked for their signature.
    for checkpoint in ordered:
        if checkpoint.seq > start_seq:
            break
        if (report := bad_signature(checkpoint)) is not None:
            return report
    pending = [c for c in ordered if c.seq > start_seq]
    next_cp = 0
    last_good_cp = start_seq
    expected_seq = start_seq + 1
    expected_prev = start.hash if start else genesis

    for event in events:
        seq = int(event["seq"])
        if seq <= start_seq:
            continue  # already archived (the database query leaves these out)
        if seq > expected_seq:
            return fail(
                Problem.MISSING, expected_seq, f"records seq {expected_seq}..{seq - 1} are missing (deleted)", seq - 1
            )
        if seq < expected_seq:
            return fail(Problem.REORDERED, seq, f"record seq {seq} appears after seq {expected_seq - 1}")
        if event["prev_hash"] != expected_prev:
            holder = locate(str(event["prev_hash"]))
            if holder is not None and holder != seq - 1:
                return fail(
                    Problem.REORDERED,
                    seq,
                    f"record seq {seq} links to the record now at seq {holder}, not to seq {seq - 1}",
                )
            return fail(Problem.EDITED, seq, f"record seq {seq}: prev_hash does not match the hash of seq {seq - 1}")
        fields = {name: event[name] for name in HASHED_FIELDS}
        if event_hash(expected_prev, fields) != event["hash"]:
            return fail(Problem.EDITED, seq, f"record seq {seq}: its content does not match its hash")
        while next_cp < len(pending) and pending[next_cp].seq <= seq:
            checkpoint = pending[next_cp]
            next_cp += 1
            if (report := bad_signature(checkpoint)) is not None:
                return report
            if checkpoint.hash != event["hash"]:
                return fail(
                    Problem.RECHAINED,
                    last_good_cp + 1,
                    f"the chain at seq {seq} differs from the signed checkpoint: a record between seq "
                    f"{last_good_cp + 1} and {seq} was changed and the chain recomputed",
                    seq,
                )
            last_good_cp = checkpoint.seq
        records += 1
        last_seq = seq
        expected_seq = seq + 1
        expected_prev = str(event["hash"])

    if next_cp < len(pending):
        checkpoint = pending[next_cp]
        if (report := bad_signature(checkpoint)) is not None:
            return report
        return fail(
            Problem.TRUNCATED,
            expected_seq,
            f"the chain ends at seq {last_seq} but a checkpoint was signed at seq {checkpoint.seq}: "
            f"records seq {expected_seq}..{checkpoint.seq} and later were cut off",
            checkpoint.seq,
        )
    return VerifyReport(records=records, checkpoints=len(checkpoints), start_seq=start_seq, last_seq=last_seq)


def checkpoint_data(checkpoint: AuditCheckpoint) -> CheckpointData:
    return CheckpointData(
        seq=checkpoint.seq,
        hash=checkpoint.hash,
        created_at=checkpoint.created_at,
        key_id=checkpoint.key_id,
        signature=checkpoint.signature,
        is_archive_cut=checkpoint.is_archive_cut,
    )


def _locate(chain_hash: str) -> int | None:
    # Unindexed (see AuditEvent.Meta): one scan, only when a checkpoint is not where it says.
    found = AuditEvent.objects.filter(hash=chain_hash).values_list("seq", flat=True).first()
    return int(found) if found is not None else None


def _anchor_data(anchor: Anchor) -> CheckpointData:
    return CheckpointData(
        seq=anchor.seq,
        hash=anchor.hash,
        created_at=anchor.created_at,
        key_id=anchor.key_id,
        signature=anchor.signature,
        is_archive_cut=anchor.is_archive_cut,
    )


def unanchored_grace() -> timedelta:
    """How old the oldest record past the newest checkpoint may be before verify reports it:
    the checkpoint interval plus the worker's delay (YANCHENG_AUDIT_UNANCHORED_GRACE_SECONDS)."""
    seconds = int(getattr(settings, "YANCHENG_AUDIT_UNANCHORED_GRACE_SECONDS", 0) or 0)
    interval = int(getattr(settings, "YANCHENG_AUDIT_CHECKPOINT_SECONDS", 60) or 60)
    return timedelta(seconds=max(seconds, interval))


def verify_chain(*, now: datetime | None = None, anchors_up_to: int | None = None) -> VerifyReport:
    """Verify the whole audit trail in the database, in bounded memory (chunks of
    CHUNK_SIZE records), against the signed checkpoints and, when YANCHENG_AUDIT_ANCHOR_FILE
    is set, the anchors outside the database. Raises keys.AuditKeyError when the checkpoint
    key is unavailable.

    ``anchors_up_to``: only anchors up to this seq count. A restore checks its database
    this way: anchors written after the backup are expected to be missing from it."""
    keys = load_keys()
    checkpoints = [checkpoint_data(c) for c in AuditCheckpoint.objects.order_by("seq")]
    start = archive_start(checkpoints)
    path = anchor_path()
    anchor_file = (
        read_anchors(path, deployment_id=settings.YANCHENG_AUDIT_DEPLOYMENT_ID) if path is not None else None
    )
    if anchor_file is not None and anchors_up_to is not None:
        # A restore onto a machine without the anchors' volume checks the checkpoints only.
        anchor_file = (
            replace(anchor_file, anchors=[a for a in anchor_file.anchors if a.seq <= anchors_up_to])
            if anchor_file.exists
            else None
        )
    anchors = [_anchor_data(a) for a in anchor_file.anchors] if anchor_file is not None else []
    events = (
        AuditEvent.objects.filter(seq__gt=start.seq if start else 0)
        .order_by("seq")
        .values(*HASHED_FIELDS, "prev_hash", "hash")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    report = verify_events(
        events,
        checkpoints,
        genesis=genesis_hash(settings.YANCHENG_AUDIT_DEPLOYMENT_ID),
        deployment_id=settings.YANCHENG_AUDIT_DEPLOYMENT_ID,
        keys=keys.keys,
        locate=_locate,
        anchors=anchors,
    )
    if anchor_file is None or not report.ok:
        return report
    return _check_anchors(report, anchor_file, checkpoints, anchors, now=now or timezone.now())


def _check_anchors(
    report: VerifyReport,
    anchor_file: AnchorFile,
    checkpoints: list[CheckpointData],
    anchors: list[CheckpointData],
    *,
    now: datetime,
) -> VerifyReport:
    """What the chain's own check cannot see: a checkpoint deleted from the database whose
    anchor survives, and records past the newest signature that stayed unsigned too long
    (appended behind the application's back, or no checkpoints are being taken)."""

    def fail(problem: Problem, seq: int, detail: str, end: int | None = None) -> VerifyReport:
        return replace(
            report, problem=problem, problem_seq=seq, problem_seq_end=end, detail=detail, anchors=len(anchors)
        )

    signed = [c for c in checkpoints if c.seq > report.start_seq or c.is_archive_cut]
    if not anchor_file.exists and signed:
        return fail(
            Problem.ANCHORS_UNREADABLE,
            signed[-1].seq,
            f"the anchor file {anchor_path()} does not exist but the database holds {len(signed)} checkpoints",
        )
    if anchor_file.unreadable:
        lines = ", ".join(str(n) for n in anchor_file.unreadable[:10])
        return fail(Problem.ANCHORS_UNREADABLE, report.last_seq, f"anchor file lines that are not anchors: {lines}")
    in_db = {(c.seq, c.signature) for c in checkpoints}
    for anchor in sorted(anchors, key=lambda a: a.seq):
        if anchor.seq < report.start_seq or (anchor.seq == report.start_seq and not anchor.is_archive_cut):
            continue  # its records were archived (the archive file holds them and it)
        if (anchor.seq, anchor.signature) not in in_db:
            return fail(
                Problem.CHECKPOINT_MISSING,
                anchor.seq,
                f"the anchor of {format_ts(anchor.created_at)} signs seq {anchor.seq}, but the database "
                "lacks that checkpoint: it was deleted",
            )
    newest = max([report.start_seq, *[c.seq for c in checkpoints], *[a.seq for a in anchors]])
    tail = AuditEvent.objects.filter(seq__gt=newest).aggregate(
        first=Min("seq"), oldest=Min("ts"), count=Count("pk")
    )
    if not tail["count"]:
        return replace(report, anchors=len(anchors))
    count = int(tail["count"])
    grace = unanchored_grace()
    # The oldest, not the first: rows appended with an earlier time are no younger for it.
    if now - tail["oldest"] > grace:
        return fail(
            Problem.UNANCHORED,
            int(tail["first"]),
            f"records seq {tail['first']}..{report.last_seq} follow the newest checkpoint/anchor (seq {newest}) and "
            f"the oldest of them is older than {int(grace.total_seconds())} s: appended outside the application, "
            "or no checkpoints are being taken (is the worker running?)",
            report.last_seq,
        )
    return replace(report, anchors=len(anchors), unanchored=count)
