"""The matters: list, registration (the 查询码 in the answer once), detail and classification."""


from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.api import MappedQuerySet, Pagination, etag, if_match
from yancheng.core.models import Organisation, Region

from . import intake
from .api_common import (
    PetitionClassifyIn,
    PetitionDetailOut,
    PetitionFilters,
    PetitionItemOut,
    PetitionRegisterIn,
    RegisteredOut,
    caller,
    detail_out,
    get_petition_api,
    item_out,
    visible_petitions,
)
from .models import Topic

router = Router()


@router.get("/petitions", response=list[PetitionItemOut], summary="信访事项列表")
@paginate(Pagination)
def petitions_list(request: HttpRequest, filters: Query[PetitionFilters]) -> Any:
    """The matters the caller may see, newest first (the same rule as the pages)."""
    qs = visible_petitions(caller(request))
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.petition_type:
        qs = qs.filter(petition_type=filters.petition_type)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.q:
        qs = qs.filter(Q(number__icontains=filters.q.strip()) | Q(title__icontains=filters.q.strip()))
    return MappedQuerySet(qs, item_out)


@router.post("/petitions", response={201: RegisteredOut}, summary="登记信访事项")
def petitions_register(request: HttpRequest, payload: PetitionRegisterIn, response: HttpResponse) -> Any:
    """登记 (信访部门): one record per matter whatever the channel. The answer carries the
    查询码 once; send an ``Idempotency-Key`` so a retry cannot register the matter twice."""
    user = caller(request)
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise ValidationFailed(_("未知的区划代码。"), field="region")
    topic = Topic.objects.filter(code=payload.topic).first()
    if topic is None:
        raise ValidationFailed(_("未知的问题类别。"), field="topic")
    respondent = None
    if payload.respondent_org is not None:
        respondent = Organisation.objects.filter(pk=payload.respondent_org, is_active=True).first()
        if respondent is None:
            raise ValidationFailed(_("被反映单位不存在。"), field="respondent_org")
    registered = intake.petition_register(
        actor=user, channel=payload.channel, received_on=payload.received_on, region=region, topic=topic,
        title=payload.title, request=payload.request, facts=payload.facts,
        petitioners=[intake.PetitionerInput(**p.dict()) for p in payload.petitioners],
        respondent_org=respondent, respondent_person=payload.respondent_person, is_group=payload.is_group,
        head_count=payload.head_count, is_urgent=payload.is_urgent, petition_type=payload.petition_type,
        claim_route=payload.claim_route,
    )
    petition = get_petition_api(user, registered.petition.pk)
    response["ETag"] = etag(petition.version)
    response["Location"] = f"{request.path.rstrip('/')}/{petition.pk}"
    return detail_out(petition, user) | {"query_code": registered.query_code}


@router.get("/petitions/{petition_id}", response=PetitionDetailOut, summary="信访事项详情")
def petitions_detail(request: HttpRequest, petition_id: int, response: HttpResponse) -> dict[str, Any]:
    """One matter with its (masked) petitioners, documents and timeline; ``ETag`` is its version."""
    user = caller(request)
    petition = get_petition_api(user, petition_id)
    response["ETag"] = etag(petition.version)
    return detail_out(petition, user)


@router.post("/petitions/{petition_id}/classify", response=PetitionDetailOut, summary="分类")
def petitions_classify(request: HttpRequest, petition_id: int, payload: PetitionClassifyIn,
                       response: HttpResponse) -> dict[str, Any]:
    """分类 with ``If-Match``: the type, and the route of a 申诉求决 matter (第三十一条)."""
    user = caller(request)
    petition = get_petition_api(user, petition_id)
    version = if_match(request, missing=_("此操作须带 If-Match 头（值为读取信访事项时返回的 ETag）。"))
    intake.petition_classify(petition, actor=user, petition_type=payload.petition_type,
                             claim_route=payload.claim_route, expected_version=version)
    petition = get_petition_api(user, petition_id)
    response["ETag"] = etag(petition.version)
    return detail_out(petition, user)
