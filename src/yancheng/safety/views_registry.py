"""The registry family's pages (全覆盖): the registry list and a system's detail with its
revisions (readers: ``safety.view_registry``), the 安委办's coverage page and its drill-down
lists, and the year's letters. Every list exports to .xlsx (``?format=xlsx``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError
from yancheng.core.kit.exports import wants_xlsx, xlsx_response
from yancheng.core.kit.require import require_page
from yancheng.core.typing import AuthenticatedHttpRequest

from .models import PostKind, ResponsibilityLetter, SafetySystem, SystemCategory
from .selectors_registry import gap_counts, gaps_visible_to, letters_missing, missing_posts, missing_units
from .services.coverage import coverage_refresh

PAGE_SIZE = 50


def _page(request: AuthenticatedHttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _export(request: AuthenticatedHttpRequest, title: str, headers: list[str], rows: list[list[Any]]) -> HttpResponse:
    audit_record("safety.export", None, actor=request.user, after={"list": title, "rows": len(rows)})
    return xlsx_response(title, headers, rows)


# --- the registry ----------------------------------------------------------------------------------


def systems_filtered(params: Any) -> QuerySet[SafetySystem]:
    """The registry list's filters: category, state (active/retired/all, default active), q."""
    qs = SafetySystem.objects.select_related("leading_org").order_by("code")
    state = params.get("state") or "active"
    if state == "active":
        qs = qs.filter(is_active=True)
    elif state == "retired":
        qs = qs.filter(is_active=False)
    if params.get("category") in SystemCategory.values:
        qs = qs.filter(category=params["category"])
    q = (params.get("q") or "").strip()[:64]
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q)
                       | Q(leading_org__name__icontains=q))
    return qs


@login_required
def registry_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "safety.view_registry")
    qs = systems_filtered(request.GET)
    if wants_xlsx(request):
        return _export(request, _("安全生产责任制"), [
            _("编码"), _("名称"), _("类别"), _("牵头部门"), _("覆盖行业代码"), _("示例"), _("启用"), _("停用日期")],
            [[s.code, s.name, s.get_category_display(), s.leading_org.name, " ".join(s.industry_codes),
              _("是") if s.is_example else _("否"), _("是") if s.is_active else _("否"), s.retired_on] for s in qs])
    return render(request, "safety/registry/list.html", {
        "page": _page(request, qs), "categories": SystemCategory.choices,
        "category": request.GET.get("category", ""), "state": request.GET.get("state") or "active",
        "q": request.GET.get("q", ""), "may_manage": request.user.has_perm("safety.manage_registry"),
    })


@login_required
def system_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    require_page(request, "safety.view_registry")
    system = get_object_or_404(SafetySystem.objects.select_related("leading_org"), code=code)
    return render(request, "safety/registry/detail.html", {
        "system": system,
        "co_orgs": system.co_orgs.order_by("code"),
        "items": system.items.order_by("position", "code"),
        "duties": system.duties.order_by("position", "pk"),
        "units": system.units.select_related("region", "organisation"),
        "persons": system.persons.select_related("region", "organisation").filter(is_active=True),
        "revisions": system.revisions.select_related("changed_by"),
        "may_manage": request.user.has_perm("safety.manage_registry"),
    })


@login_required
def revision_detail(request: AuthenticatedHttpRequest, code: str, number: int) -> HttpResponse:
    require_page(request, "safety.view_registry")
    system = get_object_or_404(SafetySystem, code=code)
    revision = get_object_or_404(system.revisions, number=number)
    return render(request, "safety/registry/revision.html", {"system": system, "revision": revision,
                                                             "snap": revision.snapshot})


# --- coverage --------------------------------------------------------------------------------------


@login_required
def coverage(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "safety.view_coverage")
    year = timezone.localdate().year
    return render(request, "safety/registry/coverage.html", {
        "gap_counts": gap_counts(request.user), "gaps_total": gaps_visible_to(request.user).count(),
        "missing_units": len(missing_units(request.user)), "missing_posts": len(missing_posts(request.user)),
        "letters_missing": letters_missing(request.user, year=year).count(), "year": year,
        "may_refresh": request.user.has_perm("safety.manage_registry"),
    })


@login_required
def coverage_gaps(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "safety.view_coverage")
    qs = gaps_visible_to(request.user, system=request.GET.get("system", ""), region=request.GET.get("region", ""))
    if wants_xlsx(request):
        return _export(request, _("覆盖缺口企业"), [_("责任制"), _("区划"), _("企业"), _("统一社会信用代码"), _("行业代码")],
                       [[m.system.name, m.enterprise.region.name, m.enterprise.name, m.enterprise.uscc,
                         m.enterprise.industry_code] for m in qs])
    return render(request, "safety/registry/gaps.html", {"page": _page(request, qs)})


@login_required
def coverage_units(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "safety.view_coverage")
    rows = missing_units(request.user)
    if wants_xlsx(request):
        return _export(request, _("未明确属地负责部门"), [_("责任制"), _("区划")],
                       [[m.system.name, m.region.name] for m in rows])
    return render(request, "safety/registry/missing_units.html", {"page": _page(request, rows)})


@login_required
def coverage_posts(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "safety.view_coverage")
    rows = missing_posts(request.user, post=request.GET.get("post", ""))
    if wants_xlsx(request):
        return _export(request, _("缺少责任人"), [_("责任制"), _("区划"), _("负责部门"), _("岗位")],
                       [[m.unit.system.name, m.unit.region.name, m.unit.organisation.name, m.post_label]
                        for m in rows])
    return render(request, "safety/registry/missing_posts.html", {
        "page": _page(request, rows), "posts": PostKind.choices, "post": request.GET.get("post", "")})


@login_required
@require_POST
def coverage_refresh_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "safety.manage_registry")
    try:
        result = coverage_refresh(actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已按行业代码更新覆盖：新增 %(a)d，移除 %(r)d。") % {"a": result.added, "r": result.removed})
    return redirect("safety:coverage")


# --- letters ---------------------------------------------------------------------------------------


def letters_filtered(request: AuthenticatedHttpRequest) -> QuerySet[ResponsibilityLetter]:
    """year (default this year; ``mine=1``: every year), status, mine=1 (the user's own unit)."""
    qs = ResponsibilityLetter.objects.visible_to(request.user).select_related("unit", "unit__region", "issuer")
    if request.GET.get("mine") == "1":
        qs = qs.filter(unit_id=request.user.organisation_id)
    else:
        year = request.GET.get("year", "")
        qs = qs.filter(year=int(year) if year.isdigit() else timezone.localdate().year)
    if request.GET.get("status") in ResponsibilityLetter.Status.values:
        qs = qs.filter(status=request.GET["status"])
    return qs.order_by("-year", "unit__region__code", "unit__code")


@login_required
def letter_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "safety.view_letters")
    qs = letters_filtered(request)
    if wants_xlsx(request):
        return _export(request, _("安全生产责任书"), [_("年度"), _("责任单位"), _("标题"), _("状态"), _("下达时间"),
                                                  _("签订日期"), _("签订人")],
                       [[x.year, x.unit.name, x.title, x.get_status_display(), timezone.localtime(x.issued_at),
                         x.signed_on, x.signatory] for x in qs])
    year = request.GET.get("year", "")
    page = _page(request, qs)
    signable = {x.pk for x in page if x.status == ResponsibilityLetter.Status.ISSUED
                and request.user.has_perm("safety.sign_letter", x)}
    return render(request, "safety/registry/letters.html", {
        "page": page, "signable": signable, "may_issue": request.user.has_perm("safety.manage_letters"), "statuses": ResponsibilityLetter.Status.choices,
        "status": request.GET.get("status", ""), "year": year if year.isdigit() else timezone.localdate().year,
        "mine": request.GET.get("mine") == "1",
    })
