"""The enterprise's right to complain (投诉权, 深府规〔2025〕6号; SPEC §4 "a complaint is a case to
the supervisor"): about a registered visit, or about a visit nobody registered.

Both become cases of kind 涉企检查投诉 in the case engine (`cases.services.case_submit`),
addressed to the supervising organisation of `InspectionPolicy` (the 司法局 行政执法监督),
whose supervisors triage and assign them like a dispatcher (`cases.permissions.standing_of`).
A complaint is not anonymous — the enterprise is its reporter and follows the case — and it
has nothing to do with the anonymous ratings (`ratings.py`): nothing links the two.

`subject_ref` is ``inspection:<pk>`` for a visit and ``inspection_department:<pk>`` for an
unregistered one; the supervisor dashboard counts complaints by it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.cases.models import Case, CaseKind
from yancheng.cases.services import case_submit
from yancheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, Organisation
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor

from .alerts import alert_raise, supervisors_to_tell
from .models import Inspection, InspectionAlert, InspectionPolicy

MAX_TEXT = 5000
MAX_PEOPLE = 500
# How far back an unregistered visit may be reported.
REPORT_WINDOW_DAYS = 365


def subject_ref_for_inspection(inspection: Inspection) -> str:
    return f"inspection:{inspection.pk}"


def subject_ref_for_department(department: Organisation) -> str:
    return f"inspection_department:{department.pk}"


def _supervising_org(policy: InspectionPolicy) -> Organisation:
    org = policy.supervising_org
    if org is None or not org.is_active:
        raise ValidationFailed(_("尚未设置行政执法监督机构，暂时无法受理投诉，请联系系统管理员。"))
    return org


def _own_enterprise(actor: Actor | None) -> Enterprise:
    org_id = getattr(actor, "organisation_id", None)
    enterprise = Enterprise.objects.filter(organisation_id=org_id).first() if org_id is not None else None
    if enterprise is None:
        raise PermissionDeniedError(_("只有企业用户才能投诉或举报。"))
    return enterprise


def _visit_summary(inspection: Inspection) -> str:
    departments = "、".join(d.name for d in inspection.departments.order_by("name")) or inspection.department.name
    people = "、".join(f"{i.full_name}（{i.certificate_no}）" for i in inspection.inspectors.all())
    started = timezone.localtime(inspection.started_at).strftime("%Y-%m-%d %H:%M")
    return _(
        "入企登记：%(number)s\n检查部门：%(departments)s\n检查人员：%(people)s\n开始时间：%(started)s"
    ) % {"number": inspection.number, "departments": departments, "people": people or "—", "started": started}


def complaint_file(inspection: Inspection, *, actor: Actor | None, text: str) -> Case:
    """The inspected enterprise complains about a visit: a case of kind 涉企检查投诉 to the
    supervising organisation, the enterprise its reporter, ``subject_ref`` = ``inspection:<pk>``.
    The supervisors are told; the department learns of it when the case is assigned to it."""
    if actor is None:
        raise PermissionDeniedError(_("只有企业用户才能投诉或举报。"))
    if not Inspection.objects.visible_to(actor).filter(pk=inspection.pk).exists():
        raise NotFoundError(_("入企记录不存在。"))
    require(actor, "inspections.complain", inspection.enterprise)
    text = clean_text(text, field="text", max_length=MAX_TEXT, required=_("请写明投诉的事实和诉求。"))
    policy = InspectionPolicy.current()
    org = _supervising_org(policy)
    department = inspection.department
    with transaction.atomic():
        case = case_submit(
            actor=actor,
            title=_("入企检查投诉：%(department)s（%(number)s）") % {
                "department": department.name, "number": inspection.number},
            description=f"{text}\n\n{_visit_summary(inspection)}",
            kind=CaseKind.INSPECTION_COMPLAINT,
            subject=_("入企检查 %(number)s") % {"number": inspection.number},
            subject_ref=subject_ref_for_inspection(inspection),
            enterprise=inspection.enterprise,
            dispatch_org=org,
        )
        notify(
            recipients=supervisors_to_tell(policy), verb="inspection_complaint",
            title=_("[%(case)s] 企业投诉入企检查：%(enterprise)s") % {
                "case": case.number, "enterprise": inspection.enterprise.name},
            body=text[:200], url=reverse("cases:case_detail", args=[case.pk]), obj=case, actor=actor,
        )
    return case


def unregistered_visit_report(
    *, actor: Actor, department: Organisation, visited_on: dt.date, description: str, people: str = ""
) -> Case:
    """The enterprise reports a visit nobody registered (SPEC §4): a case to the supervising
    organisation with ``subject_ref`` = ``inspection_department:<pk>``, and an alert of kind
    未登记入企 for the supervisors' list (which tells them)."""
    enterprise = _own_enterprise(actor)
    require(actor, "inspections.complain", enterprise)
    if department is None or department.kind != Organisation.Kind.DEPARTMENT or not department.is_active:
        raise ValidationFailed(_("请选择入企的执法部门。"), field="department")
    today = timezone.localdate()
    if not isinstance(visited_on, dt.date):
        raise ValidationFailed(_("请填写入企日期。"), field="visited_on")
    if visited_on > today:
        raise ValidationFailed(_("入企日期不能晚于今天。"), field="visited_on")
    if visited_on < today - dt.timedelta(days=REPORT_WINDOW_DAYS):
        raise ValidationFailed(_("只能举报一年以内的入企。"), field="visited_on")
    description = clean_text(description, field="description", max_length=MAX_TEXT, required=_("请描述入企经过。"))
    people = clean_text(people, field="people", max_length=MAX_PEOPLE)
    policy = InspectionPolicy.current()
    org = _supervising_org(policy)
    day = visited_on.strftime("%Y-%m-%d")
    body = description
    if people:
        body += "\n\n" + _("入企人员（姓名/执法证号）：%(people)s") % {"people": people}
    with transaction.atomic():
        case = case_submit(
            actor=actor,
            title=_("举报未登记入企：%(department)s（%(day)s）") % {"department": department.name, "day": day},
            description=body,
            kind=CaseKind.INSPECTION_COMPLAINT,
            subject=_("未登记入企 %(day)s") % {"day": day},
            subject_ref=subject_ref_for_department(department),
            enterprise=enterprise,
            dispatch_org=org,
        )
        alert_raise(
            InspectionAlert.Kind.UNREGISTERED, enterprise=enterprise, department=department, actor=actor,
            message=_("%(enterprise)s 举报 %(department)s 于 %(day)s 未登记入企（事项 %(case)s）") % {
                "enterprise": enterprise.name, "department": department.name, "day": day, "case": case.number},
        )
    return case


def complaints_about(inspection: Inspection, user: Actor) -> list[Case]:
    """The complaint cases about a visit that `user` may see (the enterprise: its own)."""
    return list(
        Case.objects.visible_to(user)
        .filter(kind=CaseKind.INSPECTION_COMPLAINT, subject_ref=subject_ref_for_inspection(inspection))
        .order_by("-created_at")
    )
