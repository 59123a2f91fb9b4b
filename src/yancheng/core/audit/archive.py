"""Archiving audit records past their retention (SPEC §2.4; 网络安全法 art. 23(3): at least
184 days). A separate, audited operation: export the old records to a JSON-lines file, sign
an archive-cut checkpoint at the last exported record, delete what was exported, record the
operation itself. The remaining chain verifies from the archive-cut checkpoint's hash.

Only this module deletes audit rows. It opens the database's delete gate (gate.py: the
archiver role on PostgreSQL, the gate function on SQLite) for the span of its own DELETE
statements and closes it again before the transaction ends (migration 0005).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.typing import Actor

from .chain import HASHED_FIELDS, format_ts
from .gate import ARCHIVER_ROLE, archive_role_available, delete_gate
from .models import AuditCheckpoint, AuditEvent
from .services import audit_checkpoint_create, audit_record, lock_chain
from .verify import verify_chain


class ArchiveRefused(Exception):
    """The archive cannot run; the message says why, in the user's language."""


@dataclass(frozen=True)
class ArchiveResult:
    cut_seq: int
    records: int
    checkpoints: int
    path: Path
    sha256: str


def retention_days() -> int:
    return max(184, int(settings.YANCHENG_AUDIT_RETENTION_DAYS))


def earliest_allowed_cutoff(today: date | None = None) -> date:
    """The latest ``--before`` date allowed today: records younger than the retention stay."""
    today = today or timezone.localdate()
    return today - timedelta(days=retention_days())


def use_archive_database() -> bool:
    """For the archive command's process only: connect as the archive's own login
    (YANCHENG_AUDIT_ARCHIVE_DATABASE_URL, a member of the archiver role) instead of the
    application's, which may not delete audit rows. Same database, other credentials.
    Returns False when no such URL is set (PostgreSQL then refuses the archive unless the
    login may take the archiver role; SQLite has no roles and needs none)."""
    url = (getattr(settings, "YANCHENG_AUDIT_ARCHIVE_DATABASE_URL", "") or "").strip()
    default = connections[DEFAULT_DB_ALIAS]
    if not url or default.vendor != "postgresql":
        return False
    import dj_database_url

    archive = dj_database_url.parse(url)
    if archive["ENGINE"] != default.settings_dict["ENGINE"] or archive["NAME"] != default.settings_dict["NAME"]:
        raise ArchiveRefused(
            _("YANCHENG_AUDIT_ARCHIVE_DATABASE_URL 必须指向同一个数据库（%(name)s），只是换用归档账号。")
            % {"name": default.settings_dict["NAME"]}
        )
    default.close()
    for key in ("USER", "PASSWORD", "HOST", "PORT"):
        default.settings_dict[key] = archive[key]
    return True


def _json_line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str) + "\n"


def _event_line(event: dict[str, Any]) -> str:
    data = {name: event[name] for name in (*HASHED_FIELDS, "prev_hash", "hash")}
    data["ts"] = format_ts(event["ts"])
    return _json_line({"type": "event", **data})


def _checkpoint_line(checkpoint: AuditCheckpoint) -> str:
    return _json_line(
        {
            "type": "checkpoint",
            "seq": checkpoint.seq,
            "hash": checkpoint.hash,
            "created_at": format_ts(checkpoint.created_at),
            "key_id": checkpoint.key_id,
            "signature": checkpoint.signature,
            "is_archive_cut": checkpoint.is_archive_cut,
        }
    )


def _cut_seq(before_dt: datetime, start_seq: int) -> int | None:
    """The last checkpoint past the current start whose records are all older than ``before_dt``."""
    first_young = (
        AuditEvent.objects.filter(ts__gte=before_dt).order_by("seq").values_list("seq", flat=True).first()
    )
    candidates = AuditCheckpoint.objects.filter(seq__gt=start_seq, is_archive_cut=False)
    if first_young is not None:
        candidates = candidates.filter(seq__lt=first_young)
    found = candidates.order_by("-seq").values_list("seq", flat=True).first()
    return int(found) if found is not None else None


def audit_archive(
    *, before: date, out: Path, actor: Actor | None = None, operator: str = "", today: date | None = None
) -> ArchiveResult:
    """Export and remove the audit records older than ``before`` up to the last checkpoint
    before that date. Refuses when ``before`` is within the retention period, when the chain
    does not verify (evidence is never archived away), or when ``out`` already exists.
    ``operator`` names who ran it when there is no user (the OS account of a command)."""
    if before > earliest_allowed_cutoff(today):
        raise ArchiveRefused(
            _("不能归档保存期内的审计记录：保存期为 %(days)s 天，截止日期最晚为 %(date)s。")
            % {"days": retention_days(), "date": earliest_allowed_cutoff(today).isoformat()}
        )
    out = Path(out)
    if out.exists():
        raise ArchiveRefused(_("归档文件 %(path)s 已存在，不会覆盖。") % {"path": out})
    before_dt = timezone.make_aware(datetime.combine(before, time.min))
    partial = out.with_name(out.name + ".partial")
    written = False
    try:
        with transaction.atomic():
            if not archive_role_available():
                raise ArchiveRefused(
                    _(
                        "当前数据库账号不能以归档角色 %(role)s 运行：请设置 YANCHENG_AUDIT_ARCHIVE_DATABASE_URL"
                        "（归档专用账号，见 docs/operations.md）。"
                    )
                    % {"role": ARCHIVER_ROLE}
                )
            lock_chain()
            report = verify_chain()
            if not report.ok:
                raise ArchiveRefused(
                    _("审计链校验未通过，拒绝归档：%(summary)s") % {"summary": report.summary()}
                )
            cut_seq = _cut_seq(before_dt, report.start_seq)
            if cut_seq is None:
                raise ArchiveRefused(
                    _("%(date)s 之前没有可作为截断点的检查点（请先运行 audit_checkpoint）。")
                    % {"date": before.isoformat()}
                )
            old_checkpoints = list(AuditCheckpoint.objects.filter(seq__lte=cut_seq).order_by("seq"))
            digest = hashlib.sha256()
            records = 0
            with partial.open("x", encoding="utf-8") as handle:
                written = True

                def emit(line: str) -> None:
                    handle.write(line)
                    digest.update(line.encode())

                emit(
                    _json_line(
                        {
                            "type": "archive",
                            "deployment_id": settings.YANCHENG_AUDIT_DEPLOYMENT_ID,
                            "before": before.isoformat(),
                            "from_seq": report.start_seq + 1,
                            "to_seq": cut_seq,
                            "created_at": format_ts(timezone.now()),
                        }
                    )
                )
                for checkpoint in old_checkpoints:
                    emit(_checkpoint_line(checkpoint))
                events = (
                    AuditEvent.objects.filter(seq__gt=report.start_seq, seq__lte=cut_seq)
                    .order_by("seq")
                    .values(*HASHED_FIELDS, "prev_hash", "hash")
                    .iterator(chunk_size=2000)
                )
                for event in events:
                    emit(_event_line(event))
                    records += 1
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, out)
            # Older checkpoints (the previous cut included) go with the records they sign;
            # the new archive-cut checkpoint replaces the one at cut_seq.
            with delete_gate(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_auditcheckpoint WHERE seq <= %s", [cut_seq])
            audit_checkpoint_create(is_archive_cut=True, at_seq=cut_seq)
            with delete_gate(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_auditevent WHERE seq <= %s", [cut_seq])
            result = ArchiveResult(
                cut_seq=cut_seq,
                records=records,
                checkpoints=len(old_checkpoints),
                path=out,
                sha256=digest.hexdigest(),
            )
            audit_record(
                "audit.archive",
                actor=actor,
                object_type="audit.auditcheckpoint",
                object_id=str(cut_seq),
                object_repr=f"archive-cut @{cut_seq}",
                after={
                    "before": before.isoformat(),
                    "from_seq": report.start_seq + 1,
                    "to_seq": cut_seq,
                    "records": records,
                    "checkpoints": len(old_checkpoints),
                    "file": out.name,
                    "sha256": result.sha256,
                    "operator": operator,
                },
            )
    except BaseException:
        if written:
            partial.unlink(missing_ok=True)
            out.unlink(missing_ok=True)
        raise
    return result
