"""Project pages (SPEC §3): the registry with its filters and .xlsx export, the project page
whose sections carry the names of the configured 「五制」, and the forms that change a
project. Reads go through ``selectors``; every change through ``services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from yancheng.core.kit.exports import wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error
from yancheng.core.kit.require import require_page
from yancheng.core.models import IndustryChain, Organisation, Region, Role, User
from yancheng.core.typing import Actor, AuthenticatedHttpRequest, organisation_of

from . import forms as f
from . import mechanisms, workflow
from .models import (
    STAGE_ORDER,
    ApprovalItem,
    Category,
    Commitment,
    FactorNeed,
    ObservationScore,
    Project,
    Stage,
    TaskForceMember,
)
from .selectors import ProjectFilters, get_project_for, plan_year, planned_total, project_cases, project_list
from .services.approvals import approval_item_add, approval_item_update
from .services.factors import factor_need_add, factor_need_set_status
from .services.registry import (
    annual_plan_set,
    project_advance,
    project_create,
    project_update,
    task_force_add,
    task_force_remove,
)
from .services.reports import daily_feedback_save, monthly_report_submit
from .services.supervision import commitment_add, commitment_record_actual
from .views_nodes import nodes_context

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000


# --- the registry ---------------------------------------------------------------------------------


def _export_rows(qs: Any) -> Any:
    for p in qs.iterator(chunk_size=500):
        yield [
            p.code, p.name, p.enterprise.name if p.enterprise else "", p.region.name, p.park.name if p.park else "",
            p.chain.name if p.chain else "", p.get_category_display(), p.total_investment, p.get_stage_display(),
            p.planned_start.strftime("%Y-%m") if p.planned_start else "", p.planned_completion,
            p.signed_on, p.started_on, p.completed_on, p.producing_on,
            p.leader.display_name if p.leader else "", p.responsible_org.name,
            _("是") if p.is_confidential else "",
        ]


@login_required
@require_GET
def project_list_view(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    require_page(request, "projects.view_project_list")
    user = request.user
    filters = ProjectFilters.from_params(request.GET)
    qs = project_list(user, filters)
    if wants_xlsx(request):
        headers = [
            _("项目编号"), _("项目名称"), _("业主企业"), _("所在区划"), _("所在园区"), _("所属产业链"), _("项目类别"),
            _("总投资（万元）"), _("阶段"), _("计划开工月份"), _("计划竣工日期"), _("签约日期"), _("开工日期"),
            _("竣工日期"), _("达产日期"), _("联系领导"), _("责任单位"), _("涉密/敏感"),
        ]
        total = qs.count()
        audit_record("project.export", actor=user, object_type="projects.project",
                     after={"filters": filters.params(), "rows": min(total, EXPORT_LIMIT)})
        return xlsx_response(_("重大项目"), headers, _export_rows(qs[:EXPORT_LIMIT]))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = filters.params()
    return render(
        request,
        "projects/list.html",
        {
            "page": page,
            "filters": filters,
            "regions": Region.objects.exclude(kind="province").order_by("code"),
            "parks": Organisation.objects.filter(kind=Organisation.Kind.PARK).order_by("region__code", "name"),
            "chains": IndustryChain.objects.all(),
            "stages": Stage.choices,
            "categories": Category.choices,
            "leaders": User.objects.filter(role=Role.LEADER, is_active=True).order_by("username")
            if user.role != Role.ENTERPRISE else [],
            "query": urlencode(params),
            "query_without_sort": urlencode({k: v for k, v in params.items() if k != "sort"}),
            "plan_year": plan_year(filters),
            "planned_total": planned_total(qs, plan_year(filters)) if plan_year(filters) else None,
            "query_without_plan_year": urlencode({k: v for k, v in params.items() if k != "plan_year"}),
            "can_add": rules.has_perm("projects.add_project", user),
            "mechanisms": mechanisms.current(),
        },
    )


_FORM_FIELDS = ("name", "enterprise", "region", "park", "chain", "category", "total_investment", "planned_start",
                "planned_completion", "leader", "responsible_org", "description", "is_confidential")


@login_required
@require_http_methods(["GET", "POST"])
def project_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "projects.add_project")
    user = request.user
    initial: dict[str, Any] = {}
    if user.organisation_id and user.role != Role.SYSTEM_ADMIN:
        initial["responsible_org"] = user.organisation_id
        initial["region"] = organisation_of(user).region_id if organisation_of(user).region.kind != "city" else None
        if organisation_of(user).kind == Organisation.Kind.PARK:
            initial["park"] = user.organisation_id
    form = f.ProjectForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in _FORM_FIELDS}
        try:
            project = project_create(actor=user, code=form.cleaned_data["code"], **data)
        except PermissionDeniedError as exc:
            form.add_error(None, str(exc.message))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已登记项目：%(c)s %(n)s") % {"c": project.code, "n": project.name})
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = get_project_for(user, pk, write=True)
    initial = {k: getattr(project, k) for k in (*_FORM_FIELDS, "code", "is_active", "version")}
    for key in ("enterprise", "region", "park", "chain", "leader", "responsible_org"):
        initial[key] = getattr(project, f"{key}_id")
    form = f.ProjectForm(request.POST or None, user=user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in (*_FORM_FIELDS, "is_active")}
        try:
            project_update(project, actor=user, expected_version=form.cleaned_data["version"], **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "project": project, "creating": False})


# --- the project page -----------------------------------------------------------------------------


def _stage_timeline(project: Project) -> list[dict[str, Any]]:
    dates = {Stage.SIGNED: project.signed_on, Stage.STARTED: project.started_on,
             Stage.COMPLETED: project.completed_on, Stage.PRODUCING: project.producing_on}
    current = STAGE_ORDER.index(project.stage)
    return [
        {"value": s, "label": Stage(s).label, "on": dates.get(Stage(s)), "reached": i <= current,
         "current": i == current}
        for i, s in enumerate(STAGE_ORDER)
    ]


def _forms_for(user: Actor, project: Project, perms: dict[str, bool]) -> dict[str, Any]:
    forms: dict[str, Any] = {}
    today = timezone.localdate()
    if workflow.can_change_stage(project.stage, may_change_project=perms["change"]):
        forms["advance"] = f.AdvanceForm(prefix="advance", project=project)
    if perms["change"]:
        forms["plan"] = f.AnnualPlanForm(prefix="plan", initial={"year": today.year})
        forms["member_add"] = f.TaskForceForm(prefix="member_add", user=user)
        forms["approval_add"] = f.ApprovalAddForm(prefix="approval_add", user=user)
        forms["factor_add"] = f.FactorAddForm(prefix="factor_add", user=user)
    if perms["report"]:
        todays = project.daily_feedback.filter(day=today).first()
        forms["feedback"] = f.FeedbackForm(
            prefix="feedback", initial={"progress": todays.progress, "problems": todays.problems} if todays else None
        )
        forms["monthly"] = f.MonthlyReportForm(prefix="monthly", initial={"month": today.replace(day=1)})
    if perms["problem"]:
        forms["problem"] = f.ProblemForm(prefix="problem")
    if perms["supervise"]:
        forms["commitment_add"] = f.CommitmentForm(
            prefix="commitment_add", user=user,
            initial={"year": today.year, "organisation": project.park_id or project.responsible_org_id},
        )
    return forms


def _detail_context(request: AuthenticatedHttpRequest, project: Project, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    from yancheng.cases.views import LIGHT_LABELS

    user = request.user
    perms = {
        "change": rules.has_perm("projects.change_project", user, project),
        "report": rules.has_perm("projects.report_progress", user, project),
        "problem": rules.has_perm("projects.report_problem", user, project),
        "supervise": rules.has_perm("projects.supervise", user),
    }
    today = timezone.localdate()
    approvals = list(project.approvals.select_related("agent", "approving_org"))
    factors = list(project.factor_needs.select_related("responsible_org"))
    cases = list(project_cases(user, project)[:100])
    for case in cases:
        case.light_label = LIGHT_LABELS.get(case.light, "")
    reports = list(project.monthly_reports.select_related("reported_by")[:36])
    plans = {p.year: p.planned_investment for p in project.annual_plans.all()}
    latest_ytd = next((r.invested_ytd for r in reports if r.month.year == today.year), None)
    plan_now = plans.get(today.year)
    mech = mechanisms.current()
    forms = _forms_for(user, project, perms) | (bound or {})
    return {
        "project": project,
        "mech": mech,
        "sections": {s["key"]: s for s in mech.sections()},
        "tabs": mech.tabs(),
        "stages": _stage_timeline(project),
        "stage_changes": list(project.stage_changes.select_related("actor")),
        "plans": sorted(plans.items()),
        "plan_now": plan_now,
        "latest_ytd": latest_ytd,
        "ytd_percent": round(latest_ytd * 100 / plan_now) if plan_now and latest_ytd is not None else None,
        "task_force": list(project.task_force.select_related("organisation", "user")),
        "approvals": approvals,
        "approval_statuses": ApprovalItem.ItemStatus.choices,
        "agent_items": {a.pk for a in approvals if a.agent_id == user.pk},
        "factors": factors,
        "factor_statuses": FactorNeed.NeedStatus.choices,
        "own_factor_items": {n.pk for n in factors if n.responsible_org_id == user.organisation_id
                             and user.role in {Role.DISPATCHER, Role.HANDLER}},
        "cases": cases,
        "reports": reports,
        "feedback": list(project.daily_feedback.select_related("author")[:30]),
        "commitments": list(project.commitments.select_related("organisation")),
        "scores": list(ObservationScore.objects.filter(project=project).select_related("round", "organisation")
                       .order_by("-round__held_on")),
        "can": perms,
        "forms": forms,
        "today": today,
        "nodes_context": nodes_context(request, project),
    }


@login_required
@require_GET
def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = get_project_for(request.user, pk)
    return render(request, "projects/detail.html", _detail_context(request, project))


# --- actions on the project page ------------------------------------------------------------------------


def _row(model: Any, project: Project, pk: Any) -> Any:
    row = model.objects.filter(pk=pk, project=project).first()
    if row is None:
        raise Http404
    return row


def _advance(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    project_advance(project, stage=d["stage"], on=d["on"], note=d["note"], actor=request.user,
                    expected_version=d["version"])
    return _("阶段已更新为“%(s)s”。") % {"s": Stage(d["stage"]).label}


def _plan(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    annual_plan_set(project, year=d["year"], planned_investment=d["planned_investment"], actor=request.user)
    return _("已保存 %(y)s 年度投资计划。") % {"y": d["year"]}


def _member_add(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    member = task_force_add(project, user=d["user"], name=d["name"], organisation=d["organisation"],
                            duty=d["duty"], is_lead=d["is_lead"], actor=request.user)
    return _("已将 %(n)s 加入专班。") % {"n": member.name}


def _member_remove(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    member = _row(TaskForceMember, project, d["member"])
    task_force_remove(member, actor=request.user)
    return _("已将 %(n)s 移出专班。") % {"n": member.name}


def _approval_add(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    item = approval_item_add(project, actor=request.user, **d)
    return _("已加入代办事项：%(t)s") % {"t": item}


def _approval_update(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    item = _row(ApprovalItem, project, d.pop("item"))
    approval_item_update(item, actor=request.user, **d)
    return _("已更新代办事项：%(t)s") % {"t": item}


def _factor_add(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    factor_need_add(project, actor=request.user, **d)
    return _("已登记要素需求。")


def _factor_status(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    need = _row(FactorNeed, project, d["need"])
    factor_need_set_status(need, status=d["status"], note=d["note"], actor=request.user)
    return _("已更新要素保障状态。")


def _feedback(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    daily_feedback_save(project, progress=d["progress"], problems=d["problems"], actor=request.user)
    return _("已保存今日反馈。")


def _monthly(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    report = monthly_report_submit(project, actor=request.user, **d)
    return _("已报送 %(m)s 月度投资。") % {"m": report.month.strftime("%Y-%m")}


def _problem(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    from yancheng.cases.models import Urgency
    from yancheng.cases.services import case_submit

    user = request.user
    case = case_submit(
        actor=user, title=d["title"], description=d["description"],
        urgency=Urgency.URGENT if d["urgent"] else Urgency.NORMAL,
        subject=project.name, subject_ref=f"project:{project.pk}",
        enterprise=project.enterprise if user.role != Role.ENTERPRISE else None,
    )
    return _("问题已提交（%(n)s），等待受理交办。") % {"n": case.number}


def _commitment_add(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    commitment_add(project=project, actor=request.user, **d)
    return _("已登记承诺事项。")


def _commitment_actual(request: AuthenticatedHttpRequest, project: Project, d: dict[str, Any]) -> str:
    commitment = Commitment.objects.filter(pk=d["commitment"], project=project).first()
    if commitment is None:
        raise Http404
    commitment_record_actual(commitment, actual_date=d["actual_date"], actual_amount=d["actual_amount"],
                             actor=request.user)
    return _("已登记兑现情况。")


Handler = Callable[[AuthenticatedHttpRequest, Project, dict[str, Any]], str]
# action → (form class, takes the user, the gate checked before the form, handler, section anchor)
ACTIONS: dict[str, tuple[Any, bool, str, Handler, str]] = {
    "advance": (f.AdvanceForm, False, "change", _advance, "basics"),
    "plan": (f.AnnualPlanForm, False, "change", _plan, "basics"),
    "member_add": (f.TaskForceForm, True, "change", _member_add, "leadership"),
    "member_remove": (f.TaskForceRemoveForm, False, "change", _member_remove, "leadership"),
    "approval_add": (f.ApprovalAddForm, True, "change", _approval_add, "approvals"),
    "approval_update": (f.ApprovalUpdateForm, False, "change_or_agent", _approval_update, "approvals"),
    "factor_add": (f.FactorAddForm, True, "change", _factor_add, "factors"),
    "factor_status": (f.FactorStatusForm, False, "change_or_unit", _factor_status, "factors"),
    "feedback": (f.FeedbackForm, False, "report", _feedback, "reports"),
    "monthly": (f.MonthlyReportForm, False, "report", _monthly, "reports"),
    "problem": (f.ProblemForm, False, "problem", _problem, "problems"),
    "commitment_add": (f.CommitmentForm, True, "supervise", _commitment_add, "commitments"),
    "commitment_actual": (f.CommitmentActualForm, False, "supervise", _commitment_actual, "commitments"),
}
# Forms of one row of a table: an error comes back as a message, not a re-rendered form.
ROW_ACTIONS = {"member_remove", "approval_update", "factor_status", "commitment_actual"}


def _gate(user: Actor, project: Project, gate: str) -> bool:
    if gate == "change":
        return bool(rules.has_perm("projects.change_project", user, project))
    if gate == "report":
        return bool(rules.has_perm("projects.report_progress", user, project))
    if gate == "problem":
        return bool(rules.has_perm("projects.report_problem", user, project))
    if gate == "supervise":
        return bool(rules.has_perm("projects.supervise", user))
    if gate == "change_or_agent":
        return bool(rules.has_perm("projects.change_project", user, project)
                    or project.approvals.filter(agent_id=user.pk).exists())
    if gate == "change_or_unit":
        return bool(rules.has_perm("projects.change_project", user, project)
                    or (user.role in {Role.DISPATCHER, Role.HANDLER}
                        and project.factor_needs.filter(responsible_org_id=user.organisation_id).exists()))
    return False


@login_required
@require_POST
def project_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One form on the project page: check the right, parse, call the service."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    form_class, takes_user, gate, handler, anchor = spec
    user = request.user
    project = get_project_for(user, pk)
    if not _gate(user, project, gate):
        raise PermissionDenied
    kwargs: dict[str, Any] = {"user": user} if takes_user else {}
    prefix = None if action in ROW_ACTIONS else action
    form = form_class(request.POST, prefix=prefix, **kwargs)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            message = handler(request, project, data)
        except PermissionDeniedError as exc:
            raise PermissionDenied from exc
        except NotFoundError as exc:
            raise Http404 from exc
        except ConflictError as exc:
            messages.error(request, str(exc.message))
            return redirect(_anchor_url(project, anchor))
        except DomainError as exc:
            if action in ROW_ACTIONS:
                messages.error(request, str(exc.message))
                return redirect(_anchor_url(project, anchor))
            add_domain_error(form, exc)
        else:
            messages.success(request, message)
            return redirect(_anchor_url(project, anchor))
    elif action in ROW_ACTIONS:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_anchor_url(project, anchor))
    project = get_project_for(user, pk)  # as it is now: the refused action changed nothing
    context = _detail_context(request, project, bound={action: form})
    context["form_error_action"] = action
    return render(request, "projects/detail.html", context, status=422)


def _anchor_url(project: Project, anchor: str) -> str:
    return f"{reverse('projects:project_detail', args=[project.pk])}#s-{anchor}"
