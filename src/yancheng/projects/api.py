"""Project endpoints under /api/v1/projects (registered on the API by ``yancheng.api.main``):
list with the registry's filters, detail (``ETag`` = version), create, and PATCH with
``If-Match``. Reads go through ``Project.objects.visible_to`` (an invisible project answers
404); writes through the services, which check the permission again and audit.

The plumbing (If-Match, ETag, pagination) is the kit's (``core.kit.api``); domain errors
become the API's JSON errors.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region, Role, User
from yancheng.core.typing import Actor

from .models import Project
from .selectors import ProjectFilters, get_project_for, project_list
from .services.registry import project_create, project_update

router = Router(tags=["projects"])

StageName = Literal["negotiating", "signed", "started", "construction", "completed", "producing"]
CategoryName = Literal["industry", "infrastructure", "livelihood"]


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    enterprise: int | None
    enterprise_name: str | None
    region: str
    region_name: str
    park: int | None
    chain: str | None
    category: str
    total_investment: Decimal
    stage: str
    stage_display: str
    planned_start: date | None
    planned_completion: date | None
    signed_on: date | None
    started_on: date | None
    completed_on: date | None
    producing_on: date | None
    leader: int | None
    responsible_org: int
    responsible_org_name: str
    is_confidential: bool
    is_active: bool
    version: int
    updated_at: datetime


class ProjectFilterIn(Schema):
    q: str | None = Field(None, max_length=64)
    region: str | None = Field(None, max_length=12, description="区划代码（含下级）")
    park: int | None = Field(None, ge=1)
    chain: str | None = Field(None, max_length=32)
    stage: StageName | None = None
    category: CategoryName | None = None
    leader: int | None = Field(None, ge=1)
    confidential: bool | None = None


class ProjectCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field("", max_length=32, description="留空自动编号")
    name: str = Field(..., min_length=1, max_length=200)
    enterprise: int | None = Field(None, ge=1)
    region: str = Field(..., max_length=12, description="区划代码")
    park: int | None = Field(None, ge=1)
    chain: str | None = Field(None, max_length=32)
    category: CategoryName = "industry"
    total_investment: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2, description="万元")
    planned_start: date | None = None
    planned_completion: date | None = None
    leader: int | None = Field(None, ge=1)
    responsible_org: int = Field(..., ge=1)
    description: str = Field("", max_length=5000)
    is_confidential: bool = False


class ProjectPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    enterprise: int | None = Field(None, ge=1)
    region: str | None = Field(None, max_length=12)
    park: int | None = Field(None, ge=1)
    chain: str | None = Field(None, max_length=32)
    category: CategoryName | None = None
    total_investment: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    planned_start: date | None = None
    planned_completion: date | None = None
    leader: int | None = Field(None, ge=1)
    responsible_org: int | None = Field(None, ge=1)
    description: str | None = Field(None, max_length=5000)
    is_confidential: bool | None = None
    is_active: bool | None = None


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _out(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk, "code": p.code, "name": p.name, "enterprise": p.enterprise_id,
        "enterprise_name": p.enterprise.name if p.enterprise else None, "region": p.region.code,
        "region_name": p.region.name, "park": p.park_id, "chain": p.chain.code if p.chain else None,
        "category": p.category, "total_investment": p.total_investment, "stage": p.stage,
        "stage_display": str(p.get_stage_display()), "planned_start": p.planned_start,
        "planned_completion": p.planned_completion, "signed_on": p.signed_on, "started_on": p.started_on,
        "completed_on": p.completed_on, "producing_on": p.producing_on, "leader": p.leader_id,
        "responsible_org": p.responsible_org_id, "responsible_org_name": p.responsible_org.name,
        "is_confidential": p.is_confidential, "is_active": p.is_active, "version": p.version,
        "updated_at": p.updated_at,
    }


def _resolve(user: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ids and codes into objects, refusing the ones the caller may not use."""
    out = dict(data)
    if "region" in out:
        region = Region.objects.filter(code=out["region"] or "").first()
        if region is None:
            raise ValidationFailed(_("未知的区划代码。"), field="region")
        out["region"] = region
    if "park" in out:
        out["park"] = None if out["park"] is None else (
            Organisation.objects.filter(pk=out["park"], kind=Organisation.Kind.PARK).first()
            or _invalid("park", _("园区不存在。")))
    if "chain" in out:
        out["chain"] = None if out["chain"] is None else (
            IndustryChain.objects.filter(code=out["chain"]).first() or _invalid("chain", _("未知的产业链编码。")))
    if "enterprise" in out:
        out["enterprise"] = None if out["enterprise"] is None else (
            Enterprise.objects.visible_to(user).filter(pk=out["enterprise"]).first()
            or _invalid("enterprise", _("企业不存在或不可见。")))
    if "leader" in out:
        out["leader"] = None if out["leader"] is None else (
            User.objects.filter(pk=out["leader"], role=Role.LEADER, is_active=True).first()
            or _invalid("leader", _("联系领导须是启用的领导账号。")))
    if "responsible_org" in out:
        out["responsible_org"] = (
            Organisation.objects.visible_to(user).filter(pk=out["responsible_org"]).first()
            or _invalid("responsible_org", _("责任单位不存在或不可见。")))
    return out


def _invalid(field: str, message: str) -> Any:
    raise ValidationFailed(message, field=field)


@router.get("/projects", response=list[ProjectOut], summary="重大项目列表")
@paginate(Pagination)
def projects_list(request: HttpRequest, filters: Query[ProjectFilterIn]) -> Any:
    user = _user(request)
    if not user.has_perm("projects.view_project_list"):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    params = {k: ("" if v is None else ("1" if v is True else "0" if v is False else str(v)))
              for k, v in filters.model_dump().items()}
    return MappedQuerySet(project_list(user, ProjectFilters.from_params(params)), _out)


@router.get("/projects/{project_id}", response=ProjectOut, summary="项目详情")
def projects_detail(request: HttpRequest, project_id: int, response: HttpResponse) -> dict[str, Any]:
    project = get_project_for(_user(request), project_id)
    response["ETag"] = etag(project.version)
    return _out(project)


@router.post("/projects", response={201: ProjectOut}, summary="登记项目")
def projects_create(request: HttpRequest, payload: ProjectCreateIn, response: HttpResponse) -> Any:
    user = _user(request)
    data = _resolve(user, payload.model_dump())
    project = project_create(actor=user, **data)
    project = get_project_for(user, project.pk)
    response["ETag"] = etag(project.version)
    response["Location"] = f"{request.path.rstrip('/')}/{project.pk}"
    return 201, _out(project)


@router.patch("/projects/{project_id}", response=ProjectOut, summary="修改项目")
def projects_patch(request: HttpRequest, project_id: int, payload: ProjectPatchIn, response: HttpResponse) -> Any:
    """Change a project's master data; requires ``If-Match`` (428 without it; 409 when stale).
    The stage moves on the project page (one step at a time)."""
    user = _user(request)
    version = if_match(request)  # present and well formed: the API's guard checked it
    project = get_project_for(user, project_id)
    changes = payload.model_dump(exclude_unset=True)
    for field in ("name", "region", "category", "total_investment", "responsible_org", "description",
                  "is_confidential", "is_active"):
        if field in changes and changes[field] is None:
            raise ValidationFailed(_("此字段不能为空。"), field=field)
    updated = project_update(project, actor=user, expected_version=version, **_resolve(user, changes))
    updated = get_project_for(user, updated.pk)
    response["ETag"] = etag(updated.version)
    return _out(updated)
