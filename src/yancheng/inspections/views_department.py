"""Pages of the department side of 企业赋码保护: the department's home, its inspector
registry, its published item list (with the .xlsx of the public list), its plans and their
entries (with the enterprises' preferred slots and an .xlsx), its registrations (filters,
.xlsx). The joint proposals are in `views_joint.py`, the enterprise's announced inspections
in `views_announcements.py`.

Department staff (handlers and inspectors of a department) see their department's things;
only its clerk (handler) changes them; other roles get 403; another department's objects
answer 404. Every change goes through `services` / `planning`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError, PermissionDeniedError
from yancheng.core.kit.exports import wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error, domain_errors_to_http
from yancheng.core.models import Organisation
from yancheng.core.typing import AuthenticatedHttpRequest

from . import forms_department as f
from . import services
from .models import (
    Inspection,
    InspectionDepartment,
    InspectionItem,
    InspectionPlan,
    InspectorLicence,
    PlanEntry,
)
from .permissions import department_of
from .planning import access as plan_access
from .planning import common as plan_limits
from .planning import plans as plan_services

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000
REGISTRATION_URL = "/inspections/registrations/{pk}/"


# --- access --------------------------------------------------------------------------------------


def _department(request: AuthenticatedHttpRequest) -> Organisation:
    """The department of the signed-in staff member; 403 for everyone else."""
    department = department_of(request.user)
    if department is None:
        raise PermissionDenied
    return department


def _is_clerk(request: AuthenticatedHttpRequest, department: Organisation) -> bool:
    return bool(request.user.has_perm("inspections.manage_department", department))


def _midnight(day: dt.date) -> dt.datetime:
    """The start of a local day (Asia/Shanghai on screen) as an aware datetime."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())


# --- home ----------------------------------------------------------------------------------------


@login_required
@require_GET
def department_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    department = _department(request)
    today = timezone.localdate()
    licences = InspectorLicence.objects.filter(department=department)
    items = InspectionItem.objects.filter(department=department)
    month_start = _midnight(dt.date(today.year, today.month, 1))
    registrations = Inspection.objects.visible_to(request.user)
    context = {
        "department": department,
        "is_clerk": _is_clerk(request, department),
        "licences_active": licences.filter(status=InspectorLicence.Status.ACTIVE).count(),
        "licences_total": licences.count(),
        "items_published": items.filter(published_at__isnull=False, withdrawn_at__isnull=True).count(),
        "items_total": items.count(),
        "plans": plan_services.plans_summary(department, today.year),
        "joint_waiting": plan_access.proposals_waiting_for(department).count(),
        "registrations_month": registrations.filter(started_at__gte=month_start).count(),
        "registrations_total": registrations.count(),
        "month_param": today.strftime("%Y-%m"),
    }
    return render(request, "inspections/department/home.html", context)


# --- the inspector registry ----------------------------------------------------------------------


def _registry_context(request: AuthenticatedHttpRequest, department: Organisation, **extra: Any) -> dict[str, Any]:
    is_clerk = _is_clerk(request, department)
    context: dict[str, Any] = {
        "department": department,
        "licences": InspectorLicence.objects.filter(department=department).select_related("user")
        .order_by("full_name", "pk"),
        "is_clerk": is_clerk,
        "form": f.LicenceForm(department=department) if is_clerk else None,
        "statuses": InspectorLicence.Status.choices,
        "today": timezone.localdate(),
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_to_http
def registry(request: AuthenticatedHttpRequest) -> HttpResponse:
    department = _department(request)
    if request.method == "POST":
        if not _is_clerk(request, department):
            raise PermissionDenied
        form = f.LicenceForm(request.POST, department=department)
        if form.is_valid():
            try:
                licence = services.licence_register(department=department, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已登记执法人员：%(l)s") % {"l": licence})
                return redirect("inspections:inspection_registry")
        return render(request, "inspections/department/registry.html",
                      _registry_context(request, department, form=form), status=422)
    context = _registry_context(request, department)
    if wants_xlsx(request):
        return _registry_xlsx(request, department, list(context["licences"]), context["today"])
    return render(request, "inspections/department/registry.html", context)


def _registry_xlsx(request: AuthenticatedHttpRequest, department: Organisation, licences: list[InspectorLicence],
                   today: dt.date) -> HttpResponse:
    """The registry as the page lists it: no more than the page shows of a person."""
    audit_record("inspector_licence.export", actor=request.user, object_type="inspections.inspectorlicence",
                 after={"department": department.code, "rows": len(licences)})
    headers = [_("部门"), _("姓名"), _("执法证号"), _("系统账号"), _("有效期至"), _("证件期限"), _("状态")]
    rows = (
        [department.name, licence.full_name, licence.certificate_no, licence.user.username if licence.user else "",
         licence.valid_until,
         _("长期") if licence.valid_until is None else (_("已过期") if licence.valid_until < today else _("有效")),
         licence.get_status_display()]
        for licence in licences
    )
    return xlsx_response(_("执法人员名录"), headers, rows)


@login_required
@require_POST
@domain_errors_to_http
def registry_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    department = _department(request)
    licence = InspectorLicence.objects.filter(department=department, pk=pk).first()
    if licence is None:
        raise Http404
    if not _is_clerk(request, department):
        raise PermissionDenied
    form = f.LicenceStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择正确的状态。"))
    else:
        try:
            services.licence_set_status(licence, actor=request.user, status=form.cleaned_data["status"],
                                        note=form.cleaned_data["note"])
        except PermissionDeniedError:
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已更新 %(l)s 的状态。") % {"l": licence})
    return redirect("inspections:inspection_registry")


# --- the item list --------------------------------------------------------------------------------


def _published(qs: QuerySet[InspectionItem]) -> QuerySet[InspectionItem]:
    return qs.filter(published_at__isnull=False, withdrawn_at__isnull=True)


def _items_context(request: AuthenticatedHttpRequest, department: Organisation, **extra: Any) -> dict[str, Any]:
    is_clerk = _is_clerk(request, department)
    context: dict[str, Any] = {
        "department": department,
        "items": InspectionItem.objects.filter(department=department).order_by("code"),
        "is_clerk": is_clerk,
        "form": f.ItemForm() if is_clerk else None,
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_to_http
def items(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    department = _department(request)
    if request.method == "POST":
        if not _is_clerk(request, department):
            raise PermissionDenied
        form = f.ItemForm(request.POST)
        if form.is_valid():
            try:
                item = services.item_create(department=department, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已添加检查事项：%(i)s") % {"i": item})
                return redirect("inspections:inspection_items")
        return render(request, "inspections/department/items.html",
                      _items_context(request, department, form=form), status=422)
    if wants_xlsx(request):
        published = list(_published(InspectionItem.objects.filter(department=department)).order_by("code"))
        audit_record("inspection_item.export", actor=request.user, object_type="inspections.inspectionitem",
                     after={"department": department.code, "rows": len(published)})
        return xlsx_response(
            _("检查事项清单"),
            [_("部门"), _("事项编码"), _("检查事项"), _("检查依据"), _("公布时间")],
            ([department.name, i.code, i.name, i.legal_basis, timezone.localtime(i.published_at) if i.published_at
              else None] for i in published),
        )
    return render(request, "inspections/department/items.html", _items_context(request, department))


def _item_action(request: AuthenticatedHttpRequest, pk: int, action: Callable[..., InspectionItem], done: str) -> HttpResponse:
    department = _department(request)
    item = InspectionItem.objects.filter(department=department, pk=pk).first()
    if item is None:
        raise Http404
    if not _is_clerk(request, department):
        raise PermissionDenied
    action(item, actor=request.user)
    messages.success(request, done % {"i": item})
    return redirect("inspections:inspection_items")


@login_required
@require_POST
@domain_errors_to_http
def item_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _item_action(request, pk, services.item_publish, _("已公布：%(i)s"))


@login_required
@require_POST
@domain_errors_to_http
def item_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _item_action(request, pk, services.item_withdraw, _("已停止实施：%(i)s"))


# --- plans ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_to_http
def plans(request: AuthenticatedHttpRequest) -> HttpResponse:
    department = _department(request)
    is_clerk = _is_clerk(request, department)
    form = f.PlanForm(request.POST or None) if is_clerk else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = plan_services.plan_get_or_create(department=department, actor=request.user,
                                                   year=form.cleaned_data["year"], month=form.cleaned_data["month"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("inspections:inspection_plan_detail", plan.pk)
    rows = (
        plan_access.plans_visible_to(request.user)
        .annotate(n_entries=Count("entries"))
        .select_related("filed_by", "department")
        .order_by("-year", "month")
    )
    years: dict[int, list[InspectionPlan]] = {}
    for plan in rows:
        plan.late = plan_limits.plan_is_late(plan)  # type: ignore[attr-defined]
        years.setdefault(plan.year, []).append(plan)
    if wants_xlsx(request):
        return _plans_xlsx(request, [plan for _year, year_plans in sorted(years.items(), reverse=True)
                                     for plan in year_plans])
    today = timezone.localdate()
    return render(request, "inspections/department/plans.html", {
        "department": department, "years": sorted(years.items(), reverse=True), "form": form,
        "is_clerk": is_clerk, "annual_due": plan_limits.annual_plan_due(today.year),
        "annual_missing": not InspectionPlan.objects.filter(
            department=department, year=today.year, month__isnull=True, status=InspectionPlan.Status.FILED
        ).exists(),
    }, status=422 if form is not None and form.errors else 200)


def _plans_xlsx(request: AuthenticatedHttpRequest, plans: list[InspectionPlan]) -> HttpResponse:
    """The plans the page lists, in its order (newest year first, the annual plan first)."""
    audit_record("inspection_plan.list_export", actor=request.user, object_type="inspections.inspectionplan",
                 after={"rows": len(plans)})
    headers = [_("部门"), _("年度"), _("月份"), _("计划"), _("检查事项数"), _("状态"), _("逾期"), _("报备时间"),
               _("报备人")]
    rows = (
        [plan.department.name, plan.year, plan.month,
         _("%(m)s 月月度计划") % {"m": plan.month} if plan.month else _("年度计划"),
         plan.n_entries, plan.get_status_display(), plan.late,  # type: ignore[attr-defined]
         plan.filed_at, plan.filed_by.display_name if plan.filed_by else ""]
        for plan in plans
    )
    return xlsx_response(_("检查计划"), headers, rows)


def _plan_entries(plan: InspectionPlan) -> list[PlanEntry]:
    return list(
        plan.entries.select_related("item", "enterprise", "joint_proposal")
        .prefetch_related("slots")
        .order_by("window_start", "pk")
    )


def _plan_context(request: AuthenticatedHttpRequest, plan: InspectionPlan, **extra: Any) -> dict[str, Any]:
    is_clerk = _is_clerk(request, plan.department)
    filed = plan.status == InspectionPlan.Status.FILED
    can_add = is_clerk and (not filed or plan.month is not None)
    context: dict[str, Any] = {
        "plan": plan,
        "entries": _plan_entries(plan),
        "is_clerk": is_clerk,
        "can_add": can_add,
        "can_remove": is_clerk and not filed,
        "can_file": is_clerk and not filed,
        "form": f.PlanEntryForm(plan=plan, user=request.user) if can_add else None,
        "late": plan_limits.plan_is_late(plan),
        "due": plan_limits.annual_plan_due(plan.year) if plan.month is None else None,
    }
    context.update(extra)
    return context


def _plan_xlsx(request: AuthenticatedHttpRequest, plan: InspectionPlan) -> HttpResponse:
    entries = _plan_entries(plan)
    audit_record("inspection_plan.export", plan, actor=request.user, after={"rows": len(entries)})
    period = {"am": _("上午"), "pm": _("下午")}
    rows = (
        [
            e.month, e.enterprise.name if e.enterprise else "", e.enterprise.uscc if e.enterprise else "",
            e.enterprise_class, e.item.code, e.item.name, e.legal_basis, e.window_start, e.window_end,
            e.announced, e.joint_proposal.get_status_display() if e.joint_proposal else "",
            "；".join(f"{s.day:%Y-%m-%d} {period.get(s.period, s.period)}" for s in e.slots.all()), e.note,
        ]
        for e in entries
    )
    return xlsx_response(
        str(plan),
        [_("月份"), _("企业"), _("统一社会信用代码"), _("企业类别"), _("事项编码"), _("检查事项"), _("检查依据"),
         _("计划开始"), _("计划结束"), _("提前告知企业"), _("联合检查"), _("企业预约时段"), _("备注")],
        rows,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_to_http
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    _department(request)
    plan = plan_access.get_plan_for(request.user, pk)
    if request.method == "POST":
        context = _plan_context(request, plan)
        if not context["is_clerk"]:
            raise PermissionDenied
        if not context["can_add"]:
            messages.error(request, _("年度计划已报备，不能再修改；请在相应月份的月度计划中补充。"))
            return redirect("inspections:inspection_plan_detail", plan.pk)
        form = f.PlanEntryForm(request.POST, plan=plan, user=request.user)
        if form.is_valid():
            try:
                plan_services.plan_entry_add(plan, actor=request.user, **form.cleaned_data)
            except PermissionDeniedError:
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已加入计划。"))
                return redirect("inspections:inspection_plan_detail", plan.pk)
        context["form"] = form
        return render(request, "inspections/department/plan_detail.html", context, status=422)
    if wants_xlsx(request):
        return _plan_xlsx(request, plan)
    return render(request, "inspections/department/plan_detail.html", _plan_context(request, plan))


@login_required
@require_POST
@domain_errors_to_http
def plan_entry_remove(request: AuthenticatedHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    _department(request)
    plan = plan_access.get_plan_for(request.user, pk)
    entry = PlanEntry.objects.select_related("plan__department").filter(plan=plan, pk=entry_pk).first()
    if entry is None:
        raise Http404
    try:
        plan_services.plan_entry_remove(entry, actor=request.user)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已从计划中删除。"))
    return redirect("inspections:inspection_plan_detail", plan.pk)


@login_required
@require_POST
@domain_errors_to_http
def plan_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _department(request)
    plan = plan_access.get_plan_for(request.user, pk)
    try:
        filed = plan_services.plan_file(plan, actor=request.user)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if plan_limits.plan_is_late(filed):
            messages.warning(request, _("计划已报备。年度计划应于 %(d)s 前报备，本次为逾期报备。")
                             % {"d": plan_limits.annual_plan_due(filed.year).isoformat()})
        else:
            messages.success(request, _("计划已报备。"))
    return redirect("inspections:inspection_plan_detail", plan.pk)


# --- the department's registrations ---------------------------------------------------------------


def _registrations(request: AuthenticatedHttpRequest, form: f.RegistrationFilterForm) -> QuerySet[Inspection]:
    n_departments = Subquery(
        InspectionDepartment.objects.filter(inspection=OuterRef("pk")).values("inspection")
        .annotate(c=Count("pk")).values("c"),
        output_field=IntegerField(),
    )
    qs = Inspection.objects.visible_to(request.user).annotate(n_departments=n_departments)
    data = form.cleaned_data if form.is_valid() else {}
    month = data.get("month")
    if month is not None:
        start = _midnight(month)
        end_month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        end = _midnight(end_month)
        qs = qs.filter(started_at__gte=start, started_at__lt=end)
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("entry_mode"):
        qs = qs.filter(entry_mode=data["entry_mode"])
    if data.get("exempt") == "1":
        qs = qs.filter(exemption_reason__isnull=False)
    elif data.get("exempt") == "0":
        qs = qs.filter(exemption_reason__isnull=True)
    joint = Q(joint_proposal__isnull=False) | Q(n_departments__gt=1)
    if data.get("joint") == "1":
        qs = qs.filter(joint)
    elif data.get("joint") == "0":
        qs = qs.exclude(joint)
    text = (data.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(enterprise__name__icontains=text) | Q(enterprise__uscc__iexact=text.upper()))
    return (
        qs.select_related("enterprise", "department", "exemption_reason", "plan_entry")
        .prefetch_related("departments", "items", "inspectors")
        .order_by("-started_at", "-pk")
    )


def _registration_rows(qs: QuerySet[Inspection]) -> Iterator[list[Any]]:
    for i in qs:
        yield [
            i.number, timezone.localtime(i.started_at), timezone.localtime(i.ended_at) if i.ended_at else None,
            i.enterprise.name, i.enterprise.uscc, i.department.name,
            "、".join(d.name for d in i.departments.all()), i.get_kind_display(),
            i.get_purpose_display() if i.purpose else "", "、".join(it.name for it in i.items.all()),
            "、".join(f"{p.full_name}（{p.certificate_no}）" for p in i.inspectors.all()),
            _("计划内") if i.plan_entry_id else i.get_outside_plan_reason_display(),
            i.exemption_reason.name if i.exemption_reason else "", i.get_entry_mode_display(),
            i.get_status_display(), i.get_outcome_display() if i.outcome else "",
        ]


@login_required
@require_GET
def department_registrations(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    department = _department(request)
    form = f.RegistrationFilterForm(request.GET or None)
    qs = _registrations(request, form)
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k in form.fields and v}
    if wants_xlsx(request):
        total = qs.count()
        audit_record("inspection.export", actor=request.user, object_type="inspections.inspection",
                     after={"department": department.code, "filters": params, "rows": min(total, EXPORT_LIMIT)})
        return xlsx_response(
            _("入企检查登记"),
            [_("登记编号"), _("开始时间"), _("结束时间"), _("企业"), _("统一社会信用代码"), _("牵头部门"),
             _("参与部门"), _("类型"), _("入企目的"), _("检查事项"), _("检查人员"), _("计划/计划外事由"),
             _("豁免事由"), _("登记方式"), _("状态"), _("检查结果")],
            _registration_rows(qs[:EXPORT_LIMIT]),
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for inspection in page:
        inspection.link = REGISTRATION_URL.format(pk=inspection.pk)  # type: ignore[attr-defined]
    return render(request, "inspections/department/registrations.html", {
        "department": department, "form": form, "page": page, "query": urlencode(params),
    })
