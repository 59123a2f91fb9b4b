"""Back office of the petitions module: the topic classification (问题类别) only, for the
system administrator, each save audited. Matters, petitioners and documents are written
through the services and read on the 信访 pages (their visibility and the withholding of a
检举控告 from the organ complained about hold there); no admin page lists them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from yancheng.core.admin import ServiceBackedAdmin
from yancheng.core.audit.rows import audited_save
from yancheng.core.typing import actor_of

from .models import Topic

TOPIC_FIELDS = ("code", "name", "name_en", "order", "is_active")


@admin.register(Topic)
class TopicAdmin(ServiceBackedAdmin):
    list_display = ("code", "name", "name_en", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_en")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()  # matters refer to it: deactivate, do not rename

    def save_model(self, request: HttpRequest, obj: Topic, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        audited_save(obj, action="petition_topic", fields=TOPIC_FIELDS, keys=("code",), actor=actor_of(request))
