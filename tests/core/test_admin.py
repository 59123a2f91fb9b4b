"""The back office writes through the same services (and so the audit trail)."""

from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import Enterprise
from yancheng.lib.uscc import complete


def _form(world, uscc, name="后台登记有限公司"):
    return {
        "uscc": uscc, "name": name, "region": world.qidong.pk, "park": world.qidong_park.pk,
        "legal_representative": "", "address": "", "srdi_tier": "", "srdi_valid_until": "", "grade": "B",
        "is_active": "on",
    }


def test_the_admin_registers_an_enterprise_through_the_service(client, world):
    client.force_login(world.system_admin)
    code = complete("91430426MA4AD0001")
    response = client.post(reverse("admin:core_enterprise_add"), _form(world, code))
    assert response.status_code == 302, response.content.decode()[:2000]
    enterprise = Enterprise.objects.get(uscc=code)
    assert enterprise.organisation is not None  # made by enterprise_create, not a bare save()
    event = AuditEvent.objects.get(action="enterprise.create", object_id=str(enterprise.pk))
    assert event.actor_id == world.system_admin.pk


def test_the_admin_refuses_a_bad_code_with_the_same_message(client, world):
    client.force_login(world.system_admin)
    good = complete("91430426MA4AD0002")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post(reverse("admin:core_enterprise_add"), _form(world, bad))
    assert response.status_code == 200
    assert f"第 18 位应为 {good[17]}" in response.content.decode()
    assert not Enterprise.objects.filter(name="后台登记有限公司").exists()


def test_the_admin_never_deletes_enterprises(client, world):
    client.force_login(world.system_admin)
    url = reverse("admin:core_enterprise_delete", args=[world.enterprise_a.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Enterprise.objects.filter(pk=world.enterprise_a.pk).exists()
