"""The registry family's endpoints under /api/v1/safety: systems (list, detail, create, PATCH
with If-Match, retire), checklist items, duties, regional units, responsible persons, the
enterprise mappings, the coverage gaps and the letters (issue, sign). Reads need
``safety.view_registry`` (coverage and mappings: ``safety.view_coverage``; letters:
``safety.view_letters``); writes go through the services, which check again."""


import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.models import Enterprise, Organisation, Region, User

from .models import (
    EnterpriseSystem,
    ResponsibilityLetter,
    ResponsiblePerson,
    SafetySystem,
    SystemChecklistItem,
    SystemDuty,
)
from .selectors_registry import gaps_visible_to
from .services import coverage as coverage_services
from .services import letters as letter_services
from .services import registry as services
from .views_registry import systems_filtered

router = Router(tags=["safety"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _may(request: HttpRequest, perm: str) -> Any:
    user = _user(request)
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return user


def _system(code: str) -> SafetySystem:
    return get_object_or_404(SafetySystem.objects.select_related("leading_org"), code=code)


def _org(code: str | None, field: str) -> Organisation | None:
    if not code:
        return None
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        raise ValidationFailed(_("未知的机构编码：%(code)s") % {"code": code[:64]}, field=field)
    return org


def _region(code: str, field: str = "region") -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed(_("未知的区划代码。"), field=field)
    return region


# --- shapes ----------------------------------------------------------------------------------------


def _system_out(s: SafetySystem) -> dict[str, Any]:
    return {"code": s.code, "name": s.name, "name_en": s.name_en, "category": s.category,
            "leading_org": s.leading_org.code, "industry_codes": list(s.industry_codes or []),
            "repeat_window_days": s.repeat_window_days, "is_example": s.is_example, "is_active": s.is_active,
            "retired_on": s.retired_on, "version": s.version}


def _item_out(i: SystemChecklistItem) -> dict[str, Any]:
    return {"id": i.pk, "code": i.code, "text": i.text, "basis": i.basis, "is_major_criterion": i.is_major_criterion,
            "position": i.position, "is_active": i.is_active}


def _duty_out(d: SystemDuty) -> dict[str, Any]:
    return {"id": d.pk, "level": d.level, "text": d.text, "frequency": d.frequency,
            "checks_enterprises": d.checks_enterprises, "scope_industry_codes": list(d.scope_industry_codes or []),
            "position": d.position, "is_active": d.is_active}


def _person_out(p: ResponsiblePerson) -> dict[str, Any]:
    return {"id": p.pk, "system": p.system.code, "region": p.region.code, "organisation": p.organisation.code,
            "post": p.post, "name": p.name, "title": p.title, "phone": p.phone, "is_active": p.is_active}


def _mapping_out(m: EnterpriseSystem) -> dict[str, Any]:
    return {"id": m.pk, "enterprise": m.enterprise.uscc, "enterprise_name": m.enterprise.name,
            "system": m.system.code, "source": m.source,
            "responsible_org": m.responsible_org.code if m.responsible_org else None}


def _letter_out(x: ResponsibilityLetter) -> dict[str, Any]:
    return {"id": x.pk, "year": x.year, "unit": x.unit.code, "unit_name": x.unit.name, "title": x.title,
            "status": x.status, "issued_at": x.issued_at, "signed_on": x.signed_on, "signatory": x.signatory,
            "version": x.version}


class SystemOut(Schema):
    code: str
    name: str
    name_en: str
    category: str
    leading_org: str
    industry_codes: list[str]
    repeat_window_days: int
    is_example: bool
    is_active: bool
    retired_on: dt.date | None
    version: int


class ChecklistItemOut(Schema):
    id: int
    code: str
    text: str
    basis: str
    is_major_criterion: bool
    position: int
    is_active: bool


class DutyOut(Schema):
    id: int
    level: str
    text: str
    frequency: str
    checks_enterprises: bool
    scope_industry_codes: list[str]
    position: int
    is_active: bool


class UnitOut(Schema):
    region: str
    organisation: str


class SystemDetailOut(SystemOut):
    co_orgs: list[str]
    scope_note: str
    items: list[ChecklistItemOut]
    duties: list[DutyOut]
    units: list[UnitOut]


class PersonOut(Schema):
    id: int
    system: str
    region: str
    organisation: str
    post: str
    name: str
    title: str
    phone: str
    is_active: bool


class MappingOut(Schema):
    id: int
    enterprise: str
    enterprise_name: str
    system: str
    source: str
    responsible_org: str | None


class LetterOut(Schema):
    id: int
    year: int
    unit: str
    unit_name: str
    title: str
    status: str
    issued_at: dt.datetime
    signed_on: dt.date | None
    signatory: str
    version: int


class SystemFilters(Schema):
    category: str = ""
    state: str = "active"
    q: str = ""


class SystemIn(Schema):
    code: str
    name: str
    category: str
    leading_org: str
    name_en: str = ""
    co_orgs: list[str] = []
    industry_codes: list[str] = []
    scope_note: str = ""
    repeat_window_days: int = 90
    is_example: bool = False
    summary: str = ""


class SystemPatch(Schema):
    name: str | None = None
    name_en: str | None = None
    category: str | None = None
    leading_org: str | None = None
    co_orgs: list[str] | None = None
    industry_codes: list[str] | None = None
    scope_note: str | None = None
    repeat_window_days: int | None = None
    is_example: bool | None = None
    summary: str = ""


class RetireIn(Schema):
    retired_on: dt.date | None = None
    summary: str = ""


class ItemIn(Schema):
    code: str
    text: str
    basis: str = ""
    is_major_criterion: bool = False
    position: int | None = None
    summary: str = ""


class ItemPatch(Schema):
    text: str | None = None
    basis: str | None = None
    is_major_criterion: bool | None = None
    position: int | None = None
    is_active: bool | None = None
    summary: str = ""


class DutyIn(Schema):
    level: str
    text: str
    frequency: str = ""
    checks_enterprises: bool = False
    scope_industry_codes: list[str] = []
    position: int | None = None
    summary: str = ""


class DutyPatch(Schema):
    level: str | None = None
    text: str | None = None
    frequency: str | None = None
    checks_enterprises: bool | None = None
    scope_industry_codes: list[str] | None = None
    position: int | None = None
    is_active: bool | None = None
    summary: str = ""


class UnitIn(Schema):
    region: str
    organisation: str
    summary: str = ""


class PersonIn(Schema):
    region: str
    organisation: str
    post: str
    name: str
    title: str = ""
    phone: str = ""
    username: str = ""


class PersonPatch(Schema):
    region: str | None = None
    organisation: str | None = None
    post: str | None = None
    name: str | None = None
    title: str | None = None
    phone: str | None = None
    is_active: bool | None = None


class MappingIn(Schema):
    enterprise: str  # USCC
    system: str
    responsible_org: str = ""


class LettersIn(Schema):
    year: int
    units: list[str]
    title: str = ""


class GapOut(Schema):
    enterprise: str
    enterprise_name: str
    region: str
    system: str


# --- systems ---------------------------------------------------------------------------------------


def _detail(system: SafetySystem, response: HttpResponse) -> dict[str, Any]:
    response["ETag"] = etag(system.version)
    return _system_out(system) | {
        "co_orgs": [o.code for o in system.co_orgs.order_by("code")],
        "scope_note": system.scope_note,
        "items": [_item_out(i) for i in system.items.order_by("position", "code")],
        "duties": [_duty_out(d) for d in system.duties.order_by("position", "pk")],
        "units": [{"region": u.region.code, "organisation": u.organisation.code}
                  for u in system.units.select_related("region", "organisation")],
    }


@router.get("/registry/systems", response=list[SystemOut], summary="责任制列表")
@paginate(Pagination)
def safety_systems_list(request: HttpRequest, filters: Query[SystemFilters]) -> Any:
    _may(request, "safety.view_registry")
    return MappedQuerySet(systems_filtered(filters.dict()), _system_out)


@router.post("/registry/systems", response={201: SystemDetailOut}, summary="新建责任制")
def safety_systems_create(request: HttpRequest, payload: SystemIn, response: HttpResponse) -> Any:
    system = services.system_create(
        actor=_user(request), code=payload.code, name=payload.name, category=payload.category,
        leading_org=_org(payload.leading_org, "leading_org"), name_en=payload.name_en,
        co_orgs=[o for o in (_org(c, "co_orgs") for c in payload.co_orgs) if o is not None],
        industry_codes=payload.industry_codes, scope_note=payload.scope_note,
        repeat_window_days=payload.repeat_window_days, is_example=payload.is_example, summary=payload.summary,
    )
    return 201, _detail(system, response)


@router.get("/registry/systems/{code}", response=SystemDetailOut, summary="责任制详情")
def safety_systems_detail(request: HttpRequest, code: str, response: HttpResponse) -> Any:
    _may(request, "safety.view_registry")
    return _detail(_system(code), response)


@router.patch("/registry/systems/{code}", response=SystemDetailOut, summary="修改责任制")
def safety_systems_patch(request: HttpRequest, code: str, payload: SystemPatch, response: HttpResponse) -> Any:
    system = _system(code)
    version = if_match(request)
    changes: dict[str, Any] = {k: v for k, v in payload.dict(exclude_unset=True).items()
                               if k not in {"leading_org", "co_orgs", "summary"}}
    if payload.leading_org is not None:
        changes["leading_org"] = _org(payload.leading_org, "leading_org")
    if payload.co_orgs is not None:
        changes["co_orgs"] = [o for o in (_org(c, "co_orgs") for c in payload.co_orgs) if o is not None]
    system = services.system_update(system, actor=_user(request), expected_version=version, summary=payload.summary,
                                    **changes)
    return _detail(system, response)


@router.post("/registry/systems/{code}/retire", response=SystemDetailOut, summary="停用责任制")
def safety_systems_retire(request: HttpRequest, code: str, payload: RetireIn, response: HttpResponse) -> Any:
    system = _system(code)
    system = services.system_retire(system, actor=_user(request), expected_version=if_match(request),
                                    retired_on=payload.retired_on, summary=payload.summary)
    return _detail(system, response)


@router.post("/registry/systems/{code}/items", response={201: ChecklistItemOut}, summary="新增检查项")
def safety_items_add(request: HttpRequest, code: str, payload: ItemIn) -> Any:
    item = services.item_add(_system(code), actor=_user(request), code=payload.code, text=payload.text,
                             basis=payload.basis, is_major_criterion=payload.is_major_criterion,
                             position=payload.position, summary=payload.summary)
    return 201, _item_out(item)


@router.patch("/registry/items/{item_id}", response=ChecklistItemOut, summary="修改或停用检查项（If-Match 为责任制版本）")
def safety_items_patch(request: HttpRequest, item_id: int, payload: ItemPatch) -> Any:
    item = get_object_or_404(SystemChecklistItem.objects.select_related("system"), pk=item_id)
    item = services.item_update(item, actor=_user(request), expected_version=if_match(request),
                                **payload.dict(exclude_unset=True))
    return _item_out(item)


@router.post("/registry/systems/{code}/duties", response={201: DutyOut}, summary="新增职责")
def safety_duties_add(request: HttpRequest, code: str, payload: DutyIn) -> Any:
    duty = services.duty_add(_system(code), actor=_user(request), **payload.dict())
    return 201, _duty_out(duty)


@router.patch("/registry/duties/{duty_id}", response=DutyOut, summary="修改或停用职责（If-Match 为责任制版本）")
def safety_duties_patch(request: HttpRequest, duty_id: int, payload: DutyPatch) -> Any:
    duty = get_object_or_404(SystemDuty.objects.select_related("system"), pk=duty_id)
    duty = services.duty_update(duty, actor=_user(request), expected_version=if_match(request),
                                **payload.dict(exclude_unset=True))
    return _duty_out(duty)


@router.post("/registry/systems/{code}/units", response=UnitOut, summary="设定属地负责部门")
def safety_units_set(request: HttpRequest, code: str, payload: UnitIn) -> Any:
    unit = services.unit_set(_system(code), actor=_user(request), region=_region(payload.region),
                             organisation=_org(payload.organisation, "organisation"), summary=payload.summary)
    return {"region": unit.region.code, "organisation": unit.organisation.code}


# --- persons ---------------------------------------------------------------------------------------


@router.get("/registry/systems/{code}/persons", response=list[PersonOut], summary="责任人列表")
@paginate(Pagination)
def safety_persons_list(request: HttpRequest, code: str) -> Any:
    _may(request, "safety.view_registry")
    qs = _system(code).persons.select_related("system", "region", "organisation")
    return MappedQuerySet(qs, _person_out)


@router.post("/registry/systems/{code}/persons", response={201: PersonOut}, summary="新增责任人")
def safety_persons_add(request: HttpRequest, code: str, payload: PersonIn) -> Any:
    user = User.objects.filter(username=payload.username).first() if payload.username else None
    if payload.username and user is None:
        raise ValidationFailed(_("没有该账号。"), field="username")
    person = services.person_add(
        _system(code), actor=_user(request), region=_region(payload.region),
        organisation=_org(payload.organisation, "organisation"), post=payload.post, name=payload.name,
        title=payload.title, phone=payload.phone, user=user,
    )
    return 201, _person_out(person)


@router.patch("/registry/persons/{person_id}", response=PersonOut, summary="修改责任人（离岗：is_active=false）")
def safety_persons_patch(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    person = get_object_or_404(ResponsiblePerson.objects.select_related("system"), pk=person_id)
    changes = payload.dict(exclude_unset=True)
    if "region" in changes:
        changes["region"] = _region(changes["region"])
    if "organisation" in changes:
        changes["organisation"] = _org(changes["organisation"], "organisation")
    person = services.person_update(person, actor=_user(request), **changes)
    return _person_out(person)


# --- coverage --------------------------------------------------------------------------------------


def _mappings_visible(user: Any) -> QuerySet[EnterpriseSystem]:
    visible = Enterprise.objects.visible_to(user).values("pk")
    return EnterpriseSystem.objects.filter(enterprise_id__in=visible).select_related(
        "enterprise", "system", "responsible_org").order_by("system__code", "enterprise__name")


@router.get("/coverage/mappings", response=list[MappingOut], summary="企业责任制覆盖")
@paginate(Pagination)
def safety_mappings_list(request: HttpRequest, system: str = "", enterprise: str = "") -> Any:
    user = _may(request, "safety.view_coverage")
    qs = _mappings_visible(user)
    if system:
        qs = qs.filter(system__code=system)
    if enterprise:
        qs = qs.filter(enterprise__uscc=enterprise.upper())
    return MappedQuerySet(qs, _mapping_out)


@router.post("/coverage/mappings", response={201: MappingOut}, summary="人工指定覆盖")
def safety_mappings_add(request: HttpRequest, payload: MappingIn) -> Any:
    user = _user(request)
    enterprise = Enterprise.objects.visible_to(user).filter(uscc=payload.enterprise.strip().upper()).first()
    if enterprise is None:
        raise ValidationFailed(_("没有该统一社会信用代码的企业。"), field="enterprise")
    system = SafetySystem.objects.filter(code=payload.system).first()
    if system is None:
        raise ValidationFailed(_("没有该编码的责任制。"), field="system")
    row = coverage_services.mapping_add(actor=user, enterprise=enterprise, system=system,
                                        responsible_org=_org(payload.responsible_org, "responsible_org"))
    return 201, _mapping_out(row)


@router.delete("/coverage/mappings/{mapping_id}", response={204: None}, summary="取消人工覆盖")
def safety_mappings_remove(request: HttpRequest, mapping_id: int) -> Any:
    user = _may(request, "safety.manage_coverage")
    row = _mappings_visible(user).filter(pk=mapping_id).first()
    if row is None:
        raise Http404
    coverage_services.mapping_remove(row, actor=user)
    return 204, None


@router.get("/coverage/gaps", response=list[GapOut], summary="覆盖缺口（无监管部门的企业）")
@paginate(Pagination)
def safety_coverage_gaps(request: HttpRequest, system: str = "", region: str = "") -> Any:
    user = _may(request, "safety.view_coverage")
    return MappedQuerySet(gaps_visible_to(user, system=system, region=region), lambda m: {
        "enterprise": m.enterprise.uscc, "enterprise_name": m.enterprise.name, "region": m.enterprise.region.code,
        "system": m.system.code})


# --- letters ---------------------------------------------------------------------------------------


@router.get("/letters", response=list[LetterOut], summary="安全生产责任书")
@paginate(Pagination)
def safety_letters_list(request: HttpRequest, year: int | None = None, status: str = "") -> Any:
    user = _may(request, "safety.view_letters")
    qs = ResponsibilityLetter.objects.visible_to(user).select_related("unit").order_by("-year", "unit__code")
    if year:
        qs = qs.filter(year=year)
    if status in ResponsibilityLetter.Status.values:
        qs = qs.filter(status=status)
    return MappedQuerySet(qs, _letter_out)


@router.post("/letters", response={201: list[LetterOut]}, summary="下达责任书（全部或全不）")
def safety_letters_issue(request: HttpRequest, payload: LettersIn) -> Any:
    units = [o for o in (_org(code, "units") for code in payload.units) if o is not None]
    letters = letter_services.letters_issue(actor=_user(request), year=payload.year, units=units, title=payload.title)
    return 201, [_letter_out(x) for x in letters]


@router.post("/letters/{letter_id}/sign", response=LetterOut, summary="登记签订（上传签订后的扫描件，If-Match）")
def safety_letters_sign(request: HttpRequest, letter_id: int, response: HttpResponse,
                        signed_on: Form[dt.date], signatory: Form[str], file: File[UploadedFile]) -> Any:
    user = _user(request)
    letter = ResponsibilityLetter.objects.visible_to(user).filter(pk=letter_id).first()
    if letter is None:
        raise Http404
    letter = letter_services.letter_sign(letter, actor=user, signed_on=signed_on, signatory=signatory, file=file,
                                         expected_version=if_match(request))
    response["ETag"] = etag(letter.version)
    return _letter_out(letter)
