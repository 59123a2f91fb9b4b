"""挂图作战 pages: the city view, the late-node list behind its number, the monthly
rankings (月排名) with their exports, the quarterly review (季讲评), the annual assessment
(年考核), the 红黄榜 and the 争资 entries. Reads through ``selectors``; writes through
``services``."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError
from yancheng.core.kit.exports import (
    DOCX,
    EXPORT_MAX_ROWS,
    XLSX,
    download,
    stamped,
    wants_xlsx,
    xlsx_response,
)
from yancheng.core.kit.forms import add_domain_error
from yancheng.core.kit.require import require_page
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.lib.charts import Axis, Series, bar_chart
from yancheng.projects.models import Project

from . import reports, services
from .forms import FormulaForm, FundsWonForm, GenerateForm, RedYellowForm
from .models import METRICS, FundsWon, RankingKind, RankingSnapshot, RedYellowEntry
from .rankings import Month, formula_json
from .reports import ranking_columns, snapshot_title
from .selectors import (
    DashboardFilters,
    chart_data,
    filter_options,
    late_node_list,
    overview_snapshot,
    period_review,
    quarter_months,
    ranking_entity,
)
from .selectors import ranking_counted as ranking_counted_sections


def _kind(request: AuthenticatedHttpRequest) -> str:
    kind = request.GET.get("kind", RankingKind.REGION)
    return kind if kind in RankingKind.values else RankingKind.REGION


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The city view: every number is a link to the list behind it."""
    require_page(request, "dashboard.view_dashboard")
    filters = DashboardFilters.from_params(request.GET, request.user)
    snapshot = overview_snapshot(request.user, filters, refresh=request.GET.get("refresh") == "1")
    return render(request, "dashboard/index.html", {
        "filters": filters,
        "options": filter_options(request.user, filters),
        "data": snapshot.data,
        "snapshot": snapshot,
        "refresh_url": "?" + urlencode({**filters.params(), "refresh": "1"}),
        "charts": chart_data(snapshot.data),
    })


def _late_nodes_xlsx(request: AuthenticatedHttpRequest, nodes: Any, filters: DashboardFilters) -> HttpResponse:
    """The late nodes the page lists (same filters, same projects), with how many days late."""
    as_of = filters.as_of
    listed = list(nodes[:EXPORT_MAX_ROWS])
    audit_record("dashboard.late_nodes_export", actor=request.user, object_type="projects.node",
                 after={"filters": filters.params(), "rows": len(listed)})
    headers = [_("项目编号"), _("项目名称"), _("区划"), _("节点"), _("计划完成"), _("实际完成"), _("滞后天数"),
               _("责任单位")]
    rows = (
        [n.project.code, n.project.name, n.project.region.name, n.name, n.planned_finish, n.actual_finish,
         (as_of - n.planned_finish).days,
         n.responsible_org.name if n.responsible_org else ""]
        for n in listed
    )
    return xlsx_response(_("滞后节点"), headers, rows)


@login_required
@require_GET
def late_nodes(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "dashboard.view_dashboard")
    filters = DashboardFilters.from_params(request.GET, request.user)
    nodes = late_node_list(request.user, filters)
    if wants_xlsx(request):
        return _late_nodes_xlsx(request, nodes, filters)
    page = Paginator(nodes, 50).get_page(request.GET.get("page"))
    return render(request, "dashboard/late_nodes.html",
                  {"filters": filters, "page": page, "query": urlencode(filters.params())})


@login_required
@require_GET
def ranking_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "dashboard.view_dashboard")
    kind = _kind(request)
    snapshots = RankingSnapshot.objects.filter(kind=kind).select_related("created_by").order_by("-month", "-version")
    page = Paginator(snapshots, 36).get_page(request.GET.get("page"))
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    formula = services.active_formula()
    return render(request, "dashboard/ranking_list.html", {
        "kind": kind,
        "kinds": RankingKind.choices,
        "page": page,
        "formula": formula_json(formula),
        "can_manage": rules.has_perm("dashboard.manage_rankings", request.user),
        "form": GenerateForm(initial={"kind": kind, "month": f"{today:%Y-%m}"}),
        "year": today.year,
        "quarters": [(today.year, q) for q in range(1, quarter + 1)],
    })


@login_required
@require_POST
def ranking_generate(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "dashboard.manage_rankings")
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查排名对象和月份。"))
        return redirect("dashboard:ranking_list")
    month: Month = form.cleaned_data["month"]
    kind = form.cleaned_data["kind"]
    if _needs_confirmation(kind, month, regenerate=form.cleaned_data["regenerate"]) and request.POST.get("confirm") != "1":
        # The month is not over: what is frozen now will differ from the month's final figures,
        # and a frozen ranking is circulated. Asked on the server, so no script can skip it.
        return render(request, "dashboard/ranking_confirm.html", {
            "form": form, "kind_label": RankingKind(kind).label, "month": month,
            "month_value": str(month), "kind": kind, "today": timezone.localdate(),
        })
    try:
        snapshot, created = services.ranking_snapshot_generate(
            kind=kind, month=month, actor=request.user,
            regenerate=form.cleaned_data["regenerate"], note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("dashboard:ranking_list")
    if created:
        messages.success(request, _("已生成第 %(v)d 版月排名。") % {"v": snapshot.version})
    else:
        messages.info(request, _("该月排名已生成，以下为现有结果；如需更正请勾选“重新生成”。"))
    return redirect("dashboard:ranking_detail", pk=snapshot.pk)


def _needs_confirmation(kind: str, month: Month, *, regenerate: bool) -> bool:
    """Freezing a month that has not ended yet (a new snapshot, not the existing one shown again)."""
    if month.last < timezone.localdate():
        return False
    return regenerate or not RankingSnapshot.objects.filter(kind=kind, month=month.first).exists()


def _snapshot(pk: int) -> RankingSnapshot:
    try:
        return RankingSnapshot.objects.select_related("created_by").get(pk=pk)
    except RankingSnapshot.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def ranking_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "dashboard.view_dashboard")
    snapshot = _snapshot(pk)
    versions = RankingSnapshot.objects.filter(kind=snapshot.kind, month=snapshot.month).order_by("-version")
    columns = ranking_columns()
    month = snapshot.month
    table = [
        (row["key"], [(key, row.get(key), counted_url(snapshot.kind, str(row["key"]), month, month,
                                                      COUNTED_SECTION.get(key, ""))) for key, _header in columns])
        for row in snapshot.rows
    ]
    return render(request, "dashboard/ranking_detail.html", {
        "snapshot": snapshot,
        "title": snapshot_title(snapshot),
        "headers": [header for _key, header in columns],
        "table": table,
        "versions": versions,
        "is_latest": versions.first() == snapshot,
        "chart": {"charts": {"ranking": bar_chart([r["name"] for r in snapshot.rows], [Axis(pgettext("chart axis unit", "分"))],
                                                  [Series(_("得分"), [r["score"] for r in snapshot.rows])])}},
        "can_manage": rules.has_perm("dashboard.manage_rankings", request.user),
        "month_value": f"{snapshot.month:%Y-%m}",
        "quarter": (snapshot.month.month - 1) // 3 + 1,
    })


# The section of the counted page behind each column of a ranking (none: the page's top).
COUNTED_SECTION = {**{key: key for _f, key, _l, _s in METRICS}, "attracted_index": "attracted", "won_index": "won",
                   "attracted": "attracted", "won": "won"}


def counted_url(kind: str, key: str, first: dt.date, last: dt.date, metric: str = "") -> str:
    """The page that lists what a ranking counted for one region or unit (``metric``: the
    section to open at)."""
    query = urlencode({"kind": kind, "key": key, "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"})
    return f"{reverse('dashboard:ranking_counted')}?{query}" + (f"#{metric}" if metric else "")


@login_required
@require_GET
def ranking_counted(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What a ranking's numbers count for one region or unit and period, listed."""
    require_page(request, "dashboard.view_dashboard")
    kind, key = request.GET.get("kind", ""), request.GET.get("key", "")
    if kind not in RankingKind.values or not key:
        return render(request, "dashboard/ranking_counted.html", {
            "error": _("请从月排名、季讲评或年考核表中的数字进入本页。"), "name": _("排名"), "kind_label": "",
        }, status=400)
    entity = ranking_entity(kind, key)
    if entity is None:
        raise Http404
    first: Month | None = None
    last: Month | None = None
    with contextlib.suppress(TypeError, ValueError):
        first, last = Month.parse(request.GET.get("from", "")), Month.parse(request.GET.get("to", ""))
    if first is None or last is None or first.first > last.first or first.year != last.year:
        return render(request, "dashboard/ranking_counted.html", {
            "error": _("请选择同一年内的起止月份，例如 from=2026-01&to=2026-03。"), "name": entity[1],
            "kind_label": RankingKind(kind).label,
        }, status=400)
    return render(request, "dashboard/ranking_counted.html", {
        "name": entity[1], "kind": kind, "kind_label": RankingKind(kind).label, "first": first, "last": last,
        "sections": ranking_counted_sections(request.user, kind, entity[0], first, last),
    })


def _export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    require_page(request, "dashboard.view_dashboard")
    snapshot = _snapshot(pk)
    audit_record("dashboard.ranking_export", snapshot, actor=request.user, after={"format": fmt})
    data, content_type = (reports.ranking_xlsx(snapshot), XLSX) if fmt == "xlsx" else (reports.ranking_docx(snapshot), DOCX)
    return download(data, reports.snapshot_filename(snapshot, fmt), content_type)


@login_required
@require_GET
def ranking_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "xlsx")


@login_required
@require_GET
def ranking_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "docx")


@login_required
@require_http_methods(["GET", "POST"])
def formula_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "dashboard.manage_rankings")
    formula = services.active_formula()
    initial: dict[str, Any] = {"name": formula.name, **{f: getattr(formula, f) for f, _k, _l, _s in METRICS}}
    form = FormulaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ranking_formula_update(
                formula, name=form.cleaned_data["name"],
                weights={f: form.cleaned_data[f] for f, _k, _l, _s in METRICS}, actor=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("计分办法已保存；已生成的月排名保持原计分办法不变。"))
            return redirect("dashboard:ranking_list")
    return render(request, "dashboard/formula.html", {"form": form, "formula": formula_json(formula)})


def _review(request: AuthenticatedHttpRequest, months: list[Any], title: str, *, year: int,
            quarter: int | None = None) -> HttpResponse:
    """The page, or with ``?format=docx`` / ``xlsx`` the same table as a download."""
    require_page(request, "dashboard.view_dashboard")
    kind = _kind(request)
    review = period_review(kind, months)
    fmt = request.GET.get("format", "")
    if fmt in {"docx", "xlsx"}:
        audit_record("dashboard.review_export", actor=request.user, object_type="dashboard.rankingsnapshot",
                     after={"format": fmt, "kind": kind, "year": year, "quarter": quarter})
        filename = reports.review_filename(str(review["kind_label"]), year, quarter, fmt)
        if fmt == "xlsx":
            return download(reports.review_xlsx(review, title), filename)
        return download(reports.review_docx(review, title), filename, DOCX)
    snapshots = review["snapshots"]
    # The sums behind a review run over the months it counts (from the first to the last
    # month with a ranking).
    ranked = [m for m, snap in zip(months, snapshots, strict=True) if snap] or months
    for row in review["rows"]:
        row["url"] = counted_url(kind, str(row["key"]), ranked[0], ranked[-1])
        row["monthly"] = [
            (m, score, rank, f"{reverse('dashboard:ranking_detail', args=[snap.pk])}#r-{row['key']}" if snap else "")
            for (m, score, rank), snap in zip(row["monthly"], snapshots, strict=True)
        ]
    return render(request, "dashboard/review.html", {"review": review, "title": title, "kind": kind,
                                                     "kinds": RankingKind.choices, "year": year,
                                                     "quarter": quarter})


@login_required
@require_GET
def quarterly_review(request: AuthenticatedHttpRequest, year: int, quarter: int) -> HttpResponse:
    """季讲评: the quarter's monthly snapshots averaged."""
    if not (1 <= quarter <= 4 and 2000 <= year <= 2100):
        raise Http404
    return _review(request, quarter_months(year, quarter),
                   _("%(year)d年第%(q)d季度讲评") % {"year": year, "q": quarter}, year=year, quarter=quarter)


@login_required
@require_GET
def annual_assessment(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """年考核: the year's monthly snapshots averaged."""
    if not 2000 <= year <= 2100:
        raise Http404
    months = [Month(year, m).first for m in range(1, 13)]
    return _review(request, months, _("%(year)d年度考核") % {"year": year}, year=year)


def _red_yellow_xlsx(request: AuthenticatedHttpRequest, entries: list[RedYellowEntry], board: str) -> HttpResponse:
    audit_record("dashboard.red_yellow_export", actor=request.user, object_type="dashboard.redyellowentry",
                 after={"board": board, "rows": len(entries)})
    headers = [_("榜单"), _("月份"), _("项目编号"), _("项目名称"), _("区划"), _("理由"), _("整改时限"), _("整改方案"),
               _("状态"), _("销号说明"), _("销号时间")]
    rows = (
        [e.get_board_display(), e.month.strftime("%Y-%m"), e.project.code, e.project.name, e.project.region.name,
         e.reason, e.deadline, e.rectification_plan, e.get_status_display(), e.closing_note, e.closed_at]
        for e in entries
    )
    return xlsx_response(_("红黄榜"), headers, rows)


@login_required
@require_http_methods(["GET", "POST"])
def red_yellow_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """红黄榜: the entries on projects the user may see; the add form for those who may."""
    require_page(request, "dashboard.view_dashboard")
    can_manage = rules.has_perm("dashboard.manage_red_yellow", request.user)
    form = RedYellowForm(request.POST or None, user=request.user) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.red_yellow_add(
                    board=data["board"], project=data["project"], month=data["month"], reason=data["reason"],
                    deadline=data["deadline"], rectification_plan=data["rectification_plan"], actor=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已列入榜单。"))
                return redirect("dashboard:red_yellow")
    visible = Project.objects.visible_to(request.user).values("pk")
    entries = (
        RedYellowEntry.objects.filter(project_id__in=visible)
        .select_related("project", "project__region")
        .order_by("-month", "board", "pk")
    )
    per_board = dict(entries.order_by().values_list("board").annotate(n=Count("pk")))
    board_counts = {"all": sum(per_board.values())}
    board = request.GET.get("board", "")
    if board in RedYellowEntry.Board.values:
        entries = entries.filter(board=board)
    if wants_xlsx(request):
        return _red_yellow_xlsx(request, list(entries), board)
    if request.method == "GET" and request.GET.get("format") == "docx":
        audit_record("dashboard.red_yellow_export", actor=request.user, object_type="dashboard.redyellowentry",
                     after={"board": board, "format": "docx"})
        return download(reports.red_yellow_docx(list(entries), board), stamped(_("红黄榜"), "docx"), DOCX)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "dashboard/red_yellow.html",
                  {"page": page, "form": form, "can_manage": can_manage, "board": board,
                   "boards": [(v, label, per_board.get(v, 0)) for v, label in RedYellowEntry.Board.choices],
                   "board_counts": board_counts})


@login_required
@require_POST
def red_yellow_close_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "dashboard.manage_red_yellow")
    visible = Project.objects.visible_to(request.user).values("pk")
    try:
        entry = RedYellowEntry.objects.get(pk=pk, project_id__in=visible)
    except RedYellowEntry.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.red_yellow_close(entry, note=request.POST.get("note", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已销号。"))
    return redirect("dashboard:red_yellow")


@login_required
@require_http_methods(["GET", "POST"])
def funds_won_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """争资: the funds won, entered by the project office; they feed the ranking."""
    require_page(request, "dashboard.view_dashboard")
    can_manage = rules.has_perm("dashboard.manage_rankings", request.user)
    form = FundsWonForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.funds_won_record(
                    region=data["region"], organisation=data["organisation"], month=data["month"],
                    amount=data["amount"], title=data["title"], actor=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已登记。"))
                return redirect("dashboard:funds_won")
    entries = FundsWon.objects.select_related("region", "organisation")
    if wants_xlsx(request):
        return _funds_won_xlsx(request, entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "dashboard/funds_won.html", {"page": page, "form": form})


def _funds_won_xlsx(request: AuthenticatedHttpRequest, entries: Any) -> HttpResponse:
    listed = list(entries)
    audit_record("dashboard.funds_won_export", actor=request.user, object_type="dashboard.fundswon",
                 after={"rows": len(listed)})
    headers = [_("月份"), _("区划"), _("争取单位"), _("资金名称"), _("金额（万元）"), _("登记时间")]
    rows = ([f.month.strftime("%Y-%m"), f.region.name, f.organisation.name if f.organisation else "", f.title,
             f.amount, f.created_at] for f in listed)
    return xlsx_response(_("争资到位"), headers, rows)
