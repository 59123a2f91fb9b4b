"""Model fields for encrypted personal data (SPEC §12, docs/security.md).

``EncryptedTextField`` stores a token (see ``yancheng.lib.fieldcrypt``), never the value.
Reading the attribute gives a ``Sealed`` value: its ``str()`` — what a template, a list,
an export or a log line prints by default — is the masked form (138****5678); only
``reveal()`` decrypts. Assigning a plain ``str`` encrypts it on save with the primary key.

``BlindIndexField`` keeps the keyed digest of the normalised value next to it, so the
database finds a row by phone (``digest_for(User, "phone", "+86 138 0013 8000")``) and
enforces uniqueness, if ever needed, on the digest. Models with these fields inherit
``SealedFieldsMixin`` so that ``save(update_fields=[...])`` never writes the one without
the other.

For the next kinds of personal data (petitioners' ID numbers, phones, addresses) declare::

    id_number = EncryptedTextField(_("身份证号"), kind="id_number", blank=True)
    id_number_digest = BlindIndexField(source="id_number")

and add the column to ``ENCRYPTED_COLUMNS`` (core/crypto/registry.py) for re-encryption.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Model

from yancheng.lib.fieldcrypt import KINDS, FieldCryptoError, Kind, token_key_id

from .keys import load_ring


class Sealed:
    """An encrypted value as read from the database, decrypted only on ``reveal()``."""

    # ``_plain``: a value assigned to be encrypted on save; ``_revealed``: the decryption of
    # ``token``, kept for this object only (reading it never makes a save re-encrypt).
    __slots__ = ("_plain", "_revealed", "context", "kind", "token")

    def __init__(self, *, token: str = "", plain: str | None = None, context: str, kind: str) -> None:
        self.token = token
        self._plain = plain
        self._revealed: str | None = None
        self.context = context
        self.kind = kind

    @property
    def is_set(self) -> bool:
        return bool(self.token) or bool(self._plain)

    def __bool__(self) -> bool:
        return self.is_set

    def reveal(self) -> str:
        """The plain value. Raises FieldCryptoError (never returns "") when the key is
        missing or the token does not authenticate."""
        if self._plain is not None:
            return self._plain
        if self._revealed is None:
            self._revealed = load_ring().decrypt(self.token, context=self.context) if self.token else ""
        return self._revealed

    @property
    def masked(self) -> str:
        return KINDS[self.kind].mask(self.reveal()) if self.is_set else ""

    @property
    def key_id(self) -> str | None:
        return token_key_id(self.token) if self.token else None

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<Sealed {self.kind} {'set' if self.is_set else 'empty'}>"

    def __eq__(self, other: object) -> bool:
        # Compared without decrypting where the answer is known (Django compares field
        # values with their defaults): an empty value equals "" and only "".
        if isinstance(other, str) and not other:
            return not self.is_set
        if isinstance(other, Sealed):
            if self.token and self.token == other.token:
                return True
            return self.reveal() == other.reveal()
        if isinstance(other, str):
            return self.is_set and self.reveal() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown kind of personal data {name!r}") from None


if TYPE_CHECKING:
    _TextFieldBase = models.TextField[str | Sealed, Sealed]
else:
    _TextFieldBase = models.TextField


class EncryptedTextField(_TextFieldBase):
    """A TEXT column holding an authenticated ciphertext of the value."""

    def __init__(self, *args: Any, kind: str = "text", context: str = "", **kwargs: Any) -> None:
        _kind(kind)
        self.kind = kind
        self.context = context
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if self.context:
            kwargs["context"] = self.context
        return name, "yancheng.core.crypto.fields.EncryptedTextField", args, kwargs

    def contribute_to_class(self, cls: type[Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        if not self.context:
            # The column: a token copied into another column does not decrypt there.
            self.context = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def sealed(self, *, token: str = "", plain: str | None = None) -> Sealed:
        return Sealed(token=token, plain=plain, context=self.context, kind=self.kind)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Sealed:
        return self.sealed(token=value or "")

    def to_python(self, value: Any) -> Sealed:
        if isinstance(value, Sealed):
            return value
        text = "" if value is None else str(value).strip()
        if token_key_id(text) is not None:  # loaddata of a dump: the token as it was stored
            return self.sealed(token=text)
        return self.sealed(plain=text)

    def get_prep_value(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, Sealed):
            if value._plain is None:  # unchanged since it was read: keep its token
                return value.token
            plain = value._plain
        else:
            plain = str(value).strip()
        if not plain:
            return ""
        return load_ring().encrypt(plain, context=self.context)

    def value_to_string(self, obj: Model) -> str:
        # dumpdata: the token, never the value.
        return self.get_prep_value(self.value_from_object(obj))

    def get_lookup(self, lookup_name: str) -> Any:
        # A ciphertext has a random nonce: equality, containment, ordering on it would
        # silently find nothing. Search the blind index instead.
        if lookup_name not in {"exact", "isnull", "startswith"}:
            return None
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """The keyed digest (HMAC-SHA256, its own key) of the normalised value of ``source``."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("blank", True), ("default", ""), ("editable", False),
                             ("db_index", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, "yancheng.core.crypto.fields.BlindIndexField", args, kwargs

    def source_field(self) -> EncryptedTextField:
        field = self.model._meta.get_field(self.source)
        if not isinstance(field, EncryptedTextField):
            raise FieldCryptoError(f"{self.model.__name__}.{self.source} is not an EncryptedTextField")
        return field

    def pre_save(self, model_instance: Model, add: bool) -> str:
        value = getattr(model_instance, self.source)
        if isinstance(value, Sealed) and value._plain is None:
            return str(getattr(model_instance, self.attname) or "")  # unchanged since read
        plain = value.reveal() if isinstance(value, Sealed) else str(value or "").strip()
        digest = digest_of(self.source_field(), plain)
        setattr(model_instance, self.attname, digest)
        return digest


def digest_of(field: EncryptedTextField, plain: str) -> str:
    normalised = _kind(field.kind).normalise(plain)
    if not normalised:  # an empty value needs no key (an account without a phone)
        return ""
    return load_ring().digest(normalised, context=field.context)


def digest_for(model: type[Model], field_name: str, plain: str) -> str:
    """What to filter the blind index with: ``User.objects.filter(phone_digest=digest_for(User, "phone", q))``."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, EncryptedTextField):
        raise FieldCryptoError(f"{model.__name__}.{field_name} is not an EncryptedTextField")
    return digest_of(field, plain)


def blind_index_fields(model: type[Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


class SealedFieldsMixin:
    """Saving an encrypted column with ``update_fields`` saves its blind index too."""

    def save(self, *args: Any, update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
        if update_fields is not None:
            fields = set(update_fields)
            for index in blind_index_fields(type(self)):  # type: ignore[arg-type]
                if index.source in fields:
                    fields.add(index.name)
            update_fields = fields
        super().save(*args, update_fields=update_fields, **kwargs)  # type: ignore[misc]
