"""Pages of the enterprise's announced inspections (检查预告, announced entries of filed
plans) and its preferred slots (双向预约): its own users pick up to three half-days inside
an entry's window. Every change goes through `planning.slots`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yancheng.core.errors import DomainError, PermissionDeniedError
from yancheng.core.kit.forms import domain_errors_to_http
from yancheng.core.typing import AuthenticatedHttpRequest

from . import forms_department as f
from .models import (
    TimeSlotPreference,
)
from .planning import access as plan_access
from .planning import common as plan_limits
from .planning import slots as slot_services


def _enterprise_user(request: AuthenticatedHttpRequest) -> None:
    if not request.user.has_perm("inspections.view_announcements"):
        raise PermissionDenied


@login_required
@require_GET
def announcements(request: AuthenticatedHttpRequest) -> HttpResponse:
    _enterprise_user(request)
    entries = list(plan_access.announcements_for(request.user).prefetch_related("slots"))
    rows = [
        {"entry": e, "slots": list(e.slots.all()),
         "form": f.SlotForm(entry=e, prefix=f"e{e.pk}") if len(e.slots.all()) < plan_limits.MAX_SLOTS_PER_ENTRY
         else None}
        for e in entries
    ]
    return render(request, "inspections/department/announcements.html", {
        "rows": rows, "max_slots": plan_limits.MAX_SLOTS_PER_ENTRY,
    })


@login_required
@require_POST
@domain_errors_to_http
def slot_pick(request: AuthenticatedHttpRequest, entry_pk: int) -> HttpResponse:
    _enterprise_user(request)
    entry = plan_access.get_announced_entry_for(request.user, entry_pk)
    form = f.SlotForm(request.POST, entry=entry, prefix=f"e{entry.pk}")
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, "；".join(errors) or _("请选择日期和时段。"))
        return redirect("inspections:inspection_announcements")
    try:
        slot = slot_services.slot_pick(entry, actor=request.user, **form.cleaned_data)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已选择时段：%(s)s") % {"s": slot})
    return redirect("inspections:inspection_announcements")


@login_required
@require_POST
@domain_errors_to_http
def slot_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _enterprise_user(request)
    slot: TimeSlotPreference = plan_access.get_slot_for(request.user, pk)
    try:
        slot_services.slot_remove(slot, actor=request.user)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已删除该时段。"))
    return redirect("inspections:inspection_announcements")
