"""Back office of 企业赋码保护 (the admin site admits the system administrator only, see
core/admin_site.py). Every page here follows the web pages' policy (``PolicyBoundAdmin``):
the rows are the UI's visibility querysets and writes need the UI's ``rules`` permission.
The web pages give registrations to the enterprise, the departments that took part and the
supervisors, alerts and quiet periods to the supervisors, and the city's rules (policy, cap
matrix, exemption reasons) to the city-level supervisors — none of it to the system
administrator, so these pages stay closed to them (issue 10 §5: the admin used to list
every registration). Configuration is edited on the supervisors' pages; a save through
these pages is still validated and audited like there.

Never registered: `Rating` and `RatingReceipt`. Ratings are anonymous by construction,
and no back-office page may list them one by one (SPEC §4; tests assert their absence)."""

from __future__ import annotations

from typing import Any

import rules
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yancheng.core.admin import PolicyBoundAdmin
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.forms import as_validation_error
from yancheng.core.typing import actor_of

from .models import CapRule, ExemptionReason, Inspection, InspectionAlert, InspectionPolicy, QuietPeriod
from .supervision.access import alerts_visible_to, quiet_periods_visible_to
from .supervision.caps import clean_cap
from .supervision.policy import POLICY_FIELDS, clean_policy_fields

FOREIGN_KEYS = {"supervising_org", "item", "department", "region", "enterprise"}


def _values(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The audited fields as plain values (ids for links, text for dates)."""
    values = {name: getattr(obj, f"{name}_id" if name in FOREIGN_KEYS else name) for name in names}
    return {k: v if v is None or isinstance(v, bool | int | str) else str(v) for k, v in values.items()}


def _save_audited(request: HttpRequest, obj: Any, change: bool, names: tuple[str, ...], action: str) -> None:
    with transaction.atomic():
        before = None
        if change:
            before = _values(type(obj).objects.select_for_update().get(pk=obj.pk), names)
        obj.save()
        after = _values(obj, names)
        audit_record(f"{action}.update" if change else f"{action}.create", obj, actor=actor_of(request),
                     before=before, after=after)


class PolicyAdminForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = InspectionPolicy
        fields = POLICY_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            clean_policy_fields({k: data[k] for k in POLICY_FIELDS if k in data})
        except ValidationFailed as exc:
            raise as_validation_error(exc, self.fields) from exc
        return data


class CityRulesAdmin(PolicyBoundAdmin):
    """The city's rules: read by every supervisor, changed by the city-level ones
    (``inspections.manage_rules`` / ``manage_city_rules``, as on the supervisors' pages)."""

    manage_perm = "inspections.manage_city_rules"

    def visible_rows(self, request: HttpRequest) -> Any:
        qs = self.model._default_manager.all()
        return qs if rules.has_perm("inspections.manage_rules", request.user) else qs.none()


@admin.register(InspectionPolicy)
class InspectionPolicyAdmin(CityRulesAdmin):
    form = PolicyAdminForm
    list_display = ("__str__", "supervising_org", "grade_a_proactive", "cap_exceeded", "high_frequency_threshold",
                    "backfill_days", "rating_min_count")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not InspectionPolicy.objects.exists()

    def save_model(self, request: HttpRequest, obj: InspectionPolicy, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        _save_audited(request, obj, change, POLICY_FIELDS, "inspection_policy")


CAP_FIELDS = ("grade", "scope", "item", "department", "max_per_year")


class CapRuleAdminForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CapRule
        fields = CAP_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            clean_cap(grade=data.get("grade"), scope=data.get("scope"), max_per_year=data.get("max_per_year"),
                      item=data.get("item"), department=data.get("department"))
        except ValidationFailed as exc:
            raise as_validation_error(exc, self.fields) from exc
        return data


@admin.register(CapRule)
class CapRuleAdmin(CityRulesAdmin):
    form = CapRuleAdminForm
    list_display = ("grade", "scope", "item", "department", "max_per_year")
    list_filter = ("grade", "scope")
    list_select_related = ("item", "department")

    def save_model(self, request: HttpRequest, obj: CapRule, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        _save_audited(request, obj, change, CAP_FIELDS, "cap_rule")


REASON_FIELDS = ("code", "name", "evidence_required", "requires_attachment", "is_active")


class ExemptionReasonAdminForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ExemptionReason
        fields = REASON_FIELDS

    def clean_evidence_required(self) -> str:
        value = str(self.cleaned_data.get("evidence_required") or "").strip()
        if not value:
            raise ValidationError(forms.Field.default_error_messages["required"])
        return value


@admin.register(ExemptionReason)
class ExemptionReasonAdmin(CityRulesAdmin):
    form = ExemptionReasonAdminForm
    list_display = ("code", "name", "evidence_required", "requires_attachment", "is_active")
    list_filter = ("is_active",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: ExemptionReason, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        _save_audited(request, obj, change, REASON_FIELDS, "exemption_reason")


QUIET_FIELDS = ("name", "starts_on", "ends_on", "region", "enterprise")


class QuietPeriodAdminForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = QuietPeriod
        fields = QUIET_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
        if data.get("region") and data.get("enterprise"):
            raise ValidationError({"enterprise": _("区划和企业只选一项：按区划设置或针对单个企业设置。")})
        return data


@admin.register(QuietPeriod)
class QuietPeriodAdmin(PolicyBoundAdmin):
    manage_perm = "inspections.manage_rules"

    def visible_rows(self, request: HttpRequest) -> Any:
        return quiet_periods_visible_to(actor_of(request))
    form = QuietPeriodAdminForm
    list_display = ("name", "starts_on", "ends_on", "region", "enterprise", "created_by")
    list_select_related = ("region", "enterprise", "created_by")

    def save_model(self, request: HttpRequest, obj: QuietPeriod, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        if not change:
            obj.created_by = actor_of(request)
        _save_audited(request, obj, change, QUIET_FIELDS, "quiet_period")


class ReadOnlyAdmin(PolicyBoundAdmin):
    """Seen, never changed here: registrations and alerts change through their services."""

    manage_perm = None


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("number", "enterprise", "department", "kind", "entry_mode", "started_at", "status")
    list_filter = ("kind", "entry_mode", "status")
    search_fields = ("number",)
    list_select_related = ("enterprise", "department")

    def visible_rows(self, request: HttpRequest) -> Any:
        return Inspection.objects.visible_to(request.user)


@admin.register(InspectionAlert)
class InspectionAlertAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "enterprise", "department", "status", "handled_at")
    list_filter = ("kind", "status")
    list_select_related = ("enterprise", "department")

    def visible_rows(self, request: HttpRequest) -> Any:
        return alerts_visible_to(actor_of(request))
