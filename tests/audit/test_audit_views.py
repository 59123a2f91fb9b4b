"""The audit admin's pages: only the 审计管理员 reads the trail, and every query is audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_checkpoint_create, audit_record

PAGES = [
    ("audit:list", {}),
    ("audit:detail", {"seq": 1}),
    ("audit:export", {}),
    ("audit:verify", {}),
]
OTHERS = ["system_admin", "security_admin", "dispatcher", "enterprise_a"]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("persona", OTHERS)
@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_everyone_but_the_audit_admin_is_refused(client, world, persona, name, kwargs):
    client.force_login(world.users[persona])
    before = AuditEvent.objects.filter(action__startswith="audit.").count()
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action__startswith="audit.").count() == before


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_the_audit_admin_may_read(client, world, name, kwargs):
    client.force_login(world.audit_admin)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_the_pages_refuse_to_change_anything(client, world):
    client.force_login(world.audit_admin)
    assert client.post(reverse("audit:list")).status_code == 405


def test_the_list_shows_newest_first_and_records_the_query(client, world):
    client.force_login(world.audit_admin)
    newest = audit_record("test.newest", actor=world.dispatcher)
    response = client.get(reverse("audit:list"))
    events = list(response.context["page"])
    assert events[0].seq == newest.seq
    assert [e.seq for e in events] == sorted((e.seq for e in events), reverse=True)
    query = AuditEvent.objects.order_by("-seq").first()
    assert query.action == "audit.query"
    assert query.actor_id == world.audit_admin.pk
    assert query.after["view"] == "list"


def test_the_list_filters_by_actor_action_object_and_outcome(client, world):
    client.force_login(world.audit_admin)
    audit_record("test.alpha", actor=world.dispatcher, object_type="core.enterprise", object_id="42")
    audit_record("test.beta", actor=world.dispatcher, outcome=AuditEvent.Outcome.DENIED)
    audit_record("test.alpha", actor=world.security_admin)

    def seqs(**params):
        page = client.get(reverse("audit:list"), params).context["page"]
        return [(e.action, e.actor_repr) for e in page]

    assert seqs(actor="dispatcher", action="test.") == [("test.beta", "dispatcher"), ("test.alpha", "dispatcher")]
    assert seqs(object_type="core.enterprise", object_id="42") == [("test.alpha", "dispatcher")]
    assert seqs(action="test.", outcome="denied") == [("test.beta", "dispatcher")]
    recorded = AuditEvent.objects.order_by("-seq").first()
    assert recorded.after["filters"] == {"action": "test.", "outcome": "denied"}


def test_the_list_filters_by_time_range(client, world):
    client.force_login(world.audit_admin)
    today = timezone.localdate()
    page = client.get(reverse("audit:list"), {"date_from": today.isoformat(), "date_to": today.isoformat()}).context[
        "page"
    ]
    assert page.paginator.count > 0
    yesterday = (today - timedelta(days=1)).isoformat()
    page = client.get(reverse("audit:list"), {"date_to": yesterday}).context["page"]
    assert page.paginator.count == 0
    response = client.get(reverse("audit:list"), {"date_from": today.isoformat(), "date_to": yesterday})
    assert response.context["page"] is None
    assert "起始日期不能晚于截止日期" in response.content.decode()


def test_the_list_is_paginated_with_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.audit_admin)
    for n in range(60):
        audit_record("test.bulk", after={"n": n})
    with django_assert_max_num_queries(14):  # session, user, org, count, page, the audit insert
        response = client.get(reverse("audit:list"), {"action": "test.bulk"})
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (60, 50, 2)
    assert "page=2" in response.content.decode()
    second = client.get(reverse("audit:list"), {"action": "test.bulk", "page": 2}).context["page"]
    assert len(second.object_list) == 10


def test_the_detail_page_shows_before_and_after_and_is_recorded(client, world):
    client.force_login(world.audit_admin)
    event = audit_record("test.change", actor=world.dispatcher, before={"status": "旧状态"}, after={"status": "新状态"})
    response = client.get(reverse("audit:detail", kwargs={"seq": event.seq}))
    body = response.content.decode()
    assert "旧状态" in body and "新状态" in body
    recorded = AuditEvent.objects.order_by("-seq").first()
    assert (recorded.action, recorded.object_id) == ("audit.query", str(event.seq))


def test_an_unknown_record_is_404(client, world):
    client.force_login(world.audit_admin)
    assert client.get(reverse("audit:detail", kwargs={"seq": 999_999})).status_code == 404


def test_the_export_is_the_filtered_list_as_csv_and_is_recorded(client, world):
    client.force_login(world.audit_admin)
    audit_record("test.export", actor=world.dispatcher, after={"note": "=HYPERLINK(\"http://evil\")"})
    audit_record("test.other", actor=world.dispatcher)
    response = client.get(reverse("audit:export"), {"action": "test.export"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "序号"
    assert [r[4] for r in rows[1:]] == ["test.export"]
    recorded = AuditEvent.objects.get(action="audit.export")
    assert recorded.after == {"format": "csv", "filters": {"action": "test.export"}, "rows": 1}
    assert recorded.actor_id == world.audit_admin.pk


def test_the_export_defuses_spreadsheet_formulas(client, world):
    client.force_login(world.audit_admin)
    audit_record("test.export", actor=world.dispatcher, object_repr="=1+1")
    text = b"".join(client.get(reverse("audit:export"), {"action": "test.export"}).streaming_content).decode()
    assert "'=1+1" in text


def test_the_verify_page_shows_the_result_and_the_checkpoints(client, world):
    client.force_login(world.audit_admin)
    checkpoint = audit_checkpoint_create()
    response = client.get(reverse("audit:verify"))
    assert response.context["report"].ok
    body = response.content.decode()
    assert "校验通过" in body
    assert checkpoint.key_id in body
    recorded = AuditEvent.objects.order_by("-seq").first()
    assert recorded.action == "audit.verify"
    assert recorded.after["result"].startswith("OK:")


def test_the_verify_page_names_a_broken_record(client, world, tamper):
    client.force_login(world.audit_admin)
    tamper.delete_event(3)
    response = client.get(reverse("audit:verify"))
    assert not response.context["report"].ok
    body = response.content.decode()
    assert "记录缺失" in body and "序号 3" in body


def test_the_list_says_what_was_done_to_what_in_words_with_the_codes_on_hover(client, world):
    audit_record("auth.login", world.dispatcher, actor=world.dispatcher)
    audit_record("project.create", actor=world.dispatcher, object_type="project", object_id="7")
    client.force_login(world.audit_admin)
    body = client.get(reverse("audit:list")).content.decode()
    assert '<span title="auth.login">登录</span>' in body
    assert f'title="core.user#{world.dispatcher.pk}">用户</span>' in body
    assert '<span title="project.create">项目 · 新建</span>' in body
    assert "<code>auth.login</code>" not in body

    client.post(reverse("set_language"), {"language": "en", "next": reverse("audit:list")})
    body = client.get(reverse("audit:list")).content.decode()
    assert '<span title="auth.login">Log in</span>' in body
    assert f'title="core.user#{world.dispatcher.pk}">User</span>' in body


def test_an_unknown_code_is_shown_as_it_is():
    from yancheng.core.audit.labels import action_label, object_label

    assert action_label("test.newest") == "test.newest"
    assert object_label("nowhere.nothing") == "nowhere.nothing"
