"""The petitions pages: the list of matters a user may see and a matter's page. Each part of
the module adds its own pages in its own ``views_<part>.py``; reads go through
``Petition.objects.visible_to`` (a matter the user cannot see answers 404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yancheng.core.kit.require import require_page
from yancheng.core.typing import AuthenticatedHttpRequest

from .models import Petition
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


@login_required
@require_GET
def petition_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "petitions.view_list")
    qs = Petition.objects.visible_to(request.user).select_related("topic", "handling_org")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "petitions/list.html", {"page": page})


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
