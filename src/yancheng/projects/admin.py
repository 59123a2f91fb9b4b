"""Back office: the project registry (corrections of master data) and the light thresholds,
for the system administrator only. Saving goes through the services (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest

from yancheng.core.admin import ServiceBackedAdmin
from yancheng.core.audit.rows import audited_save
from yancheng.core.errors import DomainError
from yancheng.core.typing import actor_of

from .models import LightSettings, Project
from .services.registry import PROJECT_FIELDS, project_create, project_update

EDITABLE = PROJECT_FIELDS


@admin.register(Project)
class ProjectAdmin(ServiceBackedAdmin):
    list_display = ("code", "name", "region", "stage", "total_investment", "responsible_org", "is_confidential",
                    "is_active")
    list_filter = ("stage", "category", "region", "is_confidential", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("region", "responsible_org")
    fields = ("code", *EDITABLE)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The stage moves only along its steps, on the project page.
        return ("code",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Project, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        data = {f: form.cleaned_data[f] for f in EDITABLE if f in form.cleaned_data}
        try:
            if change:
                saved = project_update(Project.objects.get(pk=obj.pk), actor=actor_of(request), **data)
            else:
                saved = project_create(actor=actor_of(request), code=form.cleaned_data.get("code", ""), **data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            raise
        obj.pk = saved.pk


LIGHT_FIELDS = ("start_red_months", "progress_yellow_points", "progress_red_points")


@admin.register(LightSettings)
class LightSettingsAdmin(ServiceBackedAdmin):
    list_display = ("__str__", *LIGHT_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not LightSettings.objects.exists()

    def save_model(self, request: HttpRequest, obj: LightSettings, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        """Saved with its audit record; the lights are computed from these on the next read."""
        audited_save(obj, action="project_lights", fields=LIGHT_FIELDS, actor=actor_of(request))
