"""登记与溯源 pages: registering a matter (with its 查询码 shown once), the flags of the same
person's earlier matters, 不再受理 after 终结, classification and 不予受理 (第三十一条
(一)–(五)), an audited reveal of a 信访人's personal data, the export with names revealed,
and the hotspots (counts by area, topic, organ and channel, with drill-down to the list)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.forms import add_domain_error, domain_errors_to_http
from yancheng.core.kit.require import require_page
from yancheng.core.models import Region
from yancheng.core.reference import tile_layout_for
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.lib.charts import Axis, Series, Tile, bar_chart, tile_map

from . import intake, querycode
from .forms_intake import ClassifyForm, NotAcceptForm, RegisterForm, petitioner_rows, row_count
from .intake import (
    ROUTE_ITEMS,
    channel_text_for,
    petition_not_accept,
    petition_refuse_again,
    petition_reissue_query_code,
    petitioner_reveal,
)
from .models import Channel, Petition, Petitioner, PetitionType
from .selectors import DIMENSIONS, PERIODS, PetitionFilters, counts_by, in_period, period_of, topic_labels
from .views import get_petition_for

SESSION_KEY = "petitions.query_codes"


# --- 登记 -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def petition_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "petitions.register")
    data = request.POST if request.method == "POST" else None
    form = RegisterForm(data)
    count = row_count(data)
    rows = petitioner_rows(data, count)
    people_error = ""
    if data is not None and "more_rows" not in data:
        valid = form.is_valid()
        valid = all([row.is_valid() for row in rows]) and valid
        if valid:
            d = form.cleaned_data
            try:
                registered = intake.petition_register(
                    actor=request.user, channel=d["channel"], received_on=d["received_on"], region=d["region"],
                    topic=d["topic"], title=d["title"], request=d["request"], facts=d["facts"],
                    respondent_org=d["respondent_org"], respondent_person=d["respondent_person"],
                    is_group=d["is_group"], head_count=d["head_count"], is_urgent=d["is_urgent"],
                    reception=d["reception"], petition_type=d["petition_type"], claim_route=d["claim_route"],
                    petitioners=[row.as_input() for row in rows if row.has_person()],
                )
            except (ValidationFailed, ConflictError) as exc:
                if exc.field == "petitioners":
                    people_error = str(exc.message)
                else:
                    add_domain_error(form, exc)
            else:
                petition = registered.petition
                if petition.duplicate_of_id is None:
                    codes = dict(request.session.get(SESSION_KEY, {}))
                    codes[str(petition.pk)] = querycode.display(registered.query_code)
                    request.session[SESSION_KEY] = codes
                return HttpResponseRedirect(reverse("petitions:petition_registered", args=[petition.pk]))
    return render(request, "petitions/register.html", {
        "form": form, "rows": rows, "row_count": count, "people_error": people_error,
        "leader_day": Channel.LEADER_DAY,
    })


@login_required
@require_GET
@never_cache
def petition_registered(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The result of a registration: the 查询码 once (popped from the session), the slip to
    print, and the flags of the same person's earlier matters."""
    petition = get_petition_for(request, pk)
    require_page(request, "petitions.register")
    codes = dict(request.session.get(SESSION_KEY, {}))
    code = codes.pop(str(petition.pk), "")
    if code:
        request.session[SESSION_KEY] = codes
    visible = Petition.objects.visible_to(request.user)
    earlier = visible.filter(pk=petition.earlier_id).first() if petition.earlier_id else None
    running = (
        Petition.objects.select_related("handling_org").filter(pk=petition.duplicate_of_id).first()
        if petition.duplicate_of_id else None
    )
    return render(request, "petitions/registered.html", {
        "petition": petition,
        "code": code,
        "query_url": request.build_absolute_uri(intake.QUERY_PATH),
        "earlier": earlier,
        "earlier_number": petition.earlier.number if petition.earlier_id and petition.earlier else "",
        "running": running,
        "running_visible": running is not None and visible.filter(pk=running.pk).exists(),
        "can_refuse_again": petition.after_final and rules.has_perm("petitions.classify", request.user, petition)
        and petition.stage == "registered",
    })


@login_required
@require_POST
@domain_errors_to_http
def petition_refuse_again_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for(request, pk)
    require_page(request, "petitions.classify", petition)
    try:
        document = petition_refuse_again(petition, actor=request.user,
                                         expected_version=_version(request.POST.get("expected_version")))
    except (ValidationFailed, ConflictError) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已出具不再受理告知书 %(n)s。") % {"n": document.number})
    return HttpResponseRedirect(reverse("petitions:petition_detail", args=[petition.pk]))


@login_required
@require_POST
@domain_errors_to_http
def petition_reissue_code_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """重新生成查询码 for a petitioner who lost theirs: shown once on the slip page, the old
    code stops working."""
    petition = get_petition_for(request, pk)
    require_page(request, "petitions.classify", petition)
    code = petition_reissue_query_code(petition, actor=request.user)
    codes = dict(request.session.get(SESSION_KEY, {}))
    codes[str(petition.pk)] = querycode.display(code)
    request.session[SESSION_KEY] = codes
    messages.success(request, _("已重新生成查询码，原查询码已失效。"))
    return HttpResponseRedirect(reverse("petitions:petition_registered", args=[petition.pk]))


def _version(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- 分类 -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def petition_classify_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for(request, pk)
    require_page(request, "petitions.classify", petition)
    form = ClassifyForm(request.POST or None, initial={
        "petition_type": petition.petition_type, "claim_route": petition.claim_route,
        "expected_version": petition.version,
    })
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            intake.petition_classify(petition, actor=request.user, petition_type=d["petition_type"],
                                     claim_route=d["claim_route"], expected_version=d["expected_version"])
        except (ValidationFailed, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已分类。"))
            return HttpResponseRedirect(reverse("petitions:petition_classify", args=[petition.pk]))
    return render(request, "petitions/classify.html", _classify_context(petition, form, None))


def _classify_context(petition: Petition, form: ClassifyForm, refuse: NotAcceptForm | None) -> dict[str, Any]:
    other_channel = (petition.petition_type == PetitionType.CLAIM and petition.claim_route in ROUTE_ITEMS
                     and petition.stage == "registered")
    if refuse is None and other_channel:
        refuse = NotAcceptForm(initial={"channel_text": channel_text_for(petition.claim_route),
                                        "expected_version": petition.version})
    return {"petition": petition, "form": form, "refuse": refuse if other_channel else None}


@login_required
@require_POST
def petition_not_accept_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for(request, pk)
    require_page(request, "petitions.classify", petition)
    refuse = NotAcceptForm(request.POST)
    if refuse.is_valid():
        d = refuse.cleaned_data
        try:
            document = petition_not_accept(petition, actor=request.user, reason=d["reason"],
                                           channel_text=d["channel_text"], expected_version=d["expected_version"])
        except (ValidationFailed, ConflictError) as exc:
            add_domain_error(refuse, exc)
        else:
            messages.success(request, _("已出具不予受理告知书 %(n)s。") % {"n": document.number})
            return HttpResponseRedirect(reverse("petitions:petition_detail", args=[petition.pk]))
    form = ClassifyForm(initial={"petition_type": petition.petition_type, "claim_route": petition.claim_route,
                                 "expected_version": petition.version})
    return render(request, "petitions/classify.html", _classify_context(petition, form, refuse), status=400)


# --- reveal -----------------------------------------------------------------------------------------


@login_required
@require_POST
@never_cache
@domain_errors_to_http
def petitioner_reveal_view(request: AuthenticatedHttpRequest, pk: int, person: int) -> HttpResponse:
    """POST only: the plain personal data of one 信访人, with its audit record."""
    petition = get_petition_for(request, pk)
    require_page(request, "petitions.reveal_personal", petition)
    petitioner = Petitioner.objects.filter(petition=petition, pk=person).select_related("petition").first()
    if petitioner is None:
        from django.http import Http404

        raise Http404
    with transaction.atomic():
        revealed = petitioner_reveal(petitioner, actor=request.user)
    return render(request, "petitions/revealed.html", {"petition": petition, "person": revealed})


# --- export with names revealed --------------------------------------------------------------------


@login_required
@require_POST
@never_cache
def petition_export_revealed(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list's .xlsx with the 信访人's names, ID numbers and phones in clear: an explicit
    POST by a role that may reveal them (the 信访部门), audited with the filters and the count."""
    from .views import export_rows

    if not rules.has_perm("petitions.reveal_personal", request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    filters = PetitionFilters.from_params(request.POST)
    return export_rows(request, filters, revealed=True)


# --- hotspots -----------------------------------------------------------------------------------------


DIMENSION_LABELS = {"region": gettext_lazy("问题属地"), "topic": gettext_lazy("问题类别"),
                    "respondent": gettext_lazy("被反映单位"), "channel": gettext_lazy("信访形式")}


def _region_tiles(region_rows: list[dict[str, Any]], list_url: str, base: PetitionFilters) -> list[Tile]:
    """The city's districts and counties as tiles where they lie (core/data/tile-map-<city>.json),
    each with its count and the list it opens; an area outside the layout (the city itself)
    goes in a row below."""
    layout = tile_layout_for(settings.YANCHENG_CITY_CODE)
    counted = {row["key"]: row for row in region_rows}
    areas = {str(r.pk): r for r in Region.objects.filter(Q(code__in=list(layout)) | Q(pk__in=[
        int(k) for k in counted if k.isdigit()]))}
    spare_row = max((y for _x, y in layout.values()), default=-1) + 1
    tiles, spare = [], 0
    for key, region in sorted(areas.items(), key=lambda item: item[1].code):
        row = counted.get(key)
        if region.code in layout:
            x, y = layout[region.code]
        else:
            x, y, spare = spare, spare_row, spare + 1
        url = row["url"] if row else f"{list_url}?{base.query(region=key)}"
        tiles.append(Tile(region.name, x, y, row["count"] if row else 0, url))
    return tiles


@login_required
@require_GET
def petition_hotspots(request: AuthenticatedHttpRequest) -> HttpResponse:
    """溯源 (第十三条 信访信息分析研判): where matters come from, over a chosen period."""
    require_page(request, "petitions.view_statistics")
    kind = request.GET.get("period", "month")
    kind = kind if kind in PERIODS else "month"
    anchor = _date(request.GET.get("on")) or timezone.localdate()
    period = period_of(kind, anchor)
    visible = Petition.objects.visible_to(request.user)
    scoped = in_period(visible, period.first, period.last)
    list_url = reverse("petitions:petition_list")
    base = PetitionFilters(since=period.first.isoformat(), until=period.last.isoformat())
    labels = topic_labels()
    tables: list[dict[str, Any]] = []
    for dimension in DIMENSIONS:
        rows = []
        for tally in counts_by(scoped, dimension):
            label = labels.get(tally.key, tally.label) if dimension == "topic" else tally.label
            rows.append({"key": tally.key, "label": label, "count": tally.count,
                         "url": f"{list_url}?{base.query(**{dimension: tally.key})}"})
        tables.append({"name": dimension, "label": str(DIMENSION_LABELS[dimension]), "rows": rows})
    trend = []
    for first, last in period.months() if kind != "month" else [(period.first, period.last)]:
        month = PetitionFilters(since=first.isoformat(), until=last.isoformat())
        trend.append({"label": first.strftime("%Y-%m"), "count": in_period(visible, first, last).count(),
                      "url": f"{list_url}?{month.query()}"})
    region_rows = tables[0]["rows"]
    region_map = tile_map(_region_tiles(region_rows, list_url, base), pgettext("petitions chart unit", "件"))
    charts = {"charts": {
        "region_map": region_map,
        "regions": bar_chart([r["label"] for r in region_rows], [Axis(pgettext("petitions chart unit", "件"), whole=True)],
                             [Series(_("信访事项"), [r["count"] for r in region_rows])], horizontal=True)
        if region_rows else None,
        "trend": bar_chart([t["label"] for t in trend], [Axis(pgettext("petitions chart unit", "件"), whole=True)],
                           [Series(_("信访事项"), [t["count"] for t in trend])]) if len(trend) > 1 else None,
    }}
    return render(request, "petitions/hotspots.html", {
        "period": period, "kind": kind, "periods": [(p, _period_label(p)) for p in PERIODS],
        "anchor": anchor.isoformat(), "total": scoped.count(),
        "total_url": f"{list_url}?{base.query()}", "tables": tables, "trend": trend, "charts": charts,
        "previous": (period.first - dt.timedelta(days=1)).isoformat(),
        "next": (period.last + dt.timedelta(days=1)).isoformat(),
    })


def _period_label(kind: str) -> str:
    return {"month": _("月"), "quarter": _("季度"), "year": _("年")}[kind]


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None
