"""Checkpoints written outside the database (SPEC §2.4; issue 10 §3): the chain's tail is
tamper-evident only if someone who can rewrite the database cannot also rewrite the record
of what was signed. Every checkpoint, once committed, is therefore also

- appended as one JSON line to the anchor file (YANCHENG_AUDIT_ANCHOR_FILE, meant for
  another volume or an append-only mount), opened O_APPEND and fsync'ed;
- written as one structured log line (logger ``yancheng.audit.anchor``), for the log
  collector;
- sent to the witness webhook (YANCHENG_AUDIT_WITNESS_URL), if one is set, by a background
  task with retries (witness.py), never inside the request.

An anchor carries the checkpoint's signature, so a forged line is caught like a forged
checkpoint; `yancheng audit verify` reads the file (verify.py) and reports an anchor the
database lacks, a chain cut or re-chained before an anchor, and records left unsigned past
the interval.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from .chain import format_ts

logger = logging.getLogger("yancheng.audit.anchor")

ANCHOR_TYPE = "yancheng-audit-anchor/v1"


@dataclass(frozen=True)
class Anchor:
    """One line of the anchor file: a checkpoint as it was signed."""

    deployment_id: str
    seq: int
    hash: str
    created_at: datetime
    key_id: str
    signature: str
    is_archive_cut: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "type": ANCHOR_TYPE,
            "deployment_id": self.deployment_id,
            "seq": self.seq,
            "hash": self.hash,
            "created_at": format_ts(self.created_at),
            "key_id": self.key_id,
            "signature": self.signature,
            "is_archive_cut": self.is_archive_cut,
        }


def anchor_path() -> Path | None:
    value = (getattr(settings, "YANCHENG_AUDIT_ANCHOR_FILE", "") or "").strip()
    return Path(value) if value else None


def anchor_of(checkpoint: Any) -> Anchor:
    return Anchor(
        deployment_id=settings.YANCHENG_AUDIT_DEPLOYMENT_ID,
        seq=int(checkpoint.seq),
        hash=str(checkpoint.hash),
        created_at=checkpoint.created_at,
        key_id=str(checkpoint.key_id),
        signature=str(checkpoint.signature),
        is_archive_cut=bool(checkpoint.is_archive_cut),
    )


def anchor_on_commit(checkpoint: Any) -> None:
    """Publish ``checkpoint`` outside the database once its transaction commits (an anchor of
    a rolled-back checkpoint would later read as a cut chain)."""
    anchor = anchor_of(checkpoint)
    transaction.on_commit(lambda: publish(anchor))


def publish(anchor: Anchor) -> None:
    """File, log, witness. A failure of one is logged loudly and does not stop the others:
    the checkpoint itself is committed, and verify reports the anchors that are missing."""
    data = anchor.as_json()
    line = json.dumps(data, sort_keys=True, separators=(",", ":"))
    path = anchor_path()
    if path is not None:
        try:
            append_line(path, line)
        except OSError as exc:
            logger.error("audit anchor at seq %s NOT written to %s: %s", anchor.seq, path, exc)
    logger.info("audit anchor %s", line, extra={"audit_anchor": data})
    if (getattr(settings, "YANCHENG_AUDIT_WITNESS_URL", "") or "").strip():
        from .witness import witness_enqueue

        try:
            witness_enqueue(data)
        except Exception:  # the queue is down: the anchor is in the file and the log
            logger.exception("audit anchor at seq %s not queued for the witness", anchor.seq)


def append_line(path: Path, line: str) -> None:
    """Append one line, O_APPEND (never a read-modify-write) and fsync'ed before returning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        data = (line.rstrip("\n") + "\n").encode()
        written = os.write(fd, data)
        if written != len(data):
            raise OSError(f"short write ({written} of {len(data)} bytes)")
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class AnchorFile:
    """What the anchor file holds for this deployment, and what could not be read."""

    exists: bool
    anchors: list[Anchor]
    unreadable: list[int]  # line numbers that are not an anchor


def read_anchors(path: Path, *, deployment_id: str) -> AnchorFile:
    """The anchors of ``deployment_id`` (a file may be shared by several deployments)."""
    if not path.exists():
        return AnchorFile(exists=False, anchors=[], unreadable=[])
    anchors: list[Anchor] = []
    unreadable: list[int] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
                if data.get("type") != ANCHOR_TYPE:
                    raise ValueError("not an anchor")
                if data.get("deployment_id") != deployment_id:
                    continue
                anchors.append(
                    Anchor(
                        deployment_id=str(data["deployment_id"]),
                        seq=int(data["seq"]),
                        hash=str(data["hash"]),
                        created_at=datetime.fromisoformat(str(data["created_at"])),
                        key_id=str(data["key_id"]),
                        signature=str(data["signature"]),
                        is_archive_cut=bool(data["is_archive_cut"]),
                    )
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                unreadable.append(number)
    return AnchorFile(exists=True, anchors=anchors, unreadable=unreadable)
