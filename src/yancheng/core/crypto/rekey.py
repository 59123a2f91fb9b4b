"""Key rotation and re-encryption of every encrypted column (``manage.py field_keys``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import Model, Q

from yancheng.core.audit.services import audit_record
from yancheng.core.typing import Actor
from yancheng.lib.fieldcrypt import KeyRing, ring_rotated, ring_without, token_key_id

from .fields import EncryptedTextField
from .keys import configured_cipher, load_ring, save_ring


def encrypted_columns() -> list[tuple[type[Model], list[EncryptedTextField]]]:
    """Every model with encrypted columns, found from the fields themselves, so a new
    app's personal data (petitioners) is re-encrypted without being listed here."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields and not model._meta.proxy:
            found.append((model, fields))
    return found


def _stale(fields: list[EncryptedTextField], prefix: str) -> Q:
    q = Q()
    for f in fields:
        q |= ~Q(**{f.attname: ""}) & ~Q(**{f"{f.attname}__startswith": prefix})
    return q


def key_usage() -> dict[str, Counter[str]]:
    """Per column ("app.model.field"), how many values each key id encrypts."""
    usage: dict[str, Counter[str]] = {}
    for model, fields in encrypted_columns():
        for f in fields:
            counter: Counter[str] = Counter()
            values = model._base_manager.exclude(**{f.attname: ""}).values_list(f.attname, flat=True)
            for value in values.iterator():
                counter[token_key_id(value.token) or "?"] += 1
            usage[f"{model._meta.label_lower}.{f.name}"] = counter
    return usage


@dataclass
class ReencryptResult:
    primary: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def reencrypt_all(*, batch_size: int = 500, actor: Actor | None = None) -> ReencryptResult:
    """Re-encrypt with the primary key every value made with an older key, in batches: each
    batch locks its rows, rewrites them and writes its audit record in one transaction, so
    an interruption leaves every row readable and a re-run carries on where it stopped."""
    ring = load_ring()
    prefix = ring.prefix()
    result = ReencryptResult(primary=ring.primary, rows={})
    for model, fields in encrypted_columns():
        label = model._meta.label_lower
        done = 0
        last_pk = None
        while True:
            with transaction.atomic():
                qs = model._base_manager.filter(_stale(fields, prefix)).order_by("pk")
                if last_pk is not None:
                    qs = qs.filter(pk__gt=last_pk)
                pks = list(qs.values_list("pk", flat=True)[:batch_size])
                if not pks:
                    break
                rows = model._base_manager.select_for_update().filter(pk__in=pks).order_by("pk")
                for row in rows:
                    changes = {}
                    for f in fields:
                        value = getattr(row, f.attname)
                        if value.token and not value.token.startswith(prefix):
                            changes[f.attname] = f.sealed(plain=value.reveal())
                    if changes:
                        model._base_manager.filter(pk=row.pk).update(**changes)
                audit_record(
                    "field_keys.reencrypt",
                    None,
                    actor=actor,
                    object_type=label,
                    after={"rows": len(pks), "first_pk": str(pks[0]), "last_pk": str(pks[-1]), "key": ring.primary},
                )
                done += len(pks)
                last_pk = pks[-1]
        result.rows[label] = done
    return result


def rotate(*, cipher: str | None = None, actor: Actor | None = None) -> KeyRing:
    """A new primary key (of ``cipher``, by default YANCHENG_FIELD_CIPHER); the old keys
    stay in the file and still decrypt until ``reencrypt`` has moved every value."""
    ring = ring_rotated(load_ring(), cipher or configured_cipher())
    with transaction.atomic():
        audit_record(
            "field_keys.rotate", None, actor=actor, object_type="field_keys",
            after={"primary": ring.primary, "alg": ring.primary_key.alg, "keys": sorted(ring.keys)},
        )
        save_ring(ring)  # last: a failed audit write leaves the key file as it was
    return ring


def retire(key_id: str, *, actor: Actor | None = None) -> KeyRing:
    """Remove an old key from the file, refused while any value still uses it."""
    ring = load_ring()
    users = {col: n[key_id] for col, n in key_usage().items() if n.get(key_id)}
    if users:
        from yancheng.lib.fieldcrypt import FieldCryptoError

        raise FieldCryptoError(
            f"key {key_id!r} still encrypts {sum(users.values())} values ({', '.join(sorted(users))}); "
            "run field_keys reencrypt first"
        )
    smaller = ring_without(ring, key_id)
    with transaction.atomic():
        audit_record("field_keys.retire", None, actor=actor, object_type="field_keys", after={"retired": key_id})
        save_ring(smaller)
    return smaller
