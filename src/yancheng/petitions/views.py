"""The petitions pages: the list of matters a user may see and a matter's page. Each part of
the module adds its own pages in its own ``views_<part>.py``; reads go through
``Petition.objects.visible_to`` (a matter the user cannot see answers 404)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET

from yancheng.cases.models import Light
from yancheng.core.audit.services import audit_record
from yancheng.core.kit.exports import EXPORT_MAX_ROWS, wants_xlsx, xlsx_response
from yancheng.core.kit.require import require_page
from yancheng.core.models import Organisation
from yancheng.core.typing import AuthenticatedHttpRequest

from .forms_intake import region_queryset
from .models import Channel, Petition, PetitionType, Stage, Topic
from .selectors import PetitionFilters
from .selectors import petition_list as petition_list_qs
from .views_documents import documents_context

PAGE_SIZE = 50


def get_petition_for(request: AuthenticatedHttpRequest, pk: int) -> Petition:
    """The matter if the user may see it; 404 otherwise (never 403: that would confirm it exists)."""
    petition = (
        Petition.objects.visible_to(request.user)
        .select_related("topic", "region", "registering_org", "handling_org", "respondent_org", "case")
        .filter(pk=pk)
        .first()
    )
    if petition is None:
        raise Http404
    return petition


LIGHT_LABELS = dict(Light.choices)
FLAG_CHOICES = (("duplicate", _l("重复信访")), ("after_final", _l("终结后再次反映")), ("urgent", _l("重大紧急")),
                ("group", _l("集体访")))


@login_required
@require_GET
def petition_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The matters the user may see (检举控告 withheld by ``visible_to``), filtered, each with
    the light of its current clock; the 信访人's names masked. ``?format=xlsx`` exports it."""
    require_page(request, "petitions.view_list")
    filters = PetitionFilters.from_params(request.GET)
    if wants_xlsx(request):
        return export_rows(request, filters, revealed=False)
    qs = petition_list_qs(request.user, filters).prefetch_related("petitioners")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for petition in page.object_list:
        petition.masked_names = "、".join(str(p.name) for p in petition.petitioners.all())  # type: ignore[attr-defined]
        petition.light_label = LIGHT_LABELS.get(getattr(petition, "light", ""), "")  # type: ignore[attr-defined]
    user = request.user
    return render(request, "petitions/list.html", {
        "page": page,
        "filters": filters,
        "query": filters.query(),
        "stages": Stage.choices,
        "types": [("none", _l("未分类")), *PetitionType.choices],
        "channels": Channel.choices,
        "topics": Topic.objects.all(),
        "regions": region_queryset(),
        "organs": Organisation.objects.filter(
            pk__in=Petition.objects.visible_to(user).exclude(handling_org=None).values("handling_org")
        ).order_by("name"),
        "flags": FLAG_CHOICES,
        "lights": [(value, label) for value, label in Light.choices if value != Light.NONE],
        "can_register": rules.has_perm("petitions.register", user),
        "can_export_revealed": rules.has_perm("petitions.reveal_personal", user),
        "can_view_statistics": rules.has_perm("petitions.view_statistics", user),
        "filter_pairs": [(k, v) for k, v in asdict(filters).items() if v],
    })


def export_rows(request: AuthenticatedHttpRequest, filters: PetitionFilters, *, revealed: bool) -> HttpResponse:
    """The list as .xlsx, the same rows as the page. Names masked, unless ``revealed`` (the
    caller has checked ``petitions.reveal_personal``): then in clear, with ID numbers and
    phones, and audited as ``petition.export_revealed``."""
    now = timezone.now()
    listed = list(petition_list_qs(request.user, filters, now).prefetch_related("petitioners")[:EXPORT_MAX_ROWS])
    action = "petition.export_revealed" if revealed else "petition.export"
    audit_record(action, actor=request.user, object_type="petitions.petition",
                 after={"rows": len(listed), "filters": filters.without_q()})
    headers = [_("信访件编号"), _("亮灯"), _("内容摘要"), _("类型"), _("环节"), _("信访形式"), _("问题属地"),
               _("问题类别"), _("办理机关"), _("信访人"), _("登记时间"), _("重复信访"), _("终结后再次反映")]
    if revealed:
        headers += [_("身份证号"), _("联系电话")]

    def row(p: Petition) -> list[Any]:
        people = list(p.petitioners.all())
        names = [x.name.reveal() if revealed else str(x.name) for x in people]
        values: list[Any] = [
            p.number, str(LIGHT_LABELS.get(getattr(p, "light", ""), "")), p.title, p.get_petition_type_display(),
            p.get_stage_display(), p.get_channel_display(), p.region.name, str(p.topic),
            p.handling_org.name if p.handling_org else "", "、".join(names),
            timezone.localtime(p.registered_at).replace(tzinfo=None), _("是") if p.duplicate_of_id else "",
            _("是") if p.after_final else "",
        ]
        if revealed:
            values += ["、".join(x.id_number.reveal() for x in people if x.id_number),
                       "、".join(x.phone.reveal() for x in people if x.phone)]
        return values

    name = _("信访事项（含个人信息）") if revealed else _("信访事项")
    return xlsx_response(name, headers, (row(p) for p in listed), at=now)


@login_required
@require_GET
def petition_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from .views_handling import handling_context

    petition = get_petition_for(request, pk)
    return render(
        request,
        "petitions/detail.html",
        {
            "petition": petition,
            "petitioners": list(petition.petitioners.all()),
            "documents": list(petition.documents.select_related("issuer")),
            "events": list(petition.events.select_related("actor_org")),
            **handling_context(request, petition),
            **documents_context(request, petition),
        },
    )
