"""Imports of the registry: row errors by column, dry run, all or nothing, the city office only."""

import pytest
from django.core.management import CommandError, call_command

from yancheng.lib.xlsx import write_workbook
from yancheng.safety.importers_registry import items_import, mappings_import, persons_import, systems_import
from yancheng.safety.models import EnterpriseSystem, ResponsiblePerson, SafetySystem

pytestmark = pytest.mark.django_db


def book(headers, rows):
    return write_workbook("导入", headers, rows)


SYSTEM_HEADERS = ["编码", "名称", "类别", "牵头部门", "配合部门", "覆盖行业代码", "示例"]


def test_systems_import_reports_every_bad_cell_and_writes_nothing(sw):
    data = book(SYSTEM_HEADERS, [
        ["gas", "城镇燃气安全责任制", "燃气", "hy-xfzd", "hy-yjj", "D45, H62", "是"],
        ["road", "", "道路", "nowhere", "", "Z1", ""],
        ["gas", "重复", "燃气", "hy-xfzd", "", "", ""],
    ])
    report = systems_import(data, actor=sw.anweiban, dry_run=False)
    assert not report.ok and report.created == 0
    by_row = {(e.row, e.column) for e in report.errors}
    assert {(3, "名称"), (3, "类别"), (3, "牵头部门"), (3, "覆盖行业代码"), (4, "编码")} <= by_row
    assert not SafetySystem.objects.filter(code="gas").exists()


def test_systems_import_dry_run_then_for_real(sw):
    data = book(SYSTEM_HEADERS, [["gas", "城镇燃气安全责任制", "燃气", "衡阳市消防救援支队", "hy-yjj", "D45 H62", "是"]])
    dry = systems_import(data, actor=sw.anweiban, dry_run=True)
    assert dry.ok and dry.created == 1 and not SafetySystem.objects.filter(code="gas").exists()
    done = systems_import(data, actor=sw.anweiban, dry_run=False)
    assert done.ok and done.created == 1
    gas = SafetySystem.objects.get(code="gas")
    assert gas.industry_codes == ["D45", "H62"] and gas.is_example and gas.revisions.count() == 1
    again = systems_import(data, actor=sw.anweiban, dry_run=False)  # the code is taken now
    assert [(e.row, e.column) for e in again.errors] == [(2, "编码")]


def test_only_the_city_office_imports_the_registry(sw):
    data = book(SYSTEM_HEADERS, [["gas", "燃气", "燃气", "hy-xfzd", "", "", ""]])
    report = systems_import(data, actor=sw.anweiban_qidong, dry_run=False)
    assert not report.ok and not SafetySystem.objects.filter(code="gas").exists()


def test_items_persons_and_mappings(sw):
    items = book(["责任制编码", "检查项编号", "检查内容", "重大事故隐患判定项"], [
        ["fire", "XF-03", "消防控制室值班人员持证上岗", "是"], ["nope", "X-1", "", ""]])
    report = items_import(items, actor=sw.anweiban, dry_run=False)
    assert {(e.row, e.column) for e in report.errors} == {(3, "责任制编码"), (3, "检查内容")}
    report = items_import(book(["责任制编码", "检查项编号", "检查内容", "重大事故隐患判定项"],
                               [["fire", "XF-03", "消防控制室值班人员持证上岗", "是"]]), actor=sw.anweiban, dry_run=False)
    assert report.ok and sw.fire.items.get(code="XF-03").is_major_criterion

    persons = book(["责任制编码", "区划", "所在单位", "岗位", "姓名", "系统账号"], [
        ["fire", "祁东县", "qd-park", "网格员", "示例网格员", "grid_park"],
        ["fire", "祁东县", "qd-yjj", "局长", "某某", ""]])
    report = persons_import(persons, actor=sw.anweiban, dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [(3, "岗位")]
    assert not ResponsiblePerson.objects.exists()

    mapping = book(["统一社会信用代码", "责任制编码", "监管部门"], [[sw.world.enterprise_b.uscc, "fire", "hy-xfzd"]])
    report = mappings_import(mapping, actor=sw.anweiban_qidong, dry_run=False)  # B is not 祁东's
    assert [(e.row, e.column) for e in report.errors] == [(2, "统一社会信用代码")]
    report = mappings_import(mapping, actor=sw.anweiban, dry_run=False)
    assert report.ok
    assert EnterpriseSystem.objects.get(system=sw.fire, enterprise=sw.world.enterprise_b).responsible_org == sw.fire_brigade


def test_the_command_fails_on_row_errors(sw, tmp_path):
    path = tmp_path / "systems.xlsx"
    path.write_bytes(book(SYSTEM_HEADERS, [["gas", "", "燃气", "hy-xfzd", "", "", ""]]))
    with pytest.raises(CommandError):
        call_command("safety_systems_import", str(path), "--as", "anweiban")
    path.write_bytes(book(SYSTEM_HEADERS, [["gas", "燃气", "燃气", "hy-xfzd", "", "", ""]]))
    call_command("safety_systems_import", str(path), "--as", "anweiban")
    assert SafetySystem.objects.filter(code="gas").exists()


def test_the_import_page_checks_then_confirms_the_same_file(sw, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(sw.anweiban)
    data = book(SYSTEM_HEADERS, [["gas", "燃气", "燃气", "hy-xfzd", "", "H62", ""]])
    url = reverse("safety:registry_import", args=["systems"])
    checked = client.post(url, {"file": SimpleUploadedFile("s.xlsx", data)})
    assert checked.status_code == 200 and checked.context["token"]
    assert not SafetySystem.objects.filter(code="gas").exists()
    done = client.post(reverse("safety:registry_import_confirm", args=["systems"]), {"token": checked.context["token"]})
    assert done.status_code == 302 and SafetySystem.objects.filter(code="gas").exists()
    assert client.get(reverse("safety:registry_import", args=["nothing"])).status_code == 404
    client.force_login(sw.anweiban_qidong)
    assert client.get(reverse("safety:registry_import", args=["mappings"])).status_code == 200
    assert client.get(url).status_code == 403


def test_a_big_registry_file_is_checked_and_imported_in_the_background(sw, client, settings,
                                                                      django_capture_on_commit_callbacks):
    """Past YANCHENG_IMPORT_BACKGROUND_ROWS the dry run and the import run as jobs: the
    confirm step sends the user back to the sheet's own import page with the job."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.YANCHENG_IMPORT_BACKGROUND_ROWS = 1
    client.force_login(sw.anweiban)
    data = book(SYSTEM_HEADERS, [["gas", "燃气", "燃气", "hy-xfzd", "", "H62", ""],
                                 ["tour", "旅游", "旅游", "hy-xfzd", "", "", ""]])
    url = reverse("safety:registry_import", args=["systems"])
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(url, {"file": SimpleUploadedFile("s.xlsx", data)})
    assert checked.status_code == 302 and checked["Location"].startswith(f"{url}?job=")
    page = client.get(checked["Location"])
    assert page.status_code == 200 and page.context["token"]
    assert not SafetySystem.objects.filter(code__in=["gas", "tour"]).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("safety:registry_import_confirm", args=["systems"]), {"token": page.context["token"]})
    assert done.status_code == 302 and done["Location"].startswith(f"{url}?job=")
    assert set(SafetySystem.objects.filter(code__in=["gas", "tour"]).values_list("code", flat=True)) == {"gas", "tour"}
    assert client.get(done["Location"]).status_code == 200
