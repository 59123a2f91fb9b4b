"""Account administration pages under /accounts/manage/ (三权分立: 等保 8.1.4.2d, 8.1.5;
security-checklist §3). Each page is tried by every role that must not use it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import PermissionDeniedError
from yancheng.core.models import Role, User
from yancheng.core.security.services import account_create, account_reset_password, account_set_active

from ._helpers import is_login_redirect, post_login

SYS, SEC = "system_admin", "security_admin"
# (url name, method, needs a target user, who may use it)
ROUTES = [
    ("accounts:account_list", "get", False, {SYS, SEC}),
    ("accounts:account_create", "get", False, {SYS}),
    ("accounts:account_failed_logins", "get", False, {SEC}),
    ("accounts:account_detail", "get", True, {SYS, SEC}),
    ("accounts:account_set_active", "post", True, {SYS}),
    ("accounts:account_end_sessions", "post", True, {SYS}),
    ("accounts:account_reset_password", "get", True, {SYS}),
    ("accounts:account_set_role", "post", True, {SEC}),
    ("accounts:account_unlock", "post", True, {SEC}),
    ("accounts:account_reset_second_factor", "post", True, {SEC}),
]
PERSONAS = ["enterprise_a", "dispatcher", "handler_power", "supervisor", "audit_admin", SYS, SEC]
STRONG = "Nw3#kRt8vLq2"


def _url(world, name: str, needs_target: bool) -> str:
    return reverse(name, kwargs={"pk": world.handler_other.pk}) if needs_target else reverse(name)


def _data(name: str) -> dict[str, str]:
    return {"accounts:account_set_active": {"active": "0"}, "accounts:account_set_role": {"role": Role.INSPECTOR}}.get(
        name, {}
    )


@pytest.mark.parametrize(("name", "method", "needs_target", "allowed"), ROUTES)
def test_anonymous_users_are_sent_to_login(world, name, method, needs_target, allowed):
    response = getattr(Client(), method)(_url(world, name, needs_target), _data(name))
    assert is_login_redirect(response)


@pytest.mark.parametrize(("name", "method", "needs_target", "allowed"), ROUTES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_page_answers_only_its_administrator(
    world, logged_in, persona, name, method, needs_target, allowed
):
    client = logged_in(persona)
    before = AuditEvent.objects.filter(action="permission_denied").count()
    response = getattr(client, method)(_url(world, name, needs_target), _data(name))
    if persona in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert not is_login_redirect(response)
    else:
        assert response.status_code == 403
        assert AuditEvent.objects.filter(action="permission_denied").count() == before + 1


@pytest.mark.parametrize("name", [r[0] for r in ROUTES if r[1] == "post"])
def test_state_changing_pages_refuse_get(world, logged_in, name):
    for persona in (SYS, SEC):
        response = logged_in(persona).get(reverse(name, kwargs={"pk": world.handler_other.pk}))
        assert response.status_code == 405


def test_the_system_administrator_creates_a_business_account(world, logged_in):
    client = logged_in(SYS)
    response = client.post(
        reverse("accounts:account_create"),
        {
            "username": "zhangsan",
            "full_name": "张三",
            "role": Role.HANDLER,
            "organisation": world.city_ndrc.pk,
            "new_password1": STRONG,
            "new_password2": STRONG,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    assert user.role == Role.HANDLER and user.must_change_password
    event = AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).get()
    assert event.actor_id == world.system_admin.pk


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_the_system_administrator_cannot_create_an_administrator(world, logged_in, role):
    client = logged_in(SYS)
    response = client.post(
        reverse("accounts:account_create"),
        {
            "username": "sneaky",
            "full_name": "某人",
            "role": role,
            "organisation": world.it_office.pk,
            "new_password1": STRONG,
            "new_password2": STRONG,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="sneaky").exists()
    with pytest.raises(PermissionDeniedError):
        account_create(
            username="sneaky",
            password=STRONG,
            role=role,
            organisation=world.it_office,
            actor=world.system_admin,
        )


def test_a_weak_initial_password_is_refused_with_the_policy_message(world, logged_in):
    response = logged_in(SYS).post(
        reverse("accounts:account_create"),
        {
            "username": "lisi",
            "full_name": "李四",
            "role": Role.HANDLER,
            "organisation": world.city_ndrc.pk,
            "new_password1": "hengyang2026!A",
            "new_password2": "hengyang2026!A",
        },
    )
    assert response.status_code == 200
    assert "常见词" in response.content.decode()
    assert not User.objects.filter(username="lisi").exists()


def test_the_system_administrator_disables_and_enables_an_account(world, logged_in):
    client = logged_in(SYS)
    url = reverse("accounts:account_set_active", kwargs={"pk": world.handler_other.pk})
    client.post(url, {"active": "0"})
    assert not User.objects.get(pk=world.handler_other.pk).is_active
    assert post_login(Client(), "handler_other").status_code == 200
    client.post(url, {"active": "1"})
    assert User.objects.get(pk=world.handler_other.pk).is_active
    assert AuditEvent.objects.filter(action="user.set_active", actor=world.system_admin).count() == 2


@pytest.mark.parametrize("target", [SYS, SEC, "audit_admin"])
def test_the_system_administrator_cannot_disable_or_reset_administrators(world, logged_in, target):
    client = logged_in(SYS)
    account = getattr(world, target)
    assert (
        client.post(reverse("accounts:account_set_active", kwargs={"pk": account.pk}), {"active": "0"}).status_code
        == 403
    )
    response = client.post(
        reverse("accounts:account_reset_password", kwargs={"pk": account.pk}),
        {"new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.is_active and not account.check_password(STRONG)
    with pytest.raises(PermissionDeniedError):
        account_set_active(account, active=False, actor=world.system_admin)
    with pytest.raises(PermissionDeniedError):
        account_reset_password(account, new_password=STRONG, actor=world.system_admin)


def test_the_system_administrator_resets_a_password_and_forces_a_change(world, logged_in):
    response = logged_in(SYS).post(
        reverse("accounts:account_reset_password", kwargs={"pk": world.handler_other.pk}),
        {"new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=world.handler_other.pk)
    assert user.check_password(STRONG) and user.must_change_password
    event = AuditEvent.objects.filter(action="user.set_password", object_id=str(user.pk)).latest("seq")
    assert event.actor_id == world.system_admin.pk and STRONG not in str(event.after)


def test_the_security_administrator_grants_an_administrator_role(world, logged_in):
    client = logged_in(SEC)
    response = client.post(
        reverse("accounts:account_set_role", kwargs={"pk": world.handler_other.pk}), {"role": Role.AUDIT_ADMIN}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=world.handler_other.pk).role == Role.AUDIT_ADMIN
    event = AuditEvent.objects.filter(action="user.set_role").latest("seq")
    assert event.actor_id == world.security_admin.pk and event.after == {"role": Role.AUDIT_ADMIN}


def test_the_security_administrator_cannot_change_their_own_role(world, logged_in):
    client = logged_in(SEC)
    response = client.post(
        reverse("accounts:account_set_role", kwargs={"pk": world.security_admin.pk}), {"role": Role.SYSTEM_ADMIN}
    )
    assert response.status_code == 403
    assert User.objects.get(pk=world.security_admin.pk).role == Role.SECURITY_ADMIN


def test_a_role_that_does_not_fit_the_organisation_is_refused(world, logged_in):
    client = logged_in(SEC)
    client.post(reverse("accounts:account_set_role", kwargs={"pk": world.handler_other.pk}), {"role": Role.ENTERPRISE})
    client.post(
        reverse("accounts:account_set_role", kwargs={"pk": world.users["enterprise_a"].pk}),
        {"role": Role.SYSTEM_ADMIN},
    )
    assert User.objects.get(pk=world.handler_other.pk).role == Role.HANDLER
    assert User.objects.get(pk=world.users["enterprise_a"].pk).role == Role.ENTERPRISE


def test_the_security_administrator_sees_failed_logins_and_unlocks_an_account(world, logged_in):
    attacker = Client()
    for _ in range(5):
        post_login(attacker, "dispatcher", "Wrong#Pass2026x")
    assert post_login(Client(), "dispatcher").status_code == 429
    client = logged_in(SEC)
    page = client.get(reverse("accounts:account_failed_logins"))
    assert page.status_code == 200
    assert "dispatcher" in page.content.decode() and "锁定中" in page.content.decode()
    assert "已锁定" in client.get(reverse("accounts:account_list")).content.decode()
    client.post(reverse("accounts:account_unlock", kwargs={"pk": world.dispatcher.pk}))
    assert post_login(Client(), "dispatcher").status_code == 302
    event = AuditEvent.objects.filter(action="user.unlock").latest("seq")
    assert event.actor_id == world.security_admin.pk and event.after["attempt_records_cleared"] >= 1


def test_the_account_list_filters_and_keeps_its_query_count(world, logged_in, django_assert_max_num_queries):
    client = logged_in(SYS)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("accounts:account_list"))
    assert response.status_code == 200
    assert "handler_power" in response.content.decode()
    filtered = client.get(reverse("accounts:account_list"), {"q": "enterprise_"}).content.decode()
    assert "enterprise_a" in filtered and "handler_power" not in filtered


def test_the_detail_page_offers_each_administrator_only_their_own_actions(world, logged_in):
    url = reverse("accounts:account_detail", kwargs={"pk": world.handler_other.pk})
    sys_page = logged_in(SYS).get(url).content.decode()
    sec_page = logged_in(SEC).get(url).content.decode()
    assert "重置密码" in sys_page and "修改角色" not in sys_page
    assert "修改角色" in sec_page and "重置密码" not in sec_page
