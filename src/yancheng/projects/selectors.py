"""Reads of the project registry shared by the pages, the API and the exports. Other apps
(chains, dashboard) read projects through ``project_list`` and ``get_project_for``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import rules
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.cases.permissions import is_city_dispatch_office
from yancheng.cases.subjects import Subject
from yancheng.core.errors import NotFoundError, PermissionDeniedError
from yancheng.core.models import Enterprise, Organisation, Region, Role
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor, organisation_of

from .models import (
    STAGE_ORDER,
    AnnualPlan,
    Category,
    Commitment,
    MeetingDecision,
    ObservationRound,
    ObservationScore,
    Project,
    Stage,
    WeeklyMeeting,
)
from .permissions import can_manage_meeting, can_view_meetings, supervision_scope, supervision_scoped

PROJECT_SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "name",
    "-name": "-name",
    "investment": "total_investment",
    "-investment": "-total_investment",
    "stage": "stage_rank",
    "-stage": "-stage_rank",
    "region": "region__code",
    "start": "planned_start",
    "-updated": "-updated_at",
}


@dataclass(frozen=True)
class ProjectFilters:
    q: str = ""
    region: str = ""
    park: str = ""
    chain: str = ""
    stage: str = ""
    category: str = ""
    leader: str = ""
    confidential: str = ""  # "1" only confidential, "0" only open
    inactive: str = ""  # "1" include projects out of the registry
    plan_year: str = ""  # "2026": only projects with an annual investment plan (年度计划) for 2026
    sort: str = "code"

    @classmethod
    def from_params(cls, params: Any) -> ProjectFilters:
        return cls(**{f: str(params.get(f, "") or "").strip()[:64] for f in cls.__dataclass_fields__})

    def params(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


def _stage_rank() -> Any:
    from django.db.models import Case, IntegerField, Value, When

    return Case(*[When(stage=s, then=Value(i)) for i, s in enumerate(STAGE_ORDER)], default=Value(99),
                output_field=IntegerField())


def plan_year(filters: ProjectFilters) -> int:
    """The year of the plan_year filter, 0 when absent or not a year."""
    text = filters.plan_year
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else 0


def planned_total(projects: QuerySet[Project], year: int) -> Decimal:
    """Σ of the year's annual plans (年度计划, 万元) of ``projects``."""
    total = AnnualPlan.objects.filter(year=year, project_id__in=projects.order_by().values("pk")).aggregate(
        s=Sum("planned_investment"))["s"]
    return total or Decimal(0)


def project_list(user: Actor, filters: ProjectFilters) -> QuerySet[Project]:
    """The projects ``user`` may see, filtered and sorted; one query with its relations."""
    qs = Project.objects.visible_to(user).select_related(
        "region", "park", "chain", "enterprise", "leader", "responsible_org"
    )
    if filters.inactive != "1":
        qs = qs.filter(is_active=True)
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q) | Q(code__icontains=filters.q) | Q(enterprise__name__icontains=filters.q)
        )
    if filters.region:
        qs = qs.filter(Q(region__code=filters.region) | Q(region__parent__code=filters.region))
    if filters.park.isdigit():
        qs = qs.filter(park_id=int(filters.park))
    if filters.chain:
        qs = qs.filter(chain__code=filters.chain)
    if filters.stage in Stage.values:
        qs = qs.filter(stage=filters.stage)
    if filters.category in Category.values:
        qs = qs.filter(category=filters.category)
    if filters.leader.isdigit():
        qs = qs.filter(leader_id=int(filters.leader))
    if plan_year(filters):
        qs = qs.filter(pk__in=AnnualPlan.objects.filter(year=plan_year(filters)).values("project_id"))
    if filters.confidential in {"0", "1"}:
        qs = qs.filter(is_confidential=filters.confidential == "1")
    order = PROJECT_SORTS.get(filters.sort, "code")
    if "stage_rank" in order:
        qs = qs.annotate(stage_rank=_stage_rank())
    return qs.order_by(order, "pk")


def get_project_for(user: Actor, pk: Any, *, write: bool = False) -> Project:
    """The project if ``user`` may see it (else 404: its existence is not revealed); with
    ``write`` also 403 unless the user may maintain it."""
    try:
        project = (
            Project.objects.visible_to(user)
            .select_related("region", "park", "chain", "enterprise", "enterprise__organisation", "leader",
                            "responsible_org")
            .get(pk=int(pk))
        )
    except (Project.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if write and not rules.has_perm("projects.change_project", user, project):
        raise PermissionDenied
    return project


def project_cases(user: Actor, project: Project, now: dt.datetime | None = None) -> QuerySet[Any]:
    """The problems reported on the project that ``user`` may see, with their lights."""
    from yancheng.cases.models import Case
    from yancheng.cases.selectors import annotate_lights

    qs = Case.objects.visible_to(user).filter(subject_ref=f"project:{project.pk}")
    return annotate_lights(qs, now).select_related("lead_org", "dispatch_org").order_by(*["light_rank", "-created_at"])


def plan_for_year(project: Project, year: int) -> Any:
    return project.annual_plans.filter(year=year).values_list("planned_investment", flat=True).first()


# --- 备案监督: 承诺兑现, 现场观摩 and the 规模榜单 --------------------------------------------------


# Commitment statuses (computed, never stored).
KEPT, PENDING, OVERDUE = "kept", "pending", "overdue"
STATUS_LABELS = {KEPT: gettext_lazy("兑现"), PENDING: gettext_lazy("未兑现"), OVERDUE: gettext_lazy("逾期未兑现")}


def visible_project_ids(user: Actor, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(Project.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def project_label(project: Project | None, visible: set[int]) -> str:
    if project is None:
        return ""
    if project.pk in visible:
        return f"{project.code} {project.name}"
    return _("（涉密项目）")


def project_by_code(user: Actor, code: str) -> Project | None:
    code = (code or "").strip()
    if not code:
        return None
    return Project.objects.visible_to(user).filter(code=code).first()


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
    form: forms.Form | None = None  # the row's own 兑现 form, set by the page


def commitment_rows(user: Actor, filters: CommitmentFilters, today: dt.date) -> list[CommitmentRow]:
    qs = supervision_scoped(
        Commitment.objects.filter(year=filters.year).select_related("organisation", "organisation__region", "project"),
        user,
    ).order_by("organisation__region__code", "organisation__name", "promised_date", "pk")
    if filters.organisation:
        qs = qs.filter(organisation_id=int(filters.organisation))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    items = list(qs)
    visible = visible_project_ids(user, {c.project_id for c in items if c.project_id})
    rows = []
    for c in items:
        status = commitment_status(c, today)
        if filters.status and status != filters.status:
            continue
        rows.append(CommitmentRow(c, status, str(STATUS_LABELS[status]), _late_days(c),
                                  project_label(c.project, visible), c.project_id in visible))
    return rows


@dataclass
class RankRow:
    rank: int
    organisation: Organisation
    average: Decimal
    count: int
    scores: list[tuple[str, ObservationScore]] = field(default_factory=list)


def observation_ranking(obs: ObservationRound, user: Actor) -> list[RankRow]:
    """Organisations by their average score in the round, highest first; equal averages
    share a rank (1, 1, 3). The ranks are computed over the whole round; a county or park
    viewer is shown only the rows of their own area."""
    scores = list(obs.scores.select_related("organisation", "organisation__region", "project")
                  .order_by("organisation__name", "project__code", "pk"))
    visible_projects = visible_project_ids(user, {s.project_id for s in scores if s.project_id})
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
                            [(project_label(s.project, visible_projects), s) for s in items]))
    scope = supervision_scope(user, "")
    if scope is not None:
        own = set(supervision_scoped(ObservationScore.objects.filter(round=obs), user).values_list("organisation_id", flat=True))
        rows = [r for r in rows if r.organisation.pk in own]
    return rows


def parse_month(value: str, today: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in value.split("-", 1))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)


@dataclass
class LeagueRow:
    rank: int
    region: Region
    amount: Decimal
    count: int
    projects: list[Project]
    drill_url: str


def league_rows(user: Actor, month: dt.date) -> list[LeagueRow]:
    """引资: the total investment of the projects signed in ``month`` (签约日期 in the month,
    in the registry), summed by region, largest first; equal sums share a rank. Counts only
    the projects ``user`` may see, so no total reveals a confidential project."""
    signed = (Project.objects.visible_to(user)
              .filter(is_active=True, signed_on__gte=month, signed_on__lt=next_month(month)))
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
        url = f"{reverse('projects:project_list')}?{urlencode({'region': region.code, 'sort': '-investment'})}"
        rows.append(LeagueRow(rank, region, t["amount"], t["count"], by_region[region.pk], url))
    return rows


# --- 周调度: the meetings a user may see -------------------------------------------------------------


def meetings_visible_to(user: Actor, qs: QuerySet[WeeklyMeeting] | None = None) -> QuerySet[WeeklyMeeting]:
    qs = WeeklyMeeting.objects.all() if qs is None else qs
    if not can_view_meetings(user):
        return qs.none()
    org = organisation_of(user)
    if user.role == Role.DISPATCHER:
        if is_city_dispatch_office(user):
            return qs
        return qs.filter(Q(organiser__path__startswith=org.path) | Q(region_id=org.region_id))
    if user.role in {Role.LEADER, Role.SUPERVISOR}:
        if is_citywide(user):
            return qs
        return qs.filter(Q(region_id=org.region_id) | Q(organiser__region_id=org.region_id))
    # A handler sees the meetings that gave its unit a task.
    tasked = MeetingDecision.objects.filter(lead_org_id=org.pk).values("meeting_id")
    return qs.filter(pk__in=tasked)


def get_meeting_for(user: Actor, pk: Any, *, write: bool = False) -> WeeklyMeeting:
    """404 when the meeting is not visible (no existence leak), 403 when visible but the
    user may not change it."""
    try:
        meeting = meetings_visible_to(user).select_related("organiser", "region").get(pk=int(pk))
    except (WeeklyMeeting.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("会议不存在。")) from None
    if write and not can_manage_meeting(user, meeting):
        raise PermissionDeniedError(_("只有召集单位的调度员可以操作该会议。"))
    return meeting


def project_subjects(enterprise: Enterprise) -> list[Subject]:
    """所涉项目 for the enterprise's problem reports: its own projects in the register."""
    rows = Project.objects.filter(enterprise=enterprise, is_active=True).order_by("name", "pk").values_list("pk", "name")
    return [Subject(ref=f"project:{pk}", label=name) for pk, name in rows]
