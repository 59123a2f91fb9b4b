"""Targets in the API (under /api/v1/chains): a chain's targets of a year with their light,
completion and expected %, add (``Idempotency-Key``), change and remove (``If-Match``), and
an actual for a period (``PUT``, ``If-Match`` on the target's version)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from yancheng.core.kit.api import Pagination, etag, if_match
from yancheng.core.kit.require import require
from yancheng.core.models import IndustryChain

from .api_common import api_user
from .models import Cadence, ChainTarget, TargetMetric
from .permissions import chains_visible_to
from .selectors_targets import LIGHTS, filter_rows, row_out, target_row, target_rows
from .services import targets as services

router = Router(tags=["chains"])
TARGET_IF_MATCH = _lazy("修改目标或报送完成情况须带 If-Match 头（值为读取目标时返回的 ETag）。")


class ChainActualOut(Schema):
    period: int
    value: Decimal
    note: str


class ChainTargetOut(Schema):
    id: int
    chain: str
    year: int
    metric: str
    name: str
    label: str
    unit: str
    baseline: Decimal
    target_value: Decimal
    cadence: str
    note: str
    version: int
    latest_period: int | None
    latest_value: Decimal | None
    completion: Decimal | None = Field(None, description="完成进度（%）")
    expected: Decimal | None = Field(None, description="序时进度（%）")
    behind: Decimal | None = Field(None, description="落后序时进度（百分点）")
    light: str
    missing: bool
    missing_period: int | None
    actuals: list[ChainActualOut]


class ChainTargetIn(Schema):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(..., ge=2000, le=2100)
    metric: TargetMetric
    name: str = Field("", max_length=64)
    unit: str = Field(..., max_length=16)
    baseline: Decimal = Field(Decimal(0), max_digits=16, decimal_places=2)
    target_value: Decimal = Field(..., max_digits=16, decimal_places=2)
    cadence: Cadence = Cadence.MONTHLY
    note: str = Field("", max_length=255)


class ChainTargetPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    metric: TargetMetric | None = None
    name: str | None = Field(None, max_length=64)
    unit: str | None = Field(None, max_length=16)
    baseline: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    target_value: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    cadence: Cadence | None = None
    note: str | None = Field(None, max_length=255)


class ChainActualIn(Schema):
    model_config = ConfigDict(extra="forbid")
    value: Decimal = Field(..., max_digits=16, decimal_places=2, description="截至该期末的全年累计值")
    note: str = Field("", max_length=255)


def _chain(request: HttpRequest, code: str) -> IndustryChain:
    user = api_user(request)
    chain = chains_visible_to(user).filter(code=code).first()
    if chain is None:
        raise Http404
    require(user, "chains.view_chain", chain)
    return chain


def _target(chain: IndustryChain, target_id: int) -> ChainTarget:
    if not 0 < target_id < 2**31:
        raise Http404
    target = ChainTarget.objects.select_related("chain").filter(chain=chain, pk=target_id).first()
    if target is None:
        raise Http404
    return target


def _out(target: ChainTarget, response: HttpResponse) -> dict[str, Any]:
    fresh = ChainTarget.objects.select_related("chain").prefetch_related("actuals").get(pk=target.pk)
    response["ETag"] = etag(fresh.version)
    return row_out(target_row(fresh, timezone.localdate()))


@router.get("/{code}/targets", response=list[ChainTargetOut], summary="发展目标清单", url_name="chain_targets_list")
@paginate(Pagination)
def targets_list(request: HttpRequest, code: str, year: int | None = None, light: str = "",
                 missing: bool = False) -> Any:
    """The chain's targets of ``year`` (this year by default) with ``light`` (red, yellow,
    green, none) and ``missing`` (the last ended period has no actual) as the list page."""
    chain = _chain(request, code)
    year = year if year is not None and 2000 <= year <= 2100 else timezone.localdate().year
    rows = filter_rows(target_rows(chain, year), light=light if light in LIGHTS else "", missing=missing)
    return [row_out(r) for r in rows]


@router.post("/{code}/targets", response={201: ChainTargetOut}, summary="新增发展目标", url_name="chain_targets_add")
def targets_add(request: HttpRequest, code: str, payload: ChainTargetIn, response: HttpResponse) -> Any:
    """The chain's office; send an ``Idempotency-Key``."""
    chain = _chain(request, code)
    data = payload.model_dump()
    target = services.target_add(chain, actor=api_user(request), **data)
    return Status(201, _out(target, response))


@router.patch("/{code}/targets/{target_id}", response=ChainTargetOut, summary="修改发展目标", url_name="chain_targets_patch")
def targets_patch(request: HttpRequest, code: str, target_id: int, payload: ChainTargetPatch,
                  response: HttpResponse) -> dict[str, Any]:
    chain = _chain(request, code)
    target = _target(chain, target_id)
    version = if_match(request, missing=TARGET_IF_MATCH)
    fields = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    services.target_update(target, actor=api_user(request), expected_version=version, **fields)
    return _out(target, response)


@router.delete("/{code}/targets/{target_id}", response={204: None}, summary="删除发展目标（尚无完成情况时）",
               url_name="chain_targets_remove")
def targets_remove(request: HttpRequest, code: str, target_id: int) -> Any:
    chain = _chain(request, code)
    target = _target(chain, target_id)
    version = if_match(request, missing=TARGET_IF_MATCH)
    services.target_remove(target, actor=api_user(request), expected_version=version)
    return Status(204, None)


@router.put("/{code}/targets/{target_id}/actuals/{period}", response=ChainTargetOut, summary="报送完成情况", url_name="chain_targets_actual")
def targets_actual(request: HttpRequest, code: str, target_id: int, period: int, payload: ChainActualIn,
                   response: HttpResponse) -> dict[str, Any]:
    """The year-to-date value at the end of month ``period`` (1–12) or quarter (1–4), with
    ``If-Match`` on the target's ETag; answers the target with its new light."""
    chain = _chain(request, code)
    target = _target(chain, target_id)
    version = if_match(request, missing=TARGET_IF_MATCH)
    services.actual_record(target, actor=api_user(request), period=period, value=payload.value, note=payload.note,
                           expected_version=version)
    return _out(target, response)
