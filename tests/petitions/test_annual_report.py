"""The annual report (第四十一条): every figure checked against matters made here, the page
for the statistics roles only, the .docx as a 公文 with its tables, the .xlsx one sheet per
table with typed cells, and the 检举控告 about an organ never counted for that organ's people."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yancheng.core.audit.models import AuditEvent
from yancheng.petitions.annual import annual_report, rate, report_docx, report_xlsx
from yancheng.petitions.documents import document_issue
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import (
    DocumentKind,
    Petition,
    PetitionDocument,
    PetitionReview,
    Stage,
    Topic,
)
from yancheng.testing.documents import body_tables, check_official_document, download_name
from yancheng.testing.petitions import ID_NUMBERS, register

pytestmark = pytest.mark.django_db


def rows_of(report, key):
    return {row[0]: row[1:] for row in report.table(key).rows}


def matter(pw, name, **overrides):
    overrides.setdefault("petitioners", [PetitionerInput(name)])
    return register(pw, **overrides).petition


def set_fields(petition, **fields):
    Petition.objects.filter(pk=petition.pk).update(**fields)
    petition.refresh_from_db()


def made_at(petition, kind, at, issuer):
    with transaction.atomic():
        document = document_issue(petition, kind, actor=None, issuer=issuer)
    PetitionDocument.objects.filter(pk=document.pk).update(created_at=at)


@pytest.fixture
def year_world(pw):
    """Matters of this year in every shape the report counts, and one of last year."""
    now = timezone.now()
    days = dt.timedelta(days=1)
    m = {}
    m["letter"] = matter(pw, "甲")
    m["visit"] = matter(pw, "乙", channel="visit", is_group=True, head_count=12,
                        petitioners=[PetitionerInput("乙", is_representative=True)])
    m["online"] = matter(pw, "丙", channel="online", topic=Topic.objects.get(code="labour_social_security"),
                         region=pw.world.qidong, respondent_org=pw.hrss)
    m["accusation"] = matter(pw, "丁", petition_type="accusation", claim_route="", respondent_org=pw.housing)
    m["about_housing"] = matter(pw, "戊", respondent_org=pw.housing)
    m["suggestion_adopted"] = matter(pw, "己", petition_type="suggestion", claim_route="")
    m["suggestion"] = matter(pw, "庚", petition_type="suggestion", claim_route="")
    first = matter(pw, "辛", petitioners=[PetitionerInput("辛", ID_NUMBERS[2])])
    m["first"] = first
    m["again"] = matter(pw, "辛", petitioners=[PetitionerInput("辛", ID_NUMBERS[2])])  # 重复信访
    m["after_final"] = matter(pw, "壬")
    set_fields(m["after_final"], after_final=True, stage=Stage.NOT_ACCEPTED)
    last_year = matter(pw, "癸")
    set_fields(last_year, received_on=dt.date(timezone.localdate().year - 1, 6, 1))

    set_fields(m["suggestion_adopted"], outcome="support", stage=Stage.CLOSED, ended_at=now)
    set_fields(m["suggestion"], outcome="explain", stage=Stage.CLOSED, ended_at=now)
    # 转送/交办 and the 15日 acceptance notice: on time, late, not yet due, missing and overdue.
    set_fields(m["letter"], transfer_mode="assign", transferred_at=now - 20 * days, handling_org=pw.housing,
               stage=Stage.ACCEPTED)
    made_at(m["letter"], DocumentKind.ACCEPTANCE, now - 12 * days, pw.housing)
    set_fields(m["visit"], transfer_mode="forward", transferred_at=now - 40 * days, handling_org=pw.housing,
               stage=Stage.TRANSFERRED)
    made_at(m["visit"], DocumentKind.ACCEPTANCE, now - 2 * days, pw.housing)  # late
    set_fields(m["online"], transfer_mode="forward", transferred_at=now - 2 * days, handling_org=pw.hrss,
               stage=Stage.TRANSFERRED)  # not yet due
    set_fields(m["about_housing"], transfer_mode="forward", transferred_at=now - 40 * days,
               handling_org=pw.housing, stage=Stage.TRANSFERRED)  # overdue, no notice
    # 60日: one concluded in time, one late, one overdue without an opinion, one still running.
    set_fields(m["letter"], accepted_at=now - 10 * days)
    made_at(m["letter"], DocumentKind.OPINION, now - 1 * days, pw.housing)
    set_fields(m["first"], accepted_at=now - 90 * days, stage=Stage.ANSWERED, handling_org=pw.housing)
    made_at(m["first"], DocumentKind.OPINION, now - 1 * days, pw.housing)  # late
    set_fields(m["about_housing"], accepted_at=now - 95 * days)  # overdue
    set_fields(m["visit"], accepted_at=now - 3 * days)  # running
    # Ratings of the result.
    set_fields(m["letter"], rating_result="satisfied")
    set_fields(m["visit"], rating_result="basically")
    set_fields(m["first"], rating_result="dissatisfied")
    # 复查 and 复核.
    PetitionReview.objects.create(petition=m["first"], level="review", requested_on=timezone.localdate(),
                                  request="不服", organ=pw.world.city_gov, outcome="reject")
    PetitionReview.objects.create(petition=m["first"], level="recheck", requested_on=timezone.localdate(),
                                  request="不服", organ=pw.world.city_gov)
    return m


def test_the_figures_count_the_matters_of_the_year(pw, year_world):
    m = year_world
    year = timezone.localdate().year
    report = annual_report(pw.xinfang, year)
    summary = rows_of(report, "summary")
    total = len(m)  # last year's matter is not counted
    assert summary["收到信访事项"] == [total]
    assert summary["其中集体访（批次）"] == [1] and summary["集体访人次"] == [12]
    channels = rows_of(report, "channel")
    assert channels["来信"] == [total - 2] and channels["来访"] == [1] and channels["网上信访"] == [1]
    assert channels["来电"] == [0] and channels["合计"] == [total]
    types = rows_of(report, "type")
    assert types["建议意见类"] == [2] and types["检举控告类"] == [1] and types["申诉求决类"] == [total - 3]
    assert rows_of(report, "topic")["劳动和社会保障"] == [1]
    assert rows_of(report, "region")["祁东县"] == [1]
    transfer = rows_of(report, "transfer")
    assert transfer["转送"] == [3] and transfer["交办"] == [1] and transfer["督办"] == [0]

    on_time = rows_of(report, "on_time")
    assert on_time["受理告知（15日）"] == [3, 1, rate(1, 3)]
    assert on_time["办结（60日，含批准延期）"] == [3, 1, rate(1, 3)]
    assert rate(1, 3) == Decimal("33.33")

    satisfaction = rows_of(report, "satisfaction")
    assert satisfaction["满意"] == [1] and satisfaction["基本满意"] == [1] and satisfaction["不满意"] == [1]
    assert satisfaction["满意率（%，满意和基本满意）"] == [Decimal("66.67")]

    respondents = {row[0]: row[1:] for row in report.table("respondents").rows}
    assert respondents[pw.housing.name] == [2, 1] and respondents[pw.hrss.name] == [1, 0]
    assert report.table("respondents").rows[0][0] == pw.housing.name  # the most complained about first

    repeat = rows_of(report, "repeat")
    assert repeat["重复信访（原事项仍在办理期限内）"][0] == 1
    linked = Petition.objects.filter(earlier__isnull=False, received_on__year=year).count()
    assert linked >= 1 and repeat["同一信访人或同一事项再次信访"][0] == linked
    assert repeat["终结后再次反映"] == [1, rate(1, total)]

    reviews = rows_of(report, "reviews")
    assert reviews["复查"] == [1, 0, 0, 1, 0] and reviews["复核"] == [1, 0, 0, 0, 1]
    assert report.table("suggestions").rows == [[2, 1, Decimal("50.00")]]
    open_now = Petition.objects.filter(stage__in=["registered", "transferred", "accepted", "reviewing",
                                                  "rechecking"], received_on__year=year).count()
    assert rows_of(report, "open")["合计"] == [open_now + 1]  # with last year's, still registered


def test_a_year_without_matters_reports_zeros_and_no_rates(pw, year_world):
    report = annual_report(pw.xinfang, timezone.localdate().year - 3)
    assert rows_of(report, "summary")["收到信访事项"] == [0]
    assert rows_of(report, "on_time")["受理告知（15日）"] == [0, 0, None]
    assert report.table("respondents").rows == []


def test_the_organ_complained_about_never_counts_the_accusation(pw, year_world):
    year = timezone.localdate().year
    office = annual_report(pw.xinfang, year)
    own = annual_report(pw.supervisor_housing, year)
    assert rows_of(office, "type")["检举控告类"] == [1]
    assert rows_of(own, "type")["检举控告类"] == [0]
    assert {row[0]: row[1:] for row in own.table("respondents").rows}[pw.housing.name] == [1, 0]


def test_the_county_bureau_reports_on_its_county(pw, year_world):
    report = annual_report(pw.xinfang_qidong, timezone.localdate().year)
    assert rows_of(report, "summary")["收到信访事项"] == [1]
    assert report.scope == pw.qidong_bureau.name


def test_the_page_is_for_the_statistics_roles(client, pw, year_world):
    url = reverse("petitions:annual_report")
    client.force_login(pw.handler_housing)
    assert client.get(url).status_code == 403
    client.force_login(pw.xinfang)
    page = client.get(url, {"year": timezone.localdate().year}).content.decode()
    assert "年度信访工作报告" in page and "被反映较多的单位" in page and pw.housing.name in page
    assert "丁" not in page  # no petitioner appears


def test_the_docx_is_an_official_document_with_a_table_per_part(client, pw, year_world):
    year = timezone.localdate().year
    client.force_login(pw.xinfang)
    response = client.get(reverse("petitions:annual_report"), {"year": year, "format": "docx"})
    assert response.status_code == 200
    assert download_name(response).startswith(f"{year}年度信访工作报告-")
    document = check_official_document(response.content)
    report = annual_report(pw.xinfang, year)
    assert len(body_tables(document)) == sum(1 for t in report.tables if t.rows)
    first = body_tables(document)[0]
    assert first.rows[1].cells[0].text == "收到信访事项" and first.rows[1].cells[1].text == str(len(year_world))
    assert AuditEvent.objects.filter(action="petition.annual_report_export").count() == 1
    check_official_document(report_docx(annual_report(pw.xinfang, year - 3)))


def test_the_xlsx_has_one_sheet_per_table_with_typed_cells(client, pw, year_world):
    from openpyxl import load_workbook

    year = timezone.localdate().year
    client.force_login(pw.xinfang)
    response = client.get(reverse("petitions:annual_report"), {"year": year, "format": "xlsx"})
    assert response.status_code == 200 and download_name(response).endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    report = annual_report(pw.xinfang, year)
    assert workbook.sheetnames == [t.title for t in report.tables]
    summary = workbook[report.tables[0].title]
    assert summary["A2"].value == "收到信访事项" and summary["B2"].value == len(year_world)
    assert summary["B2"].data_type == "n"
    satisfaction = workbook["满意度（对办理结果的评价）"]
    rate_cell = next(row for row in satisfaction.iter_rows() if row[0].value.startswith("满意率"))[1]
    assert rate_cell.data_type == "n" and float(rate_cell.value) == pytest.approx(66.67)
    assert load_workbook(io.BytesIO(report_xlsx(annual_report(pw.xinfang, year - 3)))).sheetnames


def test_a_year_outside_the_range_shows_this_year(client, pw):
    client.force_login(pw.xinfang)
    response = client.get(reverse("petitions:annual_report"), {"year": "abc"})
    assert response.status_code == 200 and response.context["year"] == timezone.localdate().year
