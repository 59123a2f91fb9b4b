"""The audit admin's pages (SPEC §2.4: only the 审计管理员 reads the trail). Every query
made here is itself recorded: audit.query, audit.export, audit.verify."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yancheng.core.typing import AuthenticatedHttpRequest

from .forms import AuditFilterForm
from .keys import AuditKeyError, load_keys
from .models import AuditEvent
from .selectors import AuditFilters, audit_event_list, recent_checkpoints
from .services import audit_record
from .verify import checkpoint_data, signature_ok, verify_chain

PAGE_SIZE = 50
PERM = "audit.view_trail"

View = Callable[..., HttpResponse]


def audit_admin_only(view: View) -> View:
    """Anonymous users go to the login page; everyone but the audit admin gets 403."""
    return login_required(permission_required(PERM, raise_exception=True)(require_GET(view)))


def _filters(request: AuthenticatedHttpRequest) -> tuple[AuditFilterForm, AuditFilters | None]:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, AuditFilters.from_cleaned(form.cleaned_data)


def _query_string(request: AuthenticatedHttpRequest) -> str:
    return urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page" and v])


@audit_admin_only
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = None
    if filters is not None:
        page = Paginator(audit_event_list(filters), PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)  # the list as it was before this query's own record
        audit_record(
            "audit.query",
            actor=request.user,
            object_type="audit.auditevent",
            after={"view": "list", "filters": filters.as_record(), "page": page.number, "total": page.paginator.count},
        )
    return render(request, "audit/list.html", {"form": form, "page": page, "query": _query_string(request)})


def _changes(before: Any, after: Any) -> list[tuple[str, Any, Any, bool]]:
    if not isinstance(before, dict) and not isinstance(after, dict):
        return []
    before_d = before if isinstance(before, dict) else {}
    after_d = after if isinstance(after, dict) else {}
    keys = sorted(set(before_d) | set(after_d))
    return [(k, before_d.get(k), after_d.get(k), before_d.get(k) != after_d.get(k)) for k in keys]


def _pretty(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@audit_admin_only
def event_detail(request: AuthenticatedHttpRequest, seq: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent, seq=seq)
    audit_record(
        "audit.query",
        actor=request.user,
        object_type="audit.auditevent",
        object_id=str(event.seq),
        object_repr=str(event)[:255],
        after={"view": "detail"},
    )
    context = {
        "event": event,
        "changes": _changes(event.before, event.after),
        "before_json": _pretty(event.before),
        "after_json": _pretty(event.after),
    }
    return render(request, "audit/detail.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell that Excel/WPS will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_rows(qs: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel opens the UTF-8 file with the Chinese intact
    yield writer.writerow(
        [
            _("序号"), _("时间"), _("操作人"), _("单位"), _("动作"), _("对象类型"), _("对象ID"), _("对象"),
            _("结果"), _("IP"), _("请求ID"), _("变更前"), _("变更后"), _("哈希"),
        ]
    )  # fmt: skip
    for event in qs.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(v)
                for v in (
                    event.seq,
                    timezone.localtime(event.ts).strftime("%Y-%m-%d %H:%M:%S"),
                    event.actor_repr,
                    event.organisation_repr,
                    event.action,
                    event.object_type,
                    event.object_id,
                    event.object_repr,
                    event.get_outcome_display(),
                    event.ip,
                    event.request_id,
                    "" if event.before is None else json.dumps(event.before, ensure_ascii=False, sort_keys=True),
                    "" if event.after is None else json.dumps(event.after, ensure_ascii=False, sort_keys=True),
                    event.hash,
                )
            ]
        )


@audit_admin_only
def event_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    if filters is None:
        return render(request, "audit/list.html", {"form": form, "page": None, "query": ""}, status=400)
    qs = audit_event_list(filters)
    audit_record(
        "audit.export",
        actor=request.user,
        object_type="audit.auditevent",
        after={"format": "csv", "filters": filters.as_record(), "rows": qs.count()},
    )
    filename = f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
    response = StreamingHttpResponse(_csv_rows(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]


@audit_admin_only
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    error = ""
    report = None
    keys: dict[str, bytes] = {}
    try:
        keys = load_keys().keys
        report = verify_chain()
    except AuditKeyError as exc:
        error = str(exc)
    checkpoints = [
        (c, signature_ok(checkpoint_data(c), keys=keys, deployment_id=settings.YANCHENG_AUDIT_DEPLOYMENT_ID))
        for c in recent_checkpoints()
    ]
    audit_record(
        "audit.verify",
        actor=request.user,
        object_type="audit.auditcheckpoint",
        after={"result": report.summary() if report else f"error: {error}"},
        outcome=AuditEvent.Outcome.SUCCESS if report is not None else AuditEvent.Outcome.FAILURE,
    )
    return render(request, "audit/verify.html", {"report": report, "error": error, "checkpoints": checkpoints})
