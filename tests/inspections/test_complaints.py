"""Complaints about inspections (投诉权) and reports of unregistered visits: cases of kind
涉企检查投诉 to the supervising organisation, whose supervisors triage and assign them through
the ordinary case engine. A complaint is not anonymous and touches no rating.

Visits are made with `make_visit` (ORM rows; the registration service is tested elsewhere)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yancheng.api.testing import api_client_for
from yancheng.cases.models import Case, CaseKind, Status
from yancheng.cases.permissions import standing_of
from yancheng.cases.services import case_assign, case_submit
from yancheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.notifications.models import Notification
from yancheng.inspections.complaints import complaint_file, unregistered_visit_report
from yancheng.inspections.models import InspectionAlert, InspectionPolicy, Rating, RatingReceipt

from .routes_enterprise import make_visit


def test_a_complaint_is_a_case_to_the_supervising_organisation_with_the_enterprise_as_reporter(iw):
    visit = make_visit(iw)
    case = complaint_file(visit, actor=iw.world.enterprise_a_user, text="检查人员未出示执法证。")
    assert case.kind == CaseKind.INSPECTION_COMPLAINT and case.status == Status.SUBMITTED
    assert case.subject_ref == f"inspection:{visit.pk}"
    assert case.dispatch_org == iw.world.justice_bureau
    assert case.enterprise == iw.world.enterprise_a and case.reporter == iw.world.enterprise_a_user
    assert case.reporter_org_id == iw.world.enterprise_a.organisation_id
    assert "检查人员未出示执法证。" in case.description and visit.number in case.description
    # The supervisors are told; the inspected department is not (yet).
    assert Notification.objects.filter(recipient=iw.world.supervisor, verb="inspection_complaint").exists()
    for persona in ("inspector", "inspector2", "clerk_market"):
        assert not Notification.objects.filter(recipient=getattr(iw.world, persona)).exists()
    assert Rating.objects.count() == 0 and RatingReceipt.objects.count() == 0


def test_the_supervisor_finds_the_complaint_in_the_inbox_and_assigns_it_to_the_department(client, iw):
    visit = make_visit(iw)
    case = complaint_file(visit, actor=iw.world.enterprise_a_user, text="一周内第三次检查同一事项。")
    assert standing_of(iw.world.supervisor, case).is_dispatcher
    client.force_login(iw.world.supervisor)
    inbox = client.get(reverse("cases:case_inbox"), {"mine": "1"}).content.decode()
    assert case.number in inbox
    detail = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert reverse("cases:case_act", args=[case.pk, "assign"]) in detail
    response = client.post(reverse("cases:case_act", args=[case.pk, "assign"]), {
        "assign-version": case.version, "assign-lead_org": iw.world.market_regulation.pk,
        "assign-urgency": "normal", "assign-note": "请核实并答复企业",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.lead_org == iw.world.market_regulation
    # Now the department's clerk (a handler of the lead unit) works on it.
    client.force_login(iw.world.clerk_market)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200


def test_a_dispatcher_of_a_park_cannot_assign_an_inspection_complaint(iw):
    visit = make_visit(iw)
    case = complaint_file(visit, actor=iw.world.enterprise_a_user, text="态度粗暴。")
    assert not standing_of(iw.world.dispatcher, case).is_dispatcher
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        case_assign(case, actor=iw.world.dispatcher, lead_org=iw.world.market_regulation)


def test_supervisors_dispatch_only_inspection_complaints_not_other_cases(iw):
    problem = case_submit(actor=iw.world.enterprise_a_user, title="停电", description="园区停电")
    assert not standing_of(iw.world.supervisor, problem).is_dispatcher
    # An enterprise still cannot choose where any other kind of case goes.
    addressed = case_submit(actor=iw.world.enterprise_a_user, title="停电", description="园区停电",
                            dispatch_org=iw.world.justice_bureau)
    assert addressed.dispatch_org == iw.world.qidong_park


def test_the_complaint_form_files_the_case_and_links_it(client, iw):
    visit = make_visit(iw)
    client.force_login(iw.world.enterprise_a_user)
    response = client.post(reverse("inspections:inspection_complain", args=[visit.pk]), {"text": "检查超过两小时。"}, follow=True)
    case = Case.objects.get(subject_ref=f"inspection:{visit.pk}")
    page = response.content.decode()
    assert case.number in page and reverse("cases:case_detail", args=[case.pk]) in page
    empty = client.post(reverse("inspections:inspection_complain", args=[visit.pk]), {"text": "  "})
    assert empty.status_code == 422 and "请写明投诉的事实和诉求" in empty.content.decode()
    assert Case.objects.filter(subject_ref=f"inspection:{visit.pk}").count() == 1


def test_another_enterprise_cannot_complain_about_the_visit(client, iw):
    visit = make_visit(iw)
    client.force_login(iw.world.enterprise_b_user)
    assert client.post(reverse("inspections:inspection_complain", args=[visit.pk]), {"text": "x"}).status_code == 404
    with pytest.raises(NotFoundError):
        complaint_file(visit, actor=iw.world.enterprise_b_user, text="x")
    api = api_client_for(iw.world.enterprise_b_user)
    path = reverse("api:inspections_enterprise_visit_complaint", kwargs={"visit_id": visit.pk})
    assert api.post(path, {"text": "x"}).status_code == 404
    assert not Case.objects.filter(kind=CaseKind.INSPECTION_COMPLAINT).exists()


def test_the_department_cannot_file_a_complaint_as_the_enterprise(iw):
    visit = make_visit(iw)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        complaint_file(visit, actor=iw.world.inspector, text="x")
    with pytest.raises(PermissionDeniedError):
        unregistered_visit_report(actor=iw.world.inspector, department=iw.world.market_regulation,
                                  visited_on=timezone.localdate(), description="x")


def test_the_api_files_a_complaint(iw):
    visit = make_visit(iw)
    api = api_client_for(iw.world.enterprise_a_user)
    path = reverse("api:inspections_enterprise_visit_complaint", kwargs={"visit_id": visit.pk})
    response = api.post(path, {"text": "检查人员索要材料超出事项范围。"})
    assert response.status_code == 201
    body = response.json()
    assert body["dispatch_org"] == iw.world.justice_bureau.name
    assert Case.objects.get(pk=body["case_id"]).subject_ref == f"inspection:{visit.pk}"


def test_without_a_supervising_organisation_a_complaint_is_refused_with_a_message(iw):
    InspectionPolicy.objects.filter(pk=iw.policy.pk).update(supervising_org=None)
    visit = make_visit(iw)
    with pytest.raises(ValidationFailed) as refused:
        complaint_file(visit, actor=iw.world.enterprise_a_user, text="x")
    assert "行政执法监督机构" in str(refused.value.message)
    assert not Case.objects.exists()


# --- unregistered visits ------------------------------------------------------------------------------------------------


def test_an_unregistered_visit_report_is_a_case_and_an_alert_for_the_supervisors(client, iw):
    client.force_login(iw.world.enterprise_a_user)
    day = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(reverse("inspections:inspection_report_unregistered"), {
        "department": iw.world.emergency_bureau.pk, "visited_on": day.isoformat(),
        "people": "两人，其中一人自称张某", "description": "未扫码即进入车间检查消防设施。",
    })
    assert response.status_code == 302
    case = Case.objects.get(subject_ref=f"inspection_department:{iw.world.emergency_bureau.pk}")
    assert case.kind == CaseKind.INSPECTION_COMPLAINT and case.dispatch_org == iw.world.justice_bureau
    assert case.enterprise == iw.world.enterprise_a and "张某" in case.description
    alert = InspectionAlert.objects.get(kind=InspectionAlert.Kind.UNREGISTERED)
    assert alert.enterprise == iw.world.enterprise_a and alert.department == iw.world.emergency_bureau
    assert case.number in alert.message
    assert Notification.objects.filter(recipient=iw.world.supervisor, verb="inspection_alert").exists()
    assert standing_of(iw.world.supervisor, case).is_dispatcher


def test_an_unregistered_visit_in_the_future_or_without_a_department_is_refused(client, iw):
    client.force_login(iw.world.enterprise_a_user)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(reverse("inspections:inspection_report_unregistered"), {
        "department": iw.world.qidong_park.pk, "visited_on": tomorrow.isoformat(), "description": "进入厂区",
    })
    assert response.status_code == 422
    text = response.content.decode()
    assert "请选择入企的执法部门" in text and "入企日期不能晚于今天" in text and "进入厂区" in text
    with pytest.raises(ValidationFailed):
        unregistered_visit_report(actor=iw.world.enterprise_a_user, department=iw.world.market_regulation,
                                  visited_on=timezone.localdate() - dt.timedelta(days=400), description="x")
    assert not Case.objects.exists() and not InspectionAlert.objects.exists()


def test_the_api_takes_an_unregistered_visit_report(iw):
    api = api_client_for(iw.world.enterprise_b_user)
    response = api.post(reverse("api:inspections_unregistered_reports"), {
        "department": iw.world.market_regulation.pk, "visited_on": timezone.localdate().isoformat(),
        "description": "两名人员进入仓库拍照。",
    })
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["case_id"])
    assert case.enterprise == iw.world.enterprise_b
    refused = api.post(reverse("api:inspections_unregistered_reports"), {
        "department": iw.world.qidong_park.pk, "visited_on": timezone.localdate().isoformat(), "description": "x",
    })
    assert refused.status_code == 422
    staff = api_client_for(iw.world.inspector).post(reverse("api:inspections_unregistered_reports"), {
        "department": iw.world.market_regulation.pk, "visited_on": timezone.localdate().isoformat(),
        "description": "x",
    })
    assert staff.status_code == 403
