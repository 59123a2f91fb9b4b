"""Core endpoints: the caller, regions, organisations and enterprises.

Reads go through the visibility querysets (objects the caller may not see answer 404);
writes through the core services, which check the permission again and write the
audit record.
"""


from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.crypto import FieldCryptoError
from yancheng.core.errors import DB_INT_MAX, KeyUnavailableError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.kit.require import require
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region
from yancheng.core.selectors import get_contact_for, get_enterprise_for, get_organisation_for
from yancheng.core.services import enterprise_contact_phone_reveal, enterprise_create, enterprise_update
from yancheng.core.typing import Actor

router = Router(tags=["core"])


# --- schemas -------------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    name: str
    kind: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_display: str
    organisation: OrganisationRef | None
    can_add_enterprise: bool


class RegionOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    region: str
    parent: int | None
    is_active: bool


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    region: str
    region_name: str
    park: int | None
    park_name: str | None
    chains: list[str]
    legal_representative: str
    address: str
    industry_code: str = Field(..., description="国民经济行业代码（GB/T 4754-2017），未登记为空")
    is_above_scale_industry: bool
    is_above_quota_trade: bool
    is_qualified_construction: bool
    is_above_scale_service: bool
    is_four_above: bool
    srdi_tier: str
    srdi_valid_until: date | None
    grade: str
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


Grade = Literal["A", "B", "C", "D"]
INDUSTRY_CODE_HELP = "国民经济行业代码（GB/T 4754-2017）：门类字母 A–T 加 2 至 4 位数字，如 C3311；空为未登记"
SrdiTier = Literal["", "innovative", "srdi", "little_giant"]


class EnterpriseCreateIn(Schema):
    """A new enterprise. Unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(..., min_length=1, max_length=32, description="统一社会信用代码（18 位）")
    name: str = Field(..., min_length=1, max_length=128)
    region: str = Field(..., max_length=12, description="所在区划代码（GB/T 2260）")
    park: int | None = Field(None, ge=1, le=DB_INT_MAX, description="所在园区的机构 id")
    chains: list[str] = Field(default_factory=list, max_length=50, description="产业链编码")
    legal_representative: str = Field("", max_length=64)
    address: str = Field("", max_length=255)
    industry_code: str = Field("", max_length=16, description=INDUSTRY_CODE_HELP)
    is_above_scale_industry: bool = False
    is_above_quota_trade: bool = False
    is_qualified_construction: bool = False
    is_above_scale_service: bool = False
    srdi_tier: SrdiTier = ""
    srdi_valid_until: date | None = None
    grade: Grade = "B"


class EnterprisePatchIn(Schema):
    """The fields to change; omitted fields stay as they are. Enterprise users may change
    only ``legal_representative`` and ``address`` (403 otherwise); unknown fields → 422."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=128)
    region: str | None = Field(None, max_length=12)
    park: int | None = Field(None, ge=1, le=DB_INT_MAX)
    chains: list[str] | None = Field(None, max_length=50)
    legal_representative: str | None = Field(None, max_length=64)
    address: str | None = Field(None, max_length=255)
    industry_code: str | None = Field(None, max_length=16, description=INDUSTRY_CODE_HELP)
    is_above_scale_industry: bool | None = Field(None)
    is_above_quota_trade: bool | None = Field(None)
    is_qualified_construction: bool | None = Field(None)
    is_above_scale_service: bool | None = Field(None)
    srdi_tier: SrdiTier | None = Field(None)
    srdi_valid_until: date | None = None
    grade: Grade | None = Field(None)
    is_active: bool | None = Field(None)


class ContactOut(Schema):
    """An enterprise contact; the phone masked (reveal it with the POST endpoint)."""

    id: int
    name: str
    title: str
    phone_masked: str
    email: str
    is_primary: bool


class PhoneRevealOut(Schema):
    phone: str


class OrganisationFilters(Schema):
    kind: Literal["government", "office", "department", "park", "utility", "enterprise"] | None = None
    region: str | None = Field(None, max_length=12, description="区划代码")
    parent: int | None = Field(None, ge=1, le=DB_INT_MAX, description="上级机构 id")


class EnterpriseFilters(Schema):
    q: str | None = Field(None, max_length=64, description="名称包含或统一社会信用代码")
    region: str | None = Field(None, max_length=12, description="区划代码（含下级）")
    park: int | None = Field(None, ge=1, le=DB_INT_MAX, description="园区机构 id")
    grade: Grade | None = None
    chain: str | None = Field(None, max_length=32, description="产业链编码")


# --- helpers -------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _enterprise_out(e: Enterprise) -> dict[str, Any]:
    return {
        "id": e.pk,
        "uscc": e.uscc,
        "name": e.name,
        "region": e.region.code,
        "region_name": e.region.name,
        "park": e.park_id,
        "park_name": e.park.name if e.park else None,
        "chains": [c.code for c in e.chains.all()],
        "legal_representative": e.legal_representative,
        "address": e.address,
        "industry_code": e.industry_code,
        "is_above_scale_industry": e.is_above_scale_industry,
        "is_above_quota_trade": e.is_above_quota_trade,
        "is_qualified_construction": e.is_qualified_construction,
        "is_above_scale_service": e.is_above_scale_service,
        "is_four_above": e.is_four_above,
        "srdi_tier": e.srdi_tier,
        "srdi_valid_until": e.srdi_valid_until,
        "grade": e.grade,
        "is_active": e.is_active,
        "version": e.version,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


def _organisation_out(o: Organisation) -> dict[str, Any]:
    return {
        "id": o.pk,
        "code": o.code,
        "name": o.name,
        "short_name": o.short_name,
        "kind": o.kind,
        "region": o.region.code,
        "parent": o.parent_id,
        "is_active": o.is_active,
    }


def _resolve_region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed(_("未知的区划代码：%(code)s") % {"code": code}, field="region")
    return region


def _resolve_park(user: Actor, pk: int | None) -> Organisation | None:
    if pk is None:
        return None
    park = Organisation.objects.visible_to(user).filter(pk=pk, kind=Organisation.Kind.PARK).first()
    if park is None:
        raise ValidationFailed(_("园区不存在或不可选。"), field="park")
    return park


def _resolve_chains(codes: list[str]) -> list[IndustryChain]:
    chains = list(IndustryChain.objects.filter(code__in=codes))
    unknown = set(codes) - {c.code for c in chains}
    if unknown:
        raise ValidationFailed(_("未知的产业链编码：%(c)s") % {"c": "、".join(sorted(unknown))}, field="chains")
    return chains


def _with_related(qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    return qs.select_related("region", "park").prefetch_related("chains")


def _enterprise_for(user: Actor, pk: int) -> Enterprise:
    return get_enterprise_for(user, pk)


# --- endpoints -----------------------------------------------------------------------------


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    org = user.organisation
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_display": str(user.get_role_display()),
        "organisation": {"id": org.pk, "name": org.name, "kind": org.kind} if org else None,
        "can_add_enterprise": user.has_perm("core.add_enterprise"),
    }


@router.get("/regions", response=list[RegionOut], summary="行政区划")
def region_list(request: HttpRequest, parent: str | None = None) -> list[dict[str, Any]]:
    qs = Region.objects.select_related("parent").order_by("code")
    if parent:
        qs = qs.filter(parent__code=parent)
    return [{"code": r.code, "name": r.name, "kind": r.kind, "parent": r.parent.code if r.parent else None} for r in qs]


@router.get("/organisations", response=list[OrganisationOut], summary="组织机构列表")
@paginate(Pagination)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilters]) -> Any:
    user = _user(request)
    require(user, "core.view_organisation_tree")
    qs = Organisation.objects.visible_to(user).select_related("region").order_by("path", "pk")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.region:
        qs = qs.filter(region__code=filters.region)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    return MappedQuerySet(qs, _organisation_out)


@router.get("/organisations/{org_id}", response=OrganisationOut, summary="组织机构详情")
def organisation_detail(request: HttpRequest, org_id: int) -> dict[str, Any]:
    user = _user(request)
    require(user, "core.view_organisation_tree")
    return _organisation_out(get_organisation_for(user, org_id))


@router.get("/enterprises", response=list[EnterpriseOut], summary="企业列表")
@paginate(Pagination)
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]) -> Any:
    user = _user(request)
    require(user, "core.view_enterprise_list")
    qs = _with_related(Enterprise.objects.visible_to(user))
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__startswith=q.upper()))
    if filters.region:
        qs = qs.filter(Q(region__code=filters.region) | Q(region__parent__code=filters.region))
    if filters.park:
        qs = qs.filter(park_id=filters.park)
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.chain:
        qs = qs.filter(pk__in=Enterprise.chains.through.objects.filter(industrychain__code=filters.chain).values("enterprise_id"))
    return MappedQuerySet(qs.order_by("name", "pk"), _enterprise_out)


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut, summary="企业详情")
def enterprise_detail(request: HttpRequest, enterprise_id: int, response: HttpResponse) -> dict[str, Any]:
    enterprise = _enterprise_for(_user(request), enterprise_id)
    response["ETag"] = etag(enterprise.version)
    return _enterprise_out(enterprise)


@router.post("/enterprises", response={201: EnterpriseOut}, summary="登记企业")
def enterprise_create_endpoint(request: HttpRequest, payload: EnterpriseCreateIn, response: HttpResponse) -> Any:
    """Register an enterprise (dispatchers of the region, system administrators).
    Send an ``Idempotency-Key`` so a retry cannot register it twice."""
    user = _user(request)
    require(user, "core.add_enterprise")
    data = payload.model_dump()
    region = _resolve_region(data.pop("region"))
    park = _resolve_park(user, data.pop("park"))
    chains = _resolve_chains(data.pop("chains"))
    enterprise = enterprise_create(
        uscc=data.pop("uscc"), name=data.pop("name"), region=region, park=park, chains=chains, actor=user, **data
    )
    enterprise = _with_related(Enterprise.objects.filter(pk=enterprise.pk)).get()
    response["ETag"] = etag(enterprise.version)
    response["Location"] = f"{request.path.rstrip('/')}/{enterprise.pk}"
    return _enterprise_out(enterprise)


@router.patch("/enterprises/{enterprise_id}", response=EnterpriseOut, summary="修改企业信息")
def enterprise_patch(
    request: HttpRequest, enterprise_id: int, payload: EnterprisePatchIn, response: HttpResponse
) -> dict[str, Any]:
    """Change an enterprise. Requires ``If-Match`` with the ETag from the last read
    (428 without it, 412 when someone changed the enterprise since)."""
    user = _user(request)
    enterprise = _enterprise_for(user, enterprise_id)
    changes = payload.model_dump(exclude_unset=True)
    for field in ("name", "region", "legal_representative", "address", "industry_code", "grade", "srdi_tier",
                  "is_active",
                  "is_above_scale_industry", "is_above_quota_trade", "is_qualified_construction",
                  "is_above_scale_service", "chains"):
        if field in changes and changes[field] is None:
            raise ValidationFailed(_("此字段不能为空。"), field=field)
    if "region" in changes:
        changes["region"] = _resolve_region(changes["region"])
    if "park" in changes:
        changes["park"] = _resolve_park(user, changes["park"])
    chains = _resolve_chains(changes.pop("chains")) if "chains" in changes else None
    updated = enterprise_update(
        enterprise, actor=user, expected_version=if_match(request), chains=chains, **changes
    )
    updated = _with_related(Enterprise.objects.filter(pk=updated.pk)).get()
    response["ETag"] = etag(updated.version)
    return _enterprise_out(updated)


def _masked(value: Any) -> str:
    try:
        return str(value.masked)
    except FieldCryptoError as exc:
        raise KeyUnavailableError(_("无法解密该信息：字段加密密钥不可用，请联系系统管理员。")) from exc


@router.get("/enterprises/{enterprise_id}/contacts", response=list[ContactOut], summary="企业联系人（电话已脱敏）")
def enterprise_contacts(request: HttpRequest, enterprise_id: int) -> list[dict[str, Any]]:
    enterprise = _enterprise_for(_user(request), enterprise_id)
    return [
        {"id": c.pk, "name": c.name, "title": c.title, "phone_masked": _masked(c.phone), "email": c.email,
         "is_primary": c.is_primary}
        for c in enterprise.contacts.all()
    ]


@router.post(
    "/enterprises/{enterprise_id}/contacts/{contact_id}/phone/reveal",
    response=PhoneRevealOut,
    summary="显示联系人完整电话（留痕）",
)
def enterprise_contact_phone_reveal_endpoint(
    request: HttpRequest, enterprise_id: int, contact_id: int, response: HttpResponse
) -> dict[str, Any]:
    """The full number of one contact. Audited (who, whose number, when); 403 for a user
    who sees the enterprise but may not read its contacts' numbers, 404 for one who does
    not see it."""
    contact = get_contact_for(_user(request), enterprise_id, contact_id)
    phone = enterprise_contact_phone_reveal(contact, actor=_user(request))
    response["Cache-Control"] = "no-store"
    return {"phone": phone}


@router.post("/accounts/{user_id}/phone/reveal", response=PhoneRevealOut, summary="显示账号完整手机号（留痕）")
def account_phone_reveal_endpoint(request: HttpRequest, user_id: int, response: HttpResponse) -> dict[str, Any]:
    """The full phone number of an account, for the system administrator; audited. Others
    get 403 (their attempt is audited too)."""
    from yancheng.core.security.services import account_phone_reveal_by_id

    phone = account_phone_reveal_by_id(user_id, actor=_user(request))
    response["Cache-Control"] = "no-store"
    return {"phone": phone}
