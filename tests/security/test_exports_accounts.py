"""The account list and the failed logins as .xlsx: what the page lists under its search,
the phone masked as on the page, never a password hash, a second-factor secret or a token;
refused to whoever the page refuses."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from yancheng.api.services import api_token_create
from yancheng.core.audit.models import AuditEvent
from yancheng.core.security.views.second_factor import totp_device_model
from yancheng.core.services import user_create
from yancheng.testing.exports import read_export

PHONE = "13912345678"
OUTSIDERS = ["dispatcher", "leader", "audit_admin", "enterprise_a_user", "supervisor"]


@pytest.fixture(scope="module")
def built(module_world, django_db_blocker):
    """A handler with a phone and a bound second factor, and a failed-login record."""
    w = module_world
    with django_db_blocker.unblock():
        handler = user_create(username="phone_holder", password=None, role="handler", organisation=w.power_company,
                              full_name="有手机的承办人", phone=PHONE, must_change_password=False, actor=None)
        device = totp_device_model().objects.create(user=handler, name="手机", confirmed=True)
        token, raw = api_token_create(user=handler, name="对接", valid_days=30, actor=handler)
        AccessAttempt.objects.create(username="dispatcher", ip_address="10.0.0.9", user_agent="test",
                                     failures_since_start=5, attempt_time=timezone.now(), get_data="",
                                     post_data="", http_accept="", path_info="/accounts/login/")
    return SimpleNamespace(w=w, handler=handler, device=device, token=token, raw=raw)


@pytest.fixture
def aw(built, shared_world):
    return built


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"accounts:{name}"), params)


def test_the_account_export_lists_the_accounts_of_the_page_with_the_phone_masked(client, aw):
    page = get(client, aw.w.system_admin, "account_list", q="phone_holder")
    export = read_export(get(client, aw.w.system_admin, "account_list", q="phone_holder", format="xlsx"), "账号")
    assert export.header == ("用户名", "姓名", "手机号", "角色", "所属单位", "状态", "须改密", "动态口令")
    [shown] = page.context["rows"]
    assert export.rows == [("phone_holder", "有手机的承办人", shown["phone"], aw.handler.get_role_display(),
                            aw.w.power_company.name, "正常", "否", "已绑定")]
    assert PHONE not in shown["phone"] and shown["phone"].endswith(PHONE[-4:])
    event = AuditEvent.objects.filter(action="account.export", actor=aw.w.system_admin).latest("seq")
    assert event.after == {"filters": {"q": "phone_holder"}, "rows": 1}


def test_the_account_export_holds_no_secret_of_any_account(client, aw):
    export = read_export(get(client, aw.w.security_admin, "account_list", format="xlsx"), "账号")
    assert len(export.rows) == len(set(export.column("用户名"))) > 15
    cells = "\n".join(str(value) for row in export.rows for value in row)
    assert PHONE not in cells
    assert aw.device.key not in cells
    for user in (aw.handler, aw.w.system_admin, aw.w.dispatcher):
        assert user.password and user.password not in cells
    assert not any(marker in cells for marker in ("md5$", "argon2", "pbkdf2", "bcrypt"))
    assert aw.raw not in cells and aw.token.key_hash not in cells and aw.token.prefix not in cells


def test_the_account_export_follows_the_role_filter(client, aw):
    export = read_export(get(client, aw.w.system_admin, "account_list", role="supervisor", format="xlsx"), "账号")
    assert export.column("用户名") == ["supervisor"]


def test_the_failed_logins_export_has_counts_as_numbers(client, aw):
    export = read_export(get(client, aw.w.security_admin, "account_failed_logins", format="xlsx"), "登录失败记录")
    assert export.column("尝试的用户名") == ["dispatcher"]
    assert export.cell(0, "失败次数").value == 5 and export.cell(0, "失败次数").data_type == "n"
    assert export.cell(0, "最近一次").is_date and export.column("状态") == ["锁定中"]


def test_the_failed_logins_export_is_the_security_administrators_only(client, aw):
    assert get(client, aw.w.system_admin, "account_failed_logins", format="xlsx").status_code == 403


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_who_may_not_list_accounts_gets_no_export(client, aw, persona):
    user = getattr(aw.w, persona)
    assert get(client, user, "account_list", format="xlsx").status_code == 403
    assert get(client, user, "account_failed_logins", format="xlsx").status_code == 403
    assert not AuditEvent.objects.filter(action="account.export", actor=user).exists()


def test_the_account_list_offers_the_export_of_its_search(client, aw):
    html = get(client, aw.w.system_admin, "account_list", q="phone", role="handler").content.decode()
    assert '<a class="button" href="?q=phone&amp;role=handler&amp;format=xlsx">导出 Excel</a>' in html
