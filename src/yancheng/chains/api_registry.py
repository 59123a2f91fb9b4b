"""The registry family's endpoints under /api/v1/chains: the chains the caller reads (with
counts), a chain's profile (who runs it; ``ETag`` = its version), the office's PATCH with
If-Match, the development path's versions and a new version (Idempotency-Key), and the member
enterprises. A chain the caller does not read answers 404; enterprise staff 403."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Role, User

from .api_common import api_chain, api_user
from .models import ChainPath, ChainProfile, Strength
from .selectors import profile_of
from .selectors_registry import enterprises_filtered, landing_rows
from .services.registry import path_add, profile_update

router = Router(tags=["chains"])


# --- shapes ----------------------------------------------------------------------------------------


class ChainOut(Schema):
    code: str
    name: str
    industry_group: str
    leader: str | None
    office: str | None
    enterprises: int
    nodes_strong: int
    nodes_weak: int
    nodes_missing: int
    open_leads: int


class ChainPersonOut(Schema):
    username: str
    name: str
    organisation: str | None


class ChainOrgOut(Schema):
    code: str
    name: str


class ChainEnterpriseRef(Schema):
    uscc: str
    name: str


class ChainProfileOut(Schema):
    code: str
    name: str
    industry_group: str
    leader: ChainPersonOut | None
    deputy_leaders: list[ChainPersonOut]
    office: ChainOrgOut | None
    staff: list[ChainPersonOut]
    backing_orgs: list[ChainOrgOut]
    masters: list[ChainEnterpriseRef]
    strong_min_enterprises: int
    strong_min_above_scale: int
    strong_min_output: Decimal
    current_path: int | None
    version: int


class ChainProfilePatch(Schema):
    """People by username, units by organisation code, 链主 by 统一社会信用代码; a field left out
    is kept."""

    leader: str | None = None
    deputy_leaders: list[str] | None = None
    staff: list[str] | None = None
    backing_orgs: list[str] | None = None
    masters: list[str] | None = None
    industry_group: str | None = None
    strong_min_enterprises: int | None = None
    strong_min_above_scale: int | None = None
    strong_min_output: Decimal | None = None


class ChainPathOut(Schema):
    number: int
    text: str
    author: str | None
    created_at: dt.datetime


class ChainPathIn(Schema):
    text: str
    based_on: int | None = None


class ChainEnterpriseOut(Schema):
    uscc: str
    name: str
    region: str
    region_name: str
    four_above: bool
    is_master: bool
    nodes: list[str]


class ChainEnterpriseFilters(Schema):
    region: str = ""
    q: str = ""


def _person(u: User | None) -> dict[str, Any] | None:
    if u is None:
        return None
    return {"username": u.username, "name": u.display_name,
            "organisation": u.organisation.code if u.organisation_id and u.organisation else None}


def _org(o: Organisation | None) -> dict[str, Any] | None:
    return {"code": o.code, "name": o.name} if o is not None else None


def _profile_out(chain: IndustryChain, profile: ChainProfile, response: HttpResponse) -> dict[str, Any]:
    response["ETag"] = etag(profile.version)
    newest = ChainPath.objects.filter(chain=chain).order_by("-number").values_list("number", flat=True).first()
    return {
        "code": chain.code, "name": chain.name, "industry_group": profile.industry_group,
        "leader": _person(profile.leader),
        "deputy_leaders": [_person(u) for u in profile.deputy_leaders.select_related("organisation")
                           .order_by("username")],
        "office": _org(profile.office),
        "staff": [_person(u) for u in profile.staff.select_related("organisation").order_by("username")],
        "backing_orgs": [_org(o) for o in profile.backing_orgs.order_by("code")],
        "masters": [{"uscc": e.uscc, "name": e.name} for e in profile.masters.order_by("name")],
        "strong_min_enterprises": profile.strong_min_enterprises,
        "strong_min_above_scale": profile.strong_min_above_scale,
        "strong_min_output": profile.strong_min_output, "current_path": newest, "version": profile.version,
    }


def _path_out(p: ChainPath) -> dict[str, Any]:
    return {"number": p.number, "text": p.text, "author": p.author.username if p.author else None,
            "created_at": p.created_at}


def _users(names: list[str], field: str) -> list[User]:
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ValidationFailed(_("未知的账号：%(u)s") % {"u": ", ".join(missing)[:100]}, field=field)
    return [found[n] for n in names]


def _orgs(codes: list[str], field: str) -> list[Organisation]:
    found = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(_("未知的机构编码：%(code)s") % {"code": ", ".join(missing)[:100]}, field=field)
    return [found[c] for c in codes]


def _enterprises(user: Any, codes: list[str], field: str) -> list[Enterprise]:
    found = {e.uscc: e for e in Enterprise.objects.visible_to(user).filter(uscc__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(_("未知的企业：%(u)s") % {"u": ", ".join(missing)[:100]}, field=field)
    return [found[c] for c in codes]


# --- endpoints -------------------------------------------------------------------------------------


@router.get("/", response=list[ChainOut], summary="产业链列表")
@paginate(Pagination)
def chains_list(request: HttpRequest) -> Any:
    user = api_user(request)
    if user.role == Role.ENTERPRISE or not user.has_perm("chains.view_module"):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return [{
        "code": r.chain.code, "name": r.chain.name, "industry_group": r.profile.industry_group if r.profile else "",
        "leader": r.profile.leader.username if r.profile and r.profile.leader else None,
        "office": r.profile.office.code if r.profile and r.profile.office else None,
        "enterprises": r.enterprises, "nodes_strong": r.strengths.get(Strength.STRONG, 0),
        "nodes_weak": r.strengths.get(Strength.WEAK, 0), "nodes_missing": r.strengths.get(Strength.MISSING, 0),
        "open_leads": r.open_leads,
    } for r in landing_rows(user)]


@router.get("/{code}", response=ChainProfileOut, summary="产业链链长负责制")
def chains_detail(request: HttpRequest, code: str, response: HttpResponse) -> Any:
    chain = api_chain(request, code)
    return _profile_out(chain, profile_of(chain), response)


@router.patch("/{code}", response=ChainProfileOut, summary="修改链长负责制（链办，If-Match）")
def chains_patch(request: HttpRequest, code: str, payload: ChainProfilePatch, response: HttpResponse) -> Any:
    chain = api_chain(request, code, write=True)
    version = if_match(request)
    user = api_user(request)
    data = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {k: v for k, v in data.items() if k in {
        "industry_group", "strong_min_enterprises", "strong_min_above_scale", "strong_min_output"}}
    for name in ("strong_min_enterprises", "strong_min_above_scale"):
        if name in changes and (changes[name] is None or not 0 <= changes[name] <= 32767):
            raise ValidationFailed(_("请填写 0 到 32767 之间的整数。"), field=name)
    if "leader" in data:
        changes["leader"] = _users([data["leader"]], "leader")[0] if data["leader"] else None
    for name in ("deputy_leaders", "staff"):
        if name in data:
            changes[name] = _users(data[name] or [], name)
    if "backing_orgs" in data:
        changes["backing_orgs"] = _orgs(data["backing_orgs"] or [], "backing_orgs")
    if "masters" in data:
        changes["masters"] = _enterprises(user, data["masters"] or [], "masters")
    profile = profile_update(chain, actor=user, expected_version=version, **changes)
    return _profile_out(chain, profile, response)


@router.get("/{code}/paths", response=list[ChainPathOut], summary="发展路径版本")
@paginate(Pagination)
def chains_paths(request: HttpRequest, code: str) -> Any:
    chain = api_chain(request, code)
    return MappedQuerySet(ChainPath.objects.filter(chain=chain).select_related("author").order_by("-number"),
                          _path_out)


@router.post("/{code}/paths", response={201: ChainPathOut}, summary="修订发展路径（新版本）")
def chains_path_add(request: HttpRequest, code: str, payload: ChainPathIn) -> Any:
    chain = api_chain(request, code, write=True)
    created = path_add(chain, actor=api_user(request), text=payload.text, expected_version=payload.based_on)
    return 201, _path_out(created)


@router.get("/{code}/enterprises", response=list[ChainEnterpriseOut], summary="产业链企业")
@paginate(Pagination)
def chains_enterprises(request: HttpRequest, code: str, filters: Query[ChainEnterpriseFilters]) -> Any:
    chain = api_chain(request, code)

    def page(rows: list[Enterprise]) -> list[dict[str, Any]]:
        return [{"uscc": e.uscc, "name": e.name, "region": e.region.code, "region_name": e.region.name,
                 "four_above": e.is_four_above, "is_master": bool(e.is_master),  # type: ignore[attr-defined]
                 "nodes": [p.node.code for p in e.chain_nodes]} for e in rows]  # type: ignore[attr-defined]

    return MappedQuerySet(enterprises_filtered(chain, filters.dict()), page=page)
