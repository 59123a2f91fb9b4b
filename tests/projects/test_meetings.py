"""周调度: the agenda fills itself from a controlled world, decisions become assigned cases
once, the notice exports, and the people who must not act cannot."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from yancheng.cases.models import Case, CaseKind, Status
from yancheng.cases.services import case_accept, case_assign, case_submit
from yancheng.core.errors import ConflictError, PermissionDeniedError
from yancheng.core.services import user_create
from yancheng.lib.deadlines import due_day
from yancheng.projects.models import AgendaItem, FactorNeed, MeetingDecision
from yancheng.projects.selectors import meetings_visible_to
from yancheng.projects.services import meetings
from yancheng.projects.services.factors import factor_need_add, factor_need_set_status
from yancheng.projects.services.nodes import node_add, node_update
from yancheng.projects.services.notices import notice_docx, notice_xlsx
from yancheng.projects.services.registry import project_create
from yancheng.testing.documents import body_tables, check_official_document, download_name, imprint_lines
from yancheng.testing.world import PERSONA_PASSWORD

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # the cases are reported and assigned
FRIDAY = dt.datetime(2026, 3, 13, 10, 0, tzinfo=SH)  # the meeting is held
MEETING_DAY = FRIDAY.date()


@pytest.fixture
def city_dispatcher(world):
    return user_create(actor=None, username="city_dispatcher", password=PERSONA_PASSWORD, role="dispatcher",
                       organisation=world.project_office, full_name="市项目办调度员", must_change_password=False)


class Scene:
    """The controlled world: what must appear on a 祁东 agenda and what must not."""

    def __init__(self, world, city_dispatcher):
        self.world = world
        with time_machine.travel(MONDAY, tick=False):
            self.box = project_create(
                actor=city_dispatcher, name="纸箱包装生产线项目", enterprise=world.enterprise_a, region=world.qidong,
                park=world.qidong_park, total_investment=Decimal("12000"), responsible_org=world.qidong_park,
            )
            self.machine = project_create(
                actor=city_dispatcher, name="机械制造扩能项目", enterprise=world.enterprise_b, region=world.shigu,
                total_investment=Decimal("8000"), responsible_org=world.city_ndrc,
            )
            self.red = self._assigned(world.enterprise_a_user, "高压专线未接入", self.box, world.dispatcher, 2)
            self.yellow = self._assigned(world.enterprise_a_user, "施工许可待办", self.box, world.dispatcher, 10)
            self.green = self._assigned(world.enterprise_a_user, "员工宿舍用地", self.box, world.dispatcher, 30)
            self.foreign_red = self._assigned(world.enterprise_b_user, "乙企业专线未接", self.machine,
                                              city_dispatcher, 2)
            self.late = node_add(self.box, name="高压专线接入", duration_days=5, actor=city_dispatcher)
            node_update(self.late, planned_start=dt.date(2026, 3, 3), planned_finish=dt.date(2026, 3, 10),
                        actor=city_dispatcher)
            self.on_time = node_add(self.box, name="设备进场", duration_days=5, actor=city_dispatcher)
            node_update(self.on_time, planned_start=dt.date(2026, 3, 16), planned_finish=dt.date(2026, 3, 20),
                        actor=city_dispatcher)
            self.foreign_late = node_add(self.machine, name="厂房封顶", duration_days=5, actor=city_dispatcher)
            node_update(self.foreign_late, planned_start=dt.date(2026, 3, 2), planned_finish=dt.date(2026, 3, 6),
                        actor=city_dispatcher)
            self.need = factor_need_add(self.box, kind=FactorNeed.Kind.POWER, quantity=800,
                                        responsible_org=world.power_company, needed_by=dt.date(2026, 3, 11),
                                        actor=city_dispatcher)
            arranged = factor_need_add(self.box, kind=FactorNeed.Kind.LAND, quantity=50,
                                       responsible_org=world.qidong_gov, needed_by=dt.date(2026, 3, 11),
                                       actor=city_dispatcher)
            self.arranged = factor_need_set_status(arranged, status=FactorNeed.NeedStatus.ARRANGED,
                                                   actor=city_dispatcher)
            self.far_need = factor_need_add(self.box, kind=FactorNeed.Kind.WATER, quantity=300,
                                            responsible_org=world.qidong_gov, needed_by=dt.date(2026, 6, 1),
                                            actor=city_dispatcher)
        with time_machine.travel(FRIDAY - dt.timedelta(days=1), tick=False):
            self.fresh = case_submit(actor=world.enterprise_a_user, title="天然气管道报装无答复",
                                     description="报装三周无答复", subject_ref=f"project:{self.box.pk}")

    def _assigned(self, reporter, title, project, dispatcher, days):
        case = case_submit(actor=reporter, title=title, description=f"{title}，影响进度。",
                           subject=project.name, subject_ref=f"project:{project.pk}")
        case = case_assign(case, actor=dispatcher, lead_org=self.world.power_company, solve_days=days)
        return case_accept(case, actor=self.world.handler_power)


@pytest.fixture
def scene(world, city_dispatcher):
    return Scene(world, city_dispatcher)


@pytest.fixture
def friday():
    with time_machine.travel(FRIDAY, tick=False) as traveller:
        yield traveller


def county_meeting(world):
    return meetings.meeting_create(actor=world.dispatcher, title="祁东经开区周调度会", held_on=MEETING_DAY)


def refs(meeting, source):
    return {item.ref_id for item in meeting.agenda.filter(source=source)}


def test_a_county_agenda_holds_its_red_yellow_new_late_and_unmet_items_and_nothing_else(world, scene, friday):
    meeting = county_meeting(world)
    assert meeting.region == world.qidong
    meetings.agenda_build(meeting, actor=world.dispatcher)

    assert refs(meeting, AgendaItem.Source.RED_CASE) == {scene.red.pk}
    assert refs(meeting, AgendaItem.Source.YELLOW_CASE) == {scene.yellow.pk}
    assert refs(meeting, AgendaItem.Source.NEW_CASE) == {scene.fresh.pk}
    assert refs(meeting, AgendaItem.Source.LATE_NODE) == {scene.late.pk}
    assert refs(meeting, AgendaItem.Source.FACTOR_NEED) == {scene.need.pk}
    all_refs = set(meeting.agenda.values_list("ref_id", flat=True))
    assert scene.green.pk not in refs(meeting, AgendaItem.Source.RED_CASE) | refs(meeting, AgendaItem.Source.YELLOW_CASE)
    assert scene.green.pk not in refs(meeting, AgendaItem.Source.NEW_CASE)
    assert scene.foreign_red.pk not in all_refs and scene.foreign_late.pk not in all_refs


def test_each_agenda_item_names_its_project_and_responsible_unit(world, scene, friday):
    meeting = county_meeting(world)
    meetings.agenda_build(meeting, actor=world.dispatcher)
    red = meeting.agenda.get(source=AgendaItem.Source.RED_CASE)
    assert red.project == scene.box
    assert red.responsible == world.power_company.name
    assert scene.red.number in red.detail
    fresh = meeting.agenda.get(source=AgendaItem.Source.NEW_CASE)
    assert fresh.responsible == world.qidong_park.name  # not yet assigned: the receiving park
    node = meeting.agenda.get(source=AgendaItem.Source.LATE_NODE)
    assert node.project == scene.box and node.responsible == world.qidong_park.name
    assert "3 天" in node.detail
    need = meeting.agenda.get(source=AgendaItem.Source.FACTOR_NEED)
    assert need.responsible == world.power_company.name and "800" in need.title


def test_a_city_wide_meeting_covers_every_region(world, scene, city_dispatcher, friday):
    meeting = meetings.meeting_create(actor=city_dispatcher, title="全市重大项目周调度会", held_on=MEETING_DAY)
    assert meeting.region is None
    meetings.agenda_build(meeting, actor=city_dispatcher)
    assert refs(meeting, AgendaItem.Source.RED_CASE) == {scene.red.pk, scene.foreign_red.pk}
    assert refs(meeting, AgendaItem.Source.LATE_NODE) == {scene.late.pk, scene.foreign_late.pk}


def test_rebuilding_keeps_manual_items_and_the_decisions_links(world, scene, friday):
    meeting = county_meeting(world)
    meetings.agenda_build(meeting, actor=world.dispatcher)
    manual = meetings.agenda_item_add(meeting, actor=world.dispatcher, title="园区道路施工协调",
                                      responsible="祁东县交通运输局")
    red_item = meeting.agenda.get(source=AgendaItem.Source.RED_CASE)
    decision = meetings.decision_add(meeting, actor=world.dispatcher, text="三日内完成专线接入",
                                     lead_org=world.power_company, due_working_days=3, agenda_item=red_item)
    meetings.agenda_build(meeting, actor=world.dispatcher)
    assert meeting.agenda.filter(pk=manual.pk).exists()
    decision.refresh_from_db()
    assert decision.agenda_item is not None
    assert (decision.agenda_item.source, decision.agenda_item.ref_id) == (AgendaItem.Source.RED_CASE, scene.red.pk)
    assert decision.project == scene.box
    assert meeting.agenda.filter(source=AgendaItem.Source.RED_CASE).count() == 1


def test_closing_turns_each_decision_into_an_assigned_case_exactly_once(world, scene, friday):
    meeting = county_meeting(world)
    meetings.agenda_build(meeting, actor=world.dispatcher)
    first = meetings.decision_add(meeting, actor=world.dispatcher, text="供电公司三日内完成高压专线接入",
                                  lead_org=world.power_company, due_working_days=3, project=scene.box)
    second = meetings.decision_add(meeting, actor=world.dispatcher, text="县发改局协调天然气报装",
                                   lead_org=world.qidong_ndrc, due_working_days=5)
    before = Case.objects.count()

    created = meetings.meeting_close(meeting, actor=world.dispatcher)

    assert len(created) == 2 and Case.objects.count() == before + 2
    first.refresh_from_db()
    second.refresh_from_db()
    case = Case.objects.get(pk=first.case_id)
    assert case.kind == CaseKind.MEETING_TASK
    assert case.status == Status.ASSIGNED
    assert case.lead_org == world.power_company
    assert case.dispatch_org == world.qidong_park
    assert case.reporter == world.dispatcher
    assert case.solve_days == 3
    assert case.subject_ref == f"project:{scene.box.pk}"
    assert Case.objects.get(pk=second.case_id).lead_org == world.qidong_ndrc
    meeting.refresh_from_db()
    assert meeting.is_closed

    assert meetings.meeting_close(meeting, actor=world.dispatcher) == []
    assert Case.objects.count() == before + 2
    assert set(MeetingDecision.objects.values_list("case_id", flat=True)) == {first.case_id, second.case_id}


def test_a_closed_meeting_refuses_new_decisions_and_rebuilds(world, scene, friday):
    meeting = county_meeting(world)
    meetings.meeting_close(meeting, actor=world.dispatcher)
    with pytest.raises(ConflictError):
        meetings.decision_add(meeting, actor=world.dispatcher, text="晚到的决定", lead_org=world.power_company)
    with pytest.raises(ConflictError):
        meetings.agenda_build(meeting, actor=world.dispatcher)


def test_the_word_notice_lists_the_counts_the_agenda_and_the_decisions(world, scene, friday):
    meeting = county_meeting(world)
    meetings.agenda_build(meeting, actor=world.dispatcher)
    meetings.decision_add(meeting, actor=world.dispatcher, text="供电公司三日内完成高压专线接入",
                          lead_org=world.power_company, due_working_days=3, project=scene.box)
    meetings.meeting_close(meeting, actor=world.dispatcher)

    document = check_official_document(notice_docx(meeting))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "周调度通报" in text and "祁东经开区周调度会" in text and "2026年3月13日" in text
    assert world.qidong_park.name in text
    assert "红灯事项 1 项" in text and "黄灯事项 1 项" in text
    headings = [p.text for p in document.paragraphs if p.style.style_id == "Heading1"]
    assert headings[:3] == ["一、总体情况", "二、调度议题", "三、议定事项及责任分工"]
    # 落款: the organiser and the meeting day; 版记: the units that lead a decision are copied
    closing = [p.text for p in document.paragraphs if p.style.style_id == "Closing"]
    assert closing == [meeting.organiser.name, "2026年3月13日"]
    assert imprint_lines(document) == [f"抄送：{world.power_company.name}。",
                                       f"{settings.YANCHENG_DOCUMENT_ISSUER}\t2026年3月13日印发"]
    counts, agenda, decisions = body_tables(document)
    assert {tuple(c.text for c in row.cells) for row in counts.rows[1:]} >= {("红灯事项", "1"), ("滞后节点", "1")}
    agenda_titles = [row.cells[3].text for row in agenda.rows[1:]]
    assert "高压专线未接入" in agenda_titles and len(agenda_titles) == meeting.agenda.count()
    decision = decisions.rows[1].cells
    case = Case.objects.get(pk=meeting.decisions.get().case_id)
    assert decision[1].text == "供电公司三日内完成高压专线接入"
    assert decision[3].text == world.power_company.name
    assert decision[6].text == case.number
    assert decision[5].text  # the deadline date


def test_the_excel_notice_holds_the_same_items(world, scene, friday):
    meeting = county_meeting(world)
    meetings.agenda_build(meeting, actor=world.dispatcher)
    meetings.decision_add(meeting, actor=world.dispatcher, text="县发改局协调天然气报装",
                          lead_org=world.qidong_ndrc, due_working_days=5)
    sheet = load_workbook(io.BytesIO(notice_xlsx(meeting))).worksheets[0]
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["红灯事项", 1] in rows and ["未落实要素", 1] in rows and ["绿灯事项", 1] not in rows
    flat = [str(c) for row in rows for c in row]
    assert "高压专线未接入" in flat and "县发改局协调天然气报装" in flat and world.qidong_ndrc.name in flat


# --- who must not -------------------------------------------------------------------------------


def test_a_handler_cannot_call_a_meeting(world):
    with pytest.raises(PermissionDeniedError):
        meetings.meeting_create(actor=world.handler_power, title="越权会议", held_on=MEETING_DAY)


def test_a_park_dispatcher_cannot_call_a_meeting_for_another_region(world):
    with pytest.raises(PermissionDeniedError):
        meetings.meeting_create(actor=world.dispatcher, title="越界会议", held_on=MEETING_DAY, region=world.shigu)


def test_another_units_dispatcher_cannot_decide_or_close_a_city_meeting(world, scene, city_dispatcher, friday):
    meeting = meetings.meeting_create(actor=city_dispatcher, title="全市周调度会", held_on=MEETING_DAY)
    with pytest.raises(PermissionDeniedError):
        meetings.decision_add(meeting, actor=world.dispatcher, text="越权", lead_org=world.power_company)
    with pytest.raises(PermissionDeniedError):
        meetings.meeting_close(meeting, actor=world.dispatcher)
    assert not meetings_visible_to(world.dispatcher).filter(pk=meeting.pk).exists()


def test_an_enterprise_user_gets_403_on_the_meeting_pages(client, world, scene, friday):
    meeting = county_meeting(world)
    client.force_login(world.enterprise_a_user)
    for url in (reverse("projects:meeting_list"), reverse("projects:meeting_new"), reverse("projects:meeting_detail", args=[meeting.pk]),
                reverse("projects:meeting_notice_docx", args=[meeting.pk]), reverse("projects:meeting_notice_xlsx", args=[meeting.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("projects:meeting_close", args=[meeting.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, world):
    response = client.get(reverse("projects:meeting_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_handler_without_tasks_cannot_open_or_close_the_meeting(client, world, scene, friday):
    meeting = county_meeting(world)
    client.force_login(world.handler_other)
    assert client.get(reverse("projects:meeting_detail", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("projects:meeting_close", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("projects:meeting_new")).status_code == 403
    meeting.refresh_from_db()
    assert not meeting.is_closed


def test_the_handler_of_a_decision_sees_the_meeting_but_cannot_close_it(client, world, scene, friday):
    meeting = county_meeting(world)
    meetings.decision_add(meeting, actor=world.dispatcher, text="专线接入", lead_org=world.power_company)
    client.force_login(world.handler_power)
    assert client.get(reverse("projects:meeting_detail", args=[meeting.pk])).status_code == 200
    assert client.post(reverse("projects:meeting_close", args=[meeting.pk])).status_code == 403


# --- the pages, as the right person ---------------------------------------------------------------


def test_the_dispatcher_walks_the_meeting_from_creation_to_closing(client, world, scene, friday):
    client.force_login(world.dispatcher)
    response = client.post(reverse("projects:meeting_new"), {"title": "祁东周调度", "held_on": "2026-03-13", "chair": "张县长"})
    assert response.status_code == 302
    meeting = meetings_visible_to(world.dispatcher).get(title="祁东周调度")
    page = client.get(reverse("projects:meeting_detail", args=[meeting.pk])).content.decode()
    assert "高压专线未接入" in page and "红灯事项" in page and "员工宿舍用地" not in page
    red_item = meeting.agenda.get(source=AgendaItem.Source.RED_CASE)
    response = client.post(reverse("projects:meeting_decision_add", args=[meeting.pk]), {
        "text": "三日内接入", "lead_org": world.power_company.pk, "due_working_days": 3, "agenda_item": red_item.pk,
    })
    assert response.status_code == 302
    assert client.post(reverse("projects:meeting_close", args=[meeting.pk])).status_code == 302
    decision = MeetingDecision.objects.get(meeting=meeting)
    case = Case.objects.get(pk=decision.case_id)
    page = client.get(reverse("projects:meeting_detail", args=[meeting.pk])).content.decode()
    assert case.number in page and reverse("cases:case_detail", args=[case.pk]) in page
    assert client.get(reverse("projects:meeting_list")).status_code == 200
    docx = client.get(reverse("projects:meeting_notice_docx", args=[meeting.pk]))
    assert docx.status_code == 200 and docx["Content-Type"].endswith("document")
    # ISO week 11 of 2026, and the region the meeting covers
    scope = f"-{meeting.region.name}" if meeting.region else ""
    assert download_name(docx) == f"周调度通报-2026年第11周{scope}.docx"
    check_official_document(docx.content)
    xlsx = client.get(reverse("projects:meeting_notice_xlsx", args=[meeting.pk]))
    assert download_name(xlsx) == f"周调度通报-2026年第11周{scope}.xlsx"


# --- agendas frozen before deadlines were shown as their day (migration 0002) -------------------

AGENDA_MIGRATION = importlib.import_module("yancheng.projects.migrations.0002_agenda_due_days")


def test_the_migration_corrects_the_day_late_deadlines_of_frozen_agendas(world, scene, friday):
    meeting = county_meeting(world)
    meetings.agenda_build(meeting, actor=world.dispatcher)
    red = meeting.agenda.get(source=AgendaItem.Source.RED_CASE)
    yellow = meeting.agenda.get(source=AgendaItem.Source.YELLOW_CASE)
    right_red, right_yellow = red.detail, yellow.detail
    due = due_day(Case.objects.get(pk=scene.red.pk).solve_due_at)
    assert f"办结期限 {due.isoformat()}" in right_red
    # What the code before issue 11 froze: the local date of the 24:00 instant, a day late.
    late = (due + dt.timedelta(days=1)).isoformat()
    AgendaItem.objects.filter(pk=red.pk).update(detail=right_red.replace(due.isoformat(), late))
    # An item whose case has another deadline now is left alone: its day cannot be checked.
    yellow_due = due_day(Case.objects.get(pk=scene.yellow.pk).solve_due_at)
    stale = right_yellow.replace(yellow_due.isoformat(), (yellow_due + dt.timedelta(days=3)).isoformat())
    AgendaItem.objects.filter(pk=yellow.pk).update(detail=stale)

    AGENDA_MIGRATION.correct_agenda_due_days(django_apps, None)
    AGENDA_MIGRATION.correct_agenda_due_days(django_apps, None)  # again: nothing moves twice

    assert AgendaItem.objects.get(pk=red.pk).detail == right_red
    assert AgendaItem.objects.get(pk=yellow.pk).detail == stale
    assert right_yellow != stale


# --- the page: sections folded with their counts, the project of each item -------------------------

SECTION = re.compile(r'<details class="card agenda-group" data-source="(\w+)"( open)?>\s*<summary>.*?'
                     r'<span class="badge" data-count>(\d+)</span>.*?</summary>(.*?)</details>', re.S)


def sections(html: str) -> dict[str, tuple[bool, int, str]]:
    return {source: (bool(opened), int(count), body) for source, opened, count, body in SECTION.findall(html)}


def test_each_section_folds_with_its_count_and_the_red_one_is_open(client, world, scene, friday):
    meeting = county_meeting(world)
    meetings.agenda_build(meeting, actor=world.dispatcher)
    meetings.agenda_item_add(meeting, actor=world.dispatcher, title="园区道路施工协调", responsible="祁东县交通运输局")
    client.force_login(world.dispatcher)
    html = client.get(reverse("projects:meeting_detail", args=[meeting.pk])).content.decode()
    found = sections(html)
    expected = {s: meeting.agenda.filter(source=s).count() for s in AgendaItem.Source.values}
    assert {s: count for s, (_o, count, _b) in found.items()} == {s: n for s, n in expected.items() if n}
    assert set(found) == {"red_case", "yellow_case", "new_case", "late_node", "factor_need", "manual"}
    for source, (opened, count, body) in found.items():
        assert body.count("<tr>") == count + 1  # the header row and one row per item
        assert opened == (source == "red_case")


def test_the_project_column_links_the_project_of_each_item(client, world, scene, friday):
    meeting = county_meeting(world)
    meetings.agenda_build(meeting, actor=world.dispatcher)
    client.force_login(world.dispatcher)
    found = sections(client.get(reverse("projects:meeting_detail", args=[meeting.pk])).content.decode())
    link = f'<a href="{reverse("projects:project_detail", args=[scene.box.pk])}">{scene.box.name}</a>'
    for source in ("red_case", "yellow_case", "new_case", "late_node", "factor_need"):
        body = found[source][2]
        assert body.count(link) == found[source][1], source
    assert "<td data-label=\"项目\" data-project>—</td>" not in found["red_case"][2]


def test_a_problem_reported_as_free_text_finds_its_enterprises_project_by_name(world, scene, city_dispatcher):
    with time_machine.travel(FRIDAY - dt.timedelta(hours=3), tick=False):
        named = case_submit(actor=world.enterprise_a_user, title="排水接入", description="未接入",
                            subject=f" {scene.box.name} ")
        other = case_submit(actor=world.enterprise_a_user, title="招工", description="缺工", subject="二期工程")
        # 乙 names 甲's project: the name is looked up among 乙's own projects only.
        foreign = case_submit(actor=world.enterprise_b_user, title="道路", description="未通", subject=scene.box.name)
    with time_machine.travel(FRIDAY, tick=False):
        meeting = meetings.meeting_create(actor=city_dispatcher, title="全市周调度会", held_on=FRIDAY.date())
        meetings.agenda_build(meeting, actor=city_dispatcher)
    items = {i.ref_id: i for i in meeting.agenda.filter(source=AgendaItem.Source.NEW_CASE)}
    assert items[named.pk].project == scene.box
    assert items[other.pk].project is None and items[other.pk].title == "二期工程：招工"
    assert items[foreign.pk].project is None
    red = meeting.agenda.get(source=AgendaItem.Source.RED_CASE, ref_id=scene.red.pk)
    assert red.project == scene.box  # linked cases keep their link
