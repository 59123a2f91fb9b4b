"""备案监督 pages (SPEC §3 item 6): 承诺兑现 (commitments against what happened), 现场观摩
(observation rounds with their scores and ranking) and the monthly 规模榜单 (引资 league of
regions). Included under /projects/ by ``urls_supervision``.

Who sees them: the city's project office, leaders and supervisors (city-level: the whole
city; county or park level: their own area), and the dispatchers of a county or park (their
own area). Enterprise users, handlers, inspectors and the administrators get 403. Writes go
through ``services`` and need ``projects.supervise`` (the project office).

The 争资 half of the league lives in the dashboard app (above this one); the league page
links to it rather than importing it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError
from yancheng.core.models import Organisation, Region, Role
from yancheng.core.permissions import is_citywide
from yancheng.lib.xlsx import write_workbook

from .models import Commitment, ObservationRound, ObservationScore, Project
from .permissions import is_project_office
from .services.supervision import (
    commitment_add,
    commitment_record_actual,
    observation_round_create,
    observation_score_set,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VIEWER_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.SUPERVISOR})

# Commitment statuses (computed, never stored).
KEPT, PENDING, OVERDUE = "kept", "pending", "overdue"
STATUS_LABELS = {KEPT: gettext_lazy("兑现"), PENDING: gettext_lazy("未兑现"), OVERDUE: gettext_lazy("逾期未兑现")}


# --- who sees what ---------------------------------------------------------------------------------


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.organisation_id)


def can_view_supervision(user: Any) -> bool:
    """The project office, leaders, supervisors and dispatchers (the latter three scoped)."""
    return is_project_office(user) or (_active(user) and user.role in VIEWER_ROLES)


def can_supervise(user: Any) -> bool:
    """Writes: the project office (``projects.supervise``), on a page it may view."""
    return can_view_supervision(user) and bool(rules.has_perm("projects.supervise", user))


def _citywide_viewer(user: Any) -> bool:
    return is_project_office(user) or is_citywide(user)


def _require_viewer(request: HttpRequest) -> Any:
    user: Any = request.user
    if not can_view_supervision(user):
        raise PermissionDenied
    return user


def _require_supervisor(request: HttpRequest) -> Any:
    user = _require_viewer(request)
    if not can_supervise(user):
        raise PermissionDenied
    return user


def _org_scope(user: Any, prefix: str = "") -> Q | None:
    """Rows about an organisation (and optionally a project) of the user's own area; None
    for city-level viewers. ``prefix`` is the path to the row's organisation/project."""
    if _citywide_viewer(user):
        return None
    org = user.organisation
    if org.kind == Organisation.Kind.PARK:
        return Q(**{f"{prefix}organisation_id": org.pk}) | Q(**{f"{prefix}project__park_id": org.pk})
    return (
        Q(**{f"{prefix}organisation__region_id": org.region_id})
        | Q(**{f"{prefix}organisation__region__parent_id": org.region_id})
        | Q(**{f"{prefix}project__region_id": org.region_id})
    )


def _scoped(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    scope = _org_scope(user)
    return qs if scope is None else qs.filter(scope)


def _visible_project_ids(user: Any, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(Project.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def _project_label(project: Project | None, visible: set[int]) -> str:
    if project is None:
        return ""
    if project.pk in visible:
        return f"{project.code} {project.name}"
    return _("（涉密项目）")


def _unit_choices() -> QuerySet[Organisation]:
    """Counties, districts and parks: the units that commit and are observed."""
    return (
        Organisation.objects.filter(is_active=True, kind__in=[Organisation.Kind.GOVERNMENT, Organisation.Kind.PARK])
        .exclude(region__kind__in=["city", "province"])
        .select_related("region")
        .order_by("region__code", "kind", "name")
    )


def _project_by_code(user: Any, code: str) -> Project | None:
    code = (code or "").strip()
    if not code:
        return None
    return Project.objects.visible_to(user).filter(code=code).first()


def _num(value: Decimal | None) -> float | None:
    """Amounts and scores go into the workbook as numbers (the shared writer would write a
    Decimal as text), so a spreadsheet can sum and sort them; 2 decimals survive a float."""
    return None if value is None else float(value)


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class _UnitField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _apply_error(form: forms.Form, exc: DomainError) -> None:
    name = exc.field if exc.field in form.fields else None
    form.add_error(name, str(exc.message))


# --- 承诺兑现 ----------------------------------------------------------------------------------------


def commitment_deadline(c: Commitment) -> dt.date:
    """The promised date, or the end of the commitment's year."""
    return c.promised_date or dt.date(c.year, 12, 31)


def commitment_status(c: Commitment, today: dt.date) -> str:
    """兑现: what was promised happened by the deadline (the date by the promised date, the
    amount reached); 逾期未兑现: the deadline has passed without that (a late delivery counts
    here too — the promise was not kept on time); 未兑现: not yet, and not yet late."""
    deadline = commitment_deadline(c)
    date_ok = c.promised_date is None or (c.actual_date is not None and c.actual_date <= c.promised_date)
    amount_ok = c.promised_amount is None or (c.actual_amount is not None and c.actual_amount >= c.promised_amount)
    if c.promised_date is None and c.promised_amount is None:
        date_ok = c.actual_date is not None and c.actual_date <= deadline
    if c.promised_amount is not None and c.promised_date is None and c.actual_date is not None:
        amount_ok = amount_ok and c.actual_date <= deadline
    if date_ok and amount_ok:
        return KEPT
    return OVERDUE if today > deadline else PENDING


def _late_days(c: Commitment) -> int:
    if c.actual_date is None:
        return 0
    return max(0, (c.actual_date - commitment_deadline(c)).days)


class CommitmentAddForm(_Form):
    organisation = _UnitField(label=gettext_lazy("承诺单位"), queryset=Organisation.objects.none())
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=gettext_lazy("承诺类型"), choices=Commitment.Kind.choices)
    promise = forms.CharField(label=gettext_lazy("承诺内容"), max_length=255)
    project_code = forms.CharField(label=gettext_lazy("项目编号"), max_length=32, required=False,
                                   help_text=gettext_lazy("可留空；填写时须为库中项目"))
    promised_date = forms.DateField(label=gettext_lazy("承诺日期"), widget=DATE, required=False)
    promised_amount = forms.DecimalField(label=gettext_lazy("承诺金额（万元）"), min_value=0, max_digits=14,
                                         decimal_places=2, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _unit_choices()  # type: ignore[attr-defined]


class CommitmentActualForm(_Form):
    actual_date = forms.DateField(label=gettext_lazy("实际日期"), widget=DATE, required=False)
    actual_amount = forms.DecimalField(label=gettext_lazy("实际金额（万元）"), min_value=0, max_digits=14,
                                       decimal_places=2, required=False)


@dataclass(frozen=True)
class CommitmentFilters:
    year: int
    organisation: str = ""
    kind: str = ""
    status: str = ""

    @classmethod
    def from_params(cls, params: Any, today: dt.date) -> CommitmentFilters:
        raw_year = str(params.get("year", "") or "").strip()
        year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else today.year
        org = str(params.get("organisation", "") or "").strip()
        kind = str(params.get("kind", "") or "").strip()
        status = str(params.get("status", "") or "").strip()
        return cls(year=year, organisation=org if org.isdigit() else "",
                   kind=kind if kind in Commitment.Kind.values else "", status=status if status in STATUS_LABELS else "")

    def params(self) -> dict[str, str]:
        out = {"year": str(self.year), "organisation": self.organisation, "kind": self.kind, "status": self.status}
        return {k: v for k, v in out.items() if v}


@dataclass
class CommitmentRow:
    commitment: Commitment
    status: str
    status_label: str
    late_days: int
    project_label: str
    project_visible: bool
    form: CommitmentActualForm | None = None


def commitment_rows(user: Any, filters: CommitmentFilters, today: dt.date) -> list[CommitmentRow]:
    qs = _scoped(
        Commitment.objects.filter(year=filters.year).select_related("organisation", "organisation__region", "project"),
        user,
    ).order_by("organisation__region__code", "organisation__name", "promised_date", "pk")
    if filters.organisation:
        qs = qs.filter(organisation_id=int(filters.organisation))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    items = list(qs)
    visible = _visible_project_ids(user, {c.project_id for c in items if c.project_id})
    rows = []
    for c in items:
        status = commitment_status(c, today)
        if filters.status and status != filters.status:
            continue
        rows.append(CommitmentRow(c, status, str(STATUS_LABELS[status]), _late_days(c),
                                  _project_label(c.project, visible), c.project_id in visible))
    return rows


def _commitment_page(request: HttpRequest, user: Any, *, add_form: CommitmentAddForm | None = None,
                     failed: tuple[int, CommitmentActualForm] | None = None, params: Any = None,
                     status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    filters = CommitmentFilters.from_params(request.GET if params is None else params, today)
    rows = commitment_rows(user, filters, today)
    writable = can_supervise(user)
    if writable:
        for row in rows:
            if failed and failed[0] == row.commitment.pk:
                row.form = failed[1]
            else:
                row.form = CommitmentActualForm(
                    initial={"actual_date": row.commitment.actual_date, "actual_amount": row.commitment.actual_amount},
                    prefix=f"c{row.commitment.pk}",
                )
        if add_form is None:
            add_form = CommitmentAddForm(initial={"year": filters.year})
    summary = {key: sum(1 for r in rows if r.status == key) for key in STATUS_LABELS}
    by_org: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = by_org.setdefault(r.commitment.organisation_id, {"organisation": r.commitment.organisation,
                                                                 "total": 0, KEPT: 0, PENDING: 0, OVERDUE: 0})
        entry["total"] += 1
        entry[r.status] += 1
    org_ids = _scoped(Commitment.objects.all(), user).values("organisation_id")
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
def commitment_list(request: HttpRequest) -> HttpResponseBase:
    user = _require_viewer(request)
    if request.GET.get("format") == "xlsx":
        today = timezone.localdate()
        filters = CommitmentFilters.from_params(request.GET, today)
        rows = commitment_rows(user, filters, today)
        headers = [_("年度"), _("承诺单位"), _("所在区划"), _("承诺类型"), _("承诺内容"), _("项目"), _("承诺日期"),
                   _("承诺金额（万元）"), _("实际日期"), _("实际金额（万元）"), _("状态"), _("逾期天数")]
        audit_record("project.commitment_export", actor=user, object_type="projects.commitment",
                     after={"filters": filters.params(), "rows": len(rows)})
        data = write_workbook(_("承诺兑现"), headers, (
            [r.commitment.year, r.commitment.organisation.name, r.commitment.organisation.region.name,
             r.commitment.get_kind_display(), r.commitment.promise, r.project_label, r.commitment.promised_date,
             _num(r.commitment.promised_amount), r.commitment.actual_date, _num(r.commitment.actual_amount),
             r.status_label,
             r.late_days or None]
            for r in rows
        ))
        return _xlsx(data, f"commitments-{filters.year}")
    return _commitment_page(request, user)


@login_required
@require_POST
def commitment_create(request: HttpRequest) -> HttpResponseBase:
    user = _require_supervisor(request)
    form = CommitmentAddForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        project = _project_by_code(user, d["project_code"])
        if d["project_code"] and project is None:
            form.add_error("project_code", _("没有这个编号的项目。"))
        else:
            try:
                commitment_add(organisation=d["organisation"], year=d["year"], kind=d["kind"], promise=d["promise"],
                               project=project, promised_date=d["promised_date"],
                               promised_amount=d["promised_amount"], actor=user)
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("已登记承诺事项。"))
                return redirect(f"{reverse('commitment_list')}?{urlencode({'year': d['year']})}")
    return _commitment_page(request, user, add_form=form, status=400)


@login_required
@require_POST
def commitment_actual(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = _require_supervisor(request)
    commitment = _scoped(Commitment.objects.filter(pk=pk), user).first()
    if commitment is None:
        raise Http404
    form = CommitmentActualForm(request.POST, prefix=f"c{pk}")
    if form.is_valid():
        try:
            commitment_record_actual(commitment, actual_date=form.cleaned_data["actual_date"],
                                     actual_amount=form.cleaned_data["actual_amount"], actor=user)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("已记录兑现情况。"))
            return redirect(f"{reverse('commitment_list')}?{urlencode({'year': commitment.year})}")
    return _commitment_page(request, user, failed=(pk, form), params={"year": str(commitment.year)}, status=400)


# --- 现场观摩 ----------------------------------------------------------------------------------------


class RoundForm(_Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=128)
    held_on = forms.DateField(label=gettext_lazy("日期"), widget=DATE)


class ScoreForm(_Form):
    organisation = _UnitField(label=gettext_lazy("被观摩单位"), queryset=Organisation.objects.none())
    project_code = forms.CharField(label=gettext_lazy("观摩项目编号"), max_length=32, required=False,
                                   help_text=gettext_lazy("可留空（对单位整体打分）"))
    score = forms.DecimalField(label=gettext_lazy("得分"), min_value=0, max_value=100, max_digits=5, decimal_places=2)
    remark = forms.CharField(label=gettext_lazy("点评"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _unit_choices()  # type: ignore[attr-defined]


@dataclass
class RankRow:
    rank: int
    organisation: Organisation
    average: Decimal
    count: int
    scores: list[tuple[str, ObservationScore]] = field(default_factory=list)


def observation_ranking(obs: ObservationRound, user: Any) -> list[RankRow]:
    """Organisations by their average score in the round, highest first; equal averages
    share a rank (1, 1, 3). The ranks are computed over the whole round; a county or park
    viewer is shown only the rows of their own area."""
    scores = list(obs.scores.select_related("organisation", "organisation__region", "project")
                  .order_by("organisation__name", "project__code", "pk"))
    visible_projects = _visible_project_ids(user, {s.project_id for s in scores if s.project_id})
    grouped: dict[int, list[ObservationScore]] = defaultdict(list)
    for s in scores:
        grouped[s.organisation_id].append(s)
    averaged = []
    for items in grouped.values():
        avg = (sum((s.score for s in items), Decimal(0)) / len(items)).quantize(Decimal("0.01"))
        averaged.append((avg, items))
    averaged.sort(key=lambda pair: (-pair[0], pair[1][0].organisation.name))
    rows: list[RankRow] = []
    previous: Decimal | None = None
    rank = 0
    for index, (avg, items) in enumerate(averaged, start=1):
        if avg != previous:
            rank, previous = index, avg
        rows.append(RankRow(rank, items[0].organisation, avg, len(items),
                            [(_project_label(s.project, visible_projects), s) for s in items]))
    scope = _org_scope(user, "")
    if scope is not None:
        own = set(_scoped(ObservationScore.objects.filter(round=obs), user).values_list("organisation_id", flat=True))
        rows = [r for r in rows if r.organisation.pk in own]
    return rows


@login_required
@require_http_methods(["GET", "HEAD"])
def observation_list(request: HttpRequest) -> HttpResponseBase:
    user = _require_viewer(request)
    return _observation_list_page(request, user)


def _observation_list_page(request: HttpRequest, user: Any, *, form: RoundForm | None = None,
                           status: int = 200) -> HttpResponse:
    rounds = ObservationRound.objects.annotate(
        score_count=Count("scores"), unit_count=Count("scores__organisation", distinct=True)
    ).order_by("-held_on", "-pk")
    writable = can_supervise(user)
    if writable and form is None:
        form = RoundForm(initial={"held_on": timezone.localdate()})
    return render(request, "projects/observations.html", {
        "rounds": rounds, "form": form if writable else None, "can_write": writable,
        "scoped": _org_scope(user) is not None,
    }, status=status)


@login_required
@require_POST
def observation_create(request: HttpRequest) -> HttpResponseBase:
    user = _require_supervisor(request)
    form = RoundForm(request.POST)
    if form.is_valid():
        try:
            obs = observation_round_create(title=form.cleaned_data["title"], held_on=form.cleaned_data["held_on"],
                                           actor=user)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("已创建现场观摩。"))
            return redirect("observation_detail", pk=obs.pk)
    return _observation_list_page(request, user, form=form, status=400)


def _round_or_404(pk: int) -> ObservationRound:
    obs = ObservationRound.objects.filter(pk=pk).first()
    if obs is None:
        raise Http404
    return obs


def _observation_detail_page(request: HttpRequest, user: Any, obs: ObservationRound, *,
                             form: ScoreForm | None = None, status: int = 200) -> HttpResponse:
    writable = can_supervise(user)
    if writable and form is None:
        form = ScoreForm()
    ranking = observation_ranking(obs, user)
    return render(request, "projects/observation_detail.html", {
        "round": obs, "ranking": ranking, "form": form if writable else None, "can_write": writable,
        "scoped": _org_scope(user) is not None,
        "total_units": ObservationScore.objects.filter(round=obs).values("organisation").distinct().count(),
    }, status=status)


@login_required
@require_GET
def observation_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = _require_viewer(request)
    obs = _round_or_404(pk)
    if request.GET.get("format") == "xlsx":
        ranking = observation_ranking(obs, user)
        headers = [_("名次"), _("被观摩单位"), _("平均分"), _("评分项数"), _("观摩项目"), _("得分"), _("点评")]
        audit_record("project.observation_export", obs, actor=user,
                     after={"units": len(ranking), "rows": sum(r.count for r in ranking)})
        data = write_workbook(_("现场观摩"), headers, (
            [r.rank, r.organisation.name, _num(r.average), r.count, label, _num(s.score), s.remark]
            for r in ranking for label, s in r.scores
        ))
        return _xlsx(data, f"observation-{obs.pk}")
    return _observation_detail_page(request, user, obs)


@login_required
@require_POST
def observation_score(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = _require_supervisor(request)
    obs = _round_or_404(pk)
    form = ScoreForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        project = _project_by_code(user, d["project_code"])
        if d["project_code"] and project is None:
            form.add_error("project_code", _("没有这个编号的项目。"))
        else:
            try:
                observation_score_set(obs, organisation=d["organisation"], project=project, score=d["score"],
                                      remark=d["remark"], actor=user)
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("已保存得分。"))
                return redirect("observation_detail", pk=obs.pk)
    return _observation_detail_page(request, user, obs, form=form, status=400)


# --- 规模榜单 ----------------------------------------------------------------------------------------


def _parse_month(value: str, today: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in value.split("-", 1))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


def _next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)


@dataclass
class LeagueRow:
    rank: int
    region: Region
    amount: Decimal
    count: int
    projects: list[Project]
    drill_url: str


def league_rows(user: Any, month: dt.date) -> list[LeagueRow]:
    """引资: the total investment of the projects signed in ``month`` (签约日期 in the month,
    in the registry), summed by region, largest first; equal sums share a rank. Counts only
    the projects ``user`` may see, so no total reveals a confidential project."""
    signed = (Project.objects.visible_to(user)
              .filter(is_active=True, signed_on__gte=month, signed_on__lt=_next_month(month)))
    totals = list(signed.values("region_id").annotate(amount=Sum("total_investment"), count=Count("pk"))
                  .order_by("-amount", "region__code"))
    regions = Region.objects.in_bulk([t["region_id"] for t in totals])
    by_region: dict[int, list[Project]] = defaultdict(list)
    for p in signed.order_by("-total_investment", "code"):
        by_region[p.region_id].append(p)
    rows: list[LeagueRow] = []
    previous: Decimal | None = None
    rank = 0
    for index, t in enumerate(totals, start=1):
        if t["amount"] != previous:
            rank, previous = index, t["amount"]
        region = regions[t["region_id"]]
        url = f"{reverse('project_list')}?{urlencode({'region': region.code, 'sort': '-investment'})}"
        rows.append(LeagueRow(rank, region, t["amount"], t["count"], by_region[region.pk], url))
    return rows


@login_required
@require_GET
def project_league(request: HttpRequest) -> HttpResponseBase:
    user = _require_viewer(request)
    today = timezone.localdate()
    month = _parse_month(str(request.GET.get("month", "") or ""), today)
    rows = league_rows(user, month)
    if request.GET.get("format") == "xlsx":
        headers = [_("名次"), _("区划"), _("区划代码"), _("引资额（万元）"), _("签约项目数")]
        audit_record("project.league_export", actor=user, object_type="projects.project",
                     after={"month": month.strftime("%Y-%m"), "rows": len(rows)})
        data = write_workbook(_("规模榜单"), headers,
                              ([r.rank, r.region.name, r.region.code, _num(r.amount), r.count] for r in rows))
        return _xlsx(data, f"league-{month:%Y-%m}")
    previous_month = (month - dt.timedelta(days=1)).replace(day=1)
    return render(request, "projects/league.html", {
        "rows": rows,
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "previous_month": previous_month.strftime("%Y-%m"),
        "next_month": _next_month(month).strftime("%Y-%m"),
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
