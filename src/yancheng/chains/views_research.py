"""The research pages (科研成果清单): a chain's list (filters, match counts, .xlsx), a result's
page with its matches and the office's steps, the add and edit forms, the .xlsx import, and
``mine`` — the enterprise user's own page: where their enterprise sits on the chain maps and
the research results matched to it."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError, PermissionDeniedError
from yancheng.core.kit import imports
from yancheng.core.kit.exports import EXPORT_MAX_ROWS, wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error, perform_step
from yancheng.core.kit.require import require_page
from yancheng.core.models import IndustryChain
from yancheng.core.typing import AuthenticatedHttpRequest

from . import importers_research
from .forms_research import (
    CloseForm,
    DismissForm,
    DockingForm,
    MatchAddForm,
    ResultForm,
    RetireForm,
    StepForm,
    chain_nodes,
)
from .models import IpKind, MatchStatus, ResearchMatch, ResearchResult
from .permissions import runs_chain
from .selectors import get_chain_for
from .selectors_research import (
    RESULT_FILTERS,
    institutions,
    matches_of,
    mine_matches,
    mine_placements,
    office_overdue,
    result_list,
    trl_label,
)
from .services.research import (
    match_add,
    match_close,
    match_dismiss,
    match_start_docking,
    match_suggest,
    result_add,
    result_retire,
    result_update,
)

PAGE_SIZE = 30


def _chain_for(request: AuthenticatedHttpRequest, code: str, *, write: bool = False) -> IndustryChain:
    """The chain of the page: 403 for whoever reads no chain at all, 404 for a chain the user
    does not read, 403 for a step on a chain they read but do not run."""
    require_page(request, "chains.view_module")
    return get_chain_for(request.user, code, write=write)
_IMPORT_SALT = "yancheng.chains-research-import"


def _node_codes(result: ResearchResult) -> str:
    return "、".join(n.code for n in result.nodes.all())


@login_required
@require_GET
def research_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The chain's 科研成果清单, filtered; ``?format=xlsx`` exports the same rows."""
    chain = _chain_for(request, code)
    qs = result_list(chain, request.GET)
    if wants_xlsx(request):
        return _export(request, chain, qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[Any] = list(page.object_list)
    for r in rows:
        r.trl = trl_label(r.maturity)
    return render(request, "chains/research/list.html", {
        "chain": chain, "page": page, "params": request.GET,
        "institutions": institutions(chain), "nodes": chain_nodes(chain), "ip_kinds": IpKind.choices,
        "levels": [(n, trl_label(n)) for n in range(1, 10)],
        "can_manage": runs_chain(request.user, chain),
        "overdue": office_overdue(request.user, chain).count() if runs_chain(request.user, chain) else 0,
    })


def _export(request: AuthenticatedHttpRequest, chain: IndustryChain, qs: Any) -> HttpResponse:
    listed = list(qs[:EXPORT_MAX_ROWS])
    audit_record("chain.research_export", actor=request.user, object_type="chains.researchresult", after={
        "chain": chain.code, "rows": len(listed),
        "filters": {k: v for k, v in request.GET.items() if k in RESULT_FILTERS}})
    headers = [str(name) for name, _required, _hint in importers_research.COLUMNS] + [
        _("匹配企业数"), _("对接中"), _("达成合作")]

    def row(r: ResearchResult) -> list[Any]:
        return [chain.code, r.title, r.institution, r.maturity, r.team, r.keywords, _node_codes(r),
                r.get_ip_kind_display(), r.ip_number, r.transfer_mode, r.summary,
                r.match_count, r.docking_count, r.succeeded_count]  # type: ignore[attr-defined]

    return xlsx_response(_("科研成果清单"), headers, (row(r) for r in listed),
                         name=f"{chain.name}-{_('科研成果清单')}")


def _visible_result(chain: IndustryChain, pk: int) -> ResearchResult:
    result = ResearchResult.objects.filter(chain=chain, pk=pk).prefetch_related("nodes").first()
    if result is None:
        raise Http404
    return result


def _detail(request: AuthenticatedHttpRequest, chain: IndustryChain, result: ResearchResult,
            forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    forms = forms or {}
    manage = runs_chain(request.user, chain)
    matches: list[Any] = list(matches_of(result))
    today = timezone.localdate()
    for m in matches:
        m.overdue = m.status == MatchStatus.DOCKING and m.due_on is not None and m.due_on < today
        m.may_close = m.status == MatchStatus.DOCKING and rules.has_perm("chains.close_match", request.user, m)
        m.forms = {}
        if manage and m.status == MatchStatus.SUGGESTED:
            m.forms["dock"] = forms.get(f"dock-{m.pk}") or DockingForm(initial={"version": m.version},
                                                                        prefix=f"m{m.pk}")
        if m.may_close:
            m.forms["close"] = forms.get(f"close-{m.pk}") or CloseForm(initial={"version": m.version},
                                                                       prefix=f"m{m.pk}")
        if manage and m.status in (MatchStatus.SUGGESTED, MatchStatus.DOCKING):
            m.forms["dismiss"] = forms.get(f"dismiss-{m.pk}") or DismissForm(initial={"version": m.version},
                                                                             prefix=f"m{m.pk}")
    return render(request, "chains/research/detail.html", {
        "chain": chain, "result": result, "trl": trl_label(result.maturity), "matches": matches,
        "can_manage": manage and result.is_active,
        "add_form": forms.get("add") or (MatchAddForm(chain=chain) if manage and result.is_active else None),
        "retire_form": forms.get("retire") or RetireForm(initial={"version": result.version}),
    }, status=status)


@login_required
@require_GET
def research_result(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    """A result and its matches; ``?format=xlsx`` exports the matches."""
    chain = _chain_for(request, code)
    result = _visible_result(chain, pk)
    if wants_xlsx(request):
        listed = list(matches_of(result))
        audit_record("chain.research_matches_export", result, actor=request.user, after={"rows": len(listed)})
        return _matches_xlsx(listed, name=f"{result.title[:40]}-{_('匹配企业')}")
    return _detail(request, chain, result)


def _matches_xlsx(matches: list[ResearchMatch], *, name: str) -> HttpResponse:
    headers = [_("科研成果"), _("完成单位"), _("企业"), _("匹配度"), _("匹配依据"), _("状态"), _("对接责任单位"),
               _("对接期限"), _("对接结果")]
    rows = ([m.result.title, m.result.institution, m.enterprise.name, m.score, m.reason, m.get_status_display(),
             m.owner_org.name if m.owner_org else "", m.due_on, m.outcome] for m in matches)
    return xlsx_response(_("匹配企业"), headers, rows, name=name)


def _result_form_page(request: AuthenticatedHttpRequest, chain: IndustryChain,
                      result: ResearchResult | None) -> HttpResponse:
    if request.method == "POST":
        form = ResultForm(request.POST, chain=chain)
        if form.is_valid():
            d = dict(form.cleaned_data)
            version = d.pop("version", None)
            try:
                if result is None:
                    saved = result_add(chain, actor=request.user, **d)
                else:
                    saved = result_update(result, actor=request.user, expected_version=version, **d)
            except PermissionDeniedError as exc:
                raise PermissionDenied from exc
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("chains:research_result", chain.code, saved.pk)
    elif result is None:
        form = ResultForm(chain=chain, initial={"maturity": 4, "ip_kind": IpKind.NONE})
    else:
        form = ResultForm(chain=chain, initial={
            **{name: getattr(result, name) for name in ("title", "institution", "team", "summary", "keywords",
                                                          "maturity", "ip_kind", "ip_number", "transfer_mode")},
            "nodes": list(result.nodes.all()), "version": result.version})
    title = _("登记科研成果") if result is None else _("修改科研成果")
    cancel = reverse("chains:research", args=[chain.code]) if result is None else reverse(
        "chains:research_result", args=[chain.code, result.pk])
    return render(request, "chains/research/form.html", {"chain": chain, "form": form, "title": title,
                                                         "cancel": cancel}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def research_add(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain_for(request, code, write=True)
    return _result_form_page(request, chain, None)


@login_required
@require_http_methods(["GET", "POST"])
def research_edit(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    chain = _chain_for(request, code, write=True)
    result = _visible_result(chain, pk)
    if not result.is_active:
        raise Http404
    return _result_form_page(request, chain, result)


@login_required
@require_POST
def research_act(request: AuthenticatedHttpRequest, code: str, pk: int, action: str) -> HttpResponseBase:
    """The office's steps on a result: ``suggest`` (match enterprises), ``add`` (a match by
    hand), ``retire`` (off the list)."""
    chain = _chain_for(request, code, write=True)
    result = _visible_result(chain, pk)
    back = reverse("chains:research_result", args=[chain.code, result.pk])
    if action == "suggest":
        answered = perform_step(request, StepForm(), lambda: _suggested(result, request), back=back,
                                unplaced_as_message=True)
        return answered or redirect(back)
    if action == "add":
        add = MatchAddForm(request.POST, chain=chain)
        if add.is_valid():
            d = add.cleaned_data
            answered = perform_step(request, add, lambda: (
                match_add(result, d["enterprise"], actor=request.user, reason=d["reason"]), _("已添加匹配。"))[1],
                back=back)
            if answered is not None:
                return answered
        return _detail(request, chain, result, {"add": add}, status=400)
    if action == "retire":
        retire = RetireForm(request.POST)
        if retire.is_valid():
            d = retire.cleaned_data
            answered = perform_step(request, retire, lambda: (result_retire(
                result, actor=request.user, expected_version=d["version"], reason=d["reason"]),
                _("已移出清单。"))[1], back=back)
            if answered is not None:
                return answered
        return _detail(request, chain, result, {"retire": retire}, status=400)
    raise Http404


def _suggested(result: ResearchResult, request: AuthenticatedHttpRequest) -> str:
    done = match_suggest(result, actor=request.user)
    return _("匹配完成：新增 %(c)d 家，更新 %(u)d 家，%(k)d 家已在对接或已有结论，保持不变。") % {
        "c": len(done.created), "u": len(done.updated), "k": done.kept}


MATCH_STEPS = {"dock": DockingForm, "close": CloseForm, "dismiss": DismissForm}


@login_required
@require_POST
def research_match_act(request: AuthenticatedHttpRequest, code: str, pk: int, match_id: int,
                       action: str) -> HttpResponseBase:
    """A match's steps from the result's page: ``dock`` (start the 对接 task), ``close``
    (its outcome: the office or the owner unit's staff), ``dismiss`` (不匹配)."""
    chain = _chain_for(request, code)
    result = _visible_result(chain, pk)
    match = ResearchMatch.objects.filter(result=result, pk=match_id).select_related(
        "result__chain", "enterprise").first()
    if match is None or action not in MATCH_STEPS:
        raise Http404
    if action == "close":
        require_page(request, "chains.close_match", match)
    elif not runs_chain(request.user, chain):
        raise PermissionDenied
    form = MATCH_STEPS[action](request.POST, prefix=f"m{match.pk}")
    back = reverse("chains:research_result", args=[chain.code, result.pk])
    if form.is_valid():
        d = form.cleaned_data
        version = d.get("version")

        def run() -> str:
            if action == "dock":
                match_start_docking(match, actor=request.user, owner_org=d["owner_org"], due_on=d["due_on"],
                                    note=d["note"], expected_version=version)
                return _("已发起对接，已通知责任单位和企业。")
            if action == "close":
                match_close(match, actor=request.user, status=d["status"], outcome=d["outcome"],
                            expected_version=version)
                return _("已记录对接结果。")
            match_dismiss(match, actor=request.user, reason=d["reason"], expected_version=version)
            return _("已标为不匹配。")

        answered = perform_step(request, form, run, back=back)
        if answered is not None:
            return answered
    return _detail(request, chain, result, {f"{action}-{match.pk}": form}, status=400)


# --- import ----------------------------------------------------------------------------------------


@login_required
@require_GET
def research_import_template(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _chain_for(request, code, write=True)
    return imports.template_response(
        title=_("导入模板"), filename="chains-research-template.xlsx",
        columns=[(str(name), hint, required) for name, required, hint in importers_research.COLUMNS])


@login_required
@require_http_methods(["GET", "POST"])
def research_import(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Upload → dry run with a row-by-row report → confirm (same file, all or nothing)."""
    _chain_for(request, code, write=True)
    return imports.upload_page(request, run=importers_research.research_import,
                               template="chains/research/import.html", salt=_IMPORT_SALT)


@login_required
@require_POST
def research_import_confirm(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain_for(request, code, write=True)
    return imports.confirm(
        request, run=importers_research.research_import, template="chains/research/import.html",
        salt=_IMPORT_SALT, upload_url=reverse("chains:research_import", args=[chain.code]),
        done_url=reverse("chains:research", args=[chain.code]),
        done_message=lambda n: _("已导入 %(n)d 项科研成果。") % {"n": n},
    )


# --- the enterprise's own page ----------------------------------------------------------------------


@login_required
@require_GET
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的产业链: an enterprise user's placements on the chain maps and the research results
    matched to their enterprise (not those set aside), with the 对接 owner, date and outcome.
    Staff have the chain pages instead (403 here). ``?open=1``: only what waits (待对接,
    对接中), the to-do's list; ``?format=xlsx`` exports the matches shown."""
    require_page(request, "chains.view_mine")
    matches = mine_matches(request.user)
    open_only = request.GET.get("open") == "1"
    if open_only:
        matches = matches.filter(status__in=(MatchStatus.SUGGESTED, MatchStatus.DOCKING))
    listed: list[Any] = list(matches)
    if wants_xlsx(request):
        audit_record("chain.mine_export", actor=request.user, object_type="chains.researchmatch",
                     after={"rows": len(listed)})
        return _matches_xlsx(listed, name=_("匹配的科研成果"))
    for m in listed:
        m.trl = trl_label(m.result.maturity)
    return render(request, "chains/research/mine.html", {
        "placements": list(mine_placements(request.user)), "matches": listed, "open_only": open_only,
    })
