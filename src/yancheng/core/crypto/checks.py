"""System checks for field encryption: in production the key file must be there, readable
only by its owner, with a cipher this OpenSSL offers."""

from __future__ import annotations

import stat
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from yancheng.lib.fieldcrypt import ALGORITHMS, FieldCryptoError, cipher_available

from .keys import configured_cipher, keys_path, load_ring


@register(Tags.security)
def field_keys_available(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    cipher = configured_cipher()
    if cipher not in ALGORITHMS:
        return [Error(f"YANCHENG_FIELD_CIPHER={cipher!r} is not one of {', '.join(sorted(ALGORITHMS))}",
                      id="yancheng.crypto.E002")]
    if not cipher_available(cipher):
        return [Error(f"this cryptography/OpenSSL build does not offer {cipher} (SM4 needs OpenSSL 3 with SM4)",
                      hint="Install an OpenSSL with SM4 or choose aes-256-gcm; see docs/security.md.",
                      id="yancheng.crypto.E003")]
    if not getattr(settings, "IS_PRODUCTION", False):
        return []
    messages: list[CheckMessage] = []
    try:
        ring = load_ring(create=False)
    except FieldCryptoError as exc:
        return [Error(f"The field encryption keys are not available: {exc}",
                      hint="Provision YANCHENG_FIELD_KEYS_FILE (python manage.py field_keys init), mode 0600, "
                      "backed up apart from the database; see docs/operations.md.",
                      id="yancheng.crypto.E001")]
    mode = keys_path().stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        messages.append(Warning(f"the field key file {keys_path()} is readable by others (mode {oct(mode & 0o777)})",
                                hint="chmod 600 it.", id="yancheng.crypto.W001"))
    if ring.primary_key.alg != cipher:
        messages.append(Warning(
            f"the primary field key is {ring.primary_key.alg} but YANCHENG_FIELD_CIPHER is {cipher}",
            hint="Run field_keys rotate and then field_keys reencrypt.", id="yancheng.crypto.W002"))
    return messages
