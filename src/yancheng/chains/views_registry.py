"""The registry family's pages: the module's landing (the chains the user reads, with who runs
each and its counts), a chain's home (who runs it, its development path and the 五单一图谱
blocks), the office's profile edit, the development path's versions, and the member
enterprises. Every list exports to .xlsx (``?format=xlsx``).

A chain page answers 404 to whoever does not read the chain (``get_chain_for``: no existence
leak) and 403 to enterprise staff, who never read chain pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from yancheng.core.audit.services import audit_record
from yancheng.core.kit.exports import wants_xlsx, xlsx_response
from yancheng.core.kit.forms import perform_step
from yancheng.core.kit.require import require_page
from yancheng.core.models import Enterprise, IndustryChain, Role
from yancheng.core.typing import AuthenticatedHttpRequest

from .forms_registry import PathForm, ProfileForm
from .models import ChainPath, Strength
from .permissions import runs_chain
from .selectors import chain_enterprises, get_chain_for, profile_of
from .selectors_registry import (
    chain_strengths,
    current_path,
    enterprise_regions,
    enterprises_filtered,
    landing_rows,
    path_diff,
)
from .services.registry import path_add, profile_update

PAGE_SIZE = 50

# 五单一图谱: one block per list on the chain's home, as (route name, label, permission on the
# chain). A family adds its list with one line here; the block links to the list once the route
# exists (it takes the chain's ``code``), so the page works before the family lands.
LISTS: tuple[tuple[str, Any, str], ...] = (
    ("chains:targets", gettext_lazy("发展目标清单"), "chains.view_chain"),
    ("chains:projects", gettext_lazy("在建重大项目清单"), "chains.view_chain"),
    ("chains:leads", gettext_lazy("招商引资重点项目清单"), "chains.view_chain"),
    ("chains:problems", gettext_lazy("重点问题清单"), "chains.view_chain"),
    ("chains:research", gettext_lazy("可产业化的主要科研成果清单"), "chains.view_chain"),
    ("chains:map", gettext_lazy("产业链图谱"), "chains.view_chain"),
    ("chains:meetings", gettext_lazy("链长会议"), "chains.view_chain"),
)
# Further pages of the chain, linked below the blocks (route, label).
MORE: tuple[tuple[str, Any], ...] = (
    ("chains:report", gettext_lazy("月度工作报告")),
)


def list_blocks(user: Any, chain: IndustryChain) -> list[dict[str, Any]]:
    """The chain's LISTS the user may read, each with its link, its figures and its light
    (``selectors_leader.block_figures``: each figure links to the list under its filter)."""
    from .selectors_leader import block_figures, worst

    readable = [(route, label) for route, label, perm in LISTS if user.has_perm(perm, chain)]
    figures = block_figures(user, chain) if readable else {}
    return [
        {"route": route, "label": label, "url": reverse(route, kwargs={"code": chain.code}),
         "figures": figures.get(route, []), "light": worst(figures.get(route, []))}
        for route, label in readable
    ]


def _chain(request: AuthenticatedHttpRequest, code: str, *, write: bool = False) -> IndustryChain:
    if request.user.role == Role.ENTERPRISE:
        raise PermissionDenied
    return get_chain_for(request.user, code, write=write)


def _export(request: AuthenticatedHttpRequest, title: str, headers: list[str], rows: list[list[Any]],
            *, name: str | None = None) -> HttpResponse:
    audit_record("chains.export", None, actor=request.user, after={"list": title, "rows": len(rows)})
    return xlsx_response(title, headers, rows, name=name)


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


# --- the landing -----------------------------------------------------------------------------------


@login_required
@require_GET
def chains_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The chains the user reads (an enterprise user has their own page, ``chains:mine``)."""
    require_page(request, "chains.view_module")
    rows = landing_rows(request.user)
    if wants_xlsx(request):
        return _export(request, pgettext("list", "产业链"), [
            _("编码"), _("产业链"), _("所属产业板块"), _("链长"), _("链办"), _("企业数"), _("环节数"),
            _("强"), _("弱"), _("缺"), _("在谈招商线索")],
            [[r.chain.code, r.chain.name, r.profile.industry_group if r.profile else "",
              r.profile.leader.display_name if r.profile and r.profile.leader else "",
              r.profile.office.name if r.profile and r.profile.office else "",
              r.enterprises, r.nodes, r.strengths.get(Strength.STRONG, 0), r.strengths.get(Strength.WEAK, 0),
              r.strengths.get(Strength.MISSING, 0), r.open_leads] for r in rows])
    return render(request, "chains/registry/home.html", {"rows": rows})


# --- a chain's home --------------------------------------------------------------------------------


@login_required
@require_GET
def chain_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code)
    profile = profile_of(chain)
    return render(request, "chains/registry/chain.html", {
        "chain": chain, "profile": profile,
        "leader": profile.leader,
        "deputies": profile.deputy_leaders.select_related("organisation").order_by("full_name", "username"),
        "staff": profile.staff.select_related("organisation").order_by("full_name", "username"),
        "backing_orgs": profile.backing_orgs.order_by("path"),
        "masters": profile.masters.order_by("name"),
        "enterprise_count": chain_enterprises(chain).count(),
        "strengths": chain_strengths(chain),
        "path": current_path(chain),
        "blocks": list_blocks(request.user, chain),
        "more": [{"label": label, "url": reverse(route, args=[chain.code])} for route, label in MORE],
        "may_manage": runs_chain(request.user, chain),
    })


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code, write=True)
    profile = profile_of(chain)
    initial = {
        "leader": profile.leader, "deputy_leaders": list(profile.deputy_leaders.all()),
        "staff": list(profile.staff.all()), "backing_orgs": list(profile.backing_orgs.all()),
        "masters": list(profile.masters.all()), "industry_group": profile.industry_group,
        "strong_min_enterprises": profile.strong_min_enterprises,
        "strong_min_above_scale": profile.strong_min_above_scale,
        "strong_min_output": profile.strong_min_output, "version": profile.version,
    }
    form = ProfileForm(request.POST or None, initial=initial, user=request.user)
    back = reverse("chains:chain", args=[chain.code])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def run() -> str:
            profile_update(
                chain, actor=request.user, expected_version=data["version"], leader=data["leader"],
                deputy_leaders=list(data["deputy_leaders"]), staff=list(data["staff"]),
                backing_orgs=list(data["backing_orgs"]), masters=list(data["masters"]),
                industry_group=data["industry_group"], strong_min_enterprises=data["strong_min_enterprises"],
                strong_min_above_scale=data["strong_min_above_scale"], strong_min_output=data["strong_min_output"],
            )
            return _("已保存产业链工作机制。")

        done = perform_step(request, form, run, back=back)
        if done is not None:
            return done
    return render(request, "chains/registry/profile_form.html", {
        "chain": chain, "form": form, "cancel": back, "unit_picker": True})


# --- the development path --------------------------------------------------------------------------


@login_required
@require_GET
def path_versions(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code)
    versions = ChainPath.objects.filter(chain=chain).select_related("author").order_by("-number")
    if wants_xlsx(request):
        return _export(request, _("发展路径版本"), [_("版本号"), _("时间"), _("撰写人"), _("发展路径")],
                       [[v.number, timezone.localtime(v.created_at), v.author.display_name if v.author else _("系统"),
                         v.text] for v in versions], name=f"{chain.name}{_('发展路径版本')}")
    return render(request, "chains/registry/path_versions.html", {
        "chain": chain, "page": Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page")),
        "may_manage": runs_chain(request.user, chain)})


@login_required
@require_GET
def path_version(request: AuthenticatedHttpRequest, code: str, number: int) -> HttpResponse:
    chain = _chain(request, code)
    version = ChainPath.objects.filter(chain=chain, number=number).select_related("author").first()
    if version is None:
        raise Http404
    previous = ChainPath.objects.filter(chain=chain, number__lt=number).order_by("-number").first()
    newest = ChainPath.objects.filter(chain=chain).order_by("-number").values_list("number", flat=True).first()
    return render(request, "chains/registry/path_version.html", {
        "chain": chain, "version": version, "previous": previous, "is_current": newest == version.number,
        "diff": path_diff(previous.text, version.text) if previous is not None else None,
    })


@login_required
@require_http_methods(["GET", "POST"])
def path_add_page(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code, write=True)
    current = current_path(chain)
    form = PathForm(request.POST or None, initial={
        "text": current.text if current else "", "based_on": current.number if current else 0})
    back = reverse("chains:path_versions", args=[chain.code])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def run() -> str:
            created = path_add(chain, actor=request.user, text=data["text"], expected_version=data["based_on"])
            return _("已保存为第 %(n)d 版。") % {"n": created.number}

        done = perform_step(request, form, run, back=back)
        if done is not None:
            return done
    return render(request, "chains/registry/path_form.html", {"chain": chain, "form": form, "cancel": back,
                                                               "current": current})


# --- member enterprises ----------------------------------------------------------------------------


@login_required
@require_GET
def chain_enterprise_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code)
    qs = enterprises_filtered(chain, request.GET)
    if wants_xlsx(request):
        return _export(request, _("产业链企业"), [
            _("企业名称"), _("统一社会信用代码"), _("所在区划"), _("规上（四上）"), _("链主"), _("所在环节")],
            [[e.name, e.uscc, e.region.name, _yes_no(e.is_four_above), _yes_no(e.is_master),  # type: ignore[attr-defined]
              "、".join(p.node.name for p in e.chain_nodes)] for e in qs],  # type: ignore[attr-defined]
            name=f"{chain.name}{_('产业链企业')}")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [e.pk for e in page]
    linked = set(Enterprise.objects.visible_to(request.user).filter(pk__in=shown).values_list("pk", flat=True))
    return render(request, "chains/registry/enterprises.html", {
        "chain": chain, "page": page, "linked": linked, "regions": enterprise_regions(chain),
        "region": request.GET.get("region", ""), "q": request.GET.get("q", ""),
    })
