"""The department's joint proposals (联合检查): the proposals it takes part in, with each
department's planned checks and answers, the ones waiting for it (the workbench's
待确认的联合检查), its clerk's answer, and the list as .xlsx. Access as on the rest of the
department side (`views_department`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError, PermissionDeniedError
from yancheng.core.kit.exports import wants_xlsx, xlsx_response
from yancheng.core.kit.forms import domain_errors_to_http
from yancheng.core.typing import AuthenticatedHttpRequest

from . import forms_department as f
from .models import JointAcceptance, JointProposal, PlanEntry
from .planning import access as plan_access
from .planning import joint as joint_services
from .views_department import PAGE_SIZE, _department

# --- joint proposals -------------------------------------------------------------------------------


def _joint_xlsx(request: AuthenticatedHttpRequest, proposals: list[JointProposal], status: str) -> HttpResponse:
    """One row per department's planned check in each proposal the page lists, with that
    department's answer: a table one can filter by enterprise, department or answer."""
    entries, answers = _joint_details(proposals)
    audit_record("joint_proposal.export", actor=request.user, object_type="inspections.jointproposal",
                 after={"status": status, "rows": len(proposals)})
    headers = [_("企业"), _("统一社会信用代码"), _("联合检查窗口开始"), _("联合检查窗口结束"), _("状态"), _("牵头部门"),
               _("部门"), _("检查事项"), _("计划开始"), _("计划结束"), _("部门意见"), _("说明"), _("确认时间")]

    def rows() -> Iterator[list[Any]]:
        for proposal in proposals:
            by_department = {a.department_id: a for a in answers.get(proposal.pk, [])}
            if not entries.get(proposal.pk):
                yield [proposal.enterprise.name, proposal.enterprise.uscc, proposal.window_start, proposal.window_end,
                       proposal.get_status_display(),
                       proposal.lead_department.name if proposal.lead_department else ""]
            for entry in entries.get(proposal.pk, []):
                answer = by_department.get(entry.plan.department_id)
                yield [
                    proposal.enterprise.name, proposal.enterprise.uscc, proposal.window_start, proposal.window_end,
                    proposal.get_status_display(),
                    proposal.lead_department.name if proposal.lead_department else "",
                    entry.plan.department.name, entry.item.name, entry.window_start, entry.window_end,
                    answer.get_decision_display() if answer else "", answer.reason if answer else "",
                    answer.decided_at if answer else None,
                ]

    return xlsx_response(_("联合检查"), headers, rows())


def _joint_details(
    proposals: list[JointProposal],
) -> tuple[dict[int, list[PlanEntry]], dict[int, list[JointAcceptance]]]:
    """Each proposal's planned checks (by department) and the departments' answers."""
    entries: dict[int, list[PlanEntry]] = {}
    for entry in (
        PlanEntry.objects.filter(joint_proposal__in=proposals)
        .select_related("plan__department", "item").order_by("plan__department__name", "window_start", "pk")
    ):
        assert entry.joint_proposal_id is not None
        entries.setdefault(entry.joint_proposal_id, []).append(entry)
    answers: dict[int, list[JointAcceptance]] = {}
    for answer in (
        JointAcceptance.objects.filter(proposal__in=proposals).select_related("department", "decided_by")
        .order_by("decided_at", "pk")
    ):
        answers.setdefault(answer.proposal_id, []).append(answer)
    return entries, answers


@login_required
@require_GET
def joint_proposals(request: AuthenticatedHttpRequest) -> HttpResponse:
    department = _department(request)
    is_clerk = request.user.has_perm("inspections.answer_joint_proposal", department)
    status = request.GET.get("status", "")
    waiting = request.GET.get("waiting") == "1"
    qs = plan_access.proposals_visible_to(request.user).select_related("enterprise", "lead_department")
    if waiting:  # the workbench's 待确认的联合检查: open, and not yet answered by this department
        qs = qs.filter(pk__in=plan_access.proposals_waiting_for(department).values("pk"))
        status = ""
    elif status in JointProposal.Status.values:
        qs = qs.filter(status=status)
    qs = qs.order_by("-window_start", "-pk")
    if wants_xlsx(request):
        return _joint_xlsx(request, list(qs), status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    proposals = list(page)
    entries, answers = _joint_details(proposals)
    rows = []
    for proposal in proposals:
        mine = answers.get(proposal.pk, [])
        answered = any(a.department_id == department.pk for a in mine)
        rows.append({
            "proposal": proposal, "entries": entries.get(proposal.pk, []), "answers": mine,
            "waiting": proposal.status == JointProposal.Status.PROPOSED and not answered,
            "form": f.JointAnswerForm(prefix=f"p{proposal.pk}") if (
                is_clerk and proposal.status == JointProposal.Status.PROPOSED and not answered) else None,
        })
    return render(request, "inspections/department/joint.html", {
        "department": department, "rows": rows, "page": page, "status": status, "waiting": waiting,
        "statuses": JointProposal.Status.choices,
        "query": urlencode({"waiting": "1"} if waiting else {"status": status} if status else {}),
    })


@login_required
@require_POST
@domain_errors_to_http
def joint_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _department(request)
    proposal = plan_access.get_proposal_for(request.user, pk)
    form = f.JointAnswerForm(request.POST, prefix=f"p{proposal.pk}")
    if not form.is_valid():
        messages.error(request, _("请选择同意或不同意联合检查。"))
        return redirect("inspections:inspection_joint_proposals")
    try:
        answered = joint_services.joint_proposal_answer(proposal, actor=request.user, **form.cleaned_data)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已答复。当前状态：%(s)s") % {"s": answered.get_status_display()})
    return redirect("inspections:inspection_joint_proposals")
