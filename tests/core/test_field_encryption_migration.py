"""The migration encrypts phones written before it (core 0005), on SQLite and PostgreSQL,
and going back decrypts them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from yancheng.core.crypto import digest_for
from yancheng.core.models import EnterpriseContact, User
from yancheng.testing.world import build_world

BEFORE = [("core", "0003_unit_partial_index"), ("notifications", "0001_notifications_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.mark.django_db(transaction=True)
def test_phones_stored_before_the_migration_are_encrypted_by_it_and_decrypted_going_back():
    world = build_world()
    user_pk, enterprise_pk = world.handler_other.pk, world.enterprise_a.pk
    try:
        _migrate(BEFORE)
        _raw("UPDATE core_user SET phone = %s WHERE id = %s", ["138 1234 5678", user_pk])
        _raw(
            "INSERT INTO core_enterprisecontact (enterprise_id, name, title, phone, email, is_primary) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [enterprise_pk, "老联系人", "", "+8613900001111", "", True],
        )
        _migrate(_leaves())

        stored = _raw("SELECT phone, phone_digest FROM core_user WHERE id = %s", [user_pk])[0]
        assert stored[0].startswith("yc1:") and "5678" not in stored[0]
        assert stored[1] == digest_for(User, "phone", "13812345678")
        assert User.objects.get(pk=user_pk).phone.reveal() == "138 1234 5678"
        contact = EnterpriseContact.objects.get(name="老联系人")
        assert "1111" not in _raw("SELECT phone FROM core_enterprisecontact WHERE id = %s", [contact.pk])[0][0]
        assert contact.phone.reveal() == "+8613900001111"
        assert EnterpriseContact.objects.filter(phone_digest=digest_for(EnterpriseContact, "phone", "139 0000 1111")).exists()

        _migrate(BEFORE)  # reversible: the plain numbers come back
        assert _raw("SELECT phone FROM core_user WHERE id = %s", [user_pk])[0][0] == "138 1234 5678"
        assert _raw("SELECT phone FROM core_enterprisecontact WHERE name = %s", ["老联系人"])[0][0] == "+8613900001111"
    finally:
        _migrate(_leaves())
