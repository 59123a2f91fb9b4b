"""The targets family's pages (发展目标清单): a chain's targets of a year with their lights,
completion against the linear plan and actuals by period (readers of the chain), the office's
forms (a target, the year's actuals as a grid, removal), the cross-chain list of missing
reports behind the 链办's to-do, and the .xlsx export and import."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ValidationFailed
from yancheng.core.kit import imports
from yancheng.core.kit.exports import download, stamped, wants_xlsx
from yancheng.core.kit.forms import perform_step
from yancheng.core.kit.require import require_page
from yancheng.core.models import IndustryChain, Role
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.lib.xlsx import write_sheets

from . import importers_targets
from .forms_targets import ActualsForm, TargetForm
from .models import ChainTarget
from .permissions import runs_chain
from .selectors import LIGHT_LABELS
from .selectors_targets import (
    LIGHTS,
    TargetRow,
    chains_run_by,
    filter_rows,
    light_counts,
    missing_rows,
    period_label,
    target_rows,
)
from .services import targets as services

# --- the list ----------------------------------------------------------------------------------


def _year(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _chain(request: AuthenticatedHttpRequest, code: str, *, write: bool = False) -> IndustryChain:
    from .selectors import get_chain_for

    chain = get_chain_for(request.user, code, write=write)
    require_page(request, "chains.manage_chain" if write else "chains.view_chain", chain)
    return chain


def _list_url(chain: IndustryChain, year: int, **params: str) -> str:
    query = {"year": str(year), **{k: v for k, v in params.items() if v}}
    return reverse("chains:targets", args=[chain.code]) + "?" + urlencode(query)


@login_required
@require_GET
def targets(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code)
    year = _year(request)
    light = request.GET.get("light", "")
    light = light if light in LIGHTS else ""
    missing = request.GET.get("missing") == "1"
    all_rows = target_rows(chain, year)
    rows = filter_rows(all_rows, light=light, missing=missing)
    if wants_xlsx(request):
        audit_record("chain.targets_export", chain, actor=request.user, after={"year": year, "rows": len(rows)})
        return export(chain, year, rows)
    counts = light_counts(all_rows)
    chips = [{"light": key, "label": LIGHT_LABELS[key], "count": counts[key], "current": light == key,
              "url": _list_url(chain, year, light=key)} for key in LIGHTS]
    this_year = timezone.localdate().year
    periods = max((r.target.periods_per_year for r in rows), default=12)
    return render(request, "chains/targets/list.html", {
        "chain": chain, "year": year, "years": list(range(this_year + 1, this_year - 5, -1)), "rows": rows,
        "chips": chips, "counts": counts, "light": light, "missing": missing, "periods": range(1, periods + 1),
        "all_url": _list_url(chain, year), "missing_url": _list_url(chain, year, missing="1"),
        "may_manage": runs_chain(request.user, chain),
    })


def export_headers() -> list[str]:
    """The export's first sheet's columns the import reads back, named as the import names
    them in every language (the computed columns after them are the reader's)."""
    return ["产业链", "年度", "指标", "指标名称", "单位", "上年基数", "年度目标", "报送频次",
            *importers_targets.MONTHS, *importers_targets.QUARTERS]


def _row_cells(row: TargetRow) -> list[Any]:
    t = row.target
    cells: list[Any] = [t.chain.code, t.year, str(t.get_metric_display()), t.name, t.unit, t.baseline,
                        t.target_value, str(t.get_cadence_display())]
    monthly = t.periods_per_year == 12
    months = [row.actuals[p].value if monthly and p in row.actuals else None for p in range(1, 13)]
    quarters = [row.actuals[p].value if not monthly and p in row.actuals else None for p in range(1, 5)]
    return [*cells, *months, *quarters,
            row.completion, row.expected, row.behind, row.light_label, row.missing_label or None, t.note]


def export(chain: IndustryChain, year: int, rows: list[TargetRow]) -> HttpResponse:
    """Two sheets: the targets (in the import's columns, then completion, plan and light) and
    every actual."""
    head = [*export_headers(), _("完成进度（%）"), _("序时进度（%）"), _("落后（百分点）"), _("亮灯"), _("缺报"), "备注"]
    actual_head = [_("产业链"), _("年度"), _("指标"), _("指标名称"), _("期次"), _("累计完成"), _("单位"), _("说明"),
                   _("报送时间")]
    actual_rows = [
        [r.target.chain.code, r.target.year, r.target.label, r.target.name, period_label(r.target.cadence, p),
         a.value, r.target.unit, a.note, timezone.localtime(a.reported_at)]
        for r in rows for p, a in r.actuals.items()
    ]
    data = write_sheets([(_("发展目标清单"), head, [_row_cells(r) for r in rows]),
                         (_("完成情况"), actual_head, actual_rows)])
    return download(data, stamped(f"{_('发展目标清单')}-{chain.name}-{year}"))


# --- the office's forms ----------------------------------------------------------------------------


def _target(chain: IndustryChain, pk: int) -> ChainTarget:
    return get_object_or_404(ChainTarget.objects.select_related("chain"), pk=pk, chain=chain)


def _form_page(request: AuthenticatedHttpRequest, form: Any, run: Any, *, title: str, back: str,
               template: str = "chains/targets/form.html", **context: Any) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        done = perform_step(request, form, run, back=back)
        if done is not None:
            return done
    return render(request, template, {"form": form, "title": title, "cancel": back, **context})


@login_required
@require_http_methods(["GET", "POST"])
def target_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = _chain(request, code, write=True)
    year = _year(request)
    form = TargetForm(request.POST or None, initial={"year": year, "cadence": "monthly"})

    def run() -> str:
        data = form.cleaned_data
        services.target_add(chain, actor=request.user, year=data["year"], metric=data["metric"], name=data["name"],
                            unit=data["unit"], baseline=data["baseline"], target_value=data["target_value"],
                            cadence=data["cadence"], note=data["note"])
        return _("已新增目标。")

    back = _list_url(chain, int(request.POST.get("year") or year) if str(request.POST.get("year", "")).isdigit()
                     else year)
    return _form_page(request, form, run, title=_("新增发展目标：%(c)s") % {"c": chain.name}, back=back)


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    chain = _chain(request, code, write=True)
    target = _target(chain, pk)
    form = TargetForm(request.POST or None, editing=True, initial={
        "metric": target.metric, "name": target.name, "unit": target.unit, "baseline": target.baseline,
        "target_value": target.target_value, "cadence": target.cadence, "note": target.note,
        "version": target.version})

    def run() -> str:
        data = dict(form.cleaned_data)
        version = data.pop("version") or None
        services.target_update(target, actor=request.user, expected_version=version, **data)
        return _("已保存。")

    return _form_page(request, form, run, title=_("修改发展目标：%(t)s") % {"t": target}, back=_list_url(chain, target.year),
                      target=target, may_remove=not target.actuals.exists())


@login_required
@require_POST
def target_remove(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    chain = _chain(request, code, write=True)
    target = _target(chain, pk)
    back = _list_url(chain, target.year)
    version = request.POST.get("version", "")

    def run() -> str:
        services.target_remove(target, actor=request.user, expected_version=int(version) if version.isdigit() else None)
        return _("已删除目标。")

    return perform_step(request, TargetForm(), run, back=back, unplaced_as_message=True) or HttpResponseRedirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def target_actuals(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    """The year's actuals of one target as a grid: each filled period is recorded (a changed
    value corrects it); a blank one stays as it was."""
    chain = _chain(request, code, write=True)
    target = _target(chain, pk)
    current = {a.period: a for a in target.actuals.all()}
    initial: dict[str, Any] = {f"p{p}": a.value for p, a in current.items()}
    initial["version"] = target.version
    form = ActualsForm(request.POST or None, target=target, initial=initial)

    def run() -> str:
        version = form.cleaned_data.get("version") or None
        recorded = 0
        with transaction.atomic():
            for period, value in form.periods():
                if value is None or (period in current and current[period].value == value):
                    continue
                try:
                    services.actual_record(target, actor=request.user, period=period, value=value,
                                           expected_version=version)
                except ValidationFailed as exc:
                    exc.field = f"p{period}"
                    raise
                version = target.version
                recorded += 1
        return _("已报送 %(n)d 期完成情况。") % {"n": recorded}

    return _form_page(request, form, run, title=_("报送完成情况：%(t)s") % {"t": target},
                      back=_list_url(chain, target.year), template="chains/targets/actuals.html", target=target)


# --- missing reports across the user's chains ------------------------------------------------------


@login_required
@require_GET
def targets_missing(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Targets whose last ended period has no actual, across the chains the user's office runs
    (the to-do's list; anyone else who reads chains: the chains they read)."""
    require_page(request, "chains.view_module")
    if request.user.role == Role.ENTERPRISE:
        raise PermissionDenied
    rows = missing_rows(request.user)
    if wants_xlsx(request):
        audit_record("chain.targets_export", None, actor=request.user, after={"list": "missing", "rows": len(rows)})
        head = [_("产业链"), _("年度"), _("指标"), _("单位"), _("缺报期次"), _("最近报送期次"), _("亮灯")]
        data = write_sheets([(_("目标完成情况待报送"), head, [
            [r.target.chain.name, r.target.year, r.target.label, r.target.unit, r.missing_label,
             period_label(r.target.cadence, r.latest.period) if r.latest else None, r.light_label] for r in rows])])
        return download(data, stamped(_("目标完成情况待报送")))
    return render(request, "chains/targets/missing.html", {
        "rows": rows, "may_manage": request.user.role == Role.CHAIN_OFFICE})


# --- import ----------------------------------------------------------------------------------------

_IMPORT_SALT = "yancheng.chains-targets-import"


def _may_import(request: AuthenticatedHttpRequest) -> None:
    if not chains_run_by(request.user).exists():
        raise PermissionDenied


@login_required
@require_GET
def targets_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    _may_import(request)
    return imports.template_response(title=_("发展目标导入模板"), columns=importers_targets.template_columns(),
                                     filename="chain-targets-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def targets_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload → dry run with a row-by-row report → confirm (same file, all or nothing)."""
    _may_import(request)
    return imports.upload_page(request, run=importers_targets.targets_import, template="chains/targets/import.html",
                               salt=_IMPORT_SALT, permission="chains.manage_chain")


@login_required
@require_POST
def targets_import_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    _may_import(request)
    return imports.confirm(
        request, run=importers_targets.targets_import, template="chains/targets/import.html", salt=_IMPORT_SALT,
        upload_url="chains:targets_import", done_url="chains:targets_import", permission="chains.manage_chain",
        done_message=lambda n: _("已导入 %(n)d 项目标。") % {"n": n},
    )
