"""The 招商引资重点项目清单 pages: a chain's leads (stage and light chips whose counts are the
list's totals, filters, .xlsx), a lead's page (history, the project it became, the steps the
user may take), registration, conversion into a project, the gaps of the target map with the
leads that fill them, the .xlsx import, and "my unit's leads" across chains."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError, PermissionDeniedError
from yancheng.core.kit import imports
from yancheng.core.kit.exports import EXPORT_MAX_ROWS, wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error, perform_step
from yancheng.core.kit.require import require_page
from yancheng.core.models import IndustryChain, Organisation, Role
from yancheng.core.typing import AuthenticatedHttpRequest, organisation_of
from yancheng.projects.shared import project_briefs

from . import forms_leads as f
from . import leads_workflow as flow
from .importers_leads import LEAD_COLUMNS, OPTIONAL_COLUMNS, leads_import
from .models import FillKind, Lead, LeadEvent, LeadStage, MapNode
from .selectors import GREEN, LIGHT_LABELS, RED, YELLOW, get_chain_for
from .selectors_leads import counts_by, lead_filters, lead_list
from .selectors_map import gap_nodes
from .services import leads as services
from .services.leads import offered_steps

PAGE_SIZE = 30
LIT = (RED, YELLOW, GREEN)
IMPORT_SALT = "chains.leads.import"


def _query(params: Any, drop: str) -> str:
    return urlencode({k: v for k, v in params.items() if k not in {drop, "page", "format"} and v})


def _chips(request: AuthenticatedHttpRequest, base: QuerySet[Lead]) -> dict[str, Any]:
    """Stage and light chips: each count is the total of the list the chip opens."""
    params = request.GET
    by_stage = counts_by(lead_filters(base, {k: v for k, v in params.items() if k != "stage"}), "stage")
    by_light = counts_by(lead_filters(base, {k: v for k, v in params.items() if k != "light"}), "light")

    def url(key: str, value: str) -> str:
        rest = _query(params, key)
        return "?" + "&".join(p for p in (rest, urlencode({key: value}) if value else "") if p)

    return {
        "stage_chips": [{"value": v, "label": label, "count": by_stage.get(v, 0), "url": url("stage", v),
                         "current": params.get("stage") == v} for v, label in LeadStage.choices],
        "stage_all": {"count": sum(by_stage.values()), "url": url("stage", ""), "current": not params.get("stage")},
        "light_chips": [{"value": v, "label": LIGHT_LABELS[v], "count": by_light.get(v, 0), "url": url("light", v),
                         "current": params.get("light") == v} for v in LIT],
        "light_all": {"count": sum(by_light.values()), "url": url("light", ""), "current": not params.get("light")},
    }


def _rows(qs: QuerySet[Lead]) -> list[Lead]:
    leads = list(qs)
    briefs = project_briefs([x.project_id for x in leads if x.project_id])
    for x in leads:
        x.light_label = LIGHT_LABELS.get(getattr(x, "light", ""), "")  # type: ignore[attr-defined]
        x.brief = briefs.get(x.project_id) if x.project_id else None  # type: ignore[attr-defined]
    return leads


def _export(request: AuthenticatedHttpRequest, qs: QuerySet[Lead], title: str) -> HttpResponse:
    listed = list(qs[:EXPORT_MAX_ROWS])
    audit_record("chain.lead_export", actor=request.user, object_type="chains.lead", after={
        "rows": len(listed), "filters": {k: v for k, v in request.GET.items() if k != "format"}})
    headers = [str(c) for c in LEAD_COLUMNS + OPTIONAL_COLUMNS] + [_("亮灯"), _("最近跟进"), _("签约日期"), _("落地日期"),
                                                                   _("转化项目")]

    def row(x: Lead) -> list[Any]:
        return [
            x.number, x.chain.code, x.investor, x.project_name, x.owner_org.name, x.get_stage_display(),
            x.get_investor_kind_display(), x.investor_origin,
            float(x.planned_investment) if x.planned_investment is not None else None,
            x.node.code if x.node else "", x.get_fill_kind_display() if x.fill_kind else "",
            x.region.name if x.region else "", x.owner.username if x.owner else "", x.next_step, x.next_step_on,
            x.note, str(LIGHT_LABELS.get(getattr(x, "light", ""), "")), x.last_activity_on, x.signed_on,
            x.landed_on, x.project.code if x.project else "",
        ]

    return xlsx_response(title, headers, (row(x) for x in listed), at=timezone.now())


def _list_page(request: AuthenticatedHttpRequest, base: QuerySet[Lead], *, chain: IndustryChain | None,
               title: str) -> HttpResponse:
    qs = lead_filters(base, request.GET)
    if wants_xlsx(request):
        return _export(request, qs, title)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _rows(page.object_list)  # type: ignore[arg-type]
    return render(request, "chains/leads/list.html", {
        "chain": chain, "title": title, "page": page, "params": request.GET, "query": _query(request.GET, "page"),
        "fill_kinds": FillKind.choices,
        "nodes": MapNode.objects.filter(chain=chain, is_active=True) if chain is not None else [],
        "orgs": Organisation.objects.filter(pk__in=base.values("owner_org")).order_by("code"),
        "can_manage": chain is not None and rules.has_perm("chains.manage_chain", request.user, chain),
        **_chips(request, base),
    })


@login_required
@require_GET
def leads_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """招商引资重点项目清单 of the chain; ``?format=xlsx`` exports the same rows."""
    chain = get_chain_for(request.user, code)
    return _list_page(request, lead_list(request.user, chain), chain=chain,
                      title=_("%(c)s招商引资重点项目清单") % {"c": chain.name})


@login_required
@require_GET
def my_leads_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The leads the user's unit owns, on every chain: the unit keeps them up to date."""
    require_page(request, "chains.view_module")
    if request.user.role == Role.ENTERPRISE:
        raise PermissionDenied
    base = lead_list(request.user).filter(owner_org_id=organisation_of(request.user).pk)
    return _list_page(request, base, chain=None, title=_("本单位招商线索"))


def _lead_of(request: AuthenticatedHttpRequest, code: str, pk: int) -> Lead:
    chain = get_chain_for(request.user, code)
    lead = lead_list(request.user, chain).filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


STEPS: dict[str, tuple[type[f.StepForm], Any, str]] = {
    "follow_up": (f.FollowUpForm, lambda x, u, d, v: services.lead_follow_up(
        x, actor=u, text=d["text"], next_step=d.get("next_step") or "", next_step_on=d.get("next_step_on"),
        expected_version=v), "chains.update_lead"),
    "advance": (f.AdvanceForm, lambda x, u, d, v: services.lead_advance(
        x, actor=u, note=d.get("note") or "", expected_version=v), "chains.update_lead"),
    "drop": (f.ReasonForm, lambda x, u, d, v: services.lead_drop(
        x, actor=u, reason=d["reason"], expected_version=v), "chains.manage_chain"),
    "reopen": (f.ReopenForm, lambda x, u, d, v: services.lead_reopen(
        x, actor=u, to=d["to"], note=d.get("note") or "", expected_version=v), "chains.manage_chain"),
    "correct": (f.CorrectForm, lambda x, u, d, v: services.lead_correct(
        x, actor=u, note=d["note"], expected_version=v), "chains.manage_chain"),
}



def _step_labels() -> dict[str, tuple[str, str]]:
    return {
        "follow_up": (_("记录跟进"), _("已记录跟进。")),
        "advance": (_("推进到下一阶段"), _("已推进。")),
        "drop": (_("终止"), _("线索已终止。")),
        "reopen": (_("重新激活"), _("线索已重新激活。")),
        "correct": (_("更正为上一阶段"), _("已更正阶段。")),
    }


def _detail(request: AuthenticatedHttpRequest, lead: Lead, forms: dict[str, Any] | None = None,
            status: int = 200) -> HttpResponse:
    forms = forms or {}
    labels = _step_labels()
    steps = [{"name": name, "heading": labels[name][0], "open": name in forms,
              "form": forms.get(name) or STEPS[name][0](initial={"version": lead.version})}
             for name in offered_steps(request.user, lead)]
    target = flow.next_stage(lead.stage)
    brief = project_briefs([lead.project_id]).get(lead.project_id) if lead.project_id else None
    return render(request, "chains/leads/detail.html", {
        "chain": lead.chain, "lead": lead, "light_label": LIGHT_LABELS.get(getattr(lead, "light", ""), ""),
        "events": lead.events.select_related("actor").order_by("at", "pk"), "steps": steps,
        "next_label": LeadStage(target).label if target else "", "brief": brief,
        "can_convert": (lead.stage == LeadStage.SIGNED and lead.project_id is None
                        and rules.has_perm("chains.manage_chain", request.user, lead.chain)),
        "event_kinds": dict(LeadEvent.Kind.choices), "stages": dict(LeadStage.choices),
    }, status=status)


@login_required
@require_GET
def lead_view(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    return _detail(request, _lead_of(request, code, pk))


@login_required
@require_POST
def lead_act(request: AuthenticatedHttpRequest, code: str, pk: int, action: str) -> HttpResponseBase:
    """One step from the lead's page: 跟进, 推进, 终止, 重新激活, 更正."""
    lead = _lead_of(request, code, pk)
    if action not in STEPS:
        raise Http404
    form_class, call, perm = STEPS[action]
    require_page(request, perm, lead if perm == "chains.update_lead" else lead.chain)
    back = reverse("chains:lead", args=[code, pk])
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = _step_labels()[action][1]
        answered = perform_step(request, form, lambda: (call(lead, request.user, data, data.get("version")), done)[1],
                                back=back)
        if answered is not None:
            return answered
    return _detail(request, _lead_of(request, code, pk), {action: form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def lead_add(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """新建招商线索; from the gap list ``?node=<code>&fill_kind=<kind>`` prefills the gap."""
    chain = get_chain_for(request.user, code, write=True)
    if request.method == "POST":
        form = f.LeadForm(request.POST, chain=chain)
        if form.is_valid():
            d = form.cleaned_data
            try:
                lead = services.lead_create(
                    chain, actor=request.user, investor=d["investor"], investor_kind=d["investor_kind"],
                    investor_origin=d.get("investor_origin") or "", project_name=d["project_name"],
                    planned_investment=d.get("planned_investment"), node=d.get("node"),
                    fill_kind=d.get("fill_kind") or "", region=d.get("region"), owner_org=d["owner_org"],
                    next_step=d.get("next_step") or "", next_step_on=d.get("next_step_on"), note=d.get("note") or "",
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied from exc
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("chains:lead", chain.code, lead.pk)
    else:
        initial: dict[str, Any] = {}
        node = MapNode.objects.filter(chain=chain, code=request.GET.get("node", "")[:32], is_active=True).first()
        if node is not None:
            initial["node"] = node.pk
        if request.GET.get("fill_kind") in FillKind.values:
            initial["fill_kind"] = request.GET["fill_kind"]
        form = f.LeadForm(initial=initial, chain=chain)
    return render(request, "chains/leads/form.html", {"chain": chain, "form": form, "title": _("新建招商线索")},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def lead_convert_view(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponseBase:
    """转为项目: file the signed lead's project in the project registry (the chain's office)."""
    lead = _lead_of(request, code, pk)
    require_page(request, "chains.manage_chain", lead.chain)
    back = reverse("chains:lead", args=[code, pk])
    if request.method == "POST":
        form = f.ConvertForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            answered = perform_step(request, form, lambda: _("已转为项目 %(c)s。") % {"c": services.lead_convert(
                lead, actor=request.user, name=d["name"], region=d["region"], enterprise=d.get("enterprise"),
                total_investment=d["total_investment"], responsible_org=d["responsible_org"],
                expected_version=d.get("version")).code}, back=back)
            if answered is not None:
                return answered
    else:
        form = f.ConvertForm(user=request.user, initial={
            "version": lead.version, "name": lead.project_name, "region": lead.region_id,
            "total_investment": lead.planned_investment, "responsible_org": lead.owner_org_id})
    return render(request, "chains/leads/form.html", {
        "chain": lead.chain, "lead": lead, "form": form, "title": _("转为项目"),
        "intro": _("将在重大项目库中登记一个“签约”阶段的项目，线索保留全部记录并关联该项目。")},
        status=400 if form.errors else 200)


@login_required
@require_GET
def gaps_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The gaps of the target map (缺 and 弱 nodes) with the leads that would fill each."""
    chain = get_chain_for(request.user, code)
    leads = lead_list(request.user, chain).select_related(None).select_related("owner_org")
    nodes = list(gap_nodes(MapNode.objects.filter(chain=chain)).prefetch_related(
        Prefetch("leads", queryset=leads, to_attr="gap_leads")).order_by("segment", "sort_order", "code"))
    for node in nodes:
        node.suggested = services.default_fill_kind(node)  # type: ignore[attr-defined]
        for x in node.gap_leads:
            x.light_label = LIGHT_LABELS.get(getattr(x, "light", ""), "")  # type: ignore[attr-defined]
    return render(request, "chains/leads/gaps.html", {
        "chain": chain, "nodes": nodes, "fill_kinds": FillKind.choices,
        "can_manage": rules.has_perm("chains.manage_chain", request.user, chain),
    })


# --- import ---------------------------------------------------------------------------------------


def _import_chain(request: AuthenticatedHttpRequest, code: str) -> IndustryChain:
    return get_chain_for(request.user, code, write=True)


@login_required
@require_GET
def leads_import_template(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _import_chain(request, code)
    columns = [(str(name), "", name in LEAD_COLUMNS[1:]) for name in LEAD_COLUMNS + OPTIONAL_COLUMNS]
    return imports.template_response(title=_("招商线索导入模板"), columns=columns, filename="chain-leads-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def leads_import_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Upload → dry run with each row's errors → confirm the same file (all rows or none)."""
    _import_chain(request, code)
    return imports.upload_page(request, run=leads_import, template="chains/leads/import.html", salt=IMPORT_SALT)


@login_required
@require_POST
def leads_import_confirm(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _import_chain(request, code)
    return imports.confirm(
        request, run=leads_import, template="chains/leads/import.html", salt=IMPORT_SALT,
        upload_url=reverse("chains:leads_import", args=[chain.code]), done_url=reverse("chains:leads", args=[chain.code]),
        done_message=lambda n: _("已导入 %(n)d 条招商线索。") % {"n": n},
    )
