"""The enterprise import writes in bulk (`enterprise_create_many`): one audit record per
enterprise — the very record `enterprise_create` writes — in a chain that verifies, a
statement count that does not grow with the file, and still all or nothing."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.verify import verify_chain
from yancheng.core.errors import RowsRefused
from yancheng.core.importers import enterprises_import
from yancheng.core.models import Enterprise, IndustryChain, Organisation
from yancheng.core.services import enterprise_create, enterprise_create_many
from yancheng.lib.uscc import complete

HEADER = ["统一社会信用代码*", "企业名称*", "所在区划*", "所在园区", "产业链", "规上工业", "信用风险等级"]
AUDITED = ("actor_id", "actor_repr", "organisation_id", "organisation_repr", "action", "object_type", "object_repr",
           "before", "after", "ip", "request_id", "outcome")


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def many_rows(count: int, *, start: int = 0) -> list[list[object]]:
    IndustryChain.objects.get_or_create(code="textile", defaults={"name": "纺织服装"})
    IndustryChain.objects.get_or_create(code="machinery", defaults={"name": "装备制造"})
    rows = []
    for n in range(start, start + count):
        park = "祁东经济开发区" if n % 3 == 0 else None
        chains = ["", "纺织服装", "纺织服装、装备制造"][n % 3]
        rows.append([complete(f"91430426MA4B{n:05d}"), f"批量导入{n}有限公司", "430426", park, chains,
                     "是" if n % 2 else "否", "ABCD"[n % 4]])
    return rows


def _head() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_a_bulk_import_writes_one_audit_record_per_enterprise_and_the_chain_verifies(world):
    before = _head()
    report = enterprises_import(workbook(many_rows(300)), actor=world.system_admin, dry_run=False)
    assert report.ok and report.created == 300
    records = AuditEvent.objects.filter(seq__gt=before).order_by("seq")
    assert records.count() == 300
    assert set(records.values_list("action", flat=True)) == {"enterprise.create"}
    created = Enterprise.objects.filter(name__startswith="批量导入")
    assert sorted(records.values_list("object_id", flat=True)) == sorted(str(pk) for pk in created.values_list("pk", flat=True))
    report = verify_chain()
    assert report.ok, report


def test_the_bulk_path_writes_what_the_single_create_writes(world):
    chains = [IndustryChain.objects.get_or_create(code="textile", defaults={"name": "纺织服装"})[0]]
    fields = {"region": world.qidong, "park": world.qidong_park, "chains": chains, "grade": "A",
              "is_above_scale_industry": True, "legal_representative": "王示例", "address": "祁东路 1 号"}
    one = enterprise_create(actor=world.system_admin, uscc=complete("91430426MA4C00001"), name="单个有限公司", **fields)
    [bulk] = enterprise_create_many([{"uscc": complete("91430426MA4C00002"), "name": " 批量有限公司 ", **fields}],
                                    actor=world.system_admin)
    one_record, bulk_record = (AuditEvent.objects.get(action="enterprise.create", object_id=str(e.pk)) for e in (one, bulk))

    def comparable(record, enterprise):
        values = {f: getattr(record, f) for f in AUDITED}
        values["after"] = {**values["after"], "uscc": "", "name": ""}
        values["object_repr"] = values["object_repr"] == enterprise.name
        return values

    assert comparable(one_record, one) == comparable(bulk_record, bulk)
    assert bulk.name == "批量有限公司"
    for enterprise in (one, bulk):
        enterprise.refresh_from_db()
        org = enterprise.organisation
        assert org.kind == "enterprise" and org.name == enterprise.name and org.parent == world.qidong_park
        assert org.path == f"{world.qidong_park.path}{org.pk}/" and org.region == world.qidong
        assert list(enterprise.chains.all()) == chains
        assert Organisation.objects.subtree_of(world.qidong_park).filter(pk=org.pk).exists()


def test_one_refused_row_writes_nothing_and_names_every_refused_row(world):
    rows = [{"uscc": code, "name": name, "region": world.qidong}
            for code, name, *_rest in many_rows(5)]
    rows[1]["grade"] = "E"
    rows[3]["uscc"] = world.enterprise_a.uscc
    rows.append(dict(rows[0]))
    before, enterprises = _head(), Enterprise.objects.count()
    with pytest.raises(RowsRefused) as refused:
        enterprise_create_many(rows, actor=world.system_admin)
    assert sorted(refused.value.errors) == [1, 3, 5]
    assert refused.value.errors[1].field == "grade" and refused.value.errors[3].code == "uscc_duplicate"
    assert _head() == before and Enterprise.objects.count() == enterprises


def test_a_failing_row_rolls_the_whole_file_back(world):
    rows = many_rows(200)
    rows[150][3] = "不存在的园区"
    before = _head()
    report = enterprises_import(workbook(rows), actor=world.system_admin, dry_run=False)
    assert not report.ok and report.created == 0
    assert [(e.row, e.column) for e in report.errors] == [(152, "所在园区")]
    assert not Enterprise.objects.filter(name__startswith="批量导入").exists()
    assert not Organisation.objects.filter(name__startswith="批量导入").exists()
    assert _head() == before


def test_a_dry_run_counts_the_rows_that_would_pass_and_writes_nothing(world):
    rows = many_rows(20)
    rows[4][6] = "Z"
    report = enterprises_import(workbook(rows), actor=world.system_admin, dry_run=True)
    assert [e.row for e in report.errors] == [6] and report.created == 19
    assert not Enterprise.objects.filter(name__startswith="批量导入").exists()


def test_a_name_too_long_for_the_column_is_a_row_error(world):
    rows = many_rows(3)
    rows[2][1] = "长" * 129
    report = enterprises_import(workbook(rows), actor=world.system_admin, dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [(4, "企业名称")]


def _statements(world, count: int, start: int) -> int:
    data = workbook(many_rows(count, start=start))
    with CaptureQueriesContext(connection) as captured:
        report = enterprises_import(data, actor=world.system_admin, dry_run=False)
    assert report.ok, report.errors
    return len(captured.captured_queries)


def test_the_statement_count_does_not_grow_with_the_number_of_rows(world):
    few, many = _statements(world, 10, start=0), _statements(world, 400, start=1000)
    if connection.vendor == "postgresql":
        assert few == many
    else:  # SQLite caps the parameters of a statement: an INSERT per some 50 rows and table
        assert many - few <= 4 * 400 // 50
