"""Encrypted phones of users and enterprise contacts (SPEC §12), from the attacker's side:
the database holds no number, lists mask it, revealing one is permission-checked and
audited, a missing or wrong key is a clear error, rotation and re-encryption leave no
value on the old key, and the blind index finds numbers however they are written."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.crypto import FieldCryptoError, Sealed, digest_for, rekey
from yancheng.core.crypto.keys import clear_cache, load_ring
from yancheng.core.errors import KeyUnavailableError, PermissionDeniedError
from yancheng.core.models import EnterpriseContact, User
from yancheng.core.security.services import account_phone_reveal
from yancheng.core.services import enterprise_contact_phone_reveal
from yancheng.lib import fieldcrypt as fc
from yancheng.testing.world import PERSONA_PASSWORD

PHONE = "13812345678"
CONTACT_PHONE = "13900001111"


@pytest.fixture
def keyfile(settings, tmp_path):
    """A key file of the test's own, so rotation cannot touch another test's."""
    settings.YANCHENG_FIELD_KEYS_FILE = str(tmp_path / "keys" / "field-keys.json")
    clear_cache()
    yield tmp_path / "keys" / "field-keys.json"
    clear_cache()


@pytest.fixture
def phones(world, keyfile):
    handler = world.handler_other
    handler.phone = PHONE
    handler.save(update_fields=["phone"])
    contact = EnterpriseContact.objects.create(
        enterprise=world.enterprise_a, name="王经理", title="办公室主任", phone="+86 139 0000 1111", is_primary=True
    )
    return handler, contact


def login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PERSONA_PASSWORD})
    assert response.status_code == 302
    return client


def raw(table: str, column: str, pk: int) -> str:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q(column)} FROM {q(table)} WHERE {q('id')} = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


# --- at rest ---------------------------------------------------------------------------------


def test_the_database_column_never_holds_the_number(phones):
    handler, contact = phones
    for table, pk in (("core_user", handler.pk), ("core_enterprisecontact", contact.pk)):
        stored = raw(table, "phone", pk)
        assert stored.startswith("yc1:a256gcm:")
        assert "1381234" not in stored and "5678" not in stored and "1111" not in stored
        digest = raw(table, "phone_digest", pk)
        assert len(digest) == 64 and "138" not in digest[:3]


def test_the_attribute_prints_masked_and_reveals_only_on_request(phones):
    handler, contact = phones
    handler = User.objects.get(pk=handler.pk)
    assert isinstance(handler.phone, Sealed)
    assert str(handler.phone) == "138****5678" and f"{handler.phone}" == "138****5678"
    assert handler.phone.reveal() == PHONE
    assert str(EnterpriseContact.objects.get(pk=contact.pk).phone) == "139****1111"


def test_saving_another_field_keeps_the_token_and_its_index(phones):
    handler, _contact = phones
    before = raw("core_user", "phone", handler.pk), raw("core_user", "phone_digest", handler.pk)
    user = User.objects.get(pk=handler.pk)
    user.full_name = "改名"
    user.save()
    assert (raw("core_user", "phone", handler.pk), raw("core_user", "phone_digest", handler.pk)) == before


def test_an_ordering_or_containment_lookup_on_the_ciphertext_is_refused(phones):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(User.objects.filter(phone__icontains="138"))


# --- lists mask, search goes through the blind index ----------------------------------------------


def test_the_account_list_masks_and_finds_by_phone_however_written(phones):
    handler, _contact = phones
    client = login("system_admin")
    page = client.get(reverse("accounts:account_list")).content.decode()
    assert "138****5678" in page and PHONE not in page
    for written in ("+86 138 1234 5678", "138-1234-5678", "13812345678"):
        page = client.get(reverse("accounts:account_list"), {"q": written}).content.decode()
        assert f'href="{reverse("accounts:account_detail", args=[handler.pk])}"' in page, written
        assert f'href="{reverse("accounts:account_detail", args=[User.objects.get(username="dispatcher").pk])}"' not in page
    assert User.objects.filter(phone_digest=digest_for(User, "phone", "0086 13812345678")).get() == handler


def test_the_enterprise_list_finds_an_enterprise_by_its_contacts_phone(phones, world):
    client = login("handler_power")  # a city-wide unit: sees both enterprises
    page = client.get(reverse("core:enterprise_list"), {"q": "139 0000 1111"}).content.decode()
    assert world.enterprise_a.name in page and world.enterprise_b.name not in page


def test_the_enterprise_page_and_the_api_show_contacts_masked(phones, world, as_user):
    page = login("dispatcher").get(reverse("core:enterprise_detail", args=[world.enterprise_a.pk])).content.decode()
    assert "139****1111" in page and CONTACT_PHONE not in page
    body = as_user("dispatcher").get(f"/api/v1/enterprises/{world.enterprise_a.pk}/contacts")
    assert body.status_code == 200
    assert body.json()[0]["phone_masked"] == "139****1111" and CONTACT_PHONE not in body.content.decode()


# --- revealing: explicit, permission-checked, audited -----------------------------------------------


def test_the_system_administrator_reveals_an_account_phone_and_it_is_audited(phones):
    handler, _contact = phones
    client = login("system_admin")
    url = reverse("accounts:account_phone_reveal", args=[handler.pk])
    assert client.get(url).status_code == 405  # never on GET
    response = client.post(url)
    assert response.status_code == 200 and PHONE in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.filter(action="user.phone_reveal").get()
    assert event.actor_id == User.objects.get(username="system_admin").pk
    assert event.object_id == str(handler.pk)
    assert PHONE not in str(event.after) and PHONE not in str(event.object_repr)


@pytest.mark.parametrize("persona", ["security_admin", "dispatcher", "audit_admin", "enterprise_a"])
def test_who_may_not_reveal_an_account_phone_gets_403_and_the_attempt_is_audited(phones, persona):
    handler, _contact = phones
    before = AuditEvent.objects.filter(action="permission_denied").count()
    response = login(persona).post(reverse("accounts:account_phone_reveal", args=[handler.pk]))
    assert response.status_code == 403 and PHONE not in response.content.decode()
    assert AuditEvent.objects.filter(action="permission_denied").count() == before + 1
    assert not AuditEvent.objects.filter(action="user.phone_reveal").exists()


@pytest.mark.parametrize("persona", ["security_admin", "dispatcher"])
def test_the_api_refuses_an_account_phone_to_others_and_audits_it(phones, as_user, persona):
    handler, _contact = phones
    before = AuditEvent.objects.filter(action="permission_denied").count()
    response = as_user(persona).post(f"/api/v1/accounts/{handler.pk}/phone/reveal")
    assert response.status_code == 403 and PHONE not in response.content.decode()
    assert AuditEvent.objects.filter(action="permission_denied").count() == before + 1
    ok = as_user("system_admin").post(f"/api/v1/accounts/{handler.pk}/phone/reveal")
    assert ok.status_code == 200 and ok.json() == {"phone": PHONE}
    assert as_user("system_admin").post("/api/v1/accounts/999999/phone/reveal").status_code == 404


def test_a_department_that_sees_the_enterprise_reveals_a_contact_phone_audited(phones, world, as_user):
    _handler, contact = phones
    url = reverse("core:enterprise_contact_phone_reveal", args=[world.enterprise_a.pk, contact.pk])
    response = login("dispatcher").post(url)
    assert response.status_code == 200 and "+86 139 0000 1111" in response.content.decode()
    api = as_user("enterprise_a").post(f"/api/v1/enterprises/{world.enterprise_a.pk}/contacts/{contact.pk}/phone/reveal")
    assert api.status_code == 200 and api.json() == {"phone": "+86 139 0000 1111"}
    events = AuditEvent.objects.filter(action="enterprise_contact.phone_reveal").order_by("seq")
    assert [e.actor_id for e in events] == [world.dispatcher.pk, world.enterprise_a_user.pk]
    assert all(e.object_id == str(contact.pk) for e in events)


@pytest.mark.parametrize("persona", ["enterprise_b", "security_admin"])
def test_who_does_not_see_the_enterprise_gets_404_for_its_contacts(phones, world, as_user, persona):
    _handler, contact = phones
    url = reverse("core:enterprise_contact_phone_reveal", args=[world.enterprise_a.pk, contact.pk])
    assert login(persona).post(url).status_code == 404
    api = as_user(persona).post(f"/api/v1/enterprises/{world.enterprise_a.pk}/contacts/{contact.pk}/phone/reveal")
    assert api.status_code == 404
    # and another enterprise's id with this contact: still 404
    wrong = reverse("core:enterprise_contact_phone_reveal", args=[world.enterprise_b.pk, contact.pk])
    assert login(persona).post(wrong).status_code == 404
    assert not AuditEvent.objects.filter(action="enterprise_contact.phone_reveal").exists()


def test_the_system_administrator_sees_the_enterprise_but_may_not_reveal_its_contacts(phones, world, as_user):
    _handler, contact = phones
    before = AuditEvent.objects.filter(action="permission_denied").count()
    url = reverse("core:enterprise_contact_phone_reveal", args=[world.enterprise_a.pk, contact.pk])
    assert login("system_admin").post(url).status_code == 403
    api = as_user("system_admin").post(f"/api/v1/enterprises/{world.enterprise_a.pk}/contacts/{contact.pk}/phone/reveal")
    assert api.status_code == 403 and CONTACT_PHONE not in api.content.decode()
    assert AuditEvent.objects.filter(action="permission_denied").count() == before + 2
    with pytest.raises(PermissionDeniedError):
        enterprise_contact_phone_reveal(contact, actor=world.system_admin)


# --- keys: missing, wrong, rotated ---------------------------------------------------------------------


def test_a_missing_key_file_in_production_is_a_clear_error(settings, tmp_path):
    settings.IS_PRODUCTION = True
    settings.YANCHENG_FIELD_KEYS_FILE = str(tmp_path / "absent.json")
    clear_cache()
    with pytest.raises(FieldCryptoError, match=r"absent\.json does not exist.*field_keys init"):
        load_ring()
    from yancheng.core.crypto.checks import field_keys_available

    assert [m.id for m in field_keys_available()] == ["yancheng.crypto.E001"]
    assert not (tmp_path / "absent.json").exists()


def test_outside_production_the_key_file_is_made_owner_only(keyfile):
    load_ring()
    assert keyfile.stat().st_mode & 0o777 == 0o600


def test_with_the_wrong_key_file_a_reveal_is_a_clear_error_never_an_empty_number(phones, settings, tmp_path, as_user):
    handler, contact = phones
    other = tmp_path / "other.json"
    fc.write_ring(other, fc.new_ring("aes-256-gcm"))
    settings.YANCHENG_FIELD_KEYS_FILE = str(other)
    clear_cache()
    user = User.objects.get(pk=handler.pk)
    assert user.phone  # the value is there ...
    with pytest.raises(FieldCryptoError, match="is not in the key file"):
        user.phone.reveal()  # ... and cannot be read: said so, not ""
    with pytest.raises(KeyUnavailableError):
        account_phone_reveal(user, actor=User.objects.get(username="system_admin"))
    response = login("system_admin").post(reverse("accounts:account_phone_reveal", args=[handler.pk]))
    assert response.status_code == 503 and "密钥不可用" in response.content.decode()
    api = as_user("dispatcher").post(
        f"/api/v1/enterprises/{contact.enterprise_id}/contacts/{contact.pk}/phone/reveal"
    )
    assert api.status_code == 503 and api.json()["error"]["code"] == "field_key_unavailable"
    assert not AuditEvent.objects.filter(action__endswith="phone_reveal").exists()


def test_rotation_keeps_old_rows_readable_and_reencryption_leaves_none_on_the_old_key(phones, world):
    handler, contact = phones
    old = load_ring().primary
    call_command("field_keys", "rotate", "--cipher", "sm4-gcm")
    new = load_ring().primary
    assert new != old
    assert User.objects.get(pk=handler.pk).phone.reveal() == PHONE  # old key still decrypts
    world.dispatcher.phone = "13700001234"
    world.dispatcher.save(update_fields=["phone"])
    assert raw("core_user", "phone", world.dispatcher.pk).startswith(f"yc1:sm4gcm:{new}:")
    with pytest.raises(FieldCryptoError, match="still encrypts"):
        rekey.retire(old)
    digest_before = raw("core_user", "phone_digest", handler.pk)

    result = rekey.reencrypt_all(batch_size=1)
    assert result.rows["core.user"] == 1 and result.rows["core.enterprisecontact"] == 1
    usage = rekey.key_usage()
    assert all(set(counts) <= {new} for counts in usage.values()), usage
    assert raw("core_user", "phone", handler.pk).startswith(f"yc1:sm4gcm:{new}:")
    assert raw("core_user", "phone_digest", handler.pk) == digest_before  # search still finds it
    assert User.objects.get(pk=handler.pk).phone.reveal() == PHONE
    assert EnterpriseContact.objects.get(pk=contact.pk).phone.reveal() == "+86 139 0000 1111"
    assert AuditEvent.objects.filter(action="field_keys.rotate").count() == 1
    assert AuditEvent.objects.filter(action="field_keys.reencrypt").count() == 2  # a batch a record
    assert rekey.reencrypt_all().total == 0  # re-runnable: nothing left

    rekey.retire(old)
    assert old not in load_ring().keys
    assert AuditEvent.objects.filter(action="field_keys.retire").count() == 1


def test_an_sms_delivery_holds_no_copy_of_the_phone(phones, world, django_capture_on_commit_callbacks):
    from yancheng.core.notifications.models import Delivery
    from yancheng.core.notifications.services import notify

    handler, _contact = phones
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=[handler], verb="test", title="测试", url="/", sms=True, email=False, actor=None)
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.target == ""
    assert delivery.sms_phone() == PHONE and delivery.target_display == "138****5678"


def test_anonymous_callers_reveal_nothing(phones, world, client):
    handler, contact = phones
    assert client.post(f"/api/v1/accounts/{handler.pk}/phone/reveal").status_code == 401
    assert client.post(f"/api/v1/enterprises/{world.enterprise_a.pk}/contacts/{contact.pk}/phone/reveal").status_code == 401
    assert client.get(f"/api/v1/enterprises/{world.enterprise_a.pk}/contacts").status_code == 401
    web = client.post(reverse("accounts:account_phone_reveal", args=[handler.pk]))
    assert web.status_code == 302 and PHONE not in web.content.decode()


def test_without_a_key_file_an_account_without_phone_is_made_and_one_with_a_phone_is_refused(world, settings, tmp_path):
    from yancheng.core.services import user_create

    settings.IS_PRODUCTION = True
    settings.YANCHENG_FIELD_KEYS_FILE = str(tmp_path / "absent.json")
    clear_cache()
    common = dict(password=None, role="handler", organisation=world.power_company, actor=None)
    assert user_create(username="no_phone", **common).phone_digest == ""
    with pytest.raises(KeyUnavailableError, match="密钥不可用") as refused:
        user_create(username="with_phone", phone=PHONE, **common)
    assert "does not exist" in str(refused.value.__cause__)
    assert not User.objects.filter(username="with_phone").exists()


def test_a_dump_carries_the_token_and_loads_back_to_the_same_number(phones):
    from django.core import serializers

    handler, _contact = phones
    dumped = serializers.serialize("json", [User.objects.get(pk=handler.pk)])
    assert PHONE not in dumped and raw("core_user", "phone", handler.pk) in dumped
    for obj in serializers.deserialize("json", dumped):
        obj.save()
    assert User.objects.get(pk=handler.pk).phone.reveal() == PHONE
