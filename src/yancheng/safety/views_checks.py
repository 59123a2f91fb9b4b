"""The pages of 常态化: the check tasks (with the 安委办's generation), the check records (list,
detail) and the three ways a check is recorded — a department's, on the inspector's own
registration; an enterprise's self-check (phone first); a park's grid patrol."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.cases.models import Light
from yancheng.core.attachments.services import attachments_for
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError, NotFoundError, PermissionDeniedError
from yancheng.core.kit.exports import wants_xlsx, xlsx_response
from yancheng.core.kit.forms import domain_errors_to_http
from yancheng.core.kit.require import require_page
from yancheng.core.models import Enterprise, Organisation
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.inspections.shared import visit_label, visit_open_for_findings, visits_open_for_findings

from .forms_checks import checklist_rows, parse_results
from .models import CheckKind, CheckOutcome, Hazard, HazardLevel, SafetyCheck, SafetySystem
from .selectors_checks import TASK_LIGHTS, check_filters, tasks_for
from .services.checks import (
    CheckInput,
    grid_enterprises,
    mapped_systems,
    own_enterprise,
    safety_check_record_department,
    safety_check_record_grid,
    safety_check_record_self,
)
from .services.checks_generation import check_tasks_generate

PAGE_SIZE = 30


# --- tasks -------------------------------------------------------------------------------------------


@login_required
@require_GET
def task_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """检查任务: the user's tasks with progress and light; filters unit, system, period, light."""
    require_page(request, "safety.view_tasks")
    qs = tasks_for(request.user, request.GET)
    if wants_xlsx(request):
        audit_record("safety.tasks_export", None, actor=request.user, after={"filters": dict(request.GET.items())})
        return xlsx_response(_("检查任务"), [
            _("责任单位"), _("责任制"), _("职责"), _("周期开始"), _("周期结束"), _("完成期限"), _("应检企业数"),
            _("已检企业数"), _("亮灯"),
        ], ([t.unit.name, t.system.display_name, t.duty.text, t.period_start, t.period_end, t.due_on, t.target,
             t.done, Light(t.light).label] for t in qs))  # type: ignore[attr-defined]
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for task in page:
        task.light_label = Light(task.light).label  # type: ignore[attr-defined]
    units = Organisation.objects.filter(pk__in=qs.values("unit_id")).order_by("name")
    return render(request, "safety/checks/tasks.html", {
        "page": page, "filters": request.GET, "lights": [(light.value, light.label) for light in TASK_LIGHTS],
        "systems": SafetySystem.objects.filter(pk__in=qs.values("system_id")), "units": units,
        "can_generate": request.user.has_perm("safety.generate_tasks"),
        "this_month": timezone.localdate().strftime("%Y-%m"),
    })


@login_required
@require_POST
def task_generate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The 安委办 generates a month's tasks now (the daily job does the current month)."""
    require_page(request, "safety.generate_tasks")
    text = (request.POST.get("month") or "").strip()
    try:
        year, month = (int(part) for part in text.split("-"))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError
    except ValueError:
        messages.error(request, _("请选择月份（如 2026-05）。"))
        return redirect("safety:check_task_list")
    result = check_tasks_generate(year=year, month=month, actor=request.user)
    messages.success(request, _("已生成 %(month)s 的检查任务 %(created)d 项（已有 %(existing)d 项）。") % {
        "month": text, "created": result.created, "existing": result.existing})
    return redirect(reverse("safety:check_task_list") + f"?period={year:04d}-{month:02d}")


# --- check records -----------------------------------------------------------------------------------


def _checks(request: AuthenticatedHttpRequest) -> QuerySet[SafetyCheck]:
    return check_filters(
        SafetyCheck.objects.visible_to(request.user).select_related("enterprise", "system", "organisation", "performed_by"),
        request.GET,
    )


@login_required
@require_GET
def check_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """检查记录: filters kind, system, enterprise, unit, month (and a task's)."""
    require_page(request, "safety.view_checks")
    qs = _checks(request)
    if wants_xlsx(request):
        audit_record("safety.checks_export", None, actor=request.user, after={"filters": dict(request.GET.items())})
        return xlsx_response(_("安全检查记录"), [
            _("记录编号"), _("类型"), _("企业"), _("责任制"), _("检查单位"), _("检查人"), _("检查日期"), _("检查情况"),
        ], ([c.number, c.get_kind_display(), c.enterprise.name, c.system.display_name, c.organisation.name,
             c.performed_by.full_name, c.performed_on, c.summary] for c in qs))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    return render(request, "safety/checks/list.html", {
        "page": page, "filters": request.GET, "kinds": CheckKind.choices,
        "systems": SafetySystem.objects.filter(pk__in=qs.values("system_id")),
        "units": Organisation.objects.filter(pk__in=qs.values("organisation_id")).exclude(kind=Organisation.Kind.ENTERPRISE)
        .order_by("name"),
        "can_department": user.has_perm("safety.record_department_check"),
        "can_self": user.has_perm("safety.record_self_check"),
        "can_grid": user.has_perm("safety.record_grid_check") and grid_enterprises(user).exists(),
    })


def _hazard_link_name() -> str:
    try:
        reverse("safety:hazard_detail", args=[1])
    except NoReverseMatch:
        return ""
    return "safety:hazard_detail"


@login_required
@require_GET
def check_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "safety.view_checks")
    check = SafetyCheck.objects.visible_to(request.user).select_related(
        "enterprise", "system", "organisation", "performed_by", "task").filter(pk=pk).first()
    if check is None:
        raise Http404
    hazards = Hazard.objects.visible_to(request.user).filter(found_in=check).select_related("item")
    link = _hazard_link_name()
    return render(request, "safety/checks/detail.html", {
        "check": check, "results": check.results.select_related("item"),
        "photos": attachments_for(check), "hazards": [
            (h, reverse(link, args=[h.pk]) if link else "") for h in hazards],
        "inspection_number": visit_label(check.inspection_id) if check.inspection_id else "",
    })


# --- recording -----------------------------------------------------------------------------------------


def _record_page(request: AuthenticatedHttpRequest, *, kind: str, enterprise: Enterprise, system: SafetySystem,
                 record: Any, context: dict[str, Any]) -> HttpResponse:
    """The checklist form of one enterprise and system: GET shows it, POST records it."""
    items = list(system.items.filter(is_active=True).order_by("position", "code"))
    posted = request.POST if request.method == "POST" else None
    error = ""
    if posted is not None:
        data = CheckInput(system=system, enterprise=enterprise, results=parse_results(posted, items),
                          summary=posted.get("summary", ""), photos=request.FILES.getlist("photos"))
        try:
            recorded = record(data)
        except PermissionDeniedError:
            raise
        except NotFoundError as exc:
            raise Http404 from exc
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("已记录安全检查 %(number)s，上报隐患 %(n)d 条。") % {
                "number": recorded.check.number, "n": len(recorded.hazards)})
            return redirect("safety:check_detail", recorded.check.pk)
    return render(request, "safety/checks/record.html", {
        "kind": kind, "kind_label": CheckKind(kind).label, "enterprise": enterprise, "system": system,
        "rows": checklist_rows(items, posted), "outcomes": CheckOutcome.choices, "levels": HazardLevel.choices,
        "error": error, "summary": posted.get("summary", "") if posted is not None else "", **context,
    })


def _system_of(code: str, allowed: list[SafetySystem]) -> SafetySystem | None:
    return next((s for s in allowed if s.code == code), None)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_to_http
def check_record_department(request: AuthenticatedHttpRequest) -> HttpResponse:
    """部门检查: pick the enterprise, then one of the user's own registrations of it, then the
    system; no registration → the way to register one (scan the code)."""
    require_page(request, "safety.record_department_check")
    user = request.user
    q = (request.GET.get("q") or "").strip()[:64]
    enterprise = None
    if (request.GET.get("enterprise") or "").isdigit():
        enterprise = Enterprise.objects.visible_to(user).filter(pk=int(request.GET["enterprise"])).first()
        if enterprise is None:
            raise Http404
    if enterprise is None:
        own = visits_open_for_findings(user)
        found = Enterprise.objects.visible_to(user).filter(safety_systems__isnull=False).distinct()
        if q:
            found = found.filter(Q(name__icontains=q) | Q(uscc__icontains=q))
        recent = Enterprise.objects.filter(pk__in={v.enterprise_id for v in own}).order_by("name")
        return render(request, "safety/checks/department_pick.html", {
            "q": q, "found": found.order_by("name")[:20] if q else [], "recent": recent})
    visits = visits_open_for_findings(user, enterprise)
    systems = mapped_systems(enterprise)
    inspection = request.GET.get("inspection") or ""
    visit = visit_open_for_findings(user, int(inspection)) if inspection.isdigit() else None
    system = _system_of(request.GET.get("system") or "", systems)
    if visit is None or visit.enterprise_id != enterprise.pk or system is None:
        return render(request, "safety/checks/department_visit.html", {
            "enterprise": enterprise, "visits": visits, "systems": systems,
            "register_url": reverse("inspections:inspection_register", args=[enterprise.pk]),
        })
    return _record_page(
        request, kind=CheckKind.DEPARTMENT, enterprise=enterprise, system=system,
        record=lambda data: safety_check_record_department(actor=user, inspection_id=visit.pk, data=data),
        context={"visit": visit},
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_to_http
def check_record_self(request: AuthenticatedHttpRequest) -> HttpResponse:
    """企业自查 (phone first): one of the systems the enterprise is mapped to, then its checklist."""
    require_page(request, "safety.record_self_check")
    enterprise = own_enterprise(request.user)
    if enterprise is None:
        raise Http404
    systems = mapped_systems(enterprise)
    system = _system_of(request.GET.get("system") or "", systems)
    if system is None:
        return render(request, "safety/checks/pick_system.html", {
            "enterprise": enterprise, "systems": systems, "kind_label": CheckKind.SELF.label})
    return _record_page(
        request, kind=CheckKind.SELF, enterprise=enterprise, system=system,
        record=lambda data: safety_check_record_self(actor=request.user, data=data), context={},
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_to_http
def check_record_grid(request: AuthenticatedHttpRequest) -> HttpResponse:
    """网格巡查: an enterprise of the grid person's park, one of its systems, the checklist."""
    require_page(request, "safety.record_grid_check")
    enterprises = grid_enterprises(request.user)
    if not enterprises.exists():
        raise PermissionDeniedError(_("网格巡查由园区或乡镇（街道）的安全员记录。"))
    enterprise = None
    if (request.GET.get("enterprise") or "").isdigit():
        enterprise = enterprises.filter(pk=int(request.GET["enterprise"])).first()
        if enterprise is None:
            raise Http404
    if enterprise is None:
        return render(request, "safety/checks/grid_pick.html", {"enterprises": enterprises})
    systems = mapped_systems(enterprise)
    system = _system_of(request.GET.get("system") or "", systems)
    if system is None:
        return render(request, "safety/checks/pick_system.html", {
            "enterprise": enterprise, "systems": systems, "kind_label": CheckKind.GRID.label})
    return _record_page(
        request, kind=CheckKind.GRID, enterprise=enterprise, system=system,
        record=lambda data: safety_check_record_grid(actor=request.user, data=data), context={},
    )
