"""Writes of the research family (可产业化的主要科研成果清单): the chain office keeps the list of
results (``result_add``, ``result_update``, ``result_retire``), lets the system suggest the
enterprises each result suits (``match_suggest``), adds a match by hand (``match_add``), turns a
match into a 对接 task with an owner unit and a date (``match_start_docking``), and closes it
with its outcome (``match_close``) or sets it aside (``match_dismiss``).

Who writes: the chain's office (``chains.manage_chain``) does everything; the staff of the
unit that owns a 对接 task may also record its outcome (``chains.close_match``), since they
are the ones who held the talks. ``actor=None`` is the system (the demo, imports).

How a match is scored (``match_suggest``), the same answer every time for the same data:

- **node** — the enterprise is placed on one of the result's nodes: 60 points (the strong
  signal: it already makes what the result is about);
- **keywords** — each term in common between the result (its keywords and title) and the
  enterprise (the products of its placements on the chain, the keywords and names of those
  nodes, and its name): 15 points, at most three terms (45). Texts are split on 、，,;；/ and
  spaces; terms of two characters or more count, and a term matches when it is contained in
  the other side's text (Chinese has no spaces between words);
- **bonus** — 规上 (any of the 四上) 5 points, 专精特新 (中小企业 or 小巨人) 5 points;

capped at 100. An enterprise needs at least ``MATCH_THRESHOLD`` (15) points — one node or one
term; the bonus alone never makes a match — and the best ``MATCH_TOP`` (10) are kept, by
score and then by the enterprise's id."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.rows import bump, check_version
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, IndustryChain, Organisation, User
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor

from ..models import IpKind, MapNode, MatchStatus, Placement, ResearchMatch, ResearchResult
from ..selectors import chain_enterprises, profile_of

NODE_POINTS = 60
TERM_POINTS = 15
MAX_TERMS = 3
ABOVE_SCALE_POINTS = 5
SRDI_POINTS = 5
MATCH_THRESHOLD = 15
# 专精特新: the SRDI SMEs and the 小巨人 (an 创新型中小企业 is the tier below, no bonus).
SRDI_TIERS = frozenset({Enterprise.SrdiTier.SRDI_SME, Enterprise.SrdiTier.LITTLE_GIANT})
MATCH_TOP = 10
# A match somebody works on (or decided on) is never changed by a new suggestion.
WORKED = frozenset({MatchStatus.DOCKING, MatchStatus.SUCCEEDED, MatchStatus.FAILED, MatchStatus.DISMISSED})
_SPLIT = re.compile(r"[、，,;；/\s]+")
RESULT_FIELDS = ("title", "institution", "team", "summary", "keywords", "maturity", "ip_kind", "ip_number",
                 "transfer_mode")


def terms(*texts: str) -> list[str]:
    """The terms of some texts: split on 、，,;；/ and white space, two characters or more,
    each once, in order."""
    seen: dict[str, None] = {}
    for text in texts:
        for part in _SPLIT.split(text or ""):
            part = part.strip()
            if len(part) >= 2:
                seen.setdefault(part, None)
    return list(seen)


# --- results ----------------------------------------------------------------------------------------


def _maturity(value: Any) -> int:
    try:
        level = int(str(value).strip().upper().removeprefix("TRL").strip())
    except (TypeError, ValueError):
        raise ValidationFailed(_("技术成熟度应为 1 到 9 的整数。"), field="maturity") from None
    if not 1 <= level <= 9:
        raise ValidationFailed(_("技术成熟度应为 1 到 9 的整数。"), field="maturity")
    return level


def _nodes(chain: IndustryChain, nodes: Iterable[MapNode]) -> list[MapNode]:
    chosen = list(nodes)
    for node in chosen:
        if node.chain_id != chain.pk:
            raise ValidationFailed(_("环节“%(n)s”不属于这条产业链。") % {"n": node.name}, field="nodes")
        if not node.is_active:
            raise ValidationFailed(_("环节“%(n)s”已停用。") % {"n": node.name}, field="nodes")
    return chosen


def _clean_result(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    lengths = {"title": 200, "institution": 128, "team": 64, "keywords": 255, "ip_number": 64, "transfer_mode": 64}
    required = {"title": _("请填写成果名称。"), "institution": _("请填写完成单位。")}
    for name, value in fields.items():
        if name in lengths:
            cleaned[name] = clean_text(value, field=name, max_length=lengths[name], required=required.get(name))
        elif name == "summary":
            cleaned[name] = clean_text(value, field=name, max_length=4000)
        elif name == "maturity":
            cleaned[name] = _maturity(value)
        elif name == "ip_kind":
            kind = value or IpKind.NONE
            if kind not in IpKind.values:
                raise ValidationFailed(_("请选择知识产权类型。"), field="ip_kind")
            cleaned[name] = kind
    if cleaned.get("ip_kind") == IpKind.NONE and cleaned.get("ip_number"):
        raise ValidationFailed(_("没有知识产权时不填知识产权号。"), field="ip_number")
    return cleaned


def result_add(
    chain: IndustryChain, *, actor: Actor | None, title: str, institution: str, maturity: Any,
    keywords: str = "", team: str = "", summary: str = "", ip_kind: str = IpKind.NONE, ip_number: str = "",
    transfer_mode: str = "", nodes: Iterable[MapNode] = (),
) -> ResearchResult:
    """Put a research result on the chain's list, on some of its nodes."""
    require(actor, "chains.manage_chain", profile_of(chain))
    data = _clean_result({"title": title, "institution": institution, "maturity": maturity, "keywords": keywords,
                          "team": team, "summary": summary, "ip_kind": ip_kind, "ip_number": ip_number,
                          "transfer_mode": transfer_mode})
    chosen = _nodes(chain, nodes)
    with transaction.atomic():
        result = ResearchResult.objects.create(chain=chain, created_by=actor if getattr(actor, "pk", None) else None,
                                               **data)
        result.nodes.set(chosen)
        audit_record("chain.research_add", result, actor=actor, after=_snapshot(result))
    return result


def _snapshot(result: ResearchResult) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(result, name) for name in RESULT_FIELDS}
    out["nodes"] = sorted(result.nodes.values_list("code", flat=True))
    out["is_active"] = result.is_active
    return out


def _locked(result: ResearchResult | int) -> ResearchResult:
    pk = result.pk if isinstance(result, ResearchResult) else result
    return ResearchResult.objects.select_for_update().select_related("chain").get(pk=pk)


def result_update(
    result: ResearchResult, *, actor: Actor | None, expected_version: int | None = None,
    nodes: Iterable[MapNode] | None = None, **fields: Any,
) -> ResearchResult:
    """Change a result's text, maturity, IP or nodes; its matches stay as they are (suggest
    again to see who else it suits)."""
    require(actor, "chains.manage_chain", profile_of(result.chain))
    unknown = set(fields) - set(RESULT_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = _locked(result)
        check_version(locked, expected_version)
        before = _snapshot(locked)
        merged = {name: getattr(locked, name) for name in RESULT_FIELDS} | fields
        data = _clean_result(merged)
        changed = [name for name in RESULT_FIELDS if data[name] != getattr(locked, name)]
        for name in changed:
            setattr(locked, name, data[name])
        if nodes is not None:
            locked.nodes.set(_nodes(locked.chain, nodes))
        locked.save(update_fields=bump(locked, *changed))
        audit_record("chain.research_update", locked, actor=actor, before=before, after=_snapshot(locked))
    return locked


def result_retire(result: ResearchResult, *, actor: Actor | None, expected_version: int | None = None,
                  reason: str = "") -> ResearchResult:
    """Take a result off the list (transferred elsewhere, withdrawn); it keeps its matches
    and history but is no longer suggested to anyone."""
    require(actor, "chains.manage_chain", profile_of(result.chain))
    reason = clean_text(reason, field="reason", max_length=255)
    with transaction.atomic():
        locked = _locked(result)
        check_version(locked, expected_version)
        if not locked.is_active:
            raise ConflictError(_("该成果已移出清单。"), code="invalid_stage")
        locked.is_active = False
        locked.save(update_fields=bump(locked, "is_active"))
        audit_record("chain.research_retire", locked, actor=actor, after={"reason": reason})
    return locked


# --- matching ---------------------------------------------------------------------------------------


@dataclass
class Scored:
    """One enterprise's score for a result and what made it."""

    enterprise: Enterprise
    score: int = 0
    nodes: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    above_scale: bool = False
    srdi: bool = False

    @property
    def reason(self) -> str:
        """What matched, in the list's own words (kept in Chinese like the rest of the list's data)."""
        with translation.override("zh-hans"):
            parts = []
            if self.nodes:
                parts.append(_("落位于成果对应环节：%(n)s") % {"n": "、".join(self.nodes)})
            if self.matched:
                parts.append(_("关键词相符：%(k)s") % {"k": "、".join(self.matched)})
            if self.above_scale:
                parts.append(_("规上企业"))
            if self.srdi:
                parts.append(_("专精特新企业"))
            return "；".join(parts)[:255]


def _contains(term: str, texts: Iterable[str]) -> bool:
    return any(term in text for text in texts)


def score_enterprises(result: ResearchResult) -> list[Scored]:
    """Every enterprise of the result's chain scored by the rule in this module's docstring,
    best first (score, then the enterprise's id); those under the threshold left out."""
    result_nodes = {node.pk: node.name for node in result.nodes.all()}
    result_terms = terms(result.keywords, result.title)
    result_texts = [result.keywords, result.title]
    enterprises = {e.pk: e for e in chain_enterprises(result.chain).filter(is_active=True)}
    placements: dict[int, list[Placement]] = {}
    for placement in Placement.objects.filter(node__chain=result.chain, enterprise_id__in=list(enterprises)) \
            .select_related("node").order_by("node__sort_order", "node__code", "pk"):
        placements.setdefault(placement.enterprise_id, []).append(placement)
    scored: list[Scored] = []
    for pk in sorted(enterprises):
        enterprise = enterprises[pk]
        own = placements.get(pk, [])
        item = Scored(enterprise)
        item.nodes = [p.node.name for p in own if p.node_id in result_nodes]
        side_texts = [p.products for p in own] + [p.node.keywords for p in own] + [p.node.name for p in own]
        side_terms = terms(*side_texts)
        matched: dict[str, None] = {}
        for term in result_terms:  # a term of the result found in what the enterprise makes, or its name
            if _contains(term, [*side_texts, enterprise.name]):
                matched.setdefault(term, None)
        for term in side_terms:  # a product or node word of the enterprise found in the result
            if _contains(term, result_texts) and not any(term in m or m in term for m in matched):
                matched.setdefault(term, None)
        item.matched = list(matched)[:MAX_TERMS]
        item.above_scale = bool(enterprise.is_above_scale_industry or enterprise.is_above_quota_trade
                                or enterprise.is_qualified_construction or enterprise.is_above_scale_service)
        item.srdi = enterprise.srdi_tier in SRDI_TIERS
        item.score = min(100, (NODE_POINTS if item.nodes else 0) + TERM_POINTS * len(item.matched)
                         + (ABOVE_SCALE_POINTS if item.above_scale else 0) + (SRDI_POINTS if item.srdi else 0))
        if (item.nodes or item.matched) and item.score >= MATCH_THRESHOLD:
            scored.append(item)
    scored.sort(key=lambda s: (-s.score, s.enterprise.pk))
    return scored


@dataclass
class Suggested:
    created: list[ResearchMatch]
    updated: list[ResearchMatch]
    kept: int


def match_suggest(result: ResearchResult, *, actor: Actor | None) -> Suggested:
    """Suggest the enterprises the result suits (the best ``MATCH_TOP`` over the threshold).
    A new one becomes a 待对接 match with the reason; a 待对接 match already there gets its
    fresh score and reason; a match someone is working on or has decided (对接中, 达成合作,
    未达成, 不匹配) is left exactly as it is."""
    require(actor, "chains.manage_chain", profile_of(result.chain))
    if not result.is_active:
        raise ConflictError(_("该成果已移出清单，不再匹配企业。"), code="invalid_stage")
    best = score_enterprises(result)[:MATCH_TOP]
    created: list[ResearchMatch] = []
    updated: list[ResearchMatch] = []
    kept = 0
    with transaction.atomic():
        _locked(result)
        existing = {m.enterprise_id: m for m in ResearchMatch.objects.select_for_update().filter(result=result)}
        for item in best:
            match = existing.get(item.enterprise.pk)
            if match is None:
                created.append(ResearchMatch.objects.create(result=result, enterprise=item.enterprise,
                                                            score=item.score, reason=item.reason))
            elif match.status in WORKED:
                kept += 1
            elif (match.score, match.reason) != (item.score, item.reason):
                match.score, match.reason = item.score, item.reason
                match.save(update_fields=bump(match, "score", "reason", "updated_at"))
                updated.append(match)
        audit_record("chain.research_suggest", result, actor=actor, after={
            "created": [m.enterprise_id for m in created], "updated": [m.enterprise_id for m in updated],
            "kept": kept,
        })
    return Suggested(created=created, updated=updated, kept=kept)


def match_add(result: ResearchResult, enterprise: Enterprise, *, actor: Actor | None, reason: str = "") -> ResearchMatch:
    """Match a result with an enterprise by hand (the office knows of an interest the rule
    cannot see); the rule's score is kept with it for comparison."""
    require(actor, "chains.manage_chain", profile_of(result.chain))
    if not result.is_active:
        raise ConflictError(_("该成果已移出清单，不再匹配企业。"), code="invalid_stage")
    if not enterprise.is_active:
        raise ValidationFailed(_("“%(e)s”已不存续。") % {"e": enterprise}, field="enterprise")
    reason = clean_text(reason, field="reason", max_length=200)
    scored = next((s for s in score_enterprises(result) if s.enterprise.pk == enterprise.pk), None)
    with translation.override("zh-hans"):
        text = "；".join(p for p in [_("人工匹配") + (f"：{reason}" if reason else ""),
                                     scored.reason if scored else ""] if p)[:255]
    with transaction.atomic():
        _locked(result)
        if ResearchMatch.objects.filter(result=result, enterprise=enterprise).exists():
            raise ConflictError(_("该企业已在这项成果的匹配中。"), field="enterprise", code="match_duplicate")
        match = ResearchMatch.objects.create(result=result, enterprise=enterprise,
                                             score=scored.score if scored else 0, reason=text)
        audit_record("chain.match_add", match, actor=actor, after={"result": result.pk, "enterprise": enterprise.pk,
                                                                    "reason": reason})
    return match


def _locked_match(match: ResearchMatch | int) -> ResearchMatch:
    pk = match.pk if isinstance(match, ResearchMatch) else match
    return ResearchMatch.objects.select_for_update().select_related("result__chain", "enterprise").get(pk=pk)


def match_url(match: ResearchMatch) -> str:
    return reverse("chains:research_result", args=[match.result.chain.code, match.result_id])


def _people_of(*organisations: Organisation | None) -> list[User]:
    ids = [org.pk for org in organisations if org is not None]
    return list(User.objects.filter(organisation_id__in=ids, is_active=True).order_by("pk"))


def match_start_docking(
    match: ResearchMatch, *, actor: Actor | None, owner_org: Organisation, due_on: dt.date,
    expected_version: int | None = None, note: str = "",
) -> ResearchMatch:
    """Turn a 待对接 match into a 对接 task: the unit that arranges the talks (a department, a
    park, the office itself) and the date by which it reports the outcome. The unit's staff
    and the enterprise's users are told."""
    require(actor, "chains.manage_chain", profile_of(match.result.chain))
    if owner_org is None or owner_org.kind == Organisation.Kind.ENTERPRISE or not owner_org.is_active:
        raise ValidationFailed(_("请选择负责对接的单位（不能是企业）。"), field="owner_org")
    if due_on is None:
        raise ValidationFailed(_("请填写对接期限。"), field="due_on")
    if due_on < timezone.localdate():
        raise ValidationFailed(_("对接期限不能早于今天。"), field="due_on")
    note = clean_text(note, field="note", max_length=500)
    with transaction.atomic():
        locked = _locked_match(match)
        check_version(locked, expected_version)
        if locked.status != MatchStatus.SUGGESTED:
            raise ConflictError(_("只有待对接的匹配可以发起对接。"), code="invalid_stage")
        if not locked.result.is_active:
            raise ConflictError(_("该成果已移出清单，不再匹配企业。"), code="invalid_stage")
        locked.status, locked.owner_org, locked.due_on = MatchStatus.DOCKING, owner_org, due_on
        locked.save(update_fields=bump(locked, "status", "owner_org", "due_on", "updated_at"))
        audit_record("chain.match_start_docking", locked, actor=actor, after={
            "owner_org": owner_org.pk, "due_on": due_on.isoformat(), "note": note})
        title = _("科研成果对接：%(r)s × %(e)s，请于 %(d)s 前反馈结果") % {
            "r": locked.result.title, "e": locked.enterprise.name, "d": due_on.isoformat()}
        notify(recipients=_people_of(owner_org), verb="chain.match_docking", title=title, body=note or locked.reason,
               url=match_url(locked), obj=locked, actor=actor)
        notify(recipients=_people_of(locked.enterprise.organisation), verb="chain.match_docking", title=title,
               body=note or locked.reason, url=reverse("chains:mine"), obj=locked, actor=actor)
    return locked


def match_close(
    match: ResearchMatch, *, actor: Actor | None, status: str, outcome: str, expected_version: int | None = None,
) -> ResearchMatch:
    """Record how a 对接 ended: 达成合作 or 未达成, with what was agreed or why not. The chain
    office, or the staff of the unit that owns the 对接 task."""
    require(actor, "chains.close_match", match)
    if status not in (MatchStatus.SUCCEEDED, MatchStatus.FAILED):
        raise ValidationFailed(_("请选择“达成合作”或“未达成”。"), field="status")
    outcome = clean_text(outcome, field="outcome", max_length=2000, required=_("请填写对接结果。"))
    with transaction.atomic():
        locked = _locked_match(match)
        check_version(locked, expected_version)
        if locked.status != MatchStatus.DOCKING:
            raise ConflictError(_("只有对接中的匹配可以记录结果。"), code="invalid_stage")
        locked.status, locked.outcome = status, outcome
        locked.save(update_fields=bump(locked, "status", "outcome", "updated_at"))
        audit_record("chain.match_close", locked, actor=actor, after={"status": status, "outcome": outcome})
    return locked


def match_dismiss(match: ResearchMatch, *, actor: Actor | None, reason: str,
                  expected_version: int | None = None) -> ResearchMatch:
    """Set a match aside as 不匹配, with the reason; a later suggestion does not bring it back,
    and the enterprise no longer sees it."""
    require(actor, "chains.manage_chain", profile_of(match.result.chain))
    reason = clean_text(reason, field="reason", max_length=500, required=_("请填写不匹配的理由。"))
    with transaction.atomic():
        locked = _locked_match(match)
        check_version(locked, expected_version)
        if locked.status not in (MatchStatus.SUGGESTED, MatchStatus.DOCKING):
            raise ConflictError(_("只有待对接或对接中的匹配可以标为不匹配。"), code="invalid_stage")
        locked.status, locked.outcome = MatchStatus.DISMISSED, reason
        locked.save(update_fields=bump(locked, "status", "outcome", "updated_at"))
        audit_record("chain.match_dismiss", locked, actor=actor, after={"reason": reason})
    return locked
