"""Case pages (SPEC §2.3): the inbox of each unit and person with its lights, reporting a
problem, the case page with its two clocks, history and the buttons the user may press,
and the 通报 list. Reads go through ``selectors``; every change through ``services``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.attachments.services import attachment_add
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import (
    DomainError,
    PermissionDeniedError,
    ValidationFailed,
)
from yancheng.core.kit.exports import wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error, perform_step
from yancheng.core.kit.require import require_page
from yancheng.core.models import Region, Role
from yancheng.core.notifications.services import notifications_mark_read_about
from yancheng.core.typing import Actor, AuthenticatedHttpRequest
from yancheng.lib.deadlines import due_day, due_label

from . import services
from .actions import CASE_ACTIONS, PAGE_ORDER, offered_actions
from .cells import inbox_rows_html
from .clocks import clock_light
from .forms import ActionForm, CaseNewForm, unit_queryset
from .models import EVENT_LABELS, Case, CaseKind, CaseTask, EscalationLevel, ExtensionRequest, Light, Status
from .permissions import standing_of
from .selectors import InboxFilters, get_case_for, inbox, light_counts, report_list, timeline
from .subjects import case_home
from .workflow import allowed_actions

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000

LIGHT_LABELS = dict(Light.choices)
# The chips above the inbox, in the order people read them.
CHIP_LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN, Light.PAUSED, Light.WAITING, Light.ONTIME, Light.LATE)
# What a workbench link's to-do filter lists, said above the list it opens.
TODO_NOTES = {
    "due_soon": gettext_lazy("临期：本单位主办的黄灯事项，以及本单位协办任务临近完成期限的事项。"),
    "overdue": gettext_lazy("超期：本单位主办的红灯事项，以及本单位协办任务已过完成期限的事项。"),
}


# --- clocks and lights -----------------------------------------------------------------------------


CLOCK_DONE_LABELS: dict[tuple[str, str], Any] = {
    ("accept", Light.ONTIME): gettext_lazy("按期签收"),
    ("accept", Light.LATE): gettext_lazy("逾期签收"),
}


@dataclasses.dataclass(frozen=True)
class Clock:
    name: str
    label: Any
    due: dt.datetime | None
    done: dt.datetime | None
    light: str

    @property
    def light_label(self) -> Any:
        return CLOCK_DONE_LABELS.get((self.name, self.light)) or LIGHT_LABELS.get(self.light, "")

    @property
    def due_label(self) -> str:
        """Deadlines are the end of a working day: 24:00 of that day reads better than
        00:00 of the next."""
        return due_label(self.due)


def clocks_of(case: Case, now: dt.datetime) -> tuple[Clock, Clock]:
    """The 签收 and 办结 clocks, each with its own light."""
    ended = case.status in (Status.WITHDRAWN, Status.MERGED)

    def one(name: str, label: Any, due: dt.datetime | None, yellow: dt.datetime | None,
            done: dt.datetime | None) -> Clock:
        if ended and done is None:
            return Clock(name, label, due, None, Light.NONE)
        light = clock_light(due, yellow, done, now)
        if case.suspended_at is not None and done is None and due is not None:
            light = Light.PAUSED
        return Clock(name, label, due, done, light)

    return (
        one("accept", gettext_lazy("签收"), case.accept_due_at, case.accept_yellow_at, case.accepted_at),
        one("solve", gettext_lazy("办结"), case.solve_due_at, case.solve_yellow_at, case.resolved_at),
    )


# --- inbox ----------------------------------------------------------------------------------------


def _inbox_queryset(user: Actor, filters: InboxFilters, now: dt.datetime) -> QuerySet[Case]:
    # selectors.inbox puts a dispatcher's triage work (待受理, 退回) first.
    qs = inbox(user, filters, now)
    return qs.prefetch_related(Prefetch("tasks", queryset=CaseTask.objects.select_related("org")))


def _filter_params(filters: InboxFilters, **override: str) -> str:
    params = {k: v for k, v in dataclasses.asdict(filters).items() if v}
    for key, value in override.items():
        if value:
            params[key] = value
        else:
            params.pop(key, None)
    return urlencode(params)


@login_required
@require_GET
def inbox_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One inbox per unit and person: the most urgent first, with counts per light."""
    require_page(request, "cases.view_inbox")
    user = request.user
    now = timezone.now()
    filters = InboxFilters.from_params(request.GET)
    qs = _inbox_queryset(user, filters, now)
    counts = light_counts(inbox(user, dataclasses.replace(filters, light="", overdue=""), now))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(case, *clocks_of(case, now), LIGHT_LABELS.get(getattr(case, "light", ""), "")) for case in page.object_list]
    staff = user.role != Role.ENTERPRISE
    chips = [
        {"light": name, "label": LIGHT_LABELS[name], "count": counts[name],
         "url": "?" + _filter_params(filters, light=name, overdue=""), "current": filters.light == name}
        for name in CHIP_LIGHTS
        if counts[name] or name in (Light.RED, Light.YELLOW, Light.GREEN)
    ]
    tabs = [
        {"scope": scope, "label": label, "url": "?" + _filter_params(filters, scope=scope, light=""),
         "current": filters.scope == scope}
        for scope, label in (("", _("办理中")), ("done", _("已办结")), ("all", _("全部")))
    ]
    return render(
        request,
        "cases/inbox.html",
        {
            "page": page,
            "rows": rows,
            "rows_html": inbox_rows_html(rows),
            "filters": filters,
            "chips": chips,
            "chips_total": sum(counts.values()),
            "all_lights_url": "?" + _filter_params(filters, light="", overdue=""),
            "tabs": tabs,
            "query": _filter_params(filters),
            "staff": staff,
            "kinds": CaseKind.choices,
            "statuses": Status.choices,
            "escalations": [c for c in EscalationLevel.choices if c[0]],
            "regions": Region.objects.all() if staff else [],
            "unit_options": _unit_options(user, filters.unit) if staff else "",
            "light_choices": [(k, LIGHT_LABELS[k]) for k in CHIP_LIGHTS],
            "can_report": rules.has_perm("cases.report_case", user),
            "todo_note": TODO_NOTES.get(filters.todo, ""),
            "todo_clear_url": "?" + _filter_params(filters, todo=""),
        },
    )


def _unit_options(user: Actor, selected: str) -> SafeString:
    """The unit filter's <option>s, built here: a province's list runs to hundreds of units,
    which the template language (or format_html a row) renders several times slower."""
    rows = unit_queryset(user).values_list("pk", "name")
    # Safe: every value is an int or escaped.
    return mark_safe("".join(
        f'<option value="{pk}"{" selected" if str(pk) == selected else ""}>{escape(name)}</option>'
        for pk, name in rows
    ))


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


@login_required
@require_GET
def inbox_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered inbox as .xlsx: only cases the user sees, recorded in the audit trail."""
    require_page(request, "cases.view_inbox")
    user = request.user
    now = timezone.now()
    filters = InboxFilters.from_params(request.GET)
    headers = [
        _("编号"), _("类型"), _("标题"), _("企业"), _("所涉项目"), _("状态"), _("亮灯"), _("受理单位"), _("主办单位"),
        _("协办单位"), _("紧急程度"), _("提交时间"), _("交办时间"), _("签收期限"), _("签收时间"), _("办结期限"),
        _("办结时间"), _("期限暂定"), _("升级"), _("评价"),
    ]
    rows = []
    for case in _inbox_queryset(user, filters, now)[:EXPORT_LIMIT].iterator(chunk_size=1000):
        rows.append([
            case.number, case.get_kind_display(), case.title, case.enterprise.name if case.enterprise else "",
            case.subject, case.get_status_display(), str(LIGHT_LABELS.get(case.light, "")),  # type: ignore[attr-defined]
            case.dispatch_org.name, case.lead_org.name if case.lead_org else "",
            "、".join(t.org.name for t in case.tasks.all() if t.status != CaseTask.TaskStatus.CANCELLED),
            case.get_urgency_display(), _local(case.created_at), _local(case.assigned_at), due_day(case.accept_due_at),
            _local(case.accepted_at), due_day(case.solve_due_at), _local(case.resolved_at),
            case.deadlines_provisional, case.get_escalation_level_display() if case.escalation_level else "",
            case.get_satisfaction_display() if case.satisfaction else "",
        ])
    audit_record(
        "case.export", actor=user, object_type="cases.case",
        after={"filters": {k: v for k, v in dataclasses.asdict(filters).items() if v}, "rows": len(rows)},
    )
    return xlsx_response(_("事项清单"), headers, rows, at=now)


@login_required
@require_GET
def report_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """通报: cases still late after 督办, which feed the rankings."""
    require_page(request, "cases.view_report_list")
    now = timezone.now()
    if wants_xlsx(request):
        return _report_list_xlsx(request.user, report_list(request.user)[:EXPORT_LIMIT], now)
    page = Paginator(report_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(case, *clocks_of(case, now), LIGHT_LABELS.get(getattr(case, "light", ""), "")) for case in page.object_list]
    return render(request, "cases/report_list.html", {"page": page, "rows": rows, "query": ""})


def _report_list_xlsx(user: Actor, cases: QuerySet[Case], now: dt.datetime) -> HttpResponse:
    """The 通报 list as the page shows it: each case's light, units, the 办结 deadline as its day."""
    listed = list(cases)
    audit_record("case.report_list_export", actor=user, object_type="cases.case", after={"rows": len(listed)})
    headers = [_("编号"), _("事项"), _("状态"), _("亮灯"), _("主办单位"), _("区划"), _("办结期限"), _("办结时间"),
               _("通报时间")]
    rows = (
        [case.number, case.title, case.get_status_display(), str(LIGHT_LABELS.get(getattr(case, "light", ""), "")),
         case.lead_org.name if case.lead_org else "", case.region.name, due_day(case.solve_due_at),
         _local(case.resolved_at), _local(case.reported_at)]
        for case in listed
    )
    return xlsx_response(_("通报"), headers, rows, at=now)


# --- reporting a problem -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An enterprise reports a problem (or a unit registers one on its behalf), with
    optional photos or documents attached in the same request."""
    require_page(request, "cases.report_case")
    user = request.user
    form = CaseNewForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The case and its files commit together: a refused file leaves no half report.
            with transaction.atomic():
                case = services.case_submit(
                    actor=user, title=data["title"], description=data["description"], kind=data["kind"],
                    urgency=data["urgency"], subject=data["subject"], subject_ref=data.get("subject_ref", ""),
                    enterprise=data.get("enterprise"),
                )
                for upload in data["attachments"]:
                    try:
                        attachment_add(case, file=upload, actor=user)
                    except DomainError as exc:
                        raise ValidationFailed(
                            _("“%(name)s”未能上传：%(reason)s") % {"name": upload.name, "reason": exc.message},
                            field="attachments",
                        ) from exc
        except PermissionDeniedError as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("已提交：%(number)s，已送%(org)s受理。") % {"number": case.number, "org": case.dispatch_org.name},
            )
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/new.html", {"form": form})


# --- the case page ------------------------------------------------------------------------------------


def _detail_context(request: AuthenticatedHttpRequest, case: Case, bound: dict[str, ActionForm] | None = None) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    standing = standing_of(user, case)
    allowed = set(offered_actions(case, allowed_actions(case, standing)))
    bound = bound or {}
    action_forms = []
    for action in PAGE_ORDER:
        if action not in allowed:
            continue
        step = CASE_ACTIONS[action]
        form = bound.get(action) or step.form(prefix=action, user=user, case=case, initial={"version": case.version})
        action_forms.append({
            "action": action, "form": form, "heading": step.heading, "button": step.button, "help": step.help,
            "open": step.unfolded or action in bound,
            "multipart": any(f.widget_type in ("multiplefile", "clearablefile", "file") for f in form),
        })
    staff = user.role != Role.ENTERPRISE
    events = list(timeline(case, include_internal=staff))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.to_label = (
            Status(event.to_status).label if event.to_status and event.to_status != event.from_status
            and event.to_status in Status.values else ""
        )
    accept_clock, solve_clock = clocks_of(case, now)
    return {
        "case": case,
        "light_label": LIGHT_LABELS.get(case.light, ""),  # type: ignore[attr-defined]
        "clocks": (accept_clock, solve_clock),
        "tasks": list(case.tasks.select_related("org", "done_by")),
        "extensions": list(case.extensions.select_related("requested_by", "decided_by")),
        "pending_extension": next(
            (e for e in case.extensions.all() if e.status == ExtensionRequest.Decision.PENDING), None
        ) if "decide_extension" in allowed else None,
        "events": events,
        "action_forms": action_forms,
        # The searchable unit picker's files, only where a form picks units.
        "unit_picker": any(a["action"] in ("assign", "reassign") for a in action_forms),
        "staff": staff,
        "merged_cases": list(case.merged_cases.only("pk", "number", "title")) if staff else [],
    }


@login_required
@require_GET
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for(request.user, pk)
    home = case_home(case)
    if home is not None:  # a petition's handling: worked on the matter's page
        return redirect(home)
    notifications_mark_read_about(case, actor=request.user)
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One button on the case page: check the page was current, then call the service
    (``actions.CASE_ACTIONS``, which the API's action endpoint uses too)."""
    step = CASE_ACTIONS.get(action)
    if step is None:
        raise Http404
    user = request.user
    case = get_case_for(user, pk)
    form = step.form(request.POST, request.FILES, prefix=action, user=user, case=case)
    posted_version = form["version"].value()
    if str(posted_version or "") not in ("", str(case.version)):
        messages.error(request, _("该事项已被他人更新（当前状态：%(s)s），请刷新后再操作。")
                       % {"s": case.get_status_display()})
        return redirect("cases:case_detail", pk=case.pk)
    if not step.allowed_for(standing_of(user, case)):
        raise PermissionDenied
    if form.is_valid():
        def run() -> str:
            inputs = step.from_form(user, form.cleaned_data)
            step.perform(case, user, inputs, form.cleaned_data.get("version"))
            return str(step.done(inputs))

        done = perform_step(request, form, run, back=reverse("cases:case_detail", args=[case.pk]),
                            unplaced_as_message=True)
        if done is not None:
            return done
    case = get_case_for(user, pk)  # as it is now: the refused action changed nothing
    context = _detail_context(request, case, bound={action: form})
    context["form_error_action"] = action
    return render(request, "cases/detail.html", context, status=422)
