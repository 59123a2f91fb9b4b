"""Back office: the time limits per case kind and urgency (system administrator only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yancheng.core.admin import ServiceBackedAdmin
from yancheng.core.audit.rows import audited_save
from yancheng.core.typing import actor_of

from .models import SlaPolicy

POLICY_FIELDS = (
    "accept_working_days", "solve_working_days", "objection_working_days", "supervise_after_working_days",
    "report_after_working_days", "revisit_after_days", "yellow_remaining_percent",
)
# Issue 13: how the limits count (natural days for 信访), and who decides extensions.
CLOCK_FIELDS = (
    "day_unit", "roll_to_working_day", "solve_from_acceptance", "extension_approver", "max_extension_days",
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ServiceBackedAdmin):
    list_display = ("kind", "urgency", "day_unit", *POLICY_FIELDS, "extension_approver", "max_extension_days")
    list_filter = ("kind", "urgency", "day_unit")
    fieldsets = (
        (None, {"fields": ("kind", "urgency")}),
        (_("时限"), {"fields": POLICY_FIELDS}),
        (_("计日方式与延期"), {"fields": CLOCK_FIELDS}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("kind", "urgency") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: SlaPolicy, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        """Saved with its audit record. New limits apply to cases assigned from now on;
        running clocks keep the limits they were given."""
        audited_save(obj, action="sla_policy", fields=(*POLICY_FIELDS, *CLOCK_FIELDS), keys=("kind", "urgency"), actor=actor_of(request))
