"""An enterprise's 国民经济行业代码 (GB/T 4754-2017): the 门类 letter A–T and 2 to 4 digits,
optional; every way of editing or exchanging an enterprise takes it and refuses a wrong
shape with the same message (the service, the form, the .xlsx import, the API), and the
database refuses one that slipped past them."""

import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from yancheng.core.errors import ValidationFailed
from yancheng.core.importers import enterprises_import
from yancheng.core.models import Enterprise
from yancheng.core.services import enterprise_create, enterprise_update
from yancheng.lib.uscc import complete

GOOD = complete("91430426MA4LXE4T1")
MESSAGE = "国民经济行业代码应为门类字母 A–T，后接 2 至 4 位数字"
WRONG = ["6210", "Z6210", "A0", "H62100", "H6", "HH621", "H62A0", "C 3311"]


@pytest.mark.parametrize("code", ["H6210", "C3311", "C331", "C33", "C", "I6513"])
def test_a_code_of_the_right_shape_is_kept(world, code):
    enterprise = enterprise_create(uscc=GOOD, name="代码企业", region=world.qidong, industry_code=code,
                                   actor=world.system_admin)
    assert Enterprise.objects.get(pk=enterprise.pk).industry_code == code


def test_a_code_is_written_in_capitals_and_may_stay_empty(world):
    enterprise = enterprise_create(uscc=GOOD, name="小写企业", region=world.qidong, industry_code=" h6210 ",
                                   actor=world.system_admin)
    assert enterprise.industry_code == "H6210"
    assert world.enterprise_a.industry_code == ""


@pytest.mark.parametrize("code", WRONG)
def test_a_wrong_shape_is_refused_by_the_service_and_nothing_is_written(world, code):
    with pytest.raises(ValidationFailed) as refused:
        enterprise_create(uscc=GOOD, name="坏代码企业", region=world.qidong, industry_code=code,
                          actor=world.system_admin)
    assert refused.value.field == "industry_code" and MESSAGE in str(refused.value.message)
    assert not Enterprise.objects.filter(uscc=GOOD).exists()
    with pytest.raises(ValidationFailed):
        enterprise_update(world.enterprise_a, industry_code=code, actor=world.system_admin)
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).industry_code == ""


def test_the_refusal_reads_in_english_too(world):
    with translation.override("en"):
        with pytest.raises(ValidationFailed) as refused:
            enterprise_update(world.enterprise_a, industry_code="X1", actor=world.system_admin)
        message = str(refused.value.message)
    assert message.startswith("The industry code is a section letter A–T")


def test_the_database_refuses_a_wrong_shape_written_past_the_service(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.filter(pk=world.enterprise_a.pk).update(industry_code="6210")


def test_an_enterprise_user_may_not_set_their_own_code(world):
    with pytest.raises(Exception) as refused:
        enterprise_update(world.enterprise_a, industry_code="C2231", actor=world.enterprise_a_user)
    assert getattr(refused.value, "http_status", None) == 403
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).industry_code == ""


# --- the form -------------------------------------------------------------------------------------


def test_the_create_form_refuses_a_wrong_code_on_its_field(client, world):
    client.force_login(world.system_admin)
    response = client.post(reverse("core:enterprise_create"), {
        "uscc": GOOD, "name": "表单企业", "region": world.qidong.pk, "grade": "B", "industry_code": "62100",
    })
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert response.context["form"].errors["industry_code"]
    assert not Enterprise.objects.filter(uscc=GOOD).exists()


def test_the_edit_form_shows_and_changes_the_code_and_the_detail_page_shows_it(client, world):
    enterprise_update(world.enterprise_b, industry_code="C3499", actor=None)
    client.force_login(world.system_admin)
    url = reverse("core:enterprise_edit", args=[world.enterprise_b.pk])
    assert 'value="C3499"' in client.get(url).content.decode()
    enterprise = Enterprise.objects.get(pk=world.enterprise_b.pk)
    data = {"name": enterprise.name, "region": enterprise.region_id, "grade": enterprise.grade,
            "industry_code": "c3484", "version": enterprise.version}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert Enterprise.objects.get(pk=world.enterprise_b.pk).industry_code == "C3484"
    page = client.get(reverse("core:enterprise_detail", args=[world.enterprise_b.pk])).content.decode()
    assert "C3484" in page and "国民经济行业代码" in page


def test_the_list_export_has_the_code(client, world):
    enterprise_update(world.enterprise_a, industry_code="C2231", actor=None)
    client.force_login(world.dispatcher)
    export = client.get(reverse("core:enterprise_list"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("国民经济行业代码")
    assert [row[column] for row in rows[1:]] == ["C2231"]


# --- the .xlsx import ------------------------------------------------------------------------------


def _workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "企业名称", "所在区划", "行业代码"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_import_reads_the_code_and_reports_a_wrong_one_by_row_and_column(world):
    first, second = complete("91430426MA4M00101"), complete("91430426MA4M00102")
    report = enterprises_import(_workbook([[first, "导入代码一", "430426", "h6210"], [second, "导入代码二", "430426", None]]),
                                actor=world.system_admin, dry_run=False)
    assert report.ok, report.errors
    assert Enterprise.objects.get(uscc=first).industry_code == "H6210"
    assert Enterprise.objects.get(uscc=second).industry_code == ""

    third = complete("91430426MA4M00103")
    report = enterprises_import(_workbook([[third, "导入代码三", "430426", "餐饮"]]), actor=world.system_admin,
                                dry_run=False)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(2, "行业代码")]
    assert MESSAGE in report.errors[0].message
    assert not Enterprise.objects.filter(uscc=third).exists()


def test_the_import_template_has_the_column_with_its_hint(client, world):
    client.force_login(world.system_admin)
    template = client.get(reverse("core:enterprise_import_template"))
    data = b"".join(template.streaming_content) if template.streaming else template.content
    book = load_workbook(io.BytesIO(data))
    header = [cell.value for cell in book.worksheets[0][1]]
    cell = book.worksheets[0].cell(row=1, column=header.index("行业代码") + 1)
    assert "GB/T 4754-2017" in cell.comment.text


# --- the API --------------------------------------------------------------------------------------


def test_the_api_takes_and_answers_the_code(world, as_user):
    client = as_user("system_admin")
    response = client.post("/api/v1/enterprises", {"uscc": GOOD, "name": "接口企业", "region": "430426",
                                                   "industry_code": "C3311"})
    assert response.status_code == 201, response.content
    assert response.json()["industry_code"] == "C3311"
    assert client.get(f"/api/v1/enterprises/{world.enterprise_a.pk}").json()["industry_code"] == ""


def test_the_api_refuses_a_wrong_code_with_a_4xx_naming_the_field(world, as_user):
    client = as_user("system_admin")
    response = client.post("/api/v1/enterprises", {"uscc": GOOD, "name": "接口企业", "region": "430426",
                                                   "industry_code": "3311"})
    assert 400 <= response.status_code < 500 and response.status_code != 404
    assert MESSAGE in response.json()["error"]["fields"]["industry_code"][0]
    assert not Enterprise.objects.filter(uscc=GOOD).exists()
    etag = client.get(f"/api/v1/enterprises/{world.enterprise_a.pk}")["ETag"]
    response = client.patch(f"/api/v1/enterprises/{world.enterprise_a.pk}", {"industry_code": "Z1"},
                            headers={"If-Match": etag})
    assert 400 <= response.status_code < 500
    assert "industry_code" in response.json()["error"]["fields"]
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).industry_code == ""


def test_an_enterprise_user_may_not_set_the_code_through_the_api(world, as_user):
    response = as_user("enterprise_a").patch(f"/api/v1/enterprises/{world.enterprise_a.pk}",
                                             {"industry_code": "C2231"}, headers={"If-Match": '"1"'})
    assert response.status_code == 403
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).industry_code == ""
