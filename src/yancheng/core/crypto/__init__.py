"""Encrypted personal data (SPEC §12): fields, keys, re-encryption. See docs/security.md."""

from yancheng.lib.fieldcrypt import FieldCryptoError, looks_like_phone

from .fields import BlindIndexField, EncryptedTextField, Sealed, SealedFieldsMixin, digest_for

__all__ = ["BlindIndexField", "EncryptedTextField", "FieldCryptoError", "Sealed", "SealedFieldsMixin", "digest_for", "looks_like_phone"]
