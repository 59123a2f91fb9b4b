"""Reads of the research family (科研成果清单): the results of a chain with the list's filters
and their match counts, a result's matches, the 对接 tasks a unit owns, the overdue ones the
to-dos count, and what an enterprise user sees of their own enterprise (``mine``).

Maturity is shown with the level's name from GB/T 22900-2022《科学技术研究项目评价通则》's
technology readiness levels (技术就绪水平), "TRL 6 · 系统原型演示"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import IndustryChain
from yancheng.core.typing import MaybeActor, organisation_of

from .models import IpKind, MatchStatus, Placement, ResearchMatch, ResearchResult
from .permissions import STAFF_ROLES, _active, matches_visible_to, placements_visible_to

# GB/T 22900-2022 技术就绪水平 (TRL 1–9), in its own words.
TRL_LABELS = {
    1: _("基本原理清晰"),
    2: _("技术概念和应用设想明确"),
    3: _("关键功能和特性通过验证"),
    4: _("实验室环境中关键部件验证"),
    5: _("相关环境中关键部件验证"),
    6: _("相关环境中系统原型演示"),
    7: _("实际环境中系统原型演示"),
    8: _("定型系统试验验证"),
    9: _("实际应用验证"),
}
OPEN_STATUSES = (MatchStatus.SUGGESTED, MatchStatus.DOCKING)
# How an enterprise's matches are listed: what is under way, what waits, then what was decided.
STATUS_ORDER = (MatchStatus.DOCKING, MatchStatus.SUGGESTED, MatchStatus.SUCCEEDED, MatchStatus.FAILED)
RESULT_FILTERS = ("q", "institution", "maturity", "node", "ip_kind", "retired", "overdue")


def trl_label(level: int | None) -> str:
    """``TRL 6 · 相关环境中系统原型演示``."""
    if level is None or level not in TRL_LABELS:
        return ""
    return f"TRL {level} · {TRL_LABELS[level]}"


def result_list(chain: IndustryChain, params: Mapping[str, Any] | None = None) -> QuerySet[ResearchResult]:
    """The chain's results (in the list unless ``retired=1``) with ``q`` (title, keywords,
    institution), ``institution``, ``maturity`` (at least), ``node`` (a node's code) and
    ``ip_kind``, ``overdue`` (a 对接 task past its date); each annotated with ``match_count``, ``docking_count`` and
    ``succeeded_count``."""
    params = params or {}
    qs = ResearchResult.objects.filter(chain=chain)
    qs = qs.filter(is_active=False) if str(params.get("retired", "")) == "1" else qs.filter(is_active=True)
    q = str(params.get("q", "") or "").strip()[:64]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(keywords__icontains=q) | Q(institution__icontains=q))
    institution = str(params.get("institution", "") or "").strip()[:128]
    if institution:
        qs = qs.filter(institution=institution)
    maturity = str(params.get("maturity", "") or "").strip()
    if maturity.isdigit() and 1 <= int(maturity) <= 9:
        qs = qs.filter(maturity__gte=int(maturity))
    node = str(params.get("node", "") or "").strip()[:32]
    if node:
        qs = qs.filter(nodes__code=node, nodes__chain=chain)
    ip_kind = str(params.get("ip_kind", "") or "")
    if ip_kind in IpKind.values:
        qs = qs.filter(ip_kind=ip_kind)
    if str(params.get("overdue", "")) == "1":  # the to-do's list: a 对接 task past its date
        qs = qs.filter(pk__in=overdue_docking(ResearchMatch.objects.filter(result__chain=chain)).values("result"))
    return qs.annotate(
        match_count=Count("matches", filter=~Q(matches__status=MatchStatus.DISMISSED), distinct=True),
        docking_count=Count("matches", filter=Q(matches__status=MatchStatus.DOCKING), distinct=True),
        succeeded_count=Count("matches", filter=Q(matches__status=MatchStatus.SUCCEEDED), distinct=True),
    ).prefetch_related("nodes").order_by("-maturity", "title", "pk")


def institutions(chain: IndustryChain) -> list[str]:
    return list(ResearchResult.objects.filter(chain=chain).order_by("institution")
                .values_list("institution", flat=True).distinct())


def matches_of(result: ResearchResult) -> QuerySet[ResearchMatch]:
    """A result's matches, best score first."""
    return result.matches.select_related("result", "enterprise", "owner_org").order_by("-score", "enterprise_id")


def matches_for(user: MaybeActor | None) -> QuerySet[ResearchMatch]:
    """The matches a user may read: those of the chains they read (an enterprise: its own,
    not dismissed), and for a department's staff also the 对接 tasks their unit owns."""
    visible = matches_visible_to(user)
    if _active(user) and user.role in STAFF_ROLES:
        visible = ResearchMatch.objects.filter(Q(pk__in=visible.values("pk"))
                                               | Q(owner_org_id=organisation_of(user).pk))
    return visible


def overdue_docking(qs: QuerySet[ResearchMatch]) -> QuerySet[ResearchMatch]:
    """对接 tasks past their date and still 对接中 (the date itself is still on time)."""
    return qs.filter(status=MatchStatus.DOCKING, due_on__lt=timezone.localdate(), result__is_active=True)


def office_overdue(user: MaybeActor | None, chain: IndustryChain | None = None) -> QuerySet[ResearchMatch]:
    """The overdue 对接 tasks of the chains the chain office user runs (``chain``: of one)."""
    from .models import ChainProfile

    if not _active(user):
        return ResearchMatch.objects.none()
    org = organisation_of(user)
    runs = ChainProfile.objects.filter(Q(office_id=org.pk) | Q(staff=user)).values("chain_id")
    qs = ResearchMatch.objects.filter(result__chain_id__in=runs)
    if chain is not None:
        qs = qs.filter(result__chain=chain)
    return overdue_docking(qs)


def mine_placements(user: MaybeActor | None) -> QuerySet[Placement]:
    """An enterprise user's own placements on chain maps."""
    return placements_visible_to(user).filter(node__is_active=True).select_related(
        "node__chain", "enterprise").order_by("node__chain__sort_order", "node__chain__code", "node__segment",
                                              "node__sort_order", "pk")


def mine_matches(user: MaybeActor | None) -> QuerySet[ResearchMatch]:
    """An enterprise user's matched research results (not the dismissed ones), open first."""
    step = Case(*[When(status=status, then=Value(i)) for i, status in enumerate(STATUS_ORDER)],
                default=Value(len(STATUS_ORDER)), output_field=IntegerField())
    return matches_visible_to(user).filter(result__is_active=True).select_related(
        "result__chain", "owner_org", "enterprise").prefetch_related("result__nodes").annotate(
        step=step).order_by("step", "-score", "pk")


def mine_open(user: MaybeActor | None) -> QuerySet[ResearchMatch]:
    """What waits for the enterprise: suggestions and 对接 in progress."""
    return mine_matches(user).filter(status__in=OPEN_STATUSES)
