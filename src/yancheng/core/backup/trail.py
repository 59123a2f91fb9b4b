"""A backup's side of the audit trail: the record of a failure, the restore's own record
and checkpoint, and the anchors written after the backup it restores."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yancheng.core.typing import Actor

from .files import sha256_file


def audit_failure(action: str, reason: str) -> None:
    from yancheng.core.audit.services import audit_record

    with suppress(Exception), transaction.atomic():
        audit_record(action, object_type="backup", outcome="failure", after={"error": reason[:500]})


def set_aside_later_anchors(head_seq: int, stamp: str) -> list[str]:
    """After a restore, the anchor file may hold checkpoints written after the backup: the
    records they sign are not in the archive. The restored chain grows again from
    ``head_seq``, so those anchors would contradict every new checkpoint. The file is kept
    as evidence under another name and a new one starts; the warning says what was lost."""
    from yancheng.core.audit.anchors import anchor_path, read_anchors

    path = anchor_path()
    if path is None or not path.exists():
        return []
    later = [
        a for a in read_anchors(path, deployment_id=settings.YANCHENG_AUDIT_DEPLOYMENT_ID).anchors
        if a.seq > head_seq
    ]
    if not later:
        return []
    kept = path.with_name(f"{path.name}.before-restore-{stamp}")
    path.rename(kept)
    return [
        _(
            "锚点文件记有 %(n)d 个晚于备份的检查点（至审计序号 %(seq)d）：备份之后写入的审计记录不在本备份中。"
            "原锚点文件已保留为 %(kept)s，新的锚点写入新文件。"
        ) % {"n": len(later), "seq": max(a.seq for a in later), "kept": kept}
    ]


def audit_restore(archive: Path, manifest: dict[str, Any], actor: Actor | None) -> None:
    """The restore's own record, signed at once: the checkpoint's anchor opens the anchor
    file again (a new one after ``set_aside_later_anchors``, or the first one on a machine
    without the anchors' volume), so `yancheng audit verify` passes on the restored chain."""
    from yancheng.core.audit.services import audit_checkpoint_create, audit_record

    with transaction.atomic():
        audit_record(
            "backup.restore",
            actor=actor,
            object_type="backup",
            object_repr=archive.name,
            after={
                "file": str(archive),
                "sha256": sha256_file(archive),
                "backup_created_at": manifest["created_at"],
                "app_version": manifest["app_version"],
                "audit_head_seq": manifest["database"]["audit_head"]["seq"],
            },
        )
        audit_checkpoint_create()
