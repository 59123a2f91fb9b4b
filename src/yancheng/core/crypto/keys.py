"""The field-encryption key ring, read from ``settings.YANCHENG_FIELD_KEYS_FILE``.

Outside production a missing key file is created on first use (mode 0600, cipher
``YANCHENG_FIELD_CIPHER``); in production a missing file is an error with a clear message,
because a key made up on the spot and lost with the container would make every encrypted
value unreadable. The ring is read again when the file changes (its mtime or size), so a
rotation by ``manage.py field_keys rotate`` reaches every running process without a restart.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from django.conf import settings

from yancheng.lib.fieldcrypt import FieldCryptoError, KeyRing, new_ring, read_ring, write_ring

_lock = threading.Lock()
_cache: dict[str, tuple[int, int, KeyRing]] = {}


def keys_path() -> Path:
    value = getattr(settings, "YANCHENG_FIELD_KEYS_FILE", "") or ""
    if not value:
        raise FieldCryptoError("YANCHENG_FIELD_KEYS_FILE is not set")
    return Path(value)


def configured_cipher() -> str:
    return str(getattr(settings, "YANCHENG_FIELD_CIPHER", "aes-256-gcm") or "aes-256-gcm")


def load_ring(*, create: bool | None = None) -> KeyRing:
    """The current key ring; raises FieldCryptoError when it cannot be had."""
    path = keys_path()
    if create is None:
        create = not getattr(settings, "IS_PRODUCTION", True)
    try:
        st = path.stat()
    except FileNotFoundError:
        if not create:
            raise FieldCryptoError(
                f"the field key file {path} does not exist. In production it must be provisioned "
                "before the first start (python manage.py field_keys init) and backed up apart from "
                "the database; without it no encrypted personal data can be read or written"
            ) from None
        with contextlib.suppress(FileExistsError):  # another process created it first
            write_ring(path, new_ring(configured_cipher()), create_only=True)
        st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    with _lock:
        cached = _cache.get(str(path))
        if cached is not None and cached[:2] == stamp:
            return cached[2]
    ring = read_ring(path)
    with _lock:
        _cache[str(path)] = (*stamp, ring)
    return ring


def save_ring(ring: KeyRing) -> None:
    path = keys_path()
    write_ring(path, ring)
    with _lock:
        _cache.pop(str(path), None)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
