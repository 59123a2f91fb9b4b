"""The registry's rules: who sees which project (the confidential rule from each side),
stage advance, monthly report validation, codes, daily feedback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Role
from yancheng.core.services import user_create
from yancheng.projects import mechanisms
from yancheng.projects.models import MonthlyReport, Project, Stage, StageChange
from yancheng.projects.services.registry import (
    project_advance,
    project_create,
    project_update,
    task_force_add,
)
from yancheng.projects.services.reports import daily_feedback_save, monthly_report_submit

TODAY = dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def office(world):
    """A dispatcher of the city's 重点项目办."""
    return user_create(username="office", password=None, role=Role.DISPATCHER, organisation=world.project_office,
                       full_name="项目办调度员", must_change_password=False, actor=None)


def make(world, *, actor=None, **extra):
    fields = {"name": "示例项目", "region": world.qidong, "park": world.qidong_park, "total_investment": Decimal("50000"),
              "responsible_org": world.qidong_park, "enterprise": world.enterprise_a} | extra
    return project_create(actor=actor, **fields)


def visible(user):
    return set(Project.objects.visible_to(user).values_list("code", flat=True))


# --- visibility -------------------------------------------------------------------------------


def test_staff_see_their_area_and_city_units_see_every_open_project(world):
    make(world, code="QD-1")
    make(world, code="SG-1", region=world.shigu, park=None, enterprise=world.enterprise_b,
         responsible_org=world.city_ndrc)
    assert visible(world.dispatcher) == {"QD-1"}
    assert visible(world.handler_other) == {"QD-1"}
    assert visible(world.handler_power) == {"QD-1", "SG-1"}
    assert visible(world.leader) == {"QD-1", "SG-1"}
    assert visible(world.enterprise_a_user) == {"QD-1"}
    assert visible(world.enterprise_b_user) == {"SG-1"}
    assert visible(world.system_admin) == {"QD-1", "SG-1"}


def test_security_and_audit_administrators_see_no_project(world):
    make(world, code="QD-1")
    assert visible(world.security_admin) == set()
    assert visible(world.audit_admin) == set()


def test_a_department_user_never_sees_another_regions_confidential_project(world):
    make(world, code="SG-SECRET", region=world.shigu, park=None, enterprise=None, responsible_org=world.city_ndrc,
         is_confidential=True)
    shigu_gov = world.qidong_gov.__class__.objects.create(
        code="sg-gov", name="石鼓区人民政府", kind="government", region=world.shigu, path="/x/")
    shigu_staff = user_create(username="sg", password=None, role=Role.HANDLER, organisation=shigu_gov, actor=None)
    assert "SG-SECRET" not in visible(world.handler_other)  # 祁东发改局: another region
    assert "SG-SECRET" not in visible(world.dispatcher)
    assert "SG-SECRET" not in visible(world.handler_power)  # a city-level unit, not linked
    assert "SG-SECRET" not in visible(world.inspector)
    assert "SG-SECRET" not in visible(world.supervisor)  # 司法局: not the project office
    assert "SG-SECRET" not in visible(world.leader)  # not the linked leader
    assert "SG-SECRET" in visible(shigu_staff)  # staff of the project's own region


def test_a_confidential_project_is_seen_by_its_unit_its_leader_the_office_and_its_region(world, office):
    project = make(world, code="QD-SECRET", is_confidential=True, responsible_org=world.power_company,
                   leader=world.leader)
    assert "QD-SECRET" in visible(world.handler_power)  # responsible unit (city level)
    assert "QD-SECRET" in visible(world.leader)  # linked leader
    assert "QD-SECRET" in visible(office)  # city project office
    assert "QD-SECRET" in visible(world.dispatcher)  # the park's own staff
    assert "QD-SECRET" in visible(world.handler_other)  # the county's own staff
    assert "QD-SECRET" not in visible(world.inspector)
    assert "QD-SECRET" not in visible(world.enterprise_a_user)
    assert "QD-SECRET" in visible(world.system_admin)
    project_update(project, leader=None, actor=office)
    assert "QD-SECRET" not in visible(world.leader)


def test_a_named_task_force_member_sees_the_confidential_project(world, office):
    project = make(world, code="QD-SECRET", is_confidential=True)
    assert "QD-SECRET" not in visible(world.inspector)
    task_force_add(project, user=world.inspector, actor=office)
    assert "QD-SECRET" in visible(world.inspector)


# --- filing and editing ------------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_a_project_without_a_code_gets_the_next_number_of_the_year(world, office):
    first = make(world, actor=office)
    second = make(world, actor=office)
    assert (first.code, second.code) == ("XM2026-0001", "XM2026-0002")
    assert StageChange.objects.filter(project=first, to_stage=Stage.NEGOTIATING).exists()
    assert AuditEvent.objects.filter(action="project.create", object_id=str(first.pk)).exists()


def test_a_duplicate_code_is_refused(world, office):
    make(world, code="XM-1", actor=office)
    with pytest.raises(ConflictError):
        make(world, code="xm-1", actor=office)


def test_a_park_dispatcher_files_only_projects_of_its_park(world):
    make(world, actor=world.dispatcher)
    with pytest.raises(PermissionDeniedError):
        make(world, actor=world.dispatcher, region=world.shigu, park=None, enterprise=None)


def test_those_who_do_not_maintain_projects_cannot_file_or_edit_them(world):
    project = make(world)
    for user in (world.handler_power, world.enterprise_a_user, world.leader, world.inspector):
        with pytest.raises(PermissionDeniedError):
            make(world, actor=user)
        with pytest.raises((PermissionDeniedError, Exception)):
            project_update(project, name="改名", actor=user)


def test_an_edit_from_a_stale_page_is_refused(world, office):
    project = make(world)
    project_update(project, name="新名称", actor=office, expected_version=1)
    with pytest.raises(ConflictError):
        project_update(project, name="另一个名称", actor=world.dispatcher, expected_version=1)


# --- stages --------------------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_a_project_advances_one_stage_at_a_time_with_its_dates(world, office):
    project = make(world)
    project = project_advance(project, stage=Stage.SIGNED, on=dt.date(2026, 1, 10), actor=office)
    assert project.signed_on == dt.date(2026, 1, 10)
    with pytest.raises(ValidationFailed, match="逐级"):
        project_advance(project, stage=Stage.COMPLETED, actor=office)
    project = project_advance(project, stage=Stage.STARTED, on=dt.date(2026, 3, 1), actor=world.dispatcher)
    project = project_advance(project, stage=Stage.CONSTRUCTION, on=dt.date(2026, 3, 5), actor=office)
    project = project_advance(project, stage=Stage.COMPLETED, on=dt.date(2026, 5, 1), actor=office)
    project = project_advance(project, stage=Stage.PRODUCING, on=dt.date(2026, 5, 20), actor=office)
    assert (project.started_on, project.completed_on, project.producing_on) == (
        dt.date(2026, 3, 1), dt.date(2026, 5, 1), dt.date(2026, 5, 20))
    assert list(project.stage_changes.order_by("pk").values_list("to_stage", flat=True)) == STAGES_ALL
    assert AuditEvent.objects.filter(action="project.advance", object_id=str(project.pk)).count() == 5


STAGES_ALL = ["negotiating", "signed", "started", "construction", "completed", "producing"]


@time_machine.travel(TODAY)
def test_a_stage_date_cannot_be_in_the_future_or_before_the_last_step(world, office):
    project = make(world)
    with pytest.raises(ValidationFailed, match="晚于今天"):
        project_advance(project, stage=Stage.SIGNED, on=dt.date(2026, 6, 1), actor=office)
    project = project_advance(project, stage=Stage.SIGNED, on=dt.date(2026, 5, 1), actor=office)
    with pytest.raises(ValidationFailed, match="早于上一次"):
        project_advance(project, stage=Stage.STARTED, on=dt.date(2026, 4, 1), actor=office)


@time_machine.travel(TODAY)
def test_going_back_is_a_correction_that_needs_a_note_and_clears_the_dates_undone(world, office):
    project = make(world)
    project = project_advance(project, stage=Stage.SIGNED, on=dt.date(2026, 1, 10), actor=office)
    project = project_advance(project, stage=Stage.STARTED, on=dt.date(2026, 2, 10), actor=office)
    with pytest.raises(ValidationFailed, match="原因"):
        project_advance(project, stage=Stage.SIGNED, actor=office)
    project = project_advance(project, stage=Stage.SIGNED, note="误报开工，实际尚未开工", actor=office)
    assert project.stage == Stage.SIGNED
    assert project.started_on is None and project.signed_on == dt.date(2026, 1, 10)
    assert AuditEvent.objects.filter(action="project.stage_correct").exists()


def test_a_stage_cannot_be_set_again(world, office):
    project = make(world)
    with pytest.raises(ValidationFailed, match="已处于"):
        project_advance(project, stage=Stage.NEGOTIATING, actor=office)


# --- monthly reports -----------------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_the_year_to_date_is_the_previous_months_plus_this_month(world, office):
    project = make(world)
    jan = monthly_report_submit(project, month=dt.date(2026, 1, 1), invested_this_month=100, actor=world.dispatcher)
    assert jan.invested_ytd == Decimal("100.00")
    feb = monthly_report_submit(project, month=dt.date(2026, 2, 15), invested_this_month=50, invested_ytd=150,
                                actor=world.dispatcher)
    assert (feb.month, feb.invested_ytd, feb.correction_note) == (dt.date(2026, 2, 1), Decimal("150.00"), "")


@time_machine.travel(TODAY)
def test_a_year_to_date_that_decreases_is_refused_without_a_note_and_accepted_with_one(world):
    project = make(world)
    monthly_report_submit(project, month=dt.date(2026, 1, 1), invested_this_month=100, actor=world.dispatcher)
    with pytest.raises(ValidationFailed, match="不应减少") as refused:
        monthly_report_submit(project, month=dt.date(2026, 2, 1), invested_this_month=20, invested_ytd=90,
                              actor=world.dispatcher)
    assert refused.value.field == "correction_note"
    assert "更正说明" in str(refused.value.message)
    report = monthly_report_submit(project, month=dt.date(2026, 2, 1), invested_this_month=20, invested_ytd=90,
                                   correction_note="统计局核减 1 月数据 30 万元", actor=world.dispatcher)
    assert report.invested_ytd == Decimal("90.00") and report.correction_note
    event = AuditEvent.objects.filter(action="project.monthly_report").latest("seq")
    assert event.after["correction"] is True


@time_machine.travel(TODAY)
def test_a_year_to_date_that_does_not_add_up_names_the_expected_figure(world):
    project = make(world)
    monthly_report_submit(project, month=dt.date(2026, 1, 1), invested_this_month=100, actor=world.dispatcher)
    with pytest.raises(ValidationFailed) as refused:
        monthly_report_submit(project, month=dt.date(2026, 2, 1), invested_this_month=50, invested_ytd=170,
                              actor=world.dispatcher)
    assert "150.00" in str(refused.value.message) and "170.00" in str(refused.value.message)
    with pytest.raises(ValidationFailed, match="1 月"):
        monthly_report_submit(project, month=dt.date(2026, 1, 1), invested_this_month=10, invested_ytd=20,
                              actor=world.dispatcher)


@time_machine.travel(TODAY)
def test_a_new_year_starts_from_zero_and_future_months_are_refused(world):
    project = make(world)
    with time_machine.travel(dt.datetime(2025, 12, 15, tzinfo=dt.UTC)):
        monthly_report_submit(project, month=dt.date(2025, 12, 1), invested_this_month=10, invested_ytd=900,
                              correction_note="首次报送", actor=world.dispatcher)
    jan = monthly_report_submit(project, month=dt.date(2026, 1, 1), invested_this_month=40, actor=world.dispatcher)
    assert jan.invested_ytd == Decimal("40.00")
    with pytest.raises(ValidationFailed, match="未来"):
        monthly_report_submit(project, month=dt.date(2026, 6, 1), invested_this_month=1, actor=world.dispatcher)


@time_machine.travel(TODAY)
def test_changing_a_submitted_month_needs_a_note(world):
    project = make(world)
    monthly_report_submit(project, month=dt.date(2026, 1, 1), invested_this_month=100, actor=world.dispatcher)
    with pytest.raises(ValidationFailed, match="已经报送"):
        monthly_report_submit(project, month=dt.date(2026, 1, 1), invested_this_month=120, actor=world.dispatcher)
    monthly_report_submit(project, month=dt.date(2026, 1, 1), invested_this_month=120, correction_note="漏报设备款",
                          actor=world.dispatcher)
    assert MonthlyReport.objects.get(project=project).invested_ytd == Decimal("120.00")


def test_only_the_task_force_and_the_responsible_unit_report_progress(world, office):
    project = make(world)
    with pytest.raises(PermissionDeniedError):
        monthly_report_submit(project, month=dt.date(2026, 1, 1), invested_this_month=1, actor=world.handler_other)
    with pytest.raises(PermissionDeniedError):
        daily_feedback_save(project, progress="主体封顶", actor=world.enterprise_a_user)
    task_force_add(project, user=world.handler_other, actor=office)
    daily_feedback_save(project, progress="主体封顶", actor=world.handler_other)


# --- daily feedback ----------------------------------------------------------------------------


def test_daily_feedback_is_one_a_day_and_editable_only_that_day(world):
    project = make(world)
    with time_machine.travel(dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)):
        first = daily_feedback_save(project, progress="场平完成 60%", actor=world.dispatcher)
        again = daily_feedback_save(project, progress="场平完成 70%", actor=world.dispatcher)
        assert first.pk == again.pk and again.progress == "场平完成 70%"
    with time_machine.travel(dt.datetime(2026, 5, 21, 9, 0, tzinfo=dt.UTC)):
        with pytest.raises(ValidationFailed, match="当天"):
            daily_feedback_save(project, progress="补改昨天", day=dt.date(2026, 5, 20), actor=world.dispatcher)
        daily_feedback_save(project, progress="场平完成 80%", actor=world.dispatcher)
    assert project.daily_feedback.count() == 2


# --- mechanisms ------------------------------------------------------------------------------


def test_the_five_mechanisms_follow_the_setting(settings):
    assert mechanisms.current().mechanisms[0] == "链长负责制"
    settings.YANCHENG_FIVE_MECHANISMS = "2023"
    current = mechanisms.current()
    assert [str(m) for m in current.mechanisms] == ["备案监督制", "承诺兑现制", "规模榜单制", "清单管理制", "现场观摩制"]
    assert str(current.platform) == "重大项目云调度平台"
    settings.YANCHENG_FIVE_MECHANISMS = "nonsense"
    assert str(mechanisms.current().platform) == "智慧招商平台"


def test_each_mechanism_is_one_tab_even_over_several_sections(settings):
    tabs = mechanisms.current().tabs()
    assert [str(t["label"]) for t in tabs] == ["项目概况与阶段", "链长负责制", "项目代办制", "问题交办制", "要素保障制",
                                              "督查考核制"]
    assert tabs[-1]["key"] == "reports"
    settings.YANCHENG_FIVE_MECHANISMS = "2023"
    assert [str(t["label"]) for t in mechanisms.current().tabs()] == [
        "备案监督制", "清单管理制", "规模榜单制", "承诺兑现制", "现场观摩制"
    ]
