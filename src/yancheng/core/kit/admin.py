"""The back office's pages in the site's wording, and its read-only page.

`SiteModelAdmin` is the base of every ModelAdmin (`SiteTabularInline` of every inline): its
forms take `SiteFormMixin` (no ASCII colon after a label, "— 请选择 —" for an empty choice,
"内容过长（最多 N 个字）" for a text too long — never Django's "---------" or "确保该变量包含不超过
N 字符"), and so does the changelist's action menu. `ReadOnlyAdmin` lists rows and never adds, changes or deletes them, because
every write goes through a service that audits it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .forms import EMPTY_CHOICE_LABEL, SiteFormMixin


def with_site_wording(form: type[Any]) -> type[Any]:
    """`form` with `SiteFormMixin` in front (once)."""
    if issubclass(form, SiteFormMixin):
        return form
    return type(form.__name__, (SiteFormMixin, form), {"__module__": form.__module__})


class SiteModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return with_site_wording(super().get_form(request, obj, change, **kwargs))

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        return with_site_wording(super().get_changelist_form(request, **kwargs))

    def get_action_choices(self, request: HttpRequest, default_choices: Any = None) -> list[tuple[str, Any]]:
        blank: list[tuple[str, Any]] = [("", EMPTY_CHOICE_LABEL)]
        return super().get_action_choices(request, default_choices=blank)


class SiteTabularInline(admin.TabularInline):  # type: ignore[type-arg]
    """An inline's rows in the site's wording too."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("form", with_site_wording(self.form))
        return super().get_formset(request, obj, **kwargs)


class ReadOnlyAdmin(SiteModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
