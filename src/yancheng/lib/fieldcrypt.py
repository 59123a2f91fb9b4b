"""Field encryption for personal data (SPEC §12): the cipher, the key file, the blind index
and masking. Pure: no Django; ``yancheng.core.crypto`` binds it to settings and models.

A ciphertext ("token") is text, so it fits a TEXT column on SQLite and PostgreSQL alike::

    yc1:<alg>:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>

``alg`` is ``a256gcm`` (AES-256-GCM, the default) or ``sm4gcm`` (SM4 of GB/T 32907 in GCM
mode, for installations assessed under 密评 GB/T 39786-2021). Both are authenticated: the
tag covers the ciphertext and, as associated data, the token's header and a *context*
(the column, e.g. ``core.user.phone``), so a token copied into another column, or given
another key id, fails to decrypt instead of yielding a value.

The key file is JSON, kept outside the database (mode 0600)::

    {"format": 1, "primary": "<key id>",
     "keys": [{"id": ..., "alg": "aes-256-gcm", "key": "<base64>", "created": ...}, ...],
     "index_key": "<base64, 32 bytes>"}

The primary key encrypts; every key listed still decrypts (rotation). The index key is
separate: it makes the blind index, an HMAC-SHA256 of the normalised value, which lets
the database find a row by phone without holding the phone.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOKEN_PREFIX = "yc1"  # noqa: S105 - the format marker of a ciphertext, not a secret
NONCE_BYTES = 12
TAG_BYTES = 16


class FieldCryptoError(Exception):
    """Encryption or decryption is impossible: no key file, an unknown key id, a damaged
    or tampered token. Never swallowed into an empty value."""


# --- ciphers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Algorithm:
    name: str  # as written in the key file and the settings
    code: str  # as written in a token
    key_bytes: int
    make: Callable[[bytes], algorithms.AES | algorithms.SM4]


ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm("aes-256-gcm", "a256gcm", 32, algorithms.AES),
        Algorithm("sm4-gcm", "sm4gcm", 16, algorithms.SM4),
    )
}
_BY_CODE = {a.code: a for a in ALGORITHMS.values()}


def algorithm(name: str) -> Algorithm:
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise FieldCryptoError(
            f"unknown field cipher {name!r}; choose one of {', '.join(sorted(ALGORITHMS))}"
        ) from None


def cipher_available(name: str) -> bool:
    """Whether this build of cryptography/OpenSSL offers the cipher in GCM mode (SM4-GCM
    needs OpenSSL ≥ 3 with SM4 enabled)."""
    alg = algorithm(name)
    try:
        enc = Cipher(alg.make(bytes(alg.key_bytes)), modes.GCM(bytes(NONCE_BYTES))).encryptor()
        enc.update(b"x")
        enc.finalize()
    except (UnsupportedAlgorithm, ValueError):
        return False
    return True


def _aad(header: str, context: str) -> bytes:
    return f"{header}|{context}".encode()


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- keys --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldKey:
    id: str
    alg: str
    key: bytes
    created: str = ""


@dataclass(frozen=True)
class KeyRing:
    primary: str
    keys: dict[str, FieldKey]
    index_key: bytes
    source: str = field(default="", compare=False)

    @property
    def primary_key(self) -> FieldKey:
        return self.keys[self.primary]

    def prefix(self) -> str:
        """What every token made with the primary key starts with."""
        key = self.primary_key
        return f"{TOKEN_PREFIX}:{algorithm(key.alg).code}:{key.id}:"

    def encrypt(self, plain: str, *, context: str) -> str:
        key = self.primary_key
        alg = algorithm(key.alg)
        header = f"{TOKEN_PREFIX}:{alg.code}:{key.id}"
        nonce = secrets.token_bytes(NONCE_BYTES)
        enc = Cipher(alg.make(key.key), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(_aad(header, context))
        body = enc.update(plain.encode("utf-8")) + enc.finalize()
        return f"{header}:{_b64e(nonce + body + enc.tag)}"

    def decrypt(self, token: str, *, context: str) -> str:
        parts = token.split(":")
        if len(parts) != 4 or parts[0] != TOKEN_PREFIX:
            raise FieldCryptoError("the stored value is not an encrypted token (was the migration applied?)")
        _, code, kid, payload = parts
        alg = _BY_CODE.get(code)
        if alg is None:
            raise FieldCryptoError(f"unknown cipher {code!r} in a stored token")
        key = self.keys.get(kid)
        if key is None:
            raise FieldCryptoError(
                f"the field key {kid!r} is not in the key file {self.source or '(inline)'}; "
                "restore the key file that was in use, or the value cannot be read"
            )
        if algorithm(key.alg) is not alg:
            raise FieldCryptoError(f"the token names cipher {code!r} but key {kid!r} is {key.alg}")
        try:
            raw = _b64d(payload)
        except ValueError as exc:
            raise FieldCryptoError("a stored token is damaged (not base64)") from exc
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise FieldCryptoError("a stored token is damaged (too short)")
        nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
        dec = Cipher(alg.make(key.key), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(_aad(f"{TOKEN_PREFIX}:{code}:{kid}", context))
        try:
            plain = dec.update(body) + dec.finalize()
        except InvalidTag as exc:
            raise FieldCryptoError(
                f"a stored token does not authenticate under key {kid!r} (wrong key, or the value was altered)"
            ) from exc
        return plain.decode("utf-8")

    def digest(self, normalised: str, *, context: str) -> str:
        """The blind index: HMAC-SHA256 of the normalised value, per context, hex."""
        if not normalised:
            return ""
        return hmac.new(self.index_key, f"{context}|{normalised}".encode(), hashlib.sha256).hexdigest()


def token_key_id(token: str) -> str | None:
    parts = token.split(":")
    return parts[2] if len(parts) == 4 and parts[0] == TOKEN_PREFIX else None


def new_key(alg_name: str) -> FieldKey:
    alg = algorithm(alg_name)
    now = datetime.now(UTC)
    return FieldKey(
        id=f"{now:%Y%m%d}-{secrets.token_hex(4)}",
        alg=alg.name,
        key=secrets.token_bytes(alg.key_bytes),
        created=now.isoformat(timespec="seconds"),
    )


def new_ring(alg_name: str) -> KeyRing:
    key = new_key(alg_name)
    return KeyRing(primary=key.id, keys={key.id: key}, index_key=secrets.token_bytes(32))


def ring_to_json(ring: KeyRing) -> str:
    data = {
        "format": 1,
        "primary": ring.primary,
        "keys": [
            {"id": k.id, "alg": k.alg, "key": base64.b64encode(k.key).decode(), "created": k.created}
            for k in ring.keys.values()
        ],
        "index_key": base64.b64encode(ring.index_key).decode(),
    }
    return json.dumps(data, indent=2) + "\n"


def ring_from_json(text: str, *, source: str = "") -> KeyRing:
    where = source or "the field key file"
    try:
        data = json.loads(text)
        keys: dict[str, FieldKey] = {}
        for item in data["keys"]:
            key = FieldKey(id=str(item["id"]), alg=str(item["alg"]), key=base64.b64decode(item["key"]),
                           created=str(item.get("created", "")))
            if len(key.key) != algorithm(key.alg).key_bytes:
                raise FieldCryptoError(f"key {key.id!r} has the wrong length for {key.alg}")
            keys[key.id] = key
        primary = str(data["primary"])
        index_key = base64.b64decode(data["index_key"])
    except FieldCryptoError as exc:
        raise FieldCryptoError(f"{where}: {exc}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise FieldCryptoError(f"{where} is not a valid field key file: {exc}") from exc
    if primary not in keys:
        raise FieldCryptoError(f"{where}: the primary key {primary!r} is not among its keys")
    if len(index_key) < 32:
        raise FieldCryptoError(f"{where}: the index key must be at least 32 bytes")
    return KeyRing(primary=primary, keys=keys, index_key=index_key, source=source)


def read_ring(path: Path) -> KeyRing:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FieldCryptoError(f"cannot read the field key file {path}: {exc.strerror or exc}") from exc
    return ring_from_json(text, source=str(path))


def write_ring(path: Path, ring: KeyRing, *, create_only: bool = False) -> None:
    """Write the key file atomically with mode 0600 (a temporary file in the same folder,
    then rename), so a crash leaves the old file or the new one, never half of it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if create_only:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(ring_to_json(ring))
            handle.flush()
            os.fsync(handle.fileno())
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".field-keys-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(ring_to_json(ring))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def ring_rotated(ring: KeyRing, alg_name: str) -> KeyRing:
    """The ring with a new primary key; the old keys stay to decrypt."""
    key = new_key(alg_name)
    return KeyRing(primary=key.id, keys={**ring.keys, key.id: key}, index_key=ring.index_key, source=ring.source)


def ring_without(ring: KeyRing, key_id: str) -> KeyRing:
    if key_id == ring.primary:
        raise FieldCryptoError("the primary key cannot be retired; rotate first")
    if key_id not in ring.keys:
        raise FieldCryptoError(f"no key {key_id!r} in the key file")
    return KeyRing(primary=ring.primary, keys={k: v for k, v in ring.keys.items() if k != key_id},
                   index_key=ring.index_key, source=ring.source)


# --- kinds of personal data: normalising (for the blind index) and masking ---------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-－—–()（）.]")


def normalise_phone(value: str) -> str:
    """One form for every way a number is written: digits only, a mainland mobile
    without its country code (+86 138 0013 8000, 0086-13800138000 → 13800138000)."""
    text = _PHONE_SEPARATORS.sub("", value.strip())
    digits = "".join(ch for ch in text if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11 and digits[len(prefix)] == "1":
            return digits[len(prefix) :]
    return digits


def looks_like_phone(text: str) -> bool:
    """A search box's text is a phone number (only digits, separators and +, at least 7
    digits): then the search goes through the blind index."""
    stripped = _PHONE_SEPARATORS.sub("", text.strip()).lstrip("+")
    return stripped.isdigit() and len(stripped) >= 7


def mask_phone(value: str) -> str:
    """138****5678: the first three and the last four digits of a mobile; a landline keeps
    its last four."""
    digits = normalise_phone(value)
    if not digits:
        return ""
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def normalise_id_number(value: str) -> str:
    """居民身份证号码 (GB 11643): no spaces, the check character upper-case."""
    return re.sub(r"\s", "", value).upper()


def mask_id_number(value: str) -> str:
    text = normalise_id_number(value)
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def normalise_text(value: str) -> str:
    return " ".join(value.split())


def mask_text(value: str) -> str:
    text = normalise_text(value)
    return (text[:1] + "*" * min(len(text) - 1, 8)) if text else ""


@dataclass(frozen=True)
class Kind:
    name: str
    normalise: Callable[[str], str]
    mask: Callable[[str], str]


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("phone", normalise_phone, mask_phone),
        Kind("id_number", normalise_id_number, mask_id_number),
        Kind("text", normalise_text, mask_text),
    )
}
