"""The case pages: inbox, reporting, the case page with its buttons, export and the 通报
list — each as anonymous, as someone who must not see or act, and as the right persona."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from yancheng.cases.attachments import may_attach_to_case, register
from yancheng.cases.models import Case, CaseEvent, CaseTask, EscalationLevel, Status
from yancheng.cases.services import (
    case_accept,
    case_add_note,
    case_assign,
    case_complete_task,
    case_resolve,
    case_submit,
)
from yancheng.core.attachments.services import attachments_for
from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import Organisation

SH = dt.timezone(dt.timedelta(hours=8))
TUESDAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)


def tiny_png() -> bytes:
    """A valid 2×2 red PNG, made here so the test needs no fixture file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(autouse=True)
def _cases_are_attachable():
    # CasesConfig.ready() already registers it; registering again is harmless.
    register()


@pytest.fixture
def frozen():
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case_a(world, frozen):
    """The seed story's problem, reported by enterprise A (in 祁东's park)."""
    return case_submit(actor=world.enterprise_a_user, title="高压专线未接入",
                       description="10kV 高压专线尚未接入，无法试生产。", subject="纸箱包装生产线项目")


@pytest.fixture
def case_b(world, frozen):
    """Enterprise B's problem (石鼓区): neither the park nor enterprise A may see it."""
    return case_submit(actor=world.enterprise_b_user, title="乙企业的问题", description="与甲无关")


def login(client, user):
    client.force_login(user)
    return client


def assigned(world, case):
    return case_assign(case, actor=world.dispatcher, lead_org=world.power_company, co_orgs=[world.qidong_ndrc],
                       co_instruction="协调用地", solve_days=5)


def act(client, case, action, data=None, files=None, version=None):
    case.refresh_from_db()
    payload = {f"{action}-version": case.version if version is None else version}
    payload |= {f"{action}-{k}": v for k, v in (data or {}).items()}
    payload |= {f"{action}-{k}": v for k, v in (files or {}).items()}
    return client.post(reverse("cases:case_act", args=[case.pk, action]), payload)


# --- anonymous ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cases:case_inbox", "cases:case_new", "cases:case_report_list", "cases:case_export"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_anonymous_visitors_cannot_open_or_act_on_a_case(client, case_a):
    assert "/accounts/login/" in client.get(reverse("cases:case_detail", args=[case_a.pk]))["Location"]
    response = client.post(reverse("cases:case_act", args=[case_a.pk, "withdraw"]), {"withdraw-version": 1})
    assert "/accounts/login/" in response["Location"]
    case_a.refresh_from_db()
    assert case_a.status == Status.SUBMITTED


# --- inbox -------------------------------------------------------------------------------------------


def test_an_enterprise_inbox_holds_only_its_own_cases(client, world, case_a, case_b):
    body = login(client, world.enterprise_a_user).get(reverse("cases:case_inbox")).content.decode()
    assert case_a.number in body and "高压专线未接入" in body
    assert case_b.number not in body


def test_administrators_have_no_case_inbox(client, world):
    for persona in (world.system_admin, world.security_admin, world.audit_admin, world.inspector):
        assert login(client, persona).get(reverse("cases:case_inbox")).status_code == 403


def test_the_dispatchers_inbox_puts_new_and_returned_cases_first(client, world, case_a, frozen):
    older = case_submit(actor=world.enterprise_a_user, title="早先的问题", description="已交办")
    assigned(world, older)
    frozen.shift(dt.timedelta(days=6))  # the assigned case is now red; the new one still first
    late_new = case_submit(actor=world.enterprise_a_user, title="刚提交的问题", description="待受理")
    response = login(client, world.dispatcher).get(reverse("cases:case_inbox"))
    numbers = [row.number for row, *_ in response.context["rows"]]
    assert numbers.index(late_new.number) < numbers.index(older.number)
    assert numbers.index(case_a.number) < numbers.index(older.number)
    assert response.context["rows"][-1][0].light == "red"


def test_the_inbox_shows_both_clocks_and_counts_per_light(client, world, case_a, frozen):
    assigned(world, case_a)
    response = login(client, world.handler_power).get(reverse("cases:case_inbox"))
    body = response.content.decode()
    _case, accept, solve, _label = response.context["rows"][0]
    assert (accept.light, solve.light) == ("green", "green")
    assert accept.due is not None and solve.due is not None and accept.due < solve.due
    assert solve.due_label in body and solve.due_label.endswith("24:00")
    chips = {c["light"]: c["count"] for c in response.context["chips"]}
    assert chips["green"] == 1 and chips["red"] == 0
    frozen.shift(dt.timedelta(days=2))  # past the 1-working-day accept deadline (end of Wednesday)
    response = login(client, world.handler_power).get(reverse("cases:case_inbox"), {"light": "red"})
    assert [c.number for c, *_ in response.context["rows"]] == [case_a.number]
    assert response.context["rows"][0][1].light == "red"  # the accept clock is the overdue one
    assert response.context["rows"][0][2].light in {"green", "yellow"}


def _inbox_row_of(body: str, number: str) -> str:
    rows = re.findall(r'<tr class="case-row".*?</tr>', body, flags=re.S)
    (row,) = [r for r in rows if f'<span class="number">{number}</span>' in r]
    return row


def test_an_inbox_row_says_who_dispatches_until_the_case_is_assigned(client, world, case_a):
    row = _inbox_row_of(login(client, world.dispatcher).get(reverse("cases:case_inbox")).content.decode(), case_a.number)
    assert f'href="{reverse("cases:case_detail", args=[case_a.pk])}"' in row
    assert f'<span class="muted">{case_a.dispatch_org.name}受理中</span>' in row
    assert row.count("未开始计时") == 2 and "<time" not in row
    assert 'data-status="submitted"' in row and "纸箱包装生产线项目" in row


def test_an_inbox_row_shows_the_lead_the_co_units_the_clocks_and_the_badges(client, world, case_a):
    assigned(world, case_a)
    Case.objects.filter(pk=case_a.pk).update(deadlines_provisional=True, urgency="urgent",
                                             escalation_level=EscalationLevel.SUPERVISED)
    body = login(client, world.dispatcher).get(reverse("cases:case_inbox")).content.decode()
    row = _inbox_row_of(body, case_a.number)
    case_a.refresh_from_db()
    assert f'<td data-label="主办 / 协办">{world.power_company.name}' in row
    assert f"协办 · {world.qidong_ndrc.name} · 办理中" in row
    due_day = (timezone.localtime(case_a.solve_due_at) - dt.timedelta(days=1)).date().isoformat()
    assert timezone.localtime(case_a.solve_due_at).time() == dt.time(0)
    assert f'<time datetime="{due_day}">{due_day} 24:00</time>' in row
    assert row.count("暂定") == 2 and 'class="badge urgent">紧急<' in row
    assert 'class="badge escalation">督办<' in row and 'data-light="green"' in row


def test_an_inbox_row_escapes_what_users_typed(client, world, frozen):
    case = case_submit(actor=world.enterprise_a_user, title="<script>alert(1)</script>",
                       description="x", subject='<img src=x onerror="y">')
    Organisation.objects.filter(pk=world.qidong_ndrc.pk).update(name="祁东<发改>局")
    assigned(world, case)
    row = _inbox_row_of(login(client, world.dispatcher).get(reverse("cases:case_inbox")).content.decode(), case.number)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row and "<script>" not in row
    assert "&lt;img src=x onerror=&quot;y&quot;&gt;" in row and "<img" not in row
    assert "祁东&lt;发改&gt;局" in row


def test_an_inbox_row_speaks_english_on_request(client, world, case_a):
    login(client, world.dispatcher)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("cases:case_inbox")})
    row = _inbox_row_of(client.get(reverse("cases:case_inbox")).content.decode(), case_a.number)
    assert "for dispatch" in row and row.count("Clock not started") == 2
    assert "受理中" not in row and "未开始计时" not in row


def test_the_inbox_filters_by_search_and_tab(client, world, case_a, case_b):
    login(client, world.supervisor)  # city-wide: sees both
    assert [c.number for c, *_ in client.get(reverse("cases:case_inbox"), {"q": "乙企业"}).context["rows"]] == [
        case_b.number]
    assert client.get(reverse("cases:case_inbox"), {"scope": "done"}).context["rows"] == []


def test_the_unit_filter_lists_the_units_escaped_with_the_chosen_one_selected(client, world, case_a):
    Organisation.objects.filter(pk=world.power_company.pk).update(name="国网<衡阳>供电公司")
    page = login(client, world.dispatcher).get(reverse("cases:case_inbox"), {"unit": world.power_company.pk})
    html = page.content.decode()
    assert f'<option value="{world.power_company.pk}" selected>国网&lt;衡阳&gt;供电公司</option>' in html
    unit_select = html.split('name="unit"')[1].split("</select>")[0]
    listed = {int(pk) for pk in re.findall(r'<option value="(\d+)"', unit_select)}
    assert world.qidong_ndrc.pk in listed
    assert not Organisation.objects.filter(pk__in=listed, kind=Organisation.Kind.ENTERPRISE).exists()


def test_the_inbox_page_query_count_does_not_grow_with_cases(client, world, frozen, django_assert_max_num_queries):
    for n in range(34):
        case = case_submit(actor=world.enterprise_a_user, title=f"问题 {n}", description="批量")
        if n % 2:
            assigned(world, case)
        if n % 3 == 0 and n % 2:
            case_accept(case, actor=world.handler_power)
    login(client, world.dispatcher)
    client.get(reverse("cases:case_inbox"))  # warm the session and caches
    # session, user, organisation, region; light counts, page count, rows, co-unit tasks;
    # the nav's notification badge and its check of the chains the user reads; region and unit
    # filter lists; the session touch (3).
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases:case_inbox"))
    assert len(response.context["rows"]) == 34
    with CaptureQueriesContext(connection) as one_row:
        narrow = client.get(reverse("cases:case_inbox"), {"q": "问题 33"})
    with CaptureQueriesContext(connection) as all_rows:
        client.get(reverse("cases:case_inbox"), {"scope": "all"})
    assert len(narrow.context["rows"]) == 1
    assert len(all_rows.captured_queries) == len(one_row.captured_queries)


# --- export ------------------------------------------------------------------------------------------


def _exported_numbers(response) -> list[str]:
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_export_holds_only_the_cases_the_user_sees_and_is_audited(client, world, case_a, case_b):
    response = login(client, world.dispatcher).get(reverse("cases:case_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _exported_numbers(response) == [case_a.number]
    assert AuditEvent.objects.filter(action="case.export", actor=world.dispatcher).exists()
    response = login(client, world.enterprise_b_user).get(reverse("cases:case_export"), {"q": "高压"})
    assert _exported_numbers(response) == []


def test_administrators_cannot_export_cases(client, world, case_a):
    assert login(client, world.system_admin).get(reverse("cases:case_export")).status_code == 403


# --- reporting ---------------------------------------------------------------------------------------


def test_an_enterprise_reports_a_problem_with_a_photo(client, world, frozen):
    login(client, world.enterprise_a_user)
    form = client.get(reverse("cases:case_new"))
    assert form.status_code == 200 and 'name="enterprise"' not in form.content.decode()
    photo = SimpleUploadedFile("现场.png", tiny_png(), content_type="image/png")
    response = client.post(reverse("cases:case_new"), {
        "kind": "project_problem", "title": "高压专线未接入", "subject": "纸箱包装生产线项目",
        "description": "专线未接入", "urgency": "urgent", "attachments": [photo],
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert (case.enterprise, case.dispatch_org, case.urgency) == (world.enterprise_a, world.qidong_park, "urgent")
    assert [a.original_name for a in attachments_for(case)] == ["现场.png"]


def test_a_refused_file_leaves_no_half_report(client, world, frozen):
    login(client, world.enterprise_a_user)
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(reverse("cases:case_new"), {
        "kind": "project_problem", "title": "问题", "description": "说明", "urgency": "normal", "attachments": [fake],
    })
    assert response.status_code == 200
    assert response.context["form"].errors["attachments"]
    assert not Case.objects.exists()


def test_a_dispatcher_registers_a_case_for_an_enterprise_of_the_park_only(client, world, frozen):
    login(client, world.dispatcher)
    data = {"kind": "project_problem", "title": "代登记", "description": "电话反映", "urgency": "normal"}
    response = client.post(reverse("cases:case_new"), data | {"enterprise": world.enterprise_b.pk})
    assert response.status_code == 200 and "enterprise" in response.context["form"].errors
    response = client.post(reverse("cases:case_new"), data | {"enterprise": world.enterprise_a.pk})
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.enterprise, case.reporter, case.dispatch_org) == (world.enterprise_a, world.dispatcher,
                                                                   world.qidong_park)


def test_people_who_do_not_report_cases_cannot_open_the_form(client, world):
    for persona in (world.leader, world.supervisor, world.system_admin, world.inspector):
        assert login(client, persona).get(reverse("cases:case_new")).status_code == 403


# --- the case page -----------------------------------------------------------------------------------


def test_a_case_of_someone_else_answers_404(client, world, case_a, case_b):
    for persona in (world.enterprise_b_user, world.handler_power, world.system_admin, world.audit_admin):
        assert login(client, persona).get(reverse("cases:case_detail", args=[case_a.pk])).status_code == 404
    assert login(client, world.dispatcher).get(reverse("cases:case_detail", args=[case_b.pk])).status_code == 404


def test_the_reporter_sees_the_case_and_only_its_own_buttons(client, world, case_a):
    response = login(client, world.enterprise_a_user).get(reverse("cases:case_detail", args=[case_a.pk]))
    assert response.status_code == 200
    actions = [a["action"] for a in response.context["action_forms"]]
    assert "assign" not in actions and {"withdraw", "urge", "note"} <= set(actions)
    assert "高压专线未接入" in response.content.decode()


def test_the_dispatcher_sees_the_assign_form_with_units(client, world, case_a):
    response = login(client, world.dispatcher).get(reverse("cases:case_detail", args=[case_a.pk]))
    body = response.content.decode()
    assert response.context["action_forms"][0]["action"] == "assign"
    assert 'name="assign-lead_org"' in body and 'name="assign-co_orgs"' in body and "国网衡阳供电公司" in body
    assert 'name="assign-version"' in body and "csrfmiddlewaretoken" in body


def test_the_dispatcher_assigns_with_a_co_unit_and_working_days(client, world, case_a):
    response = act(login(client, world.dispatcher), case_a, "assign", {
        "lead_org": world.power_company.pk, "co_orgs": [world.qidong_ndrc.pk], "co_instruction": "协调用地",
        "urgency": "normal", "accept_days": 1, "solve_days": 5, "note": "请尽快接入",
    })
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert (case_a.status, case_a.lead_org, case_a.solve_days) == (Status.ASSIGNED, world.power_company, 5)
    assert case_a.tasks.get().org == world.qidong_ndrc


def test_a_stale_page_changes_nothing_and_says_someone_else_updated_it(client, world, case_a):
    stale = case_a.version
    assigned(world, case_a)
    case_a.refresh_from_db()
    login(client, world.dispatcher)
    response = act(client, case_a, "reassign", {"lead_org": world.city_ndrc.pk}, version=stale)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "该事项已被他人更新" in page
    case_a.refresh_from_db()
    assert case_a.lead_org == world.power_company


def test_someone_who_sees_the_case_but_may_not_press_the_button_gets_403(client, world, case_a):
    response = act(login(client, world.enterprise_a_user), case_a, "assign",
                   {"lead_org": world.power_company.pk, "urgency": "normal"})
    assert response.status_code == 403
    case_a.refresh_from_db()
    assert case_a.status == Status.SUBMITTED and case_a.lead_org is None


def test_someone_who_does_not_see_the_case_gets_404_when_acting(client, world, case_a):
    response = act(login(client, world.enterprise_b_user), case_a, "withdraw", {"reason": "x"})
    assert response.status_code == 404
    case_a.refresh_from_db()
    assert case_a.status == Status.SUBMITTED


def test_an_unknown_action_is_404_and_a_get_is_405(client, world, case_a):
    login(client, world.dispatcher)
    assert client.post(reverse("cases:case_act", args=[case_a.pk, "explode"])).status_code == 404
    assert client.get(reverse("cases:case_act", args=[case_a.pk, "assign"])).status_code == 405


def test_resolve_is_refused_with_a_clear_message_while_a_co_unit_is_working(client, world, case_a):
    assigned(world, case_a)
    case_accept(case_a, actor=world.handler_power)
    login(client, world.handler_power)
    response = act(client, case_a, "resolve", {"resolution": "已接入"})
    assert response.status_code == 422
    assert "祁东县发展和改革局" in response.content.decode() and "协办全部完成后才能办结" in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED
    case_complete_task(case_a, actor=world.handler_other, result="用地已协调")
    evidence = SimpleUploadedFile("送电.png", tiny_png(), content_type="image/png")
    response = act(client, case_a, "resolve", {"resolution": "已接入送电"}, files={"attachments": evidence})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.RESOLVED
    assert [a.original_name for a in attachments_for(case_a)] == ["送电.png"]


def test_a_form_error_keeps_the_case_unchanged_and_shows_the_field(client, world, case_a):
    assigned(world, case_a)
    response = act(login(client, world.handler_power), case_a, "return", {"reason": ""})
    assert response.status_code == 422
    assert response.context["action_forms"][[a["action"] for a in response.context["action_forms"]].index(
        "return")]["form"].errors["reason"]
    case_a.refresh_from_db()
    assert case_a.status == Status.ASSIGNED


def test_the_co_unit_completes_its_task_and_the_enterprise_rates(client, world, case_a):
    assigned(world, case_a)
    case_accept(case_a, actor=world.handler_power)
    assert act(login(client, world.handler_other), case_a, "complete_task",
               {"result": "用地已协调"}).status_code == 302
    assert case_a.tasks.get().status == CaseTask.TaskStatus.DONE
    case_resolve(case_a, actor=world.handler_power, resolution="已接入")
    response = act(login(client, world.enterprise_a_user), case_a, "rate",
                   {"satisfaction": "satisfied", "comment": "感谢"})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert (case_a.status, case_a.satisfaction) == (Status.CLOSED, "satisfied")


def test_internal_notes_are_hidden_from_the_enterprise(client, world, case_a):
    case_add_note(case_a, actor=world.dispatcher, note="内部：先核实用地", internal=True)
    case_add_note(case_a, actor=world.dispatcher, note="已收到，正在协调", internal=False)
    body = login(client, world.enterprise_a_user).get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    assert "已收到，正在协调" in body and "先核实用地" not in body
    body = login(client, world.dispatcher).get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    assert "先核实用地" in body and 'class="badge internal"' in body


def test_staff_mark_a_note_internal_but_the_enterprise_cannot(client, world, case_a):
    response = act(login(client, world.dispatcher), case_a, "note", {"note": "内部意见", "internal": "on"})
    assert response.status_code == 302
    assert CaseEvent.objects.get(action="note").internal is True
    page = login(client, world.enterprise_a_user).get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    assert 'name="note-internal"' not in page
    act(client, case_a, "note", {"note": "企业补充", "internal": "on"})
    assert CaseEvent.objects.get(note="企业补充").internal is False


def test_merging_asks_for_a_visible_case_number(client, world, case_a, case_b):
    other = case_submit(actor=world.enterprise_a_user, title="重复", description="同一问题")
    login(client, world.dispatcher)
    response = act(client, other, "merge", {"into": case_b.number})
    assert response.status_code == 422 and "没有找到编号为" in response.content.decode()
    assert act(client, other, "merge", {"into": case_a.number.lower()}).status_code == 302
    other.refresh_from_db()
    assert (other.status, other.merged_into) == (Status.MERGED, case_a)


def test_the_case_page_shows_both_clocks_and_provisional_deadlines(client, world, case_a):
    assigned(world, case_a)
    Case.objects.filter(pk=case_a.pk).update(deadlines_provisional=True)
    response = login(client, world.handler_power).get(reverse("cases:case_detail", args=[case_a.pk]))
    body = response.content.decode()
    assert 'data-clock="accept"' in body and 'data-clock="solve"' in body and "暂定" in body
    accept, solve = response.context["clocks"]
    assert accept.light == "green" and solve.due == case_a.solve_due_at


def test_the_side_paths_work_through_their_buttons(client, world, case_a):
    assigned(world, case_a)
    handler, dispatcher = world.handler_power, world.dispatcher

    def press(user, action, data=None):
        response = act(login(client, user), case_a, action, data)
        assert response.status_code == 302, response.content.decode()[:500]
        case_a.refresh_from_db()

    press(handler, "return", {"reason": "线路属园区自建"})
    assert case_a.status == Status.RETURNED
    press(dispatcher, "insist", {"note": "专线由供电公司负责"})
    press(handler, "accept")
    press(handler, "request_extension", {"working_days": 3, "reason": "等待设备到货"})
    press(dispatcher, "decide_extension", {"approve": "1", "note": "同意"})
    assert case_a.solve_days == 8 and case_a.extensions.get().status == "approved"
    press(handler, "suspend", {"reason": "等待企业补充材料"})
    assert case_a.suspended_at is not None
    assert "已挂起" in client.get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    press(dispatcher, "resume", {"note": ""})
    assert case_a.suspended_at is None
    press(world.enterprise_a_user, "urge", {"note": "请加快"})
    press(dispatcher, "reassign", {"lead_org": world.city_ndrc.pk, "note": "改派"})
    assert case_a.lead_org == world.city_ndrc
    actions = list(case_a.events.values_list("action", flat=True))
    assert actions == ["submit", "assign", "return", "insist", "accept", "request_extension", "approve_extension",
                       "suspend", "resume", "urge", "reassign"]


def test_the_enterprise_withdraws_before_acceptance(client, world, case_a):
    response = act(login(client, world.enterprise_a_user), case_a, "withdraw", {"reason": "已自行解决"})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.WITHDRAWN


# --- the 通报 list -------------------------------------------------------------------------------------


def test_the_report_list_shows_reported_cases_to_dispatchers_and_leaders(client, world, case_a):
    assigned(world, case_a)
    Case.objects.filter(pk=case_a.pk).update(escalation_level=EscalationLevel.REPORTED,
                                             reported_at=TUESDAY + dt.timedelta(days=20))
    assert case_a.number in login(client, world.dispatcher).get(reverse("cases:case_report_list")).content.decode()
    assert case_a.number in login(client, world.leader).get(reverse("cases:case_report_list")).content.decode()
    for persona in (world.enterprise_a_user, world.handler_power, world.system_admin):
        assert login(client, persona).get(reverse("cases:case_report_list")).status_code == 403


# --- attachments -------------------------------------------------------------------------------------


def test_only_people_with_a_standing_attach_files_while_the_case_is_open(world, case_a):
    assert may_attach_to_case(world.enterprise_a_user, case_a)
    assert may_attach_to_case(world.dispatcher, case_a)
    assert not may_attach_to_case(world.enterprise_b_user, case_a)
    Case.objects.filter(pk=case_a.pk).update(status=Status.CLOSED)
    case_a.refresh_from_db()
    assert not may_attach_to_case(world.enterprise_a_user, case_a)


def test_an_enterprise_sees_and_rates_a_case_registered_on_its_behalf(client, world, frozen):
    """A dispatcher registers a phoned-in problem for enterprise A: A's staff see it, are
    offered the rating once it is resolved, and their rating closes it. B's staff cannot."""
    case = case_submit(actor=world.dispatcher, title="代登记", description="电话反映", enterprise=world.enterprise_a)
    enterprise = login(client, world.enterprise_a_user)
    assert enterprise.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
    case_accept(case, actor=world.handler_power)
    case_resolve(case, actor=world.handler_power, resolution="已上门处理")
    page = enterprise.get(reverse("cases:case_detail", args=[case.pk]))
    assert "rate" in [a["action"] for a in page.context["action_forms"]]

    other = Client()
    other.force_login(world.enterprise_b_user)
    assert act(other, case, "rate", {"satisfaction": "dissatisfied"}).status_code == 404
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Status.RESOLVED, "")

    response = act(enterprise, case, "rate", {"satisfaction": "satisfied", "comment": "处理及时"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Status.CLOSED, "satisfied")
