"""The pages of 稳控, 重大紧急, 包案 and 领导接访日: the steps posted from the matter's page
(its 稳控 panel, ``_stabilise.html``), the follow-up list and the reception days.

A matter or a follow-up the user cannot see answers 404 (through ``visible_to``); a step the
user may not take answers 403 (the service's audited refusal)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.forms import add_domain_error, domain_errors_to_http
from yancheng.core.kit.require import require_page
from yancheng.core.typing import AuthenticatedHttpRequest

from . import leaders, stabilise
from .forms_stabilise import (
    FollowUpDoneForm,
    FollowUpPlanForm,
    LeaderChangeForm,
    ReceptionForm,
    ReceptionRecordForm,
    RiskForm,
    TakeForm,
    UrgentForm,
)
from .models import LeaderReception, Petition
from .selectors_todos import FOLLOW_UP_DUE, follow_ups_for
from .views import PAGE_SIZE, get_petition_for

PANEL = "#stabilise"


def _back(petition: Petition) -> HttpResponse:
    return redirect(reverse("petitions:petition_detail", args=[petition.pk]) + PANEL)


def _form_error(request: AuthenticatedHttpRequest, form: Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else str(error))


def _refused(request: AuthenticatedHttpRequest, exc: ValidationFailed | ConflictError) -> None:
    messages.error(request, str(exc.message))


# --- steps on a matter ----------------------------------------------------------------------------


@login_required
@require_POST
@domain_errors_to_http
def petition_set_risk(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for(request, pk)
    form = RiskForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(petition)
    try:
        stabilise.petition_set_risk(petition, actor=request.user, level=form.cleaned_data["level"],
                                    note=form.cleaned_data["note"], expected_version=form.cleaned_data["version"])
    except (ValidationFailed, ConflictError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已更新风险等级。"))
    return _back(petition)


@login_required
@require_POST
@domain_errors_to_http
def follow_up_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for(request, pk)
    form = FollowUpPlanForm(request.POST, orgs=stabilise.follow_up_orgs(petition))
    if not form.is_valid():
        _form_error(request, form)
        return _back(petition)
    data = form.cleaned_data
    try:
        stabilise.follow_up_plan(petition, actor=request.user, kind=data["kind"], org=data["org"],
                                 due_on=data["due_on"], plan=data["plan"], expected_version=data["version"])
    except (ValidationFailed, ConflictError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已安排稳控工作。"))
    return _back(petition)


@login_required
@require_POST
@domain_errors_to_http
def follow_up_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    follow_up = follow_ups_for(request.user).filter(pk=pk).first()
    if follow_up is None:
        raise Http404
    form = FollowUpDoneForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(follow_up.petition)
    try:
        stabilise.follow_up_done(follow_up, actor=request.user, result=form.cleaned_data["result"],
                                 risk_level=form.cleaned_data["risk_level"],
                                 expected_version=form.cleaned_data["version"])
    except (ValidationFailed, ConflictError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已记录稳控情况。"))
    return _back(follow_up.petition)


@login_required
@require_POST
@domain_errors_to_http
def petition_mark_urgent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for(request, pk)
    form = UrgentForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(petition)
    try:
        stabilise.petition_mark_urgent(petition, actor=request.user, reason=form.cleaned_data["reason"],
                                       expected_version=form.cleaned_data["version"])
    except (ValidationFailed, ConflictError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已标为重大紧急信访事项，并报告值班领导。"))
    return _back(petition)


@login_required
@require_POST
@domain_errors_to_http
def petition_take_personally(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for(request, pk)
    form = TakeForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(petition)
    try:
        leaders.petition_take_personally(petition, actor=request.user, note=form.cleaned_data["note"],
                                         expected_version=form.cleaned_data["version"])
    except (ValidationFailed, ConflictError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已包案。"))
    return _back(petition)


@login_required
@require_POST
@domain_errors_to_http
def petition_leader_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    petition = get_petition_for(request, pk)
    form = LeaderChangeForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(petition)
    try:
        leaders.petition_leader_release(petition, actor=request.user, leader=form.cleaned_data["leader"],
                                        note=form.cleaned_data["note"], expected_version=form.cleaned_data["version"])
    except (ValidationFailed, ConflictError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已调整包案领导。"))
    return _back(petition)


# --- the follow-up list -----------------------------------------------------------------------------


@login_required
@require_GET
def follow_up_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """稳控回访: the follow-ups on the matters the user sees; ``due`` (due / overdue / open /
    done) and ``mine`` (given to the user's unit) as the workbench links them."""
    require_page(request, "petitions.view_list")
    due = request.GET.get("due", "")
    due = due if due in FOLLOW_UP_DUE else ""
    mine = request.GET.get("mine") == "1"
    qs = follow_ups_for(request.user, due=due, mine=mine)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "petitions/follow_ups.html", {
        "page": page, "due": due, "mine": mine, "today": timezone.localdate(),
        "due_choices": [("", _("全部")), ("due", _("到期未完成")), ("overdue", _("已逾期")), ("open", _("未完成")),
                        ("done", _("已完成"))],
    })


# --- reception days ----------------------------------------------------------------------------------


def _reception_for(request: AuthenticatedHttpRequest, pk: int) -> LeaderReception:
    reception = leaders.receptions_visible_to(request.user).select_related("leader", "org").filter(pk=pk).first()
    if reception is None:
        raise Http404
    return reception


def _with_matters(request: AuthenticatedHttpRequest) -> Prefetch:  # type: ignore[type-arg]
    """The matters registered at each reception that the user may see (masked as in any list)."""
    return Prefetch("petitions", queryset=Petition.objects.visible_to(request.user).order_by("registered_at", "pk"),
                    to_attr="visible_matters")


@login_required
@require_GET
def reception_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """领导接访日: upcoming days (nearest first) and past ones (latest first), each with the
    matters registered at it; ``when`` (upcoming / past) and ``mine`` (the leader's own)."""
    require_page(request, "petitions.view_receptions")
    today = timezone.localdate()
    qs = leaders.receptions_visible_to(request.user).select_related("leader", "org").prefetch_related(
        _with_matters(request)
    )
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(leader_id=request.user.pk)
    when = request.GET.get("when", "")
    upcoming = list(qs.filter(day__gte=today).order_by("day", "pk")) if when != "past" else []
    past = list(qs.filter(day__lt=today).order_by("-day", "pk")[:PAGE_SIZE]) if when != "upcoming" else []
    return render(request, "petitions/receptions.html", {
        "upcoming": upcoming, "past": past, "when": when, "mine": mine, "today": today,
        "can_schedule": request.user.has_perm("petitions.manage_receptions"),
    })


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_to_http
def reception_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "petitions.manage_receptions")
    form = ReceptionForm(request.POST or None, initial={"day": timezone.localdate() + dt.timedelta(days=7)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reception = leaders.reception_schedule(actor=request.user, leader=data["leader"], day=data["day"],
                                                   place=data["place"], topics=data["topics"])
        except (ValidationFailed, ConflictError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已安排领导接访日。"))
            return redirect("petitions:reception_detail", pk=reception.pk)
    return render(request, "petitions/receptions_new.html", {"form": form})


@login_required
@require_GET
def reception_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reception = _reception_for(request, pk)
    matters = list(Petition.objects.visible_to(request.user).filter(reception=reception)
                   .select_related("handling_org").order_by("registered_at", "pk"))
    can_record = (request.user.has_perm("petitions.record_reception", reception)
                  and reception.day <= timezone.localdate())
    return render(request, "petitions/receptions_detail.html", {
        "reception": reception, "matters": matters, "can_record": can_record,
        "form": ReceptionRecordForm(initial={"notes": reception.notes}) if can_record else None,
    })


@login_required
@require_POST
@domain_errors_to_http
def reception_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reception = _reception_for(request, pk)
    form = ReceptionRecordForm(request.POST)
    if form.is_valid():
        try:
            leaders.reception_record(reception, actor=request.user, notes=form.cleaned_data["notes"])
        except (ValidationFailed, ConflictError) as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("已记录接访情况。"))
    else:
        _form_error(request, form)
    return redirect("petitions:reception_detail", pk=reception.pk)
