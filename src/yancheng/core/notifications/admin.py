"""Read-only admin views of deliveries and group robots for the system administrator.
Changes go through the pages of this app (and its services, which audit them); the admin
shows targets and webhook URLs masked, like every other page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yancheng.core.kit.admin import ReadOnlyAdmin

from .models import Delivery, OrganisationChannel


class SystemAdminReadOnly(ReadOnlyAdmin):
    """Deliveries and robots are the system administrator's to see."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return getattr(request.user, "role", None) == "system_admin"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


@admin.register(Delivery)
class DeliveryAdmin(SystemAdminReadOnly):
    list_display = ("pk", "created_at", "channel", "masked_target", "title", "status", "attempts", "last_error")
    list_filter = ("status", "channel")
    list_select_related = ("organisation_channel__organisation", "notification__recipient")
    fields = ("channel", "masked_target", "verb", "title", "status", "attempts", "last_error", "next_attempt_at", "sent_at")
    readonly_fields = fields

    @admin.display(description=_("发送对象"))
    def masked_target(self, obj: Delivery) -> str:
        return obj.target_display


@admin.register(OrganisationChannel)
class OrganisationChannelAdmin(SystemAdminReadOnly):
    list_display = ("name", "organisation", "kind", "webhook_display", "enabled")
    list_filter = ("kind", "enabled")
    list_select_related = ("organisation",)
    fields = ("organisation", "kind", "name", "webhook_display", "enabled")
    readonly_fields = fields
