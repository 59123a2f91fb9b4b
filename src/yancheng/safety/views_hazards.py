"""The hazard pages: the list (lights, filters, the to-dos' ``todo`` filter, .xlsx), the
hazard's page (timeline, photos before and after, the 重大 report, the 督办 notice, the
action table's steps), the report form for staff and enterprises, and the public form."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.cases.models import EVENT_LABELS, CaseEvent, Light
from yancheng.core.attachments.services import attachments_for
from yancheng.core.audit.middleware import client_ip
from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, DomainError, PermissionDeniedError
from yancheng.core.kit.exports import DOCX, EXPORT_MAX_ROWS, download, wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error, perform_step
from yancheng.core.kit.require import require_page
from yancheng.core.kit.throttle import Throttle
from yancheng.core.models import Organisation, Region
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.lib.deadlines import due_day_label

from . import documents
from .actions import HAZARD_ACTIONS, offered
from .forms_hazards import HazardReportForm, PublicHazardForm
from .models import (
    Hazard,
    HazardLevel,
    HazardSource,
    HazardStage,
    SafetyCheck,
    SafetySystem,
    SystemChecklistItem,
)
from .selectors import hazard_filters
from .selectors_hazards import TODO_KEYS, hazard_list, todo_filter
from .services.hazards import hazard_report, missing_report_message
from .services.hazards.base import check_step

PAGE_SIZE = 30
LIGHT_LABELS = dict(Light.choices)
PUBLIC_THROTTLE = Throttle(
    "safety.public_report", "YANCHENG_HAZARD_PUBLIC_WINDOW_SECONDS", "YANCHENG_HAZARD_PUBLIC_IP_LIMIT",
    "YANCHENG_HAZARD_PUBLIC_GLOBAL_LIMIT", 3600, 5, 500,
)


def _listed(request: AuthenticatedHttpRequest) -> Any:
    qs = hazard_filters(hazard_list(request.user), request.GET)
    todo = request.GET.get("todo", "")
    if todo in TODO_KEYS:
        qs = todo_filter(request.user, qs, todo)
    return qs


@login_required
@require_GET
def hazard_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The hazards the user sees, lit, filtered; ``?format=xlsx`` exports the same rows."""
    require_page(request, "safety.view_hazards")
    qs = _listed(request)
    if wants_xlsx(request):
        return _export(request, qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for h in page.object_list:
        h.light_label = LIGHT_LABELS.get(getattr(h, "light", ""), "")
        h.due_label = due_day_label(h.case.solve_due_at) if h.case is not None else ""
    visible = Hazard.objects.visible_to(request.user)
    return render(request, "safety/hazards/list.html", {
        "page": page,
        "params": request.GET,
        "todo": request.GET.get("todo", "") if request.GET.get("todo", "") in TODO_KEYS else "",
        "stages": HazardStage.choices, "levels": HazardLevel.choices, "sources": HazardSource.choices,
        "systems": SafetySystem.objects.filter(pk__in=visible.values("system")).order_by("code"),
        "regions": Region.objects.filter(pk__in=visible.values("region")).order_by("code"),
        "orgs": Organisation.objects.filter(pk__in=visible.values("supervising_org")).order_by("name"),
        "lights": [(v, label) for v, label in Light.choices if v != Light.NONE],
        "can_report": rules.has_perm("safety.report_hazard", request.user),
    })


def _export(request: AuthenticatedHttpRequest, qs: Any) -> HttpResponse:
    now = timezone.now()
    listed = list(qs[:EXPORT_MAX_ROWS])
    audit_record("hazard.export", actor=request.user, object_type="safety.hazard",
                 after={"rows": len(listed), "filters": {k: v for k, v in request.GET.items() if k != "format"}})
    headers = [_("隐患编号"), _("亮灯"), _("隐患名称"), _("隐患等级"), _("状态"), _("来源"), _("责任制"), _("企业"),
               _("所在区划"), _("监管部门"), _("报告时间"), _("整改期限"), _("挂牌督办"), _("重复隐患")]

    def row(h: Hazard) -> list[Any]:
        return [
            h.number, str(LIGHT_LABELS.get(getattr(h, "light", ""), "")), h.title, h.get_level_display(),
            h.get_stage_display(), h.get_source_display(), h.system.name, h.enterprise.name if h.enterprise else "",
            h.region.name, h.supervising_org.name, timezone.localtime(h.reported_at).replace(tzinfo=None),
            due_day_label(h.case.solve_due_at) if h.case is not None else "",
            _("是") if h.supervised_at else "", _("是") if h.repeat_of_id else "",
        ]

    return xlsx_response(_("安全隐患"), headers, (row(h) for h in listed), at=now)


def _visible_hazard(request: AuthenticatedHttpRequest, pk: int) -> Hazard:
    hazard = hazard_list(request.user).filter(pk=pk).first()
    if hazard is None:
        raise Http404
    return hazard


def _timeline(hazard: Hazard) -> list[dict[str, Any]]:
    """The hazard's own steps (its audit-visible facts) and the rectification case's events."""
    items: list[dict[str, Any]] = [{"at": hazard.reported_at, "label": _("报告隐患"), "who": hazard.reporter_org}]
    # 一般 ↔ 重大 is kept in the audit trail only; the page tells it with the reason given.
    levels = dict(HazardLevel.choices)
    for event in AuditEvent.objects.filter(object_type=Hazard._meta.label_lower, object_id=str(hazard.pk),
                                           action="hazard.reclassify").select_related("actor").order_by("seq"):
        after = event.after or {}
        items.append({"at": event.ts, "label": _("调整隐患等级为%(level)s") % {
            "level": levels.get(after.get("level", ""), after.get("level", ""))}, "who": event.actor,
            "note": after.get("reason", "")})
    if hazard.accepted_at:
        items.append({"at": hazard.accepted_at, "label": _("受理"), "who": hazard.accepted_by})
    if hazard.supervised_at:
        items.append({"at": hazard.supervised_at, "label": _("挂牌督办"), "who": hazard.supervising_level})
    for r in hazard.rectifications.select_related("submitted_by", "decided_by"):
        items.append({"at": r.submitted_at, "label": _("提交整改"), "who": r.submitted_by, "note": r.measures_taken})
        if r.decided_at:
            items.append({"at": r.decided_at, "label": r.get_outcome_display(), "who": r.decided_by,
                          "note": r.decision_note})
    if hazard.case_id is not None:
        events = CaseEvent.objects.filter(case_id=hazard.case_id, internal=False).select_related("actor")
        for event in events.order_by("at", "pk"):
            if event.action in {"submit", "accept", "resolve"}:
                continue  # told above in the hazard's own words
            items.append({"at": event.at, "label": EVENT_LABELS.get(event.action, event.action), "who": event.actor,
                          "note": event.note})
    if hazard.stage == HazardStage.REJECTED:
        items.append({"at": None, "label": _("不予受理"), "note": hazard.rejection_reason})
    return sorted(items, key=lambda i: (i["at"] is None, i["at"] or timezone.now()))


def _detail(request: AuthenticatedHttpRequest, hazard: Hazard, forms: dict[str, Any] | None = None,
            status: int = 200) -> HttpResponse:
    forms = forms or {}
    actions = [
        {"action": a.name, "heading": a.heading, "button": a.button, "help": a.help, "danger": a.danger,
         "form": forms.get(a.name) or a.form(initial=_initial(hazard, a.name), user=request.user, hazard=hazard),
         "open": a.name in forms}
        for a in offered(request.user, hazard)
    ]
    return render(request, "safety/hazards/detail.html", {
        "hazard": hazard,
        "light_label": LIGHT_LABELS.get(getattr(hazard, "light", ""), ""),
        "rectify_by": due_day_label(hazard.case.solve_due_at) if hazard.case is not None else "",
        "accept_by": due_day_label(hazard.accept_due_at),
        "missing_report": missing_report_message(hazard),
        "timeline": _timeline(hazard),
        "before_photos": attachments_for(hazard),
        "rectifications": [(r, attachments_for(r)) for r in hazard.rectifications.select_related("submitted_by")],
        "actions": actions,
    }, status=status)


def _initial(hazard: Hazard, action: str) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": hazard.version}
    if action == "complete_report":
        for name in ("situation_cause", "harm_difficulty", "plan_measures", "plan_owner", "plan_funds",
                     "plan_deadline", "plan_contingency"):
            initial[name] = getattr(hazard, name)
    if action == "accept" and hazard.plan_deadline:
        initial["rectify_by"] = hazard.plan_deadline
    return initial


@login_required
@require_GET
def hazard_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "safety.view_hazards")
    return _detail(request, _visible_hazard(request, pk))


@login_required
@require_POST
def hazard_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponseBase:
    """One step of the action table, from the hazard's page."""
    require_page(request, "safety.view_hazards")
    hazard = _visible_hazard(request, pk)
    spec = HAZARD_ACTIONS.get(action)
    if spec is None:
        raise Http404
    back = reverse("safety:hazard_detail", args=[hazard.pk])
    try:
        check_step(hazard, action, request.user)  # 403 for who may not; a stale page's step is a message
    except PermissionDeniedError as exc:
        raise PermissionDenied from exc
    except ConflictError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    form = spec.form(request.POST, request.FILES, user=request.user, hazard=hazard)
    if form.is_valid():
        data = form.cleaned_data
        answered = perform_step(request, form,
                                lambda: (spec.call(hazard, request.user, data, data.get("version")), spec.done(data))[1],
                                back=back)
        if answered is not None:
            return answered
    return _detail(request, _visible_hazard(request, pk), {action: form}, status=400)


def _prefill(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """``?check=<id>&item=<id>``: from a check record the user sees, its enterprise, system and item."""
    initial: dict[str, Any] = {}
    check_id, item_id = request.GET.get("check", ""), request.GET.get("item", "")
    if check_id.isdigit():
        check = SafetyCheck.objects.visible_to(request.user).filter(pk=int(check_id)).first()
        if check is not None:
            initial.update(enterprise=check.enterprise_id, system=check.system_id)
            if item_id.isdigit():
                item = SystemChecklistItem.objects.filter(pk=int(item_id), system_id=check.system_id).first()
                if item is not None:
                    initial.update(item=item.pk, title=item.text[:120],
                                   level=HazardLevel.MAJOR if item.is_major_criterion else HazardLevel.GENERAL)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def hazard_report_view(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """报告隐患 (staff and enterprises; phone-first). From a check record the link carries
    ``?check=&item=``: the hazard is tied to that record."""
    require_page(request, "safety.report_hazard")
    initial = _prefill(request)
    if request.method == "POST":
        form = HazardReportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            found_in = None
            if "enterprise" in initial and request.GET.get("check", "").isdigit():
                found_in = SafetyCheck.objects.visible_to(request.user).get(pk=int(request.GET["check"]))
            try:
                hazard = _report_with_photos(request.user, d, found_in)
            except PermissionDeniedError as exc:
                raise PermissionDenied from exc
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("safety:hazard_detail", hazard.pk)
    else:
        form = HazardReportForm(initial=initial, user=request.user)
    return render(request, "safety/hazards/report.html", {"form": form}, status=400 if form.errors else 200)


def _report_with_photos(actor: Any, d: dict[str, Any], found_in: SafetyCheck | None) -> Hazard:
    from django.db import transaction

    from yancheng.core.attachments.services import attachment_add

    from .services.hazards.rectification import _attach

    stored: list[Any] = []
    try:
        with transaction.atomic():
            hazard = hazard_report(
                actor=actor, system=d["system"], level=d["level"], title=d["title"], description=d["description"],
                enterprise=d.get("enterprise"), region=d.get("region"), item=d.get("item"),
                location=d.get("location") or "", found_in=found_in,
            )
            if actor is None:
                for upload in d.get("photos") or []:
                    stored.append(attachment_add(hazard, file=upload, actor=None).storage_path)  # type: ignore[arg-type]
            else:
                _attach(hazard, d.get("photos") or [], actor, stored)
    except BaseException:
        for path in stored:
            path.unlink(missing_ok=True)
        raise
    return hazard


@never_cache
@require_http_methods(["GET", "POST"])
def hazard_public_report(request: HttpRequest) -> HttpResponseBase:
    """群众举报: no login. The answer is a number to quote, never the hazard's data."""
    if request.method == "POST":
        if not PUBLIC_THROTTLE.allowed(client_ip(request)):
            response = render(request, "safety/hazards/public_throttled.html",
                              {"minutes": max(1, PUBLIC_THROTTLE.window() // 60)}, status=429)
            response["Retry-After"] = str(PUBLIC_THROTTLE.retry_after())
            return response
        form = PublicHazardForm(request.POST, request.FILES)
        if form.is_valid():
            d = dict(form.cleaned_data)
            try:
                hazard = _public_report(d)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return render(request, "safety/hazards/public_done.html", {"number": hazard.number})
    else:
        form = PublicHazardForm()
    return render(request, "safety/hazards/public.html", {"form": form}, status=400 if form.errors else 200)


def _public_report(d: dict[str, Any]) -> Hazard:
    from django.db import transaction

    from yancheng.core.attachments.services import attachment_add

    stored: list[Any] = []
    try:
        with transaction.atomic():
            hazard = hazard_report(
                actor=None, system=d["system"], level=HazardLevel.GENERAL, title=d["title"],
                description=d["description"], region=d["region"], location=d["location"],
                reporter_name=d.get("reporter_name") or "", reporter_phone=d.get("reporter_phone") or "",
            )
            for upload in (d.get("photos") or [])[:9]:
                stored.append(attachment_add(hazard, file=upload, actor=None).storage_path)  # type: ignore[arg-type]
    except BaseException:
        for path in stored:
            path.unlink(missing_ok=True)
        raise
    return hazard


@login_required
@require_GET
def hazard_notice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The 督办通知 .docx, for those who see the hazard; audited."""
    require_page(request, "safety.view_hazards")
    hazard = _visible_hazard(request, pk)
    if hazard.supervised_at is None:
        raise Http404
    audit_record("hazard.notice_download", hazard, actor=request.user, after={"notice": hazard.notice_number})
    return download(documents.supervision_notice(hazard), documents.notice_filename(hazard), DOCX)
