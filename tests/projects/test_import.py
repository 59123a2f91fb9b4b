"""Project import from .xlsx: a dry run writes nothing, a bad row is reported by number and
column with nothing written, a good file imports every row (through project_create)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from yancheng.core.services import user_create
from yancheng.projects.importers import COLUMNS, projects_import
from yancheng.projects.models import AnnualPlan, Project, Stage
from yancheng.testing.world import PERSONA_PASSWORD

HEADERS = [name + ("*" if required else "") for name, _help, required in COLUMNS]


def workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_rows(world) -> list[list[object]]:
    return [
        ["QD-2026-001", "纸箱包装生产线项目", world.enterprise_a.uscc, "430426", "祁东经济开发区", "", "产业项目",
         12000, "在建实施", "2026-03", "2027-06-30", "祁东经济开发区", 5000],
        ["", "机械制造扩能项目", world.enterprise_b.uscc, "石鼓区", "", "", "", "8000.5", "签约", "", "", "hy-fgw", ""],
    ]


@pytest.fixture
def city_dispatcher(world):
    return user_create(actor=None, username="city_dispatcher", password=PERSONA_PASSWORD, role="dispatcher",
                       organisation=world.project_office, full_name="市项目办调度员", must_change_password=False)


def test_a_dry_run_checks_every_row_and_writes_nothing(world, city_dispatcher):
    report = projects_import(workbook(*good_rows(world)), actor=city_dispatcher, dry_run=True)
    assert report.ok and report.total_rows == 2 and report.created == 2
    assert Project.objects.count() == 0 and AnnualPlan.objects.count() == 0


def test_a_good_file_imports_every_row(world, city_dispatcher):
    report = projects_import(workbook(*good_rows(world)), actor=city_dispatcher, dry_run=False, year=2026)
    assert report.ok and report.created == 2
    box = Project.objects.get(code="QD-2026-001")
    assert box.enterprise == world.enterprise_a and box.region == world.qidong and box.park == world.qidong_park
    assert box.stage == Stage.CONSTRUCTION and box.total_investment == Decimal("12000")
    assert box.planned_start is not None and box.planned_start.isoformat() == "2026-03-01"
    assert box.responsible_org == world.qidong_park
    assert box.annual_plans.get(year=2026).planned_investment == Decimal("5000")
    machine = Project.objects.get(name="机械制造扩能项目")
    assert machine.code.startswith("XM") and machine.responsible_org == world.city_ndrc
    assert machine.stage == Stage.SIGNED and not machine.annual_plans.exists()


def test_errors_are_reported_per_row_and_column_and_nothing_is_written(world, city_dispatcher):
    rows = [
        *good_rows(world),
        ["", "无区划项目", "", "火星", "", "", "", 100, "", "", "", "hy-fgw", ""],
        ["", "金额有误", "", "430426", "", "", "", "一百万", "", "", "", "hy-fgw", ""],
        ["QD-2026-001", "编号重复", "", "430426", "", "", "", 100, "", "", "", "hy-fgw", ""],
        ["", "园区不在区划", "", "石鼓区", "祁东经济开发区", "", "", 100, "", "", "", "hy-fgw", ""],
        ["", "未知单位", "", "430426", "", "", "", 100, "", "", "", "不存在的局", ""],
        ["", "日期有误", "", "430426", "", "", "", 100, "", "明年", "", "hy-fgw", ""],
    ]
    report = projects_import(workbook(*rows), actor=city_dispatcher, dry_run=False)
    assert not report.ok and report.created == 0
    got = {(e.row, e.column) for e in report.errors}
    assert got == {(4, "所在区划"), (5, "总投资（万元）"), (6, "项目编号"), (7, "所在园区"), (8, "责任单位"),
                   (9, "计划开工月份")}
    assert Project.objects.count() == 0


def test_a_park_dispatcher_cannot_import_another_regions_projects(world):
    report = projects_import(workbook(*good_rows(world)), actor=world.dispatcher, dry_run=False)
    assert [e.row for e in report.errors] == [3]
    assert Project.objects.count() == 0


def test_the_command_imports_and_refuses_a_bad_file(world, city_dispatcher, tmp_path):
    path = tmp_path / "projects.xlsx"
    path.write_bytes(workbook(*good_rows(world)))
    call_command("projects_import", str(path), "--dry-run", "--as", "city_dispatcher")
    assert Project.objects.count() == 0
    call_command("projects_import", str(path), "--as", "city_dispatcher")
    assert Project.objects.count() == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(["", "", "", "430426", "", "", "", 1, "", "", "", "hy-fgw", ""]))
    with pytest.raises(CommandError):
        call_command("projects_import", str(bad), "--as", "city_dispatcher")
    assert Project.objects.count() == 2


def test_a_handler_or_an_enterprise_user_gets_403_on_the_import_page(client, world, settings):
    for persona in ("handler_power", "enterprise_a", "supervisor"):
        client.force_login(world.users[persona])
        assert client.get("/projects/import/").status_code == 403, persona
        assert client.post("/projects/import/confirm/", {"token": "x"}).status_code == 403, persona


def test_the_page_previews_then_imports_on_confirmation(client, world, city_dispatcher, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client.force_login(city_dispatcher)
    upload = io.BytesIO(workbook(*good_rows(world)))
    upload.name = "projects.xlsx"
    response = client.post("/projects/import/", {"file": upload})
    assert response.status_code == 200 and response.context["report"].ok
    assert Project.objects.count() == 0
    token = response.context["token"]
    assert token
    response = client.post("/projects/import/confirm/", {"token": token})
    assert response.status_code == 302
    assert Project.objects.count() == 2
    template = client.get("/projects/import/template.xlsx")
    assert template.status_code == 200


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_template_as_downloaded_imports_empty_and_once_filled_imports(client, world, city_dispatcher, tmp_path):
    from openpyxl import load_workbook

    client.force_login(city_dispatcher)
    template = _content(client.get("/projects/import/template.xlsx"))
    report = projects_import(template, actor=city_dispatcher, dry_run=True)
    assert report.ok and report.total_rows == 0
    path = tmp_path / "template.xlsx"
    path.write_bytes(template)
    with pytest.raises(CommandError, match="没有数据行"):
        call_command("projects_import", str(path), "--as", "city_dispatcher")
    book = load_workbook(io.BytesIO(template))
    book.worksheets[0].append(good_rows(world)[0])
    buffer = io.BytesIO()
    book.save(buffer)
    report = projects_import(buffer.getvalue(), actor=city_dispatcher, dry_run=False)
    assert report.ok and report.created == 1



def test_a_row_reports_every_wrong_column_at_once(world, city_dispatcher):
    row = ["", "", "没有的企业代码", "火星", "没有的园区", "没有的链", "别的", "很多", "快好了", "明年", "后年", "不存在的局", "x"]
    report = projects_import(workbook(row), actor=city_dispatcher, dry_run=True)
    assert {e.column for e in report.errors if e.row == 2} == {
        "项目名称", "业主企业（统一社会信用代码）", "所在区划", "所在园区", "产业链", "项目类别", "总投资（万元）",
        "阶段", "计划开工月份", "计划竣工日期", "责任单位", "年度计划投资（万元）",
    }


def test_full_width_and_spaced_spellings_are_read(world, city_dispatcher):
    row = ["", "全角写法项目", world.enterprise_a.uscc.lower(), "祁东县　", "", "", "产业 项目", "１２，０００", "在建　实施",
           "２０２６－０３", "", "祁东经济开发区", ""]
    report = projects_import(workbook(row), actor=city_dispatcher, dry_run=False)
    assert report.ok, report.errors
    project = Project.objects.get(name="全角写法项目")
    assert project.total_investment == Decimal("12000") and project.stage == Stage.CONSTRUCTION
    assert project.planned_start is not None and project.planned_start.isoformat() == "2026-03-01"
