"""Pages of the enterprise side of 企业赋码保护: the enterprise's code and poster, every visit
it received, the anonymous rating and the complaint of a visit, the report of an
unregistered visit; and the two ratings pages (the department's aggregates, the
supervisor's list).

A GET never writes: an enterprise without a code sees a button that asks for one (the
demo and bulk loaders issue codes with ``services.code_ensure``). Visits are fetched only
through ``Inspection.objects.visible_to`` narrowed to the user's own enterprise, so another
enterprise's visit answers 404; staff (who have their own pages) get 403."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from yancheng.core.kit.exports import download, wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error
from yancheng.core.models import Enterprise
from yancheng.core.typing import Actor, AuthenticatedHttpRequest

from . import poster
from .complaints import complaint_file, complaints_about, unregistered_visit_report
from .forms_enterprise import (
    CodeReissueForm,
    ComplaintForm,
    RatingForm,
    RatingMonthForm,
    UnregisteredReportForm,
    YearForm,
)
from .models import Inspection
from .permissions import department_of
from .ratings import (
    department_rating_summary,
    has_rated,
    rateable_visits,
    rated_visit_ids,
    rating_submit_by_ref,
    supervisor_rating_months,
)
from .services import active_code, code_issue

PAGE_SIZE = 20


def enterprise_of(user: Actor) -> Enterprise | None:
    if getattr(user, "role", None) != "enterprise" or not getattr(user, "organisation_id", None):
        return None
    if user.organisation_id is None:
        return None
    return Enterprise.objects.filter(organisation_id=user.organisation_id).first()


def _own_enterprise(request: AuthenticatedHttpRequest, perm: str = "inspections.view_code") -> Enterprise:
    """The requesting user's enterprise, when they hold `perm` on it; else 403."""
    enterprise = enterprise_of(request.user)
    if enterprise is None or not rules.has_perm(perm, request.user, enterprise):
        raise PermissionDenied
    return enterprise


def own_visits(user: Actor, enterprise: Enterprise) -> QuerySet[Inspection]:
    """The enterprise's registered visits as its user may see them, newest first."""
    return (
        Inspection.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("department", "plan_entry", "plan_entry__item", "exemption_reason", "joint_proposal")
        .prefetch_related("departments", "inspectors", "items")
        .order_by("-started_at", "-pk")
    )


def _visits_xlsx(request: AuthenticatedHttpRequest, enterprise: Enterprise) -> HttpResponse:
    """Every visit the enterprise received, as its page lists them: departments, inspectors
    with their certificate numbers, items, the basis of the visit and the outcome."""
    visits = list(own_visits(request.user, enterprise))
    rated = rated_visit_ids(enterprise, visits)
    audit_record("inspection_visit.export", actor=request.user, object_type="inspections.inspection",
                 after={"rows": len(visits)})
    headers = [_("登记编号"), _("开始时间"), _("结束时间"), _("检查部门"), _("联合检查"), _("检查人员"), _("类型"),
               _("入企目的"), _("检查事项"), _("计划内/外"), _("豁免事由"), _("登记方式"), _("检查结果"), _("结果说明"),
               _("评价")]

    def basis(visit: Inspection) -> str:
        if visit.plan_entry_id:
            return _("计划内")
        return f"{_('计划外')}：{visit.get_outside_plan_reason_display()}" if visit.outside_plan_reason else ""

    rows = (
        [v.number, v.started_at, v.ended_at,
         "、".join(d.name for d in v.departments.all()) or v.department.name, len(v.departments.all()) > 1,
         "、".join(f"{p.full_name}（{p.certificate_no}）" for p in v.inspectors.all()),
         v.get_kind_display(), v.get_purpose_display() if v.purpose else "",
         "；".join(item.name for item in v.items.all()), basis(v),
         v.exemption_reason.name if v.exemption_reason else "", v.get_entry_mode_display(),
         v.get_outcome_display() if v.status == "finished" else _("检查中"),
         v.result if v.status == "finished" else "",
         _("已评价") if v.pk in rated else ""]
        for v in visits
    )
    return xlsx_response(_("入企记录"), headers, rows)


def _visit(request: AuthenticatedHttpRequest, pk: int, perm: str = "inspections.view_code") -> tuple[Enterprise, Inspection]:
    enterprise = _own_enterprise(request, perm)
    visit = own_visits(request.user, enterprise).filter(pk=pk).first()
    if visit is None:
        raise Http404
    return enterprise, visit


# --- the code and the poster ------------------------------------------------------------------------------


@login_required
@require_GET
def enterprise_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The enterprise's supervision code, its poster downloads, and every visit it received."""
    enterprise = _own_enterprise(request)
    code = active_code(enterprise)
    url = poster.code_url(code.token, request) if code is not None else ""
    if wants_xlsx(request):
        return _visits_xlsx(request, enterprise)
    page = Paginator(own_visits(request.user, enterprise), PAGE_SIZE).get_page(request.GET.get("page"))
    visits = list(page)
    rated = rated_visit_ids(enterprise, visits)
    for visit in visits:
        visit.rated = visit.pk in rated  # type: ignore[attr-defined]
    return render(request, "inspections/enterprise/home.html", {
        "enterprise": enterprise,
        "code": code,
        "code_url": url,
        # segno's own markup of a URL we built: nothing user-supplied is inside.
        "qr_svg": mark_safe(poster.qr_svg_inline(url)) if code is not None else "",
        "formats": list(poster.FORMATS),
        "can_reissue": rules.has_perm("inspections.reissue_code", request.user, enterprise),
        "page": page,
        "visits": visits,
        "query": "",
    })


@login_required
@require_GET
def code_poster(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    """The poster of the active code as PNG, SVG or PDF (a download)."""
    enterprise = _own_enterprise(request)
    if fmt not in poster.FORMATS:
        raise Http404
    code = active_code(enterprise)
    if code is None:
        messages.info(request, _("本企业还没有监督码，请先领取。"))
        return redirect("inspections:inspection_enterprise_home")
    data = poster.render_poster(enterprise, code, fmt=fmt, url=poster.code_url(code.token, request))
    response = download(data, f"supervision-code-{enterprise.uscc}.{fmt}", poster.FORMATS[fmt])
    response["Cache-Control"] = "no-store"  # the token is inside: not for shared caches
    return response


@login_required
@require_http_methods(["GET", "POST"])
def code_reissue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for a (new) code. With a code in force this asks for a reason and a confirmation:
    the old code, and every poster that shows it, stops working at once."""
    enterprise = _own_enterprise(request, "inspections.reissue_code")
    code = active_code(enterprise)
    form = CodeReissueForm(request.POST or None, has_code=code is not None)
    if request.method == "POST" and form.is_valid():
        try:
            code_issue(enterprise, actor=request.user, reason=form.cleaned_data["reason"])
        except PermissionDeniedError as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已生成新的监督码，旧码已失效。请下载并重新张贴海报。") if code is not None
                             else _("已领取监督码。请下载海报并张贴在企业入口处。"))
            return redirect("inspections:inspection_enterprise_home")
    status = 422 if request.method == "POST" else 200
    return render(request, "inspections/enterprise/reissue.html",
                  {"enterprise": enterprise, "code": code, "form": form}, status=status)


# --- one visit: rating and complaint ---------------------------------------------------------------------


def _visit_page(request: AuthenticatedHttpRequest, enterprise: Enterprise, visit: Inspection, *,
                complaint_form: ComplaintForm | None = None, status: int = 200) -> HttpResponse:
    rated = has_rated(enterprise, visit)
    finished = visit.status == Inspection.Status.FINISHED
    can_rate = finished and not rated and rules.has_perm("inspections.rate", request.user, enterprise)
    return render(request, "inspections/enterprise/visit.html", {
        "enterprise": enterprise,
        "visit": visit,
        "rated": rated,
        "finished": finished,
        "can_rate": can_rate,
        "complaint_form": (complaint_form or ComplaintForm())
        if rules.has_perm("inspections.complain", request.user, enterprise) else None,
        "complaints": complaints_about(visit, request.user),
    }, status=status)


@login_required
@require_GET
def visit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enterprise, visit = _visit(request, pk)
    return _visit_page(request, enterprise, visit)


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("ref")
@sensitive_variables()
def rate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The enterprise's one rating page: every finished visit it has not rated, each with a
    form; rating one posts back here (``ratings.rating_submit_by_ref``).

    The URL is the same for every visit and every enterprise, and so is the redirect after
    a rating: no access-log line names the visit. The visit travels in the POST body as the
    keyed ``ref``, hidden from error reports (``sensitive_post_parameters``) like every
    local variable here (``sensitive_variables``)."""
    _own_enterprise(request, "inspections.rate")
    bound: RatingForm | None = None
    top_error = ""
    status = 200
    if request.method == "POST":
        bound = RatingForm(request.POST)
        status = 422
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                rating_submit_by_ref(data["ref"], actor=request.user, score=data["score"], comment=data["comment"])
            except PermissionDeniedError as exc:
                raise PermissionDenied from exc
            except ConflictError as exc:
                messages.error(request, str(exc.message))
                return redirect("inspections:inspection_rating")
            except NotFoundError as exc:
                top_error, status = str(exc.message), 404
            except DomainError as exc:
                if exc.field in ("score", "comment"):
                    bound.add_error(exc.field, str(exc.message))
                else:
                    top_error = str(exc.message)
            else:
                messages.success(request, _("感谢您的评价。评价已匿名提交，次日与当天的其他评价一起汇总；"
                                            "检查部门看不到评价来自哪家企业。"))
                return redirect("inspections:inspection_rating")
    items = rateable_visits(request.user)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    posted_ref = bound.data.get("ref", "") if bound is not None else ""
    rows = []
    matched = False
    for index, (visit, ref) in enumerate(page):
        if bound is not None and isinstance(posted_ref, str) and constant_time_compare(posted_ref, ref):
            form, matched = bound, True
            form.auto_id = f"id_r{index}_%s"
        else:
            form = RatingForm(initial={"ref": ref}, auto_id=f"id_r{index}_%s")
        rows.append((visit, form))
    if bound is not None and not matched and not top_error:
        errors = [str(e) for field in bound.errors.values() for e in field]
        top_error = " ".join(errors) or _("找不到要评价的入企记录，请刷新评价页面后重试。")
    return render(request, "inspections/enterprise/rate.html", {
        "rows": rows, "page": page, "query": "", "top_error": top_error,
    }, status=status)


@login_required
@require_POST
def visit_complain(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Complain about a visit: a case to the supervising organisation."""
    enterprise, visit = _visit(request, pk, "inspections.complain")
    form = ComplaintForm(request.POST)
    if form.is_valid():
        try:
            case = complaint_file(visit, actor=request.user, text=form.cleaned_data["text"])
        except PermissionDeniedError as exc:
            raise PermissionDenied from exc
        except NotFoundError as exc:
            raise Http404 from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, format_html(
                _("投诉已提交（事项 {number}），已送{org}受理。<a href=\"{url}\">查看办理进度</a>"),
                number=case.number, org=case.dispatch_org.name, url=reverse("cases:case_detail", args=[case.pk])))
            return redirect("inspections:inspection_visit", pk=visit.pk)
    return _visit_page(request, enterprise, visit, complaint_form=form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def report_unregistered(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Report a visit that nobody registered (department, day, people, what happened)."""
    enterprise = _own_enterprise(request, "inspections.complain")
    form = UnregisteredReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = unregistered_visit_report(
                actor=request.user, department=data["department"], visited_on=data["visited_on"],
                description=data["description"], people=data["people"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, format_html(
                _("举报已提交（事项 {number}），已送{org}受理。<a href=\"{url}\">查看办理进度</a>"),
                number=case.number, org=case.dispatch_org.name, url=reverse("cases:case_detail", args=[case.pk])))
            return redirect("inspections:inspection_enterprise_home")
    status = 422 if request.method == "POST" else 200
    return render(request, "inspections/enterprise/report_unregistered.html",
                  {"enterprise": enterprise, "form": form}, status=status)


# --- ratings as the department and the supervisor see them --------------------------------------------------


@login_required
@require_GET
def department_ratings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The department's own ratings: per ended month, only over at least k ratings."""
    if not rules.has_perm("inspections.view_own_rating_aggregates", request.user):
        raise PermissionDenied
    department = department_of(request.user)
    if department is None:
        raise PermissionDenied
    year_form = YearForm(request.GET or None)
    year = year_form.year_or_current()
    summary = department_rating_summary(department, year=year)
    this_year = timezone.localdate().year
    return render(request, "inspections/enterprise/department_ratings.html", {
        "summary": summary, "year": year, "years": list(range(this_year, this_year - 6, -1)),
    })


def _rating_rows(months: list[Any]) -> Any:
    for dm in months:
        for line in dm.lines:
            yield [dm.department.name, dm.month.strftime("%Y-%m"), line.score, line.comment]


@login_required
@require_GET
def supervisor_ratings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Single ratings by department and ended month — score and comment, no day, no kind,
    never an enterprise — only for department-months with at least 5 ratings (the others
    show "fewer than 5"), with an .xlsx export of the shown ones."""
    if not rules.has_perm("inspections.view_ratings", request.user):
        raise PermissionDenied
    params = request.GET.copy()
    export = params.pop("format", [""])[0] == "xlsx"
    form = RatingMonthForm(params or None)
    month, department = form.chosen()
    valid = not form.is_bound or form.is_valid()
    months = supervisor_rating_months(request.user, month=month, department=department) if valid else []
    if export:
        shown = [dm for dm in months if dm.shown]
        audit_record("inspection_rating.export", actor=request.user, object_type="inspections.rating",
                     after={"month": month.strftime("%Y-%m"), "department": department,
                            "rows": sum(len(dm.lines) for dm in shown)})
        headers = [_("被评价部门"), _("月份"), _("评分"), _("评价意见")]
        return xlsx_response(_("入企检查匿名评价"), headers, _rating_rows(shown),
                             name=f"{_('入企检查匿名评价')}-{month:%Y-%m}")
    query = urlencode([(k, str(v)) for k, v in params.items() if v])
    return render(request, "inspections/enterprise/supervisor_ratings.html", {
        "form": form, "month": month, "months": months, "query": query,
        "shown": [dm for dm in months if dm.shown], "hidden": [dm for dm in months if not dm.shown],
    }, status=200 if valid else 422)
