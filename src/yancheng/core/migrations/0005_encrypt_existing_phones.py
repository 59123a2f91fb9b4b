"""Encrypt the phone numbers already stored (SPEC §12) and fill their blind index.

Reversible: going back decrypts them into the plain column again, which needs the same
key file. Plain SQL over the two columns (parameterised, the same on SQLite and
PostgreSQL); it runs apart from 0004 so PostgreSQL never alters a table with pending
row updates. A value already in token form is left as it is, so a re-run is harmless.
Without rows to encrypt no key file is needed (a new, empty database).
"""

from typing import Any

from django.db import migrations

from yancheng.core.crypto.keys import load_ring
from yancheng.lib.fieldcrypt import KINDS, TOKEN_PREFIX

COLUMNS = [("user", "core.user.phone"), ("enterprisecontact", "core.enterprisecontact.phone")]


def _rows(schema_editor: Any, table: str) -> list[tuple[int, str]]:
    q = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT {q('id')}, {q('phone')} FROM {q(table)} WHERE {q('phone')} <> %s", [""])  # noqa: S608
        return list(cursor.fetchall())


def _write(schema_editor: Any, table: str, updates: list[tuple[str, str, int]]) -> None:
    if not updates:
        return
    q = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {q(table)} SET {q('phone')} = %s, {q('phone_digest')} = %s WHERE {q('id')} = %s", updates  # noqa: S608
        )


def encrypt(apps: Any, schema_editor: Any) -> None:
    normalise = KINDS["phone"].normalise
    for model_name, context in COLUMNS:
        table = apps.get_model("core", model_name)._meta.db_table
        rows = [(pk, phone.strip()) for pk, phone in _rows(schema_editor, table) if not phone.startswith(TOKEN_PREFIX + ":")]
        if not rows:
            continue
        ring = load_ring()
        _write(schema_editor, table, [
            (ring.encrypt(plain, context=context) if plain else "", ring.digest(normalise(plain), context=context), pk)
            for pk, plain in rows
        ])


def decrypt(apps: Any, schema_editor: Any) -> None:
    for model_name, context in COLUMNS:
        table = apps.get_model("core", model_name)._meta.db_table
        rows = [(pk, token) for pk, token in _rows(schema_editor, table) if token.startswith(TOKEN_PREFIX + ":")]
        if not rows:
            continue
        ring = load_ring()
        _write(schema_editor, table, [(ring.decrypt(token, context=context), "", pk) for pk, token in rows])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_encrypt_phones")]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
