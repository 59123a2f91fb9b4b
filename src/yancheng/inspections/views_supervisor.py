"""The supervisor's pages of 企业赋码保护 (司法局 行政执法监督 / 营商环境办), under
/inspections/supervision/: the per-department dashboard, every registration in the area,
alerts, the rules (policy, cap matrix, exemption reasons, quiet periods), the complaints
and ratings behind the dashboard's numbers, and the periodic 通报.

Only supervisors enter (`inspections.view_supervision`; everyone else 403). A county's
supervisor sees its region only; the city's rules are edited by the city-level supervisor
(`inspections.manage_city_rules`). Objects named in a URL are fetched through the
supervisor's visible set (another region's → 404). Writes go through ``supervision``."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError, ValidationFailed
from yancheng.core.kit.exports import DOCX, EXPORT_MAX_ROWS, download, wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error
from yancheng.core.kit.require import require_page
from yancheng.core.models import Region
from yancheng.core.typing import Actor, AuthenticatedHttpRequest

from . import reports
from .forms_supervisor import (
    AlertHandleForm,
    ExemptionReasonForm,
    PolicyForm,
    QuietPeriodForm,
    department_choices,
)
from .models import (
    CapRule,
    EntryMode,
    ExemptionReason,
    Grade,
    InspectionAlert,
    InspectionDepartment,
    InspectionKind,
    InspectionPolicy,
    QuietPeriod,
)
from .supervision import alerts as alert_services
from .supervision import quiet_periods as quiet_period_services
from .supervision.access import alerts_visible_to, quiet_periods_visible_to, supervision_region
from .supervision.caps import MatrixRow, cap_matrix, cap_rule_remove, cap_rule_set
from .supervision.dashboard import department_dashboard
from .supervision.exemptions import exemption_reason_save, exemption_reason_set_active
from .supervision.lists import AlertFilters, alert_list, complaint_list
from .supervision.periods import Period, period_choices
from .supervision.policy import policy_update
from .supervision.quiet_periods import quiet_period_create
from .supervision.registrations import RegistrationFilters, registrations_for

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def _can_edit_city_rules(user: Actor) -> bool:
    return bool(rules.has_perm("inspections.manage_city_rules", user))


def _regions_for(user: Actor) -> list[Region]:
    own = supervision_region(user)
    if own is not None:
        return [own]
    return list(Region.objects.exclude(kind__in=["province", "city"]).order_by("code"))


def _region_param(request: AuthenticatedHttpRequest, user: Actor) -> Region | None:
    """The region the page is about: a county supervisor's own; for the city, the one chosen."""
    own = supervision_region(user)
    if own is not None:
        return own
    code = (request.GET.get("region") or "").strip()[:12]
    return Region.objects.filter(code=code).first() if code else None


def _period_param(request: AuthenticatedHttpRequest, default: Period) -> Period:
    value = (request.GET.get("period") or "").strip()[:16]
    if not value:
        return default
    try:
        return Period.parse(value)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        return default


def _back(request: AuthenticatedHttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith(
        "/inspections/supervision/"
    ):
        return redirect(target)
    return redirect(fallback)


# --- the dashboard ------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Per department for a month, quarter or year (default: this month): registrations,
    joint rate, exempt / emergency / back-filled, alerts, complaints, ratings, exceedances."""
    require_page(request, "inspections.view_supervision")
    user = request.user
    period = _period_param(request, Period.current_month())
    region = _region_param(request, user)
    dashboard = department_dashboard(start=period.start, end=period.end, region=region)
    report_query = urlencode({"period": period.key, **({"region": region.code} if region else {})})
    return render(request, "inspections/supervisor/home.html", {
        "period": period,
        "period_choices": period_choices(),
        "region": region,
        "regions": _regions_for(user),
        "region_locked": supervision_region(user) is not None,
        "dashboard": dashboard,
        "chart": dashboard.chart(),
        "report_query": report_query if period.kind != "range" else "",
        "open_alerts": alerts_visible_to(user).filter(status=InspectionAlert.Status.OPEN).count(),
    })


# --- registrations ------------------------------------------------------------------------------

EXPORT_HEADERS = [
    _l("登记编号"), _l("企业"), _l("统一社会信用代码"), _l("区划"), _l("牵头部门"), _l("参与部门"), _l("类型"),
    _l("入企目的"), _l("登记方式"), _l("计划外事由"), _l("豁免事由"), _l("豁免证明"), _l("联合检查"), _l("开始时间"),
    _l("结束时间"), _l("状态"), _l("检查结果"), _l("预警数"),
]


def _export_registrations(user: Actor, qs: Any) -> HttpResponse:
    qs = qs.prefetch_related(
        Prefetch("department_links", queryset=InspectionDepartment.objects.select_related("department"))
    )
    audit_record("inspection_supervision.export", None, actor=user, object_type="inspection",
                 after={"rows": min(qs.count(), EXPORT_LIMIT)})

    def rows() -> Any:
        for i in qs[:EXPORT_LIMIT].iterator(chunk_size=500):
            yield [
                i.number, i.enterprise.name, i.enterprise.uscc, i.enterprise.region.name, i.department.name,
                "、".join(link.department.name for link in i.department_links.all()),
                i.get_kind_display(), i.get_purpose_display(), i.get_entry_mode_display(),
                i.get_outside_plan_reason_display(), i.exemption_reason.name if i.exemption_reason else "",
                i.exemption_evidence, _("是") if i.is_joint else _("否"),
                timezone.localtime(i.started_at), timezone.localtime(i.ended_at) if i.ended_at else None,
                i.get_status_display(), i.get_outcome_display(), i.alert_count,
            ]

    return xlsx_response(_("入企检查登记"), EXPORT_HEADERS, rows())


@login_required
@require_GET
def registrations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every registration in the supervisor's area, filtered; ``?format=xlsx`` exports them."""
    require_page(request, "inspections.view_supervision")
    user = request.user
    filters = RegistrationFilters.from_params(request.GET)
    qs = registrations_for(user, filters)
    if wants_xlsx(request):
        return _export_registrations(user, qs)
    page = Paginator(
        qs.prefetch_related(
            Prefetch("department_links", queryset=InspectionDepartment.objects.select_related("department"))
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "inspections/supervisor/registrations.html", {
        "page": page,
        "filters": filters,
        "departments": department_choices(),
        "kinds": InspectionKind.choices,
        "entry_modes": EntryMode.choices,
        "regions": _regions_for(user),
        "region_locked": supervision_region(user) is not None,
        "query": urlencode(filters.params()),
    })


# --- alerts -------------------------------------------------------------------------------------


def _alerts_page(request: AuthenticatedHttpRequest, user: Actor, bound: tuple[int, AlertHandleForm] | None = None,
                 status: int = 200) -> HttpResponse:
    source = request.GET if request.method == "GET" else request.POST
    filters = AlertFilters.from_params(source if request.method == "GET" else {})
    page = Paginator(alert_list(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in page:
        alert.handle_form = (  # type: ignore[attr-defined]
            bound[1] if bound is not None and bound[0] == alert.pk else AlertHandleForm(prefix=f"a{alert.pk}")
        )
    return render(request, "inspections/supervisor/alerts.html", {
        "page": page,
        "filters": filters,
        "kinds": InspectionAlert.Kind.choices,
        "statuses": InspectionAlert.Status.choices,
        "departments": department_choices(),
        "query": urlencode(filters.params()),
        "can_handle": rules.has_perm("inspections.handle_alert", user),
        "next": request.get_full_path(),
        "open_count": alerts_visible_to(user).filter(status=InspectionAlert.Status.OPEN).count(),
    }, status=status)


@login_required
@require_GET
def alerts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The alerts of the area, open ones first; filter by status, kind, department, period."""
    require_page(request, "inspections.view_alerts")
    user = request.user
    if wants_xlsx(request):
        return _alerts_xlsx(user, alert_list(user, AlertFilters.from_params(request.GET))[:EXPORT_MAX_ROWS])
    return _alerts_page(request, user)


def _alerts_xlsx(user: Actor, qs: Any) -> HttpResponse:
    """The alerts the page lists under its filters, in its order, with how each was handled."""
    listed = list(qs)
    audit_record("inspection_alert.export", actor=user, object_type="inspections.inspectionalert",
                 after={"rows": len(listed)})
    headers = [_("预警时间"), _("类型"), _("企业"), _("部门"), _("说明"), _("次数"), _("上限"), _("登记编号"), _("状态"),
               _("处理时间"), _("处理人"), _("处理意见")]

    def department(a: InspectionAlert) -> str:
        if a.department:
            return a.department.name
        return a.inspection.department.name if a.inspection else ""

    rows = (
        [a.created_at, a.get_kind_display(), a.enterprise.name, department(a), a.message,
         a.count if a.limit is not None else None, a.limit, a.inspection.number if a.inspection else "",
         a.get_status_display(), a.handled_at, a.handled_by.display_name if a.handled_by else "", a.handling_note]
        for a in listed
    )
    return xlsx_response(_("检查预警"), headers, rows)


@login_required
@require_POST
def alert_handle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "inspections.handle_alert")
    user = request.user
    alert = alerts_visible_to(user).select_related("enterprise").filter(pk=pk).first()
    if alert is None:
        raise Http404
    form = AlertHandleForm(request.POST, prefix=f"a{alert.pk}")
    if form.is_valid():
        try:
            alert_services.alert_handle(alert, actor=user, note=form.cleaned_data["note"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("预警已处理。"))
            return _back(request, reverse("inspections:inspection_alerts"))
    messages.error(request, _("处理未保存，请检查处理意见。"))
    return _alerts_page(request, user, bound=(alert.pk, form), status=400)


# --- the rules ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rules_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The city's inspection policy (one row): the form for the city-level supervisor, the
    values for a county's."""
    require_page(request, "inspections.manage_rules")
    user = request.user
    can_edit = _can_edit_city_rules(user)
    policy = InspectionPolicy.current()
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_for(policy))
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                policy_update(actor=user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("检查规则已保存，自下一次登记起适用。"))
                return redirect("inspections:inspection_rules")
    return render(request, "inspections/supervisor/rules.html",
                  {"form": form, "policy": policy, "can_edit": can_edit}, status=400 if form.errors else 200)


def _cell_name(row_key: str, grade: str) -> str:
    return f"cell-{row_key}-{grade}"


@login_required
@require_http_methods(["GET", "POST"])
def caps(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The cap matrix: rows are items, "每个部门", departments and "合计"; columns grades A–D.
    An empty cell has no cap; 0 allows no counted inspection."""
    require_page(request, "inspections.manage_rules")
    user = request.user
    can_edit = _can_edit_city_rules(user)
    grade = request.GET.get("grade", "")
    matrix = cap_matrix(grade or None)
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        changes: list[tuple[MatrixRow, str, int | None, CapRule | None]] = []
        for row in matrix.rows:
            for g, rule in row.cells.items():
                name = _cell_name(row.key, g)
                if name not in request.POST:
                    continue
                raw = request.POST.get(name, "").strip()
                posted[name] = raw
                current = "" if rule is None else str(rule.max_per_year)
                if raw == current:
                    continue
                if raw == "":
                    changes.append((row, g, None, rule))
                elif not raw.isdigit() or int(raw) > 365:
                    errors[name] = _("请填写 0 至 365 的整数，留空表示不设上限。")
                else:
                    changes.append((row, g, int(raw), rule))
        if not errors:
            try:
                with transaction.atomic():
                    for row, g, value, rule in changes:
                        if value is None and rule is not None:
                            cap_rule_remove(rule, actor=user)
                        elif value is not None:
                            cap_rule_set(actor=user, grade=g, scope=row.scope, max_per_year=value,
                                                     item=row.item, department=row.department)
            except DomainError as exc:
                errors["all"] = str(exc.message)
            else:
                if changes:
                    messages.success(request, _("已保存 %(n)d 处频次上限修改。") % {"n": len(changes)})
                else:
                    messages.info(request, _("没有修改。"))
                return redirect(reverse("inspections:inspection_caps") + (f"?grade={grade}" if grade in matrix.grades else ""))
    grid = []
    for row in matrix.rows:
        cells = []
        for g, rule in row.cells.items():
            name = _cell_name(row.key, g)
            shown = posted.get(name, "" if rule is None else str(rule.max_per_year))
            cells.append({"grade": g, "name": name, "value": shown, "error": errors.get(name, "")})
        grid.append({"row": row, "cells": cells})
    return render(request, "inspections/supervisor/caps.html", {
        "grid": grid, "grades": matrix.grades, "errors": errors, "can_edit": can_edit, "grade": grade,
        "all_grades": Grade.choices,
    }, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def exemptions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Exemption reasons with the evidence each needs; add, change, (de)activate."""
    require_page(request, "inspections.manage_rules")
    user = request.user
    can_edit = _can_edit_city_rules(user)
    editing: ExemptionReason | None = None
    edit_pk = request.POST.get("reason") if request.method == "POST" else request.GET.get("edit")
    if edit_pk:
        editing = ExemptionReason.objects.filter(pk=int(edit_pk) if str(edit_pk).isdigit() else 0).first()
        if editing is None:
            raise Http404
    initial = {}
    if editing is not None:
        initial = {"code": editing.code, "name": editing.name, "evidence_required": editing.evidence_required,
                   "requires_attachment": editing.requires_attachment}
    form = ExemptionReasonForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                exemption_reason_save(
                    actor=user, code=data["code"], name=data["name"], evidence_required=data["evidence_required"],
                    requires_attachment=data["requires_attachment"], reason=editing,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("豁免事由已保存。"))
                return redirect("inspections:inspection_exemptions")
    return render(request, "inspections/supervisor/exemptions.html", {
        "reasons": ExemptionReason.objects.order_by("-is_active", "code"),
        "form": form, "editing": editing, "can_edit": can_edit,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def exemption_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "inspections.manage_city_rules")
    user = request.user
    reason = ExemptionReason.objects.filter(pk=pk).first()
    if reason is None:
        raise Http404
    active = request.POST.get("active") == "1"
    try:
        exemption_reason_set_active(reason, actor=user, active=active)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已启用。") if active else _("已停用：新的登记不能再选择该事由。"))
    return redirect("inspections:inspection_exemptions")


@login_required
@require_http_methods(["GET", "POST"])
def quiet_periods(request: AuthenticatedHttpRequest) -> HttpResponse:
    """企业宁静期: the ones that apply in the area, and a form to add one."""
    require_page(request, "inspections.manage_rules")
    user = request.user
    form = QuietPeriodForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quiet_period_create(
                actor=user, name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                region=data["region"], enterprise=data["enterprise_uscc"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("宁静期已设置：期间只允许豁免检查入企。"))
            return redirect("inspections:inspection_quiet_periods")
    today = timezone.localdate()
    periods = quiet_periods_visible_to(user).order_by("-starts_on", "-pk")
    if wants_xlsx(request):
        return _quiet_periods_xlsx(user, periods, today)
    return render(request, "inspections/supervisor/quiet_periods.html", {
        "periods": Paginator(periods, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form, "today": today,
    }, status=400 if form.errors else 200)


def _quiet_periods_xlsx(user: Actor, qs: Any, today: Any) -> HttpResponse:
    listed = list(qs.select_related("region", "enterprise", "created_by"))
    audit_record("quiet_period.export", actor=user, object_type="inspections.quietperiod", after={"rows": len(listed)})
    headers = [_("名称"), _("开始日期"), _("结束日期"), _("范围"), _("状态"), _("设置人"), _("设置时间")]

    def state(p: QuietPeriod) -> str:
        if p.ends_on < today:
            return _("已结束")
        return _("未开始") if p.starts_on > today else _("进行中")

    rows = (
        [p.name, p.starts_on, p.ends_on,
         p.enterprise.name if p.enterprise else (p.region.name if p.region else _("全市")), state(p),
         p.created_by.display_name if p.created_by else "", p.created_at]
        for p in listed
    )
    return xlsx_response(_("企业宁静期"), headers, rows)


@login_required
@require_POST
def quiet_period_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "inspections.manage_rules")
    user = request.user
    period: QuietPeriod | None = quiet_periods_visible_to(user).filter(pk=pk).first()
    if period is None:
        raise Http404
    try:
        result = quiet_period_services.quiet_period_remove(period, actor=user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("宁静期已撤销。") if result is None else _("宁静期已于今天结束。"))
    return redirect("inspections:inspection_quiet_periods")


# --- the list behind the complaints ----------------------------------------------------


def _range(request: AuthenticatedHttpRequest) -> tuple[Any, Any, int | None]:
    f = RegistrationFilters.from_params(request.GET)
    return f.start, f.end, f.department


@login_required
@require_GET
def complaints(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The complaints behind the dashboard's number (each links to its case)."""
    require_page(request, "inspections.view_supervision")
    user = request.user
    start, end, department = _range(request)
    region = _region_param(request, user)
    open_only = request.GET.get("state") == "open"
    qs = complaint_list(user, department=department, start=start, end=end,
                                    region=region.code if region else "", open_only=open_only)
    params = {k: v for k, v in {"department": department, "start": start, "end": end,
                                "region": region.code if region else ""}.items() if v}
    state = {"state": "open"} if open_only else {}
    if wants_xlsx(request):
        listed = list(qs.select_related("enterprise")[:EXPORT_MAX_ROWS])
        audit_record("inspection_complaint.export", actor=user, object_type="cases.case",
                     after={"filters": {k: str(v) for k, v in params.items()}, "rows": len(listed)})
        headers = [_("编号"), _("标题"), _("企业"), _("提交时间"), _("状态")]
        return xlsx_response(_("涉企检查投诉"), headers, (
            [c.number, c.title, c.enterprise.name if c.enterprise else "", c.created_at, c.get_status_display()]
            for c in listed
        ))
    return render(request, "inspections/supervisor/complaints.html", {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "department": department_choices().filter(pk=department).first() if department else None,
        "start": start, "end": end, "query": urlencode(params | state), "open_only": open_only,
        "open_url": "?" + urlencode(params | {"state": "open"}), "all_url": "?" + urlencode(params),
    })


# --- the 通报 -----------------------------------------------------------------------------------


@login_required
@require_GET
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """涉企行政检查情况通报 for ``?period=2026-10`` (or ``2026-Q3``, ``2026``; default: last
    month): the page, or ``format=docx`` / ``format=xlsx``."""
    require_page(request, "inspections.view_supervision")
    user = request.user
    period = _period_param(request, Period.previous_month())
    region = _region_param(request, user)
    data = reports.report_data(period, region)
    fmt = request.GET.get("format", "")
    if fmt in {"docx", "xlsx"}:
        audit_record("inspection_report.export", None, actor=user, object_type="inspection_report",
                     object_id=period.key, after={"format": fmt, "region": region.code if region else None})
        if fmt == "xlsx":
            return download(reports.report_xlsx(data), reports.report_filename(data, region, "xlsx"))
        return download(reports.report_docx(data), reports.report_filename(data, region, "docx"), DOCX)
    columns = reports.department_columns(data.dashboard.ratings_available)
    query = {"period": period.key, **({"region": region.code} if region else {})}
    return render(request, "inspections/supervisor/report.html", {
        "data": data,
        "headers": [h for _a, h in columns],
        "table": [reports.department_values(r, columns, text=True) for r in data.dashboard.rows],
        "totals": reports.department_values(data.dashboard.totals, columns, text=True),
        "period_choices": period_choices(),
        "regions": _regions_for(user),
        "region": region,
        "region_locked": supervision_region(user) is not None,
        "docx_query": urlencode({**query, "format": "docx"}),
        "xlsx_query": urlencode({**query, "format": "xlsx"}),
        "named": reports.named_sections(data),
    })
