"""The 链长's pages: the overview of their chains (targets against actuals this year, with a
chart and its table, and the red items of the five lists) and the chain's monthly report.

A 链长 sees the chains they lead; a 链办 or a citywide reader every chain they read. Enterprise
staff never read chain pages (403)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yancheng.core.audit.services import audit_record
from yancheng.core.kit.exports import DOCX, XLSX, download
from yancheng.core.kit.require import require_page
from yancheng.core.models import IndustryChain, Role
from yancheng.core.typing import Actor, AuthenticatedHttpRequest
from yancheng.lib.charts import Axis, Series, bar_chart

from .report import build_report, parse_month, report_docx, report_title, report_xlsx
from .selectors import RED, get_chain_for
from .selectors_leader import overview_chains
from .selectors_leads import stale_leads
from .selectors_problems import openable_case_ids, red_problems, red_projects
from .selectors_research import result_list
from .selectors_targets import target_rows

TOP = 5


def _targets_url(chain: IndustryChain, year: int, light: str = "") -> str:
    query: dict[str, str | int] = {"year": year, **({"light": light} if light else {})}
    return reverse("chains:targets", args=[chain.code]) + "?" + urlencode(query)


def chain_overview(user: Actor, chain: IndustryChain) -> dict[str, Any]:
    """One chain's block: this year's targets (completion against the linear plan) and the top
    red items of each list, every one with its link."""
    now = timezone.now()
    today = timezone.localdate(now)
    rows = target_rows(chain, today.year, today=today)
    targets: list[dict[str, Any]] = [
        {"row": r, "url": _targets_url(chain, today.year, r.light if r.light != "none" else "")} for r in rows]
    chart = bar_chart(
        [r.target.label for r in rows], [Axis("%")],
        [Series(_("序时进度"), [r.expected for r in rows]), Series(_("累计完成"), [r.completion for r in rows])],
    ) if rows else None
    problems = list(red_problems(chain, now=now)[:TOP])
    openable = openable_case_ids(user, problems)
    red = {
        "targets": [{"label": r.target.label, "detail": f"{r.completion}% / {r.expected}%",
                     "url": _targets_url(chain, today.year, RED)} for r in rows if r.light == RED][:TOP],
        "projects": [{"label": p.project.name, "detail": p.project.code,
                      "url": reverse("projects:project_detail", args=[p.project.pk])}
                     for p in red_projects(chain)[:TOP]],
        "leads": [{"label": x.investor, "detail": f"{x.project_name} · {x.number}",
                   "url": reverse("chains:lead", args=[chain.code, x.pk])}
                  for x in stale_leads(chain, today=today)[:TOP]],
        "problems": [{"label": c.title, "detail": c.number,
                      "url": reverse("cases:case_detail", args=[c.pk]) if c.pk in openable
                      else reverse("chains:problems", args=[chain.code]) + "?light=red"} for c in problems],
        "research": [{"label": r.title, "detail": r.institution,
                      "url": reverse("chains:research_result", args=[chain.code, r.pk])}
                     for r in result_list(chain, {"overdue": "1"})[:TOP]],
    }
    labels = {"targets": _("红灯目标"), "projects": _("红灯项目"), "leads": _("红灯线索"), "problems": _("红灯问题"),
              "research": _("对接逾期的科研成果")}
    sections = [{"key": key, "label": labels[key], "items": items} for key, items in red.items()]
    return {"chain": chain, "year": today.year, "targets": targets, "chart": chart, "sections": sections}


@login_required
@require_GET
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role == Role.ENTERPRISE:
        raise PermissionDenied
    require_page(request, "chains.view_module")
    blocks = [chain_overview(request.user, chain) for chain in overview_chains(request.user)]
    charts = {f"targets-{b['chain'].code}": b["chart"] for b in blocks if b["chart"]}
    return render(request, "chains/leader/overview.html", {
        "blocks": blocks, "charts": {"charts": charts}})


@login_required
@require_GET
def report(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The chain's monthly report: ``?month=YYYY-MM`` (default last month), ``format=docx`` (a
    公文) or ``format=xlsx``; without a format, the page that offers both."""
    if request.user.role == Role.ENTERPRISE:
        raise PermissionDenied
    chain = get_chain_for(request.user, code)
    year, month = parse_month(request.GET.get("month"))
    fmt = request.GET.get("format", "")
    if fmt in ("docx", "xlsx"):
        built = build_report(request.user, chain, year, month)
        audit_record("chains.report", chain, actor=request.user, after={"month": f"{year}-{month:02d}", "format": fmt})
        name = report_title(built)
        if fmt == "docx":
            return download(report_docx(built), f"{name}.docx", DOCX)
        return download(report_xlsx(built), f"{name}.xlsx", XLSX)
    today = timezone.localdate()
    months = []
    for back in range(0, 13):
        y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
        months.append(f"{y}-{m + 1:02d}")
    key = f"{year}-{month:02d}"
    base = reverse("chains:report", args=[chain.code])
    return render(request, "chains/leader/report.html", {
        "chain": chain, "month": key, "months": months,
        "docx_url": base + "?" + urlencode({"month": key, "format": "docx"}),
        "xlsx_url": base + "?" + urlencode({"month": key, "format": "xlsx"}),
    })
