"""Admin registrations of core data. Saving goes through the services; the admin never
writes a row the services would not (and every write is audited)."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest

from yancheng.core.typing import actor_of
from yancheng.lib import uscc as uscc_lib

from . import calendar_admin, services  # noqa: F401 - calendar_admin registers itself
from .audit.rows import audited_save
from .errors import DomainError
from .kit.admin import SiteModelAdmin
from .models import Enterprise, IndustryChain, Organisation, Region


class ServiceBackedAdmin(SiteModelAdmin):
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


class PolicyBoundAdmin(ServiceBackedAdmin):
    """A back-office page over data the web pages show by role and organisation: it shows
    the signed-in user what the web pages show them, no more (issue 10 §5).

    - the rows are the UI's visibility queryset (``visible_rows``), so the changelist, its
      search, its filters and every page opened by id see only those;
    - the model is listed, and its list opens, only for a user who sees at least one row
      there or holds ``manage_perm``;
    - a row outside the queryset answers 404 (its existence is not confirmed);
    - adding and changing need ``manage_perm``, the UI's own ``rules`` permission
      (None: read-only here).

    The role check of ``ServiceBackedAdmin`` (system administrator only) still applies on
    top, so for data the UI hides from the system administrator these pages are closed."""

    manage_perm: str | None = None

    def visible_rows(self, request: HttpRequest) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = self.visible_rows(request)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def _may_manage(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self.manage_perm and rules.has_perm(self.manage_perm, request.user))

    def _sees(self, request: HttpRequest, obj: Any = None) -> bool:
        rows = self.visible_rows(request)
        return bool(rows.filter(pk=obj.pk).exists() if obj is not None else rows.exists())

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and (self._may_manage(request) or self._sees(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_module_permission(request):
            return False
        if obj is None:
            return self._may_manage(request) or self._sees(request)
        return self._sees(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and self._may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not (super().has_module_permission(request) and self._may_manage(request, obj)):
            return False
        return obj is None or self._sees(request, obj)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Model | None:
        obj: Model | None = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


@admin.register(Region)
class RegionAdmin(ServiceBackedAdmin):
    list_display = ("code", "name", "kind", "parent")
    search_fields = ("code", "name")
    list_filter = ("kind",)

    def save_model(self, request: HttpRequest, obj: Region, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        services.region_upsert(code=obj.code, name=obj.name, kind=obj.kind, parent=obj.parent, actor=actor_of(request))


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
                    actor=actor_of(request),
                    **{f: form.cleaned_data[f] for f in ("name", "short_name", "region", "parent", "is_active")},
                )
            else:
                saved = services.organisation_create(
                    actor=actor_of(request),
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
            "uscc", "name", "region", "park", "chains", "legal_representative", "address", "industry_code",
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
    search_fields = ("name", "uscc", "industry_code")
    list_filter = ("grade", "srdi_tier", "region", "is_active")
    list_select_related = ("region", "park")
    filter_horizontal = ("chains",)
    fields = (
        "uscc", "name", "region", "park", "chains", "legal_representative", "address", "industry_code",
        "is_above_scale_industry", "is_above_quota_trade", "is_qualified_construction", "is_above_scale_service",
        "srdi_tier", "srdi_valid_until", "grade", "is_active",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("uscc",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Enterprise, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        data = {f: form.cleaned_data[f] for f in services.ENTERPRISE_MASTER_FIELDS if f in form.cleaned_data}
        if change:
            saved = services.enterprise_update(
                Enterprise.objects.get(pk=obj.pk), actor=actor_of(request), chains=form.cleaned_data.get("chains"), **data
            )
        else:
            name = data.pop("name")
            region = data.pop("region")
            park = data.pop("park", None)
            saved = services.enterprise_create(
                uscc=form.cleaned_data["uscc"], name=name, region=region, park=park,
                chains=form.cleaned_data.get("chains") or (), actor=actor_of(request), **data,
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
    fields = ("code", "name", "sort_order")

    def save_model(self, request: HttpRequest, obj: IndustryChain, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        audited_save(obj, action="industry_chain", fields=self.fields, actor=actor_of(request))


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
