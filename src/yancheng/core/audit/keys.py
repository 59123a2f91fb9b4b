"""The checkpoint signing key (SPEC §2.4): HMAC-SHA256 with a key held outside the database.

The key comes from ``settings.YANCHENG_AUDIT_KEY`` or, if that is empty, from the file
``settings.YANCHENG_AUDIT_KEY_FILE``. The file may hold several keys, one a line: the first
signs new checkpoints, the others are retired keys still accepted when verifying older
checkpoints (key rotation). A key is named by its key id, the first 8 hex digits of its
SHA-256, which is stored with every checkpoint.

Outside production a missing key file is created (mode 0600) with a random key; in
production a missing key is an error, because a key made up on the spot and lost with the
container would make every checkpoint unverifiable.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


class AuditKeyError(Exception):
    """The checkpoint key is missing or unreadable."""


@dataclass(frozen=True)
class KeyRing:
    signing_key: bytes
    keys: dict[str, bytes]  # key id -> key, the signing key included

    @property
    def signing_key_id(self) -> str:
        return key_id(self.signing_key)


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _ring(keys: list[bytes]) -> KeyRing:
    return KeyRing(signing_key=keys[0], keys={key_id(k): k for k in keys})


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")


def load_keys() -> KeyRing:
    """The current key ring; raises AuditKeyError when no key can be had."""
    inline = (getattr(settings, "YANCHENG_AUDIT_KEY", "") or "").strip()
    if inline:
        return _ring([inline.encode()])
    file_setting = getattr(settings, "YANCHENG_AUDIT_KEY_FILE", "") or ""
    if not file_setting:
        raise AuditKeyError("neither YANCHENG_AUDIT_KEY nor YANCHENG_AUDIT_KEY_FILE is set")
    path = Path(file_setting)
    if not path.exists():
        if getattr(settings, "IS_PRODUCTION", True):
            raise AuditKeyError(
                f"the audit checkpoint key file {path} does not exist; in production it must be "
                "provisioned (and backed up) before the first start"
            )
        with contextlib.suppress(FileExistsError):  # another process created it first
            _create_key_file(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AuditKeyError(f"cannot read the audit checkpoint key file {path}: {exc}") from exc
    keys = [line.strip().encode() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not keys:
        raise AuditKeyError(f"the audit checkpoint key file {path} holds no key")
    return _ring(keys)


def checkpoint_message(*, deployment_id: str, seq: int, chain_hash: str, is_archive_cut: bool, created_at: str) -> bytes:
    kind = "archive-cut" if is_archive_cut else "checkpoint"
    return f"yancheng-audit-checkpoint/v1|{deployment_id}|{kind}|{seq}|{chain_hash}|{created_at}".encode()


def sign(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_valid(key: bytes, message: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(key, message), signature)
