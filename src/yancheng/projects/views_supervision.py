"""备案监督 pages (SPEC §3 item 6): 承诺兑现 (commitments against what happened), 现场观摩
(observation rounds with their scores and ranking) and the monthly 规模榜单 (引资 league of
regions). Included under /projects/ by ``urls_supervision``.

Who sees them: the city's project office, leaders and supervisors (city-level: the whole
city; county or park level: their own area), and the dispatchers of a county or park (their
own area). Enterprise users, handlers, inspectors and the administrators get 403. Writes go
through ``services`` and need ``projects.supervise`` (the project office).

The 争资 half of the league lives in the dashboard app (above this one); the league page
links to it rather than importing it.

Who may see and write is in ``permissions`` (``can_view_supervision``, the area scope), the
forms in ``forms``, the rows, rankings and the league in ``selectors``; this module holds the
views only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError
from yancheng.core.kit.exports import wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error
from yancheng.core.models import Organisation, Role
from yancheng.core.typing import Actor, AuthenticatedHttpRequest

from .forms import (
    ObservationRoundForm,
    ObservationScoreForm,
    SupervisionActualForm,
    SupervisionCommitmentForm,
)
from .models import Commitment, ObservationRound, ObservationScore
from .permissions import (
    can_view_supervision,
    can_write_supervision,
    is_project_office,
    supervision_scope,
    supervision_scoped,
)
from .selectors import (
    KEPT,
    OVERDUE,
    PENDING,
    STATUS_LABELS,
    CommitmentFilters,
    commitment_rows,
    league_rows,
    next_month,
    observation_ranking,
    parse_month,
    project_by_code,
)
from .services.supervision import (
    commitment_add,
    commitment_record_actual,
    observation_round_create,
    observation_score_set,
)


def _require_viewer(request: AuthenticatedHttpRequest) -> Any:
    user = request.user
    if not can_view_supervision(user):
        raise PermissionDenied
    return user


def _require_supervisor(request: AuthenticatedHttpRequest) -> Any:
    user = _require_viewer(request)
    if not can_write_supervision(user):
        raise PermissionDenied
    return user


# --- 承诺兑现 ----------------------------------------------------------------------------------------


def _commitment_page(request: AuthenticatedHttpRequest, user: Actor, *, add_form: SupervisionCommitmentForm | None = None,
                     failed: tuple[int, SupervisionActualForm] | None = None, params: Any = None,
                     status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    filters = CommitmentFilters.from_params(request.GET if params is None else params, today)
    rows = commitment_rows(user, filters, today)
    writable = can_write_supervision(user)
    if writable:
        for row in rows:
            if failed and failed[0] == row.commitment.pk:
                row.form = failed[1]
            else:
                row.form = SupervisionActualForm(
                    initial={"actual_date": row.commitment.actual_date, "actual_amount": row.commitment.actual_amount},
                    prefix=f"c{row.commitment.pk}",
                )
        if add_form is None:
            add_form = SupervisionCommitmentForm(initial={"year": filters.year})
    summary = {key: sum(1 for r in rows if r.status == key) for key in STATUS_LABELS}
    by_org: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = by_org.setdefault(r.commitment.organisation_id, {"organisation": r.commitment.organisation,
                                                                 "total": 0, KEPT: 0, PENDING: 0, OVERDUE: 0})
        entry["total"] += 1
        entry[r.status] += 1
    org_ids = supervision_scoped(Commitment.objects.all(), user).values("organisation_id")
    query = urlencode(filters.params())
    return render(request, "projects/commitments.html", {
        "rows": rows,
        "filters": filters,
        "summary": [(key, STATUS_LABELS[key], summary[key]) for key in STATUS_LABELS],
        "by_org": sorted(by_org.values(), key=lambda e: (-e[OVERDUE], e["organisation"].name)),
        "organisations": Organisation.objects.filter(pk__in=org_ids).order_by("region__code", "name"),
        "kinds": Commitment.Kind.choices,
        "statuses": list(STATUS_LABELS.items()),
        "years": sorted({today.year - 1, today.year, today.year + 1, filters.year}),
        "query": query,
        "add_form": add_form if writable else None,
        "can_write": writable,
    }, status=status)


@login_required
@require_GET
def commitment_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    user = _require_viewer(request)
    if wants_xlsx(request):
        today = timezone.localdate()
        filters = CommitmentFilters.from_params(request.GET, today)
        rows = commitment_rows(user, filters, today)
        headers = [_("年度"), _("承诺单位"), _("所在区划"), _("承诺类型"), _("承诺内容"), _("项目"), _("承诺日期"),
                   _("承诺金额（万元）"), _("实际日期"), _("实际金额（万元）"), _("状态"), _("逾期天数")]
        audit_record("project.commitment_export", actor=user, object_type="projects.commitment",
                     after={"filters": filters.params(), "rows": len(rows)})
        return xlsx_response(_("承诺兑现"), headers, (
            [r.commitment.year, r.commitment.organisation.name, r.commitment.organisation.region.name,
             r.commitment.get_kind_display(), r.commitment.promise, r.project_label, r.commitment.promised_date,
             r.commitment.promised_amount, r.commitment.actual_date, r.commitment.actual_amount,
             r.status_label,
             r.late_days or None]
            for r in rows
        ), name=f"{_('承诺兑现')}-{filters.year}")
    return _commitment_page(request, user)


@login_required
@require_POST
def commitment_create(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    user = _require_supervisor(request)
    form = SupervisionCommitmentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        project = project_by_code(user, d["project_code"])
        if d["project_code"] and project is None:
            form.add_error("project_code", _("没有这个编号的项目。"))
        else:
            try:
                commitment_add(organisation=d["organisation"], year=d["year"], kind=d["kind"], promise=d["promise"],
                               project=project, promised_date=d["promised_date"],
                               promised_amount=d["promised_amount"], actor=user)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已登记承诺事项。"))
                return redirect(f"{reverse('projects:commitment_list')}?{urlencode({'year': d['year']})}")
    return _commitment_page(request, user, add_form=form, status=400)


@login_required
@require_POST
def commitment_actual(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    user = _require_supervisor(request)
    commitment = supervision_scoped(Commitment.objects.filter(pk=pk), user).first()
    if commitment is None:
        raise Http404
    form = SupervisionActualForm(request.POST, prefix=f"c{pk}")
    if form.is_valid():
        try:
            commitment_record_actual(commitment, actual_date=form.cleaned_data["actual_date"],
                                     actual_amount=form.cleaned_data["actual_amount"], actor=user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已记录兑现情况。"))
            return redirect(f"{reverse('projects:commitment_list')}?{urlencode({'year': commitment.year})}")
    return _commitment_page(request, user, failed=(pk, form), params={"year": str(commitment.year)}, status=400)


# --- 现场观摩 ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def observation_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    user = _require_viewer(request)
    if wants_xlsx(request):
        return _observation_list_xlsx(user)
    return _observation_list_page(request, user)


def _observation_rounds() -> Any:
    return ObservationRound.objects.annotate(
        score_count=Count("scores"), unit_count=Count("scores__organisation", distinct=True)
    ).order_by("-held_on", "-pk")


def _observation_list_xlsx(user: Actor) -> HttpResponse:
    """The rounds as the page lists them; the counts over all units only for those who see all units."""
    rounds = list(_observation_rounds())
    scoped = supervision_scope(user) is not None
    audit_record("project.observation_list_export", actor=user, object_type="projects.observationround",
                 after={"rows": len(rounds)})
    headers = [_("日期"), _("名称")] + ([] if scoped else [_("被观摩单位"), _("评分项数")])
    return xlsx_response(_("现场观摩"), headers, (
        [r.held_on, r.title] + ([] if scoped else [r.unit_count, r.score_count]) for r in rounds
    ))


def _observation_list_page(request: AuthenticatedHttpRequest, user: Actor, *, form: ObservationRoundForm | None = None,
                           status: int = 200) -> HttpResponse:
    rounds = _observation_rounds()
    writable = can_write_supervision(user)
    if writable and form is None:
        form = ObservationRoundForm(initial={"held_on": timezone.localdate()})
    return render(request, "projects/observations.html", {
        "rounds": rounds, "form": form if writable else None, "can_write": writable,
        "scoped": supervision_scope(user) is not None,
    }, status=status)


@login_required
@require_POST
def observation_create(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    user = _require_supervisor(request)
    form = ObservationRoundForm(request.POST)
    if form.is_valid():
        try:
            obs = observation_round_create(title=form.cleaned_data["title"], held_on=form.cleaned_data["held_on"],
                                           actor=user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已创建现场观摩。"))
            return redirect("projects:observation_detail", pk=obs.pk)
    return _observation_list_page(request, user, form=form, status=400)


def _round_or_404(pk: int) -> ObservationRound:
    obs = ObservationRound.objects.filter(pk=pk).first()
    if obs is None:
        raise Http404
    return obs


def _observation_detail_page(request: AuthenticatedHttpRequest, user: Actor, obs: ObservationRound, *,
                             form: ObservationScoreForm | None = None, status: int = 200) -> HttpResponse:
    writable = can_write_supervision(user)
    if writable and form is None:
        form = ObservationScoreForm()
    ranking = observation_ranking(obs, user)
    return render(request, "projects/observation_detail.html", {
        "round": obs, "ranking": ranking, "form": form if writable else None, "can_write": writable,
        "scoped": supervision_scope(user) is not None,
        "total_units": ObservationScore.objects.filter(round=obs).values("organisation").distinct().count(),
    }, status=status)


@login_required
@require_GET
def observation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    user = _require_viewer(request)
    obs = _round_or_404(pk)
    if wants_xlsx(request):
        ranking = observation_ranking(obs, user)
        headers = [_("名次"), _("被观摩单位"), _("平均分"), _("评分项数"), _("观摩项目"), _("得分"), _("点评")]
        audit_record("project.observation_export", obs, actor=user,
                     after={"units": len(ranking), "rows": sum(r.count for r in ranking)})
        return xlsx_response(_("现场观摩"), headers, (
            [r.rank, r.organisation.name, r.average, r.count, label, s.score, s.remark]
            for r in ranking for label, s in r.scores
        ), name=f"{_('现场观摩')}-{obs.pk}")
    return _observation_detail_page(request, user, obs)


@login_required
@require_POST
def observation_score(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    user = _require_supervisor(request)
    obs = _round_or_404(pk)
    form = ObservationScoreForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        project = project_by_code(user, d["project_code"])
        if d["project_code"] and project is None:
            form.add_error("project_code", _("没有这个编号的项目。"))
        else:
            try:
                observation_score_set(obs, organisation=d["organisation"], project=project, score=d["score"],
                                      remark=d["remark"], actor=user)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已保存得分。"))
                return redirect("projects:observation_detail", pk=obs.pk)
    return _observation_detail_page(request, user, obs, form=form, status=400)


# --- 规模榜单 ----------------------------------------------------------------------------------------


@login_required
@require_GET
def project_league(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    user = _require_viewer(request)
    today = timezone.localdate()
    month = parse_month(str(request.GET.get("month", "") or ""), today)
    rows = league_rows(user, month)
    if wants_xlsx(request):
        headers = [_("名次"), _("区划"), _("区划代码"), _("引资额（万元）"), _("签约项目数")]
        audit_record("project.league_export", actor=user, object_type="projects.project",
                     after={"month": month.strftime("%Y-%m"), "rows": len(rows)})
        return xlsx_response(_("规模榜单"), headers,
                             ([r.rank, r.region.name, r.region.code, r.amount, r.count] for r in rows),
                             name=f"{_('规模榜单')}-{month:%Y-%m}")
    previous_month = (month - dt.timedelta(days=1)).replace(day=1)
    return render(request, "projects/league.html", {
        "rows": rows,
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "previous_month": previous_month.strftime("%Y-%m"),
        "next_month": next_month(month).strftime("%Y-%m"),
        "total_amount": sum((r.amount for r in rows), Decimal(0)),
        "total_count": sum(r.count for r in rows),
        "scoped": not (is_project_office(user) or user.role == Role.SYSTEM_ADMIN),
        "funds_won_url": _funds_won_url(),
    })


def _funds_won_url() -> str:
    try:
        return reverse("dashboard:funds_won")
    except NoReverseMatch:
        return ""
