"""The inspector's pages (扫码入企), made for a phone: the QR landing page `/i/<token>/`, the
landing page with the find box, the registration page (preview + form), a registration's
staff page and the form that records the result.

Reads go through `visible_to` querysets (an object the user may not see answers 404);
every write through the `registration` package, whose refusals come back as form errors."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yancheng.core.errors import DomainError, PermissionDeniedError
from yancheng.core.kit.forms import add_domain_error
from yancheng.core.models import Enterprise, Role
from yancheng.core.typing import Actor, AuthenticatedHttpRequest

from . import forms_inspector as f
from .alerts import alerts_on_my_registrations
from .lookup import CodeRevoked, code_by_token, find_enterprise, revoked_message
from .models import FoundBy, Inspection, InspectionAlert, InspectionInspector, SupervisionCode
from .permissions import is_inspector
from .registration.finish import inspection_finish
from .registration.notices import AcknowledgementRequired
from .registration.preview import registration_preview
from .registration.register import inspection_register

PAGE_SIZE = 20
# Service field → form field, for refusals.
_FIELD_MAP = {"inspectors": "colleagues", "code": None, "found_by": None}


def refused(request: HttpRequest, message: str, *, status: int = 403, title: str | None = None) -> HttpResponse:
    """A page that says plainly why the user cannot go on (403, 410 …)."""
    return render(
        request, "inspections/inspector/refused.html",
        {"message": message, "title": title or _("无法登记入企检查")}, status=status,
    )


def _not_licensed(request: AuthenticatedHttpRequest) -> HttpResponse:
    return refused(request, _("只有持有效执法证、已录入执法人员名录的检查员才能登记入企检查。"
                              "如您是检查员，请联系本部门法制科核对执法证状态。"))


def _can_register(user: Actor) -> bool:
    return bool(rules.has_perm("inspections.register", user))


def _inspection_for(user: Actor, pk: int) -> Inspection:
    """A registration through the staff's view of it: enterprise users have their own
    page (/inspections/visits/<pk>/), so here it is 404 for them like for anyone who may
    not see it."""
    if getattr(user, "role", None) == Role.ENTERPRISE:
        raise Http404
    inspection = (
        Inspection.objects.visible_to(user)
        .select_related("enterprise", "enterprise__region", "department", "code", "plan_entry__item",
                        "exemption_reason", "registered_by", "joint_proposal")
        .filter(pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404
    return inspection


# --- the QR landing page -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def inspection_scan(request: AuthenticatedHttpRequest, token: str) -> HttpResponseBase:
    """The page the supervision code's QR opens: the registration page of its enterprise.
    Unknown token → 404; revoked → 410; anyone but a licensed inspector → 403."""
    code = code_by_token(token)
    if code is None:
        raise Http404
    if not code.is_active:
        return refused(request, revoked_message(), status=410, title=_("监督码已作废"))
    if not _can_register(request.user):
        return _not_licensed(request)
    enterprise = Enterprise.objects.visible_to(request.user).select_related("region").filter(pk=code.enterprise_id).first()
    if enterprise is None:
        raise Http404
    return _register_page(request, enterprise, FoundBy.CODE, code)


# --- the landing page and the find box ----------------------------------------------------------------


def _home(request: AuthenticatedHttpRequest, find_form: f.FindForm, *, status: int = 200) -> HttpResponse:
    user = request.user
    visible = Inspection.objects.visible_to(user)
    mine = (
        visible.filter(status=Inspection.Status.IN_PROGRESS, inspectors__licence__user_id=user.pk)
        .select_related("enterprise").distinct().order_by("-started_at")[:50]
    )
    recent = visible.select_related("enterprise", "department").order_by("-started_at", "-pk")
    page = Paginator(recent, PAGE_SIZE).get_page(request.GET.get("page"))
    alerts = alerts_on_my_registrations(user)
    return render(
        request, "inspections/inspector/home.html",
        {"find_form": find_form, "mine": mine, "page": page, "can_register": _can_register(user), "query": "",
         "my_alerts": alerts[:50], "my_alerts_count": alerts.count()},
        status=status,
    )


@login_required
@require_GET
def inspection_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The inspector's landing page: find an enterprise, finish what is in progress, see the
    department's recent registrations."""
    if not is_inspector(request.user):
        return refused(request, _("此页面供执法部门的检查员使用。"), title=_("入企检查"))
    return _home(request, f.FindForm())


@login_required
@require_GET
def inspection_find(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Resolve what was typed or scanned (code URL, USCC, licence-QR content) and go to the
    registration page; errors are shown on the landing page."""
    if not _can_register(request.user):
        return _not_licensed(request)
    form = f.FindForm(request.GET)
    if form.is_valid():
        try:
            found = find_enterprise(form.cleaned_data["q"], user=request.user)
        except CodeRevoked as exc:
            form.add_error("q", str(exc.message))
        except DomainError as exc:
            form.add_error("q", str(exc.message))
        else:
            if found.code is not None:
                return redirect("inspections:inspection_scan", token=found.code.token)
            url = reverse("inspections:inspection_register", args=[found.enterprise.pk])
            return redirect(f"{url}?{urlencode({'by': found.found_by})}")
    return _home(request, form)


# --- registering ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def inspection_register_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The registration page of an enterprise found by USCC or licence QR (``?by=``)."""
    enterprise = Enterprise.objects.visible_to(request.user).select_related("region").filter(pk=pk).first()
    if enterprise is None:
        raise Http404
    if not _can_register(request.user):
        return _not_licensed(request)
    by = request.GET.get("by") or request.POST.get("found_by") or FoundBy.USCC
    if by not in (FoundBy.USCC, FoundBy.LICENCE_QR):
        by = FoundBy.USCC
    return _register_page(request, enterprise, by, None)


def _register_page(
    request: AuthenticatedHttpRequest, enterprise: Enterprise, found_by: str, code: SupervisionCode | None
) -> HttpResponseBase:
    user = request.user
    preview = registration_preview(enterprise, actor=user)
    form = f.RegisterForm(request.POST or None, preview=preview)
    ack_needed: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = inspection_register(
                actor=user, enterprise=enterprise, found_by=found_by, code=code, kind=data["kind"],
                purpose=data["purpose"] or "", items=list(data["items"] or []), inspectors=form.certificates(),
                legal_basis=data["legal_basis"], plan_entry=data["plan_entry"], joint_proposal=data["joint_proposal"],
                outside_plan_reason=data["outside_plan_reason"] or "", exemption_reason=data["exemption_reason"],
                exemption_evidence=data["exemption_evidence"], entry_mode=data["entry_mode"],
                entry_mode_reason=data["entry_mode_reason"], started_at=data["started_at"],
                acknowledge_warnings=bool(data["acknowledge_warnings"]),
            )
        except AcknowledgementRequired as exc:
            ack_needed = exc.notices
        except PermissionDeniedError as exc:
            form.add_error(None, str(exc.message))
        except DomainError as exc:
            add_domain_error(form, exc, field_map=_FIELD_MAP)
        else:
            messages.success(request, _("已登记入企检查 %(number)s。检查结束后请登记检查结果。")
                             % {"number": inspection.number})
            for notice in getattr(inspection, "notices", []):
                messages.warning(request, notice.message)
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(
        request, "inspections/inspector/register.html",
        {"enterprise": enterprise, "preview": preview, "form": form, "found_by": found_by,
         "found_by_display": FoundBy(found_by).label, "code": code, "ack_needed": ack_needed,
         "action": request.get_full_path()},
    )


# --- a registration ---------------------------------------------------------------------------------------


@login_required
@require_GET
def inspection_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything about a registration, for the participating departments' staff and the
    supervisors: departments, inspectors, items, plan or reason, exemption, entry mode,
    the warnings shown at registration and the alerts raised."""
    user = request.user
    inspection = _inspection_for(user, pk)
    alerts: QuerySet[InspectionAlert] = inspection.alerts.select_related("cap_rule", "department").order_by("pk")
    return render(
        request, "inspections/inspector/detail.html",
        {
            "inspection": inspection,
            "departments": inspection.departments.order_by("name"),
            "inspectors": InspectionInspector.objects.filter(inspection=inspection).order_by("pk"),
            "items": inspection.items.select_related("department").order_by("department__name", "code"),
            "alerts": alerts,
            "can_finish": inspection.status == Inspection.Status.IN_PROGRESS
            and rules.has_perm("inspections.finish", user, inspection),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_finish_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """Record the end and the result of a registration."""
    user = request.user
    inspection = _inspection_for(user, pk)
    if not rules.has_perm("inspections.finish", user, inspection):
        return refused(request, _("只有参加本次检查部门的检查员才能登记检查结果。"), title=_("登记检查结果"))
    if inspection.status != Inspection.Status.IN_PROGRESS:
        messages.info(request, _("该检查已登记结果。"))
        return redirect("inspections:inspection_detail", pk=inspection.pk)
    form = f.FinishForm(request.POST or None, initial={"version": inspection.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection_finish(inspection, actor=user, outcome=data["outcome"], result=data["result"],
                              ended_at=data["ended_at"], expected_version=data["version"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已登记检查结果，企业将收到评价邀请。"))
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(request, "inspections/inspector/finish.html", {"inspection": inspection, "form": form})
