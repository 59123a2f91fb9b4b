"""The project import writes in bulk (`project_create_many`): the rows, stage changes, plans
and audit records `project_create` and `annual_plan_set` write, in their order, numbered
in sequence, all or nothing."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.verify import verify_chain
from yancheng.core.errors import RowsRefused
from yancheng.core.services import user_create
from yancheng.projects.importers import COLUMNS, projects_import
from yancheng.projects.models import AnnualPlan, Category, Project, Stage, StageChange
from yancheng.projects.services.registry import annual_plan_set, project_create, project_create_many
from yancheng.testing.world import PERSONA_PASSWORD

HEADERS = [name + ("*" if required else "") for name, _help, required in COLUMNS]
AUDITED = ("actor_id", "organisation_id", "action", "object_type", "before", "outcome")


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def office(world):
    return user_create(actor=None, username="city_dispatcher", password=PERSONA_PASSWORD, role="dispatcher",
                       organisation=world.project_office, full_name="市项目办调度员", must_change_password=False)


def rows(world, count: int) -> list[list[object]]:
    return [
        ["", f"批量项目{n}", world.enterprise_a.uscc if n % 2 else "", "430426", "", "", "", 100 + n, "签约", "",
         "", "hy-fgw", 50 if n % 3 == 0 else ""]
        for n in range(count)
    ]


def _head() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_a_bulk_import_numbers_the_projects_and_audits_each_one(world, office):
    year = timezone.localdate().year
    project_create(actor=office, code=f"XM{year}-0007", name="已有项目", region=world.qidong,
                   category=Category.INDUSTRY, total_investment=1, responsible_org=world.city_ndrc)
    before = _head()
    report = projects_import(workbook(rows(world, 200)), actor=office, dry_run=False, year=2026)
    assert report.ok and report.created == 200, report.errors[:3]
    created = list(Project.objects.filter(name__startswith="批量项目").order_by("pk"))
    assert [p.name for p in created] == [f"批量项目{n}" for n in range(200)]
    # After the highest number of the year, in file order (as project_create numbers them).
    assert [p.code for p in created] == [f"XM{year}-{n:04d}" for n in range(8, 208)]
    assert StageChange.objects.filter(project__in=created, from_stage="", to_stage=Stage.SIGNED).count() == 200
    assert AnnualPlan.objects.filter(project__in=created, year=2026).count() == 67
    records = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq").values_list("action", "object_id"))
    expected = []
    for n, project in enumerate(created):
        expected.append(("project.create", str(project.pk)))
        if n % 3 == 0:
            expected.append(("project.annual_plan_set", str(project.pk)))
    assert records == expected
    assert verify_chain().ok


def test_the_bulk_records_are_those_of_the_single_services(world, office):
    fields = {"name": "单个项目", "region": world.qidong, "category": Category.INDUSTRY, "total_investment": "12.5",
              "responsible_org": world.city_ndrc, "enterprise": world.enterprise_a}
    one = project_create(actor=office, code="ONE-1", stage=Stage.SIGNED, **fields)
    annual_plan_set(one, year=2026, planned_investment="3", actor=office)
    singles = list(AuditEvent.objects.filter(object_id=str(one.pk), object_type="projects.project").order_by("seq"))
    [bulk] = project_create_many([{**fields, "code": "ONE-2", "stage": Stage.SIGNED, "planned_investment": "3"}],
                                 actor=office, plan_year=2026)
    bulks = list(AuditEvent.objects.filter(object_id=str(bulk.pk), object_type="projects.project").order_by("seq"))
    assert [[getattr(e, f) for f in AUDITED] for e in singles] == [[getattr(e, f) for f in AUDITED] for e in bulks]
    assert singles[0].after | {"code": ""} == bulks[0].after | {"code": ""}
    assert singles[1].after == bulks[1].after == {"year": 2026, "planned_investment": "3.00"}


def test_a_refused_row_writes_nothing(world, office):
    good = {"name": "好项目", "region": world.qidong, "total_investment": 1, "responsible_org": world.city_ndrc}
    batch = [good, {**good, "total_investment": -1}, {**good, "code": "bad code"}, good]
    before, projects = _head(), Project.objects.count()
    with pytest.raises(RowsRefused) as refused:
        project_create_many(batch, actor=office)
    assert sorted(refused.value.errors) == [1, 2]
    assert _head() == before and Project.objects.count() == projects


def test_a_handler_of_another_unit_cannot_set_the_plan_of_a_project_it_files(world):
    dispatcher = world.dispatcher  # a park dispatcher: files the park's projects, maintains its own unit's
    batch = [{"name": "园区项目", "region": world.qidong, "park": world.qidong_park, "total_investment": 1,
              "responsible_org": world.city_ndrc, "planned_investment": 5}]
    with pytest.raises(RowsRefused) as refused:
        project_create_many(batch, actor=dispatcher, plan_year=2026)
    assert refused.value.errors[0].code == "permission_denied"
    assert not Project.objects.filter(name="园区项目").exists()
