"""Core pages: the role home page, the organisation tree, regions and enterprises."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.kit import imports
from yancheng.core.kit.exports import wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error
from yancheng.core.kit.require import require_page
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.core.workbench import todos_for

from . import importers
from .context_processors import site as site_context
from .crypto import FieldCryptoError
from .errors import DomainError
from .forms import EnterpriseForm, EnterpriseSelfServiceForm
from .models import Enterprise, IndustryChain, Organisation, Region, Role
from .selectors import (
    EnterpriseFilters,
    enterprise_list,
    get_contact_for,
    get_enterprise_for,
    get_organisation_for,
    organisation_tree,
)
from .services import enterprise_contact_phone_reveal, enterprise_create, enterprise_update

PAGE_SIZE = 50


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role lands on its to-do list (core.workbench), then what it works with."""
    user = request.user
    context: dict[str, Any] = {"todos": todos_for(user)}
    if user.role == Role.ENTERPRISE and user.organisation_id:
        enterprise = Enterprise.objects.filter(organisation_id=user.organisation_id).first()
        if enterprise is not None:
            context["own_enterprise"] = enterprise
            return render(request, "core/home.html", context)
    if rules.has_perm("core.view_enterprise_list", user):
        visible = Enterprise.objects.visible_to(user)
        context["enterprise_count"] = visible.count()
        context["grade_counts"] = dict(visible.values_list("grade").annotate(n=Count("pk")).order_by())
    if rules.has_perm("core.view_organisation_tree", user):
        context["organisation_count"] = Organisation.objects.visible_to(user).exclude(kind="enterprise").count()
    return render(request, "core/home.html", context)


# --- organisations and regions -------------------------------------------------------------


def _flatten(nodes: list[dict[str, Any]]) -> list[Organisation]:
    return [org for node in nodes for org in [node["org"], *_flatten(node["children"])]]


def _organisations_xlsx(request: AuthenticatedHttpRequest, orgs: list[Organisation], region_code: str) -> HttpResponse:
    """The organisations shown, in the tree's order, each with its (visible) parent."""
    from yancheng.core.audit.services import audit_record

    parent_ids = {o.parent_id for o in orgs if o.parent_id}
    parents = dict(Organisation.objects.visible_to(request.user).filter(pk__in=parent_ids).values_list("pk", "name"))
    audit_record("organisation.export", actor=request.user, object_type="core.organisation",
                 after={"region": region_code, "rows": len(orgs)})
    headers = [_("机构编码"), _("名称"), _("简称"), _("类型"), _("所在区划"), _("上级单位"), _("启用")]
    rows = ([o.code, o.name, o.short_name, o.get_kind_display(), o.region.name, parents.get(o.parent_id or 0, ""),
             o.is_active] for o in orgs)
    return xlsx_response(_("组织机构"), headers, rows)


@login_required
@require_GET
def organisation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "core.view_organisation_tree")
    region_code = request.GET.get("region", "")[:12]
    orgs = organisation_tree(request.user, region_code)
    by_parent: dict[int | None, list[Organisation]] = defaultdict(list)
    ids = {o.pk for o in orgs}
    for org in orgs:
        by_parent[org.parent_id if org.parent_id in ids else None].append(org)
    # The city's own organisations first, then each district and county by its code;
    # within a level governments, offices, departments, parks, utilities.
    kind_order = {"government": 0, "office": 1, "department": 2, "park": 3, "utility": 4, "enterprise": 5}
    for children in by_parent.values():
        children.sort(
            key=lambda o: (o.region.kind not in {"city", "province"}, o.region.code, kind_order.get(o.kind, 9), o.code)
        )

    def build(parent_id: int | None) -> list[dict[str, Any]]:
        return [{"org": o, "children": build(o.pk)} for o in by_parent.get(parent_id, [])]

    user_counts = dict(
        Organisation.objects.filter(pk__in=ids).annotate(n=Count("users")).values_list("pk", "n")
    )
    for org in orgs:
        org.user_count = user_counts.get(org.pk, 0)  # type: ignore[attr-defined]
    if wants_xlsx(request):
        return _organisations_xlsx(request, _flatten(build(None)), region_code)
    return render(
        request,
        "core/organisations.html",
        {
            "tree": build(None),
            "regions": Region.objects.all(),
            "region_code": region_code,
            "count": len(orgs),
        },
    )


@login_required
@require_GET
def organisation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "core.view_organisation_tree")
    org = get_organisation_for(request.user, pk)
    children = Organisation.objects.visible_to(request.user).filter(parent=org).order_by("name")
    members = org.users.filter(is_active=True).order_by("username") if rules.has_perm(
        "core.manage_users", request.user
    ) or getattr(request.user, "organisation_id", None) == org.pk else None
    return render(request, "core/organisation_detail.html", {"org": org, "children": children, "members": members})


@login_required
@require_GET
def region_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    regions = list(Region.objects.select_related("parent"))
    show_counts = rules.has_perm("core.view_organisation_tree", request.user)
    if show_counts:
        # Counts only of what this user may see.
        enterprise_counts = dict(
            Enterprise.objects.visible_to(request.user).values_list("region").annotate(n=Count("pk")).order_by()
        )
        org_counts = dict(
            Organisation.objects.visible_to(request.user)
            .exclude(kind=Organisation.Kind.ENTERPRISE)
            .values_list("region")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for region in regions:
            region.enterprise_count = enterprise_counts.get(region.pk, 0)  # type: ignore[attr-defined]
            region.organisation_count = org_counts.get(region.pk, 0)  # type: ignore[attr-defined]
    if wants_xlsx(request):
        return _regions_xlsx(regions, show_counts)
    return render(request, "core/regions.html", {"regions": regions, "show_counts": show_counts})


def _regions_xlsx(regions: list[Region], show_counts: bool) -> HttpResponse:
    """The regions as the page lists them; the counts (of what the user may see) only where
    the page shows them."""
    headers = [_("区划代码"), _("名称"), _("类型"), _("上级")] + ([_("机构数"), _("企业数")] if show_counts else [])
    rows = (
        [r.code, r.name, r.get_kind_display(), r.parent.name if r.parent else ""]
        + ([r.organisation_count, r.enterprise_count] if show_counts else [])  # type: ignore[attr-defined]
        for r in regions
    )
    return xlsx_response(_("行政区划"), headers, rows)


# --- enterprises ---------------------------------------------------------------------------------


def _enterprise_rows(qs: Any) -> Any:
    for e in qs.prefetch_related("chains"):
        yield [
            e.uscc,
            e.name,
            e.region.name,
            e.park.name if e.park else "",
            "、".join(c.name for c in e.chains.all()),
            e.is_above_scale_industry,
            e.is_above_quota_trade,
            e.is_qualified_construction,
            e.is_above_scale_service,
            e.get_srdi_tier_display() if e.srdi_tier else "",
            e.grade,
            e.industry_code,
        ]


@login_required
@require_GET
def enterprise_list_view(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    require_page(request, "core.view_enterprise_list")
    user = request.user
    if user.role == Role.ENTERPRISE:
        own = Enterprise.objects.visible_to(user).first()
        if own is None:
            raise Http404
        return redirect("core:enterprise_detail", pk=own.pk)
    filters = EnterpriseFilters.from_params(request.GET)
    qs = enterprise_list(user, filters)
    if wants_xlsx(request):
        headers = [
            _("统一社会信用代码"), _("企业名称"), _("所在区划"), _("所在园区"), _("产业链"), _("规上工业"),
            _("限上批零住餐"), _("资质等级建筑业"), _("规上服务业"), _("专精特新梯度"), _("信用风险等级"),
            _("国民经济行业代码"),
        ]
        from yancheng.core.audit.services import audit_record

        audit_record("enterprise.export", actor=user, object_type="core.enterprise", after={"filters": filters.__dict__})
        return xlsx_response(_("企业名录"), headers, _enterprise_rows(qs))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in filters.__dict__.items() if v}
    return render(
        request,
        "core/enterprises.html",
        {
            "page": page,
            "filters": filters,
            "regions": Region.objects.all(),
            "parks": Organisation.objects.filter(kind=Organisation.Kind.PARK).order_by("name"),
            "chains": IndustryChain.objects.all(),
            "grades": Enterprise.Grade.choices,
            "tiers": [c for c in Enterprise.SrdiTier.choices if c[0]],
            "query": urlencode(params),
            "query_without_sort": urlencode({k: v for k, v in params.items() if k != "sort"}),
            "can_add": rules.has_perm("core.add_enterprise", user),
            "can_import": rules.has_perm("core.import_enterprises", user),
        },
    )


@login_required
@require_GET
def enterprise_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _enterprise_detail_page(request, get_enterprise_for(request.user, pk))


def _masked(value: Any) -> str:
    try:
        return str(value.masked)
    except FieldCryptoError:
        return str(_("（无法解密）"))


def _enterprise_detail_page(
    request: AuthenticatedHttpRequest, enterprise: Enterprise, *, revealed: tuple[int, str] | None = None
) -> HttpResponse:
    can_reveal = rules.has_perm("core.reveal_contact_phone", request.user, enterprise)
    contacts = [
        {
            "contact": c,
            "phone": _masked(c.phone),
            "revealed": revealed[1] if revealed and revealed[0] == c.pk else "",
            "can_reveal": can_reveal and bool(c.phone),
        }
        for c in enterprise.contacts.all()
    ]
    return render(
        request,
        "core/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "chains": list(enterprise.chains.all()),
            "contacts": contacts,
            "can_change": rules.has_perm("core.change_enterprise", request.user, enterprise),
            "can_self_service": rules.has_perm("core.change_enterprise_contacts", request.user, enterprise),
        },
    )


@login_required
@require_POST
def enterprise_contact_phone_reveal_view(request: AuthenticatedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """POST only: an explicit, audited action. Answers with the detail page showing the one
    number, not cached by the browser. A contact of an enterprise the user cannot see: 404."""
    contact = get_contact_for(request.user, pk, contact_pk)
    try:
        phone = enterprise_contact_phone_reveal(contact, actor=request.user)
    except DomainError as exc:
        if exc.http_status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        messages.error(request, str(exc.message))
        response = _enterprise_detail_page(request, contact.enterprise)
        response.status_code = exc.http_status
        return response
    response = _enterprise_detail_page(request, contact.enterprise, revealed=(contact.pk, phone))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "core.add_enterprise")
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        chains = data.pop("chains")
        try:
            enterprise = enterprise_create(actor=request.user, chains=chains, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已登记企业：%(name)s") % {"name": enterprise.name})
            return redirect("core:enterprise_detail", pk=enterprise.pk)
    return render(request, "core/enterprise_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enterprise = get_enterprise_for(request.user, pk, write=True)
    full = rules.has_perm("core.change_enterprise", request.user, enterprise)
    initial = {f: getattr(enterprise, f) for f in ("uscc", "name", "legal_representative", "address", "industry_code",
                                                   "is_above_scale_industry", "is_above_quota_trade",
                                                   "is_qualified_construction", "is_above_scale_service",
                                                   "srdi_tier", "srdi_valid_until", "grade")}
    initial |= {"region": enterprise.region_id, "park": enterprise.park_id, "version": enterprise.version,
                "chains": list(enterprise.chains.all())}
    form: Any
    if full:
        form = EnterpriseForm(request.POST or None, initial=initial, editing=True)
    else:
        form = EnterpriseSelfServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        data.pop("uscc", None)
        chains = data.pop("chains", None)
        try:
            enterprise_update(enterprise, actor=request.user, expected_version=version, chains=chains, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("core:enterprise_detail", pk=enterprise.pk)
    return render(request, "core/enterprise_form.html", {"form": form, "enterprise": enterprise, "creating": False})


# --- enterprise import ---------------------------------------------------------------------------

_IMPORT_SALT = "yancheng.enterprise-import"


@login_required
@require_GET
def enterprise_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "core.import_enterprises")
    return imports.template_response(
        title=_("企业导入模板"), columns=importers.COLUMNS, filename="enterprise-import-template.xlsx"
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_import_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload → dry run with a row-by-row report → confirm (same file, all or nothing)."""
    require_page(request, "core.import_enterprises")
    return imports.upload_page(
        request, run=importers.enterprises_import, template="core/enterprise_import.html", salt=_IMPORT_SALT,
        permission="core.import_enterprises",
    )


@login_required
@require_POST
def enterprise_import_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "core.import_enterprises")
    return imports.confirm(
        request, run=importers.enterprises_import, template="core/enterprise_import.html", salt=_IMPORT_SALT,
        upload_url="core:enterprise_import", done_url="core:enterprise_list",
        permission="core.import_enterprises", done_message=lambda n: _("已导入 %(n)d 家企业。") % {"n": n},
    )


# --- error pages (yancheng/urls.py handler400…500, settings.CSRF_FAILURE_VIEW) ------------------
# Every one renders in the site's frame (templates/_error.html) and in the request's language,
# and none shows the exception, the path or a stack trace: a 404 for another organisation's
# object is the same page as for a missing one.

error_logger = logging.getLogger("yancheng.request")


def _error_page(request: HttpRequest, template_name: str, status: int, context: dict[str, Any] | None = None) -> HttpResponse:
    """The page with the request's context (the user's nav); if that fails — the session or
    the database may be what broke — the same page without the request."""
    try:
        body = render_to_string(template_name, context, request=request)
    except Exception:  # an error page must answer
        error_logger.exception("Error page %s rendered without the request", template_name)
        body = render_to_string(template_name, {**site_context(None), **(context or {})})
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "404.html", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, "403_csrf.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request: no session, no user, no database — only the site's
    name and the language active when the request failed."""
    try:
        return HttpResponseServerError(render_to_string("500.html", site_context(None)))
    except Exception:  # what failed may be the templates or the URLconf
        error_logger.exception("The 500 page could not be rendered")
        site = site_context(None)
        return HttpResponseServerError(
            format_html(
                '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{} · {}</title></head>'
                '<body><main id="main"><h1>{}</h1><p>{}</p><p><a href="/">{}</a></p></main></body></html>',
                get_language(), _("系统出错"), site["SITE_NAME"], _("系统出错"),
                _("系统出现了意外错误，已记录下来。请稍后重试；如仍不行，请联系系统管理员。"), _("回到首页"),
            )
        )


def method_not_allowed_page(request: HttpRequest, response: HttpResponseBase) -> HttpResponse:
    """The 405 page for a view's bare ``HttpResponseNotAllowed`` (see
    ``core.middleware.MethodNotAllowedPageMiddleware``), keeping its Allow header."""
    page = _error_page(request, "405.html", 405, {"method": request.method})
    page["Allow"] = response.get("Allow", "")
    return page
