"""Admin registrations of core data. Saving goes through the services; the admin never
writes a row the services would not (and every write is audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from yancheng.lib import uscc as uscc_lib

from . import calendar_admin, services  # noqa: F401 - calendar_admin registers itself
from .errors import DomainError
from .models import Enterprise, IndustryChain, Organisation, Region


class ServiceBackedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Only the system administrator; no deletes (deactivate instead, history stays whole)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return getattr(request.user, "role", None) == "system_admin"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ServiceBackedAdmin):
    list_display = ("code", "name", "kind", "parent")
    search_fields = ("code", "name")
    list_filter = ("kind",)

    def save_model(self, request: HttpRequest, obj: Region, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        services.region_upsert(code=obj.code, name=obj.name, kind=obj.kind, parent=obj.parent, actor=request.user)


@admin.register(Organisation)
class OrganisationAdmin(ServiceBackedAdmin):
    list_display = ("name", "code", "kind", "region", "parent", "is_active")
    search_fields = ("name", "code")
    list_filter = ("kind", "region", "is_active")
    fields = ("code", "name", "short_name", "kind", "region", "parent", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code", "kind") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Organisation, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        try:
            if change:
                saved = services.organisation_update(
                    Organisation.objects.get(pk=obj.pk),
                    actor=request.user,
                    **{f: form.cleaned_data[f] for f in ("name", "short_name", "region", "parent", "is_active")},
                )
            else:
                saved = services.organisation_create(
                    actor=request.user,
                    **{f: form.cleaned_data[f] for f in ("code", "name", "short_name", "kind", "region", "parent")},
                )
            obj.pk = saved.pk
        except DomainError as exc:
            messages.error(request, str(exc.message))
            raise


class EnterpriseAdminForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Enterprise
        fields = (
            "uscc", "name", "region", "park", "chains", "legal_representative", "address",
            "is_above_scale_industry", "is_above_quota_trade", "is_qualified_construction", "is_above_scale_service",
            "srdi_tier", "srdi_valid_until", "grade", "is_active",
        )

    def clean_uscc(self) -> str:
        value = self.cleaned_data.get("uscc", "")
        if self.instance.pk:
            return str(self.instance.uscc)
        try:
            return uscc_lib.validate(value)
        except uscc_lib.UsccError as exc:
            raise ValidationError(exc.message) from exc


@admin.register(Enterprise)
class EnterpriseAdmin(ServiceBackedAdmin):
    form = EnterpriseAdminForm
    list_display = ("name", "uscc", "region", "park", "grade", "srdi_tier", "is_active")
    search_fields = ("name", "uscc")
    list_filter = ("grade", "srdi_tier", "region", "is_active")
    list_select_related = ("region", "park")
    filter_horizontal = ("chains",)
    fields = (
        "uscc", "name", "region", "park", "chains", "legal_representative", "address",
        "is_above_scale_industry", "is_above_quota_trade", "is_qualified_construction", "is_above_scale_service",
        "srdi_tier", "srdi_valid_until", "grade", "is_active",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("uscc",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Enterprise, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        data = {f: form.cleaned_data[f] for f in services.ENTERPRISE_MASTER_FIELDS if f in form.cleaned_data}
        if change:
            saved = services.enterprise_update(
                Enterprise.objects.get(pk=obj.pk), actor=request.user, chains=form.cleaned_data.get("chains"), **data
            )
        else:
            name = data.pop("name")
            region = data.pop("region")
            park = data.pop("park", None)
            saved = services.enterprise_create(
                uscc=form.cleaned_data["uscc"], name=name, region=region, park=park,
                chains=form.cleaned_data.get("chains") or (), actor=request.user, **data,
            )
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:  # type: ignore[type-arg]
        # Chains were saved by the service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enterprise]:
        return Enterprise.objects.visible_to(request.user)


@admin.register(IndustryChain)
class IndustryChainAdmin(ServiceBackedAdmin):
    list_display = ("sort_order", "code", "name")
    list_display_links = ("code", "name")


# Groups are not used (a user's rights follow from role + organisation); security data
# (lockouts, second-factor devices) is the security administrator's, in his own pages.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


def _unregister_third_party() -> None:
    from django.apps import apps

    for label in ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog", "otp_totp.TOTPDevice"):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_third_party()
