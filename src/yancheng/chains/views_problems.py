"""The 在建重大项目清单 (``chains:projects``), the 重点问题清单 (``chains:problems``) and
提出链级问题 (``chains:problem_raise``). Both lists are read live; each exports .xlsx."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yancheng.cases.models import Light
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError
from yancheng.core.kit.exports import EXPORT_MAX_ROWS, wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error
from yancheng.core.kit.require import require_page
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.lib.deadlines import due_day, due_day_label
from yancheng.projects.shared import stage_label

from .forms_problems import ProblemRaiseForm
from .permissions import runs_chain
from .selectors import LIGHT_LABELS, get_chain_for
from .selectors_problems import (
    ProblemFilters,
    ProjectFilters,
    ProjectRow,
    chain_problems,
    openable_case_ids,
    project_rows,
)
from .services.problems import problem_raise

CASE_LIGHT_LABELS = dict(Light.choices)



def _source_label(source: str) -> str:
    labels = {"enterprise": _("企业"), "project": _("项目"), "chain": _("产业链")}
    return str(labels.get(source, source))


# --- 在建重大项目清单 ------------------------------------------------------------------------------------


def _pct(done: Any, plan: Any) -> float | None:
    return round(float(done) / float(plan) * 100, 1) if done is not None and plan else None


@login_required
@require_GET
def project_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = get_chain_for(request.user, code)
    filters = ProjectFilters.from_params(request.GET)
    rows = project_rows(request.user, chain, filters)
    if wants_xlsx(request):
        return _projects_export(request, chain, rows)
    for row in rows:
        row.completion = _pct(getattr(row.project, "invested_this_year", None),  # type: ignore[attr-defined]
                              getattr(row.project, "plan_this_year", None))
    return render(request, "chains/projects.html", {
        "chain": chain, "rows": rows, "filters": filters, "params": request.GET,
        "lights": [(v, LIGHT_LABELS[v]) for v in ("red", "yellow", "green")],
        "light_labels": LIGHT_LABELS, "year": timezone.localdate().year,
    })


def _projects_export(request: AuthenticatedHttpRequest, chain: Any, rows: list[ProjectRow]) -> HttpResponse:
    audit_record("chains.projects_export", chain, actor=request.user, after={"rows": len(rows)})
    headers = [_("项目编号"), _("项目名称"), _("阶段"), _("开工亮灯"), _("进度亮灯"), _("节点亮灯"), _("联系领导"),
               _("责任单位"), _("年度计划投资（万元）"), _("年度累计完成投资（万元）"), _("形象进度（%）")]

    def row(r: ProjectRow) -> list[Any]:
        p = r.project
        return [
            p.code, p.name, stage_label(p.stage), str(LIGHT_LABELS.get(r.lights.start, "")),
            str(LIGHT_LABELS.get(r.lights.progress.light, "")), str(LIGHT_LABELS.get(r.lights.nodes, "")),
            p.leader.display_name if p.leader else "", p.responsible_org.name if p.responsible_org else "",
            getattr(p, "plan_this_year", None), getattr(p, "invested_this_year", None), r.lights.progress.actual,
        ]

    return xlsx_response(_("在建重大项目清单"), headers, (row(r) for r in rows), name=f"{_('在建重大项目清单')}-{chain.name}")


# --- 重点问题清单 ------------------------------------------------------------------------------------


@login_required
@require_GET
def problem_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = get_chain_for(request.user, code)
    filters = ProblemFilters.from_params(request.GET)
    qs = chain_problems(chain, filters)
    if wants_xlsx(request):
        return _problems_export(request, chain, list(qs[:EXPORT_MAX_ROWS]))
    cases = list(qs[:500])
    openable = openable_case_ids(request.user, cases)
    for case in cases:
        case.openable = case.pk in openable  # type: ignore[attr-defined]
        case.light_label = CASE_LIGHT_LABELS.get(case.light, "")  # type: ignore[attr-defined]
        case.due_label = due_day_label(case.solve_due_at)  # type: ignore[attr-defined]
        case.source_label = _source_label(case.source)  # type: ignore[attr-defined]
    return render(request, "chains/problems.html", {
        "chain": chain, "cases": cases, "filters": filters, "params": request.GET,
        "lights": [(v, label) for v, label in Light.choices if v != Light.NONE],
        "sources": [(s, _source_label(s)) for s in ("enterprise", "project", "chain")],
        "statuses": [("open", _("未办结")), ("closed", _("已办结")), ("all", _("全部"))],
        "can_raise": runs_chain(request.user, chain),
    })


def _problems_export(request: AuthenticatedHttpRequest, chain: Any, cases: list[Any]) -> HttpResponse:
    audit_record("chains.problems_export", chain, actor=request.user, after={"rows": len(cases)})
    headers = [_("事项编号"), _("亮灯"), _("来源"), _("类型"), _("标题"), _("企业"), _("状态"), _("主办单位"),
               _("办结期限"), _("督办层级"), _("提交时间")]

    def row(c: Any) -> list[Any]:
        unit = c.lead_org or c.dispatch_org
        return [
            c.number, str(CASE_LIGHT_LABELS.get(c.light, "")), _source_label(c.source), c.get_kind_display(), c.title,
            c.enterprise.name if c.enterprise else "", c.get_status_display(), unit.name if unit else "",
            due_day(c.solve_due_at), c.get_escalation_level_display(),
            timezone.localtime(c.created_at).replace(tzinfo=None),
        ]

    return xlsx_response(_("重点问题清单"), headers, (row(c) for c in cases), name=f"{_('重点问题清单')}-{chain.name}")


@login_required
@require_http_methods(["GET", "POST"])
def problem_raise_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = get_chain_for(request.user, code, write=True)
    require_page(request, "chains.manage_chain", chain)
    form = ProblemRaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = problem_raise(chain, actor=request.user, title=data["title"], description=data["description"],
                                 urgency=data["urgency"], lead_org=data["lead_org"], solve_days=data["solve_days"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已提出链级问题 %(n)s 并交办。") % {"n": case.number})
            return redirect(reverse("chains:problems", args=[chain.code]) + "?source=chain")
    return render(request, "chains/problem_raise.html", {"chain": chain, "form": form})
