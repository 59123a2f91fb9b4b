"""The map family's pages (一图谱): the map (an ECharts graph over a JSON island, a list grouped
by 链位 on a phone and on paper), a node's page and its side-panel fragment with the office's
forms, adding nodes and links, and the map's exchange with Excel.

Readers of the chain (``get_chain_for``: 404 for a chain the user may not read) see every page;
the forms and every POST need the chain's own office (``chains.manage_chain``: 403 otherwise),
and the services check again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.kit import imports
from yancheng.core.kit.exports import download, stamped
from yancheng.core.kit.forms import perform_step
from yancheng.core.kit.require import require_page
from yancheng.core.models import Enterprise, IndustryChain, Region, Role
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.lib.xlsx import write_sheets

from . import importers_map
from .forms_map import LinkForm, NodeForm, OverrideForm, PlaceForm, PlacementForm, VersionForm
from .models import MapLink, MapNode, Placement, PlacementRole, Strength
from .permissions import runs_chain
from .selectors import get_chain_for, profile_of
from .selectors_map import by_segment, map_data, node_detail, node_with_strength, region_options
from .services import map as map_services
from .services import registry

MANAGE = "chains.manage_chain"
_IMPORT_SALT = "yancheng.chains-map-import"


def _chain(request: AuthenticatedHttpRequest, code: str, *, write: bool = False) -> IndustryChain:
    """The chain for its pages: an enterprise never opens a chain's pages (403, whichever the
    chain: nothing leaks); anyone else gets 404 for a chain they may not read."""
    if request.user.role == Role.ENTERPRISE:
        raise PermissionDenied
    return get_chain_for(request.user, code, write=write)


def _map_url(chain: IndustryChain) -> str:
    return reverse("chains:map", args=[chain.code])


def _node_url(chain: IndustryChain, node: MapNode, anchor: str = "") -> str:
    return reverse("chains:node", args=[chain.code, node.code]) + (f"#{anchor}" if anchor else "")


def _region(request: AuthenticatedHttpRequest, chain: IndustryChain) -> tuple[Region | None, list[Region]]:
    options = region_options(chain)
    code = request.GET.get("region", "")
    return next((r for r in options if r.code == code), None), options


@login_required
@require_GET
def map_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code)
    which = "target" if request.GET.get("map") == "target" else "current"
    region, regions = _region(request, chain)
    data = map_data(chain, which=which, region=region)
    manages = runs_chain(request.user, chain)
    links = []
    if manages:
        links = list(MapLink.objects.filter(chain=chain, source__is_active=True, target__is_active=True)
                     .select_related("source", "target").order_by("source__segment", "source__sort_order", "pk"))
    return render(request, "chains/map.html", {
        "chain": chain, "data": data, "which": which, "region": region, "regions": regions,
        "groups": by_segment(data["nodes"]), "manages": manages, "links": links,
    })


def _node(chain: IndustryChain, node_code: str) -> MapNode:
    node = node_with_strength(chain, node_code)
    if node is None:
        raise Http404
    return node


def _node_context(request: AuthenticatedHttpRequest, chain: IndustryChain, node: MapNode) -> dict[str, Any]:
    region, _regions = _region(request, chain)
    return {"chain": chain, "node": node, "detail": node_detail(request.user, node, region=region),
            "region": region, "strengths": Strength.choices, "roles": PlacementRole.choices, "rule": profile_of(chain)}


@login_required
@require_GET
def node_panel(request: AuthenticatedHttpRequest, code: str, node_code: str) -> HttpResponse:
    """The node's side panel on the map (an HTML fragment the map's script fetches)."""
    chain = _chain(request, code)
    node = _node(chain, node_code)
    return render(request, "chains/_node_panel.html", _node_context(request, chain, node))


def _enterprises(request: AuthenticatedHttpRequest) -> Any:
    return Enterprise.objects.visible_to(request.user).filter(is_active=True).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def node_page(request: AuthenticatedHttpRequest, code: str, node_code: str) -> HttpResponse:
    """The node's page: what the panel shows, and for the chain's office the forms — edit, place
    an enterprise, edit or remove a placement, override the strength or clear it, retire."""
    chain = _chain(request, code)
    node = _node(chain, node_code)
    manages = runs_chain(request.user, chain)
    forms: dict[str, Any] = {}
    if manages:
        forms = {
            "edit": NodeForm(initial=_node_initial(node), editing=True, prefix="edit"),
            "place": PlaceForm(enterprises=_enterprises(request), prefix="place"),
            "override": OverrideForm(initial={"strength": node.strength_override or node.rule_strength,  # type: ignore[attr-defined]
                                              "reason": node.override_reason, "version": node.version},
                                     prefix="override"),
        }
    if request.method == "POST":
        require_page(request, MANAGE, chain)
        step = request.POST.get("step", "")
        handler = STEPS.get(step)
        if handler is None:
            raise Http404
        done = handler(request, chain, node, forms)
        if done is not None:
            return done
    context = _node_context(request, chain, node) | {"manages": manages, "forms": forms,
                                                      "unit_picker": manages}
    status = 422 if request.method == "POST" else 200
    return render(request, "chains/node.html", context, status=status)


def _node_initial(node: MapNode) -> dict[str, Any]:
    return {"name": node.name, "segment": node.segment, "description": node.description, "keywords": node.keywords,
            "in_current": node.in_current, "in_target": node.in_target, "sort_order": node.sort_order,
            "version": node.version}


def _version(form: Any) -> int | None:
    value = form.cleaned_data.get("version")
    return int(value) if value is not None else None


def _step_edit(request: AuthenticatedHttpRequest, chain: IndustryChain, node: MapNode,
               forms: dict[str, Any]) -> HttpResponse | None:
    form = forms["edit"] = NodeForm(request.POST, editing=True, prefix="edit")
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    version = data.pop("version", None)

    def run() -> str:
        map_services.node_update(node, actor=request.user, expected_version=version, **data)
        return _("环节已保存。")

    return perform_step(request, form, run, back=_node_url(chain, node))


def _step_place(request: AuthenticatedHttpRequest, chain: IndustryChain, node: MapNode,
                forms: dict[str, Any]) -> HttpResponse | None:
    form = forms["place"] = PlaceForm(request.POST, enterprises=_enterprises(request), prefix="place")
    if not form.is_valid():
        return None

    def run() -> str:
        data = form.cleaned_data
        registry.placement_add(node, data["enterprise"], actor=request.user, role=data["role"],
                               products=data["products"], annual_output=data["annual_output"])
        return _("已将“%(e)s”落位到本环节。") % {"e": data["enterprise"]}

    return perform_step(request, form, run, back=_node_url(chain, node, "enterprises"))


def _placement(node: MapNode, form: Any) -> Placement:
    placement = Placement.objects.filter(node=node, pk=form.cleaned_data.get("placement") or 0).select_related(
        "node__chain", "enterprise").first()
    if placement is None:
        raise Http404
    return placement


def _step_placement(request: AuthenticatedHttpRequest, chain: IndustryChain, node: MapNode,
                    forms: dict[str, Any]) -> HttpResponse | None:
    form = PlacementForm(request.POST)
    back = _node_url(chain, node, "enterprises")
    if not form.is_valid():
        from django.contrib import messages

        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(back)
    placement = _placement(node, form)

    def run() -> str:
        data = form.cleaned_data
        map_services.placement_update(placement, actor=request.user, expected_version=_version(form),
                                      role=data["role"], products=data["products"],
                                      annual_output=data["annual_output"])
        return _("已保存“%(e)s”的落位信息。") % {"e": placement.enterprise}

    return perform_step(request, form, run, back=back, unplaced_as_message=True) or HttpResponseRedirect(back)


def _simple(run_service: Callable[[AuthenticatedHttpRequest, MapNode, Any], str], anchor: str = "") -> Any:
    def step(request: AuthenticatedHttpRequest, chain: IndustryChain, node: MapNode,
             forms: dict[str, Any]) -> HttpResponse | None:
        form = VersionForm(request.POST)
        back = _node_url(chain, node, anchor)
        if not form.is_valid():
            return HttpResponseRedirect(back)
        return perform_step(request, form, lambda: run_service(request, node, form), back=back,
                            unplaced_as_message=True) or HttpResponseRedirect(back)

    return step


def _remove(request: AuthenticatedHttpRequest, node: MapNode, form: Any) -> str:
    placement = _placement(node, form)
    map_services.placement_remove(placement, actor=request.user, expected_version=_version(form))
    return _("已将“%(e)s”移出本环节。") % {"e": placement.enterprise}


def _clear(request: AuthenticatedHttpRequest, node: MapNode, form: Any) -> str:
    map_services.strength_override_clear(node, actor=request.user, expected_version=_version(form))
    return _("已取消人工认定，强弱按规则判定。")


def _retire(request: AuthenticatedHttpRequest, node: MapNode, form: Any) -> str:
    map_services.node_retire(node, actor=request.user, expected_version=_version(form))
    return _("环节已停用，不再显示在图谱上。")


def _restore(request: AuthenticatedHttpRequest, node: MapNode, form: Any) -> str:
    map_services.node_restore(node, actor=request.user, expected_version=_version(form))
    return _("环节已恢复。")


def _step_override(request: AuthenticatedHttpRequest, chain: IndustryChain, node: MapNode,
                   forms: dict[str, Any]) -> HttpResponse | None:
    form = forms["override"] = OverrideForm(request.POST, prefix="override")
    if not form.is_valid():
        return None

    def run() -> str:
        map_services.strength_override_set(node, actor=request.user, expected_version=_version(form),
                                           strength=form.cleaned_data["strength"], reason=form.cleaned_data["reason"])
        return _("已人工认定环节强弱。")

    return perform_step(request, form, run, back=_node_url(chain, node, "strength"))


STEPS: dict[str, Callable[..., HttpResponse | None]] = {
    "edit": _step_edit,
    "place": _step_place,
    "placement": _step_placement,
    "remove": _simple(_remove, "enterprises"),
    "override": _step_override,
    "clear": _simple(_clear, "strength"),
    "retire": _simple(_retire),
    "restore": _simple(_restore),
}


def _form_page(request: AuthenticatedHttpRequest, chain: IndustryChain, form: Any, run: Callable[[], str], *,
               title: str, back: str) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        done = perform_step(request, form, run, back=back)
        if done is not None:
            return done
    return render(request, "chains/map_form.html", {"chain": chain, "form": form, "title": title, "cancel": back})


@login_required
@require_http_methods(["GET", "POST"])
def node_add_page(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code, write=True)
    form = NodeForm(request.POST or None, initial={"in_current": request.GET.get("map") != "target"})
    created: list[MapNode] = []

    def run() -> str:
        data = dict(form.cleaned_data)
        data.pop("version", None)
        created.append(registry.node_add(chain, actor=request.user, **data))
        return _("已新增环节“%(n)s”。") % {"n": created[0].name}

    response = _form_page(request, chain, form, run, title=_("新增环节"), back=_map_url(chain))
    return HttpResponseRedirect(_node_url(chain, created[0])) if created else response


def _active_nodes(chain: IndustryChain) -> Any:
    return MapNode.objects.filter(chain=chain, is_active=True).order_by("segment", "sort_order", "code")


@login_required
@require_http_methods(["GET", "POST"])
def link_add_page(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code, write=True)
    form = LinkForm(request.POST or None, nodes=_active_nodes(chain))

    def run() -> str:
        data = form.cleaned_data
        registry.link_add(data["source"], data["target"], actor=request.user, in_current=data["in_current"],
                          in_target=data["in_target"])
        return _("已连接“%(a)s”→“%(b)s”。") % {"a": data["source"], "b": data["target"]}

    return _form_page(request, chain, form, run, title=_("新增环节关系"), back=_map_url(chain) + "#links")


@login_required
@require_POST
def link_remove_page(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    chain = _chain(request, code, write=True)
    link = MapLink.objects.filter(chain=chain, pk=pk).select_related("source__chain", "target").first()
    if link is None:
        raise Http404
    back = _map_url(chain) + "#links"

    def run() -> str:
        map_services.link_remove(link, actor=request.user)
        return _("已删除环节关系。")

    return perform_step(request, VersionForm(), run, back=back, unplaced_as_message=True) or HttpResponseRedirect(back)


# --- exchange --------------------------------------------------------------------------------------


@login_required
@require_GET
def map_export(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The map as .xlsx: 环节, 环节关系, 企业落位 (numbers as numbers); also the import's template."""
    chain = _chain(request, code)
    data = write_sheets(importers_map.map_sheets(chain))
    audit_record("chain.map_export", None, actor=request.user, object_type="core.industrychain",
                 object_id=str(chain.pk), object_repr=chain.name[:64])
    return download(data, stamped(_("%(chain)s产业链图谱") % {"chain": chain.name}))


@login_required
@require_http_methods(["GET", "POST"])
def map_import(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Upload → dry run with every row's errors (sheet and row) → confirm: all or nothing."""
    _chain(request, code, write=True)
    return imports.upload_page(request, run=importers_map.map_import, template="chains/map_import.html",
                               salt=_IMPORT_SALT, permission=MANAGE)


@login_required
@require_POST
def map_import_confirm(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code, write=True)
    url = reverse("chains:map_import", args=[chain.code])
    return imports.confirm(
        request, run=importers_map.map_import, template="chains/map_import.html", salt=_IMPORT_SALT,
        upload_url=url, done_url=_map_url(chain), permission=MANAGE,
        done_message=lambda n: _("已导入 %(n)d 行。") % {"n": n},
    )

