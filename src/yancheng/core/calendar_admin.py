"""Django admin for the holiday table: a year with its dates inline. Every save goes
through :func:`yancheng.core.calendar.services.holiday_year_import` (the whole year is replaced,
validated and audited as one change); deletion through ``holiday_year_delete``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from .calendar import parsers as holiday_parsers
from .calendar import services as holiday_services
from .kit.admin import SiteModelAdmin, SiteTabularInline
from .models import HolidayDay, HolidayYear
from .typing import actor_of


class HolidayDayFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def rows(self) -> list[holiday_parsers.HolidayEntry]:
        entries = []
        for number, form in enumerate(self.forms, start=1):
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("date") or not data.get("kind"):
                continue
            entries.append(
                holiday_parsers.HolidayEntry(
                    date=data["date"], kind=data["kind"], name=data.get("name") or "", where=f"#{number}"
                )
            )
        return entries

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        year = getattr(self.instance, "year", None)
        if not year:
            return
        errors = holiday_parsers.validate_entries(int(year), self.rows())
        if errors:
            raise forms.ValidationError(errors)

    def validate_unique(self) -> None:
        # Dates move between rows when a year is replaced; the service checks them.
        return None


def _can_view(request: HttpRequest) -> bool:
    return request.user.has_perm("core.view_holidays")


def _can_manage(request: HttpRequest) -> bool:
    return request.user.has_perm("core.manage_holidays")


class HolidayDayInline(SiteTabularInline):
    model = HolidayDay
    formset = HolidayDayFormSet
    fields = ("date", "kind", "name")
    extra = 3
    ordering = ("date",)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_view(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_manage(request)


@admin.register(HolidayYear)
class HolidayYearAdmin(SiteModelAdmin):
    list_display = ("year", "notice", "imported_at", "imported_by")
    fields = ("year", "notice", "imported_at", "imported_by")
    readonly_fields = ("imported_at", "imported_by")
    inlines = (HolidayDayInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The year is the table's key: change it by deleting and importing again.
        return (*self.readonly_fields, "year") if obj is not None else self.readonly_fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_view(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _can_view(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can_manage(request)

    def save_model(self, request: HttpRequest, obj: HolidayYear, form: Any, change: bool) -> None:
        # Saved together with its dates in save_related, through the import service.
        return None

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        entries: list[holiday_parsers.HolidayEntry] = []
        for formset in formsets:
            if isinstance(formset, HolidayDayFormSet):
                entries += formset.rows()
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        obj: HolidayYear = form.instance
        notice = holiday_parsers.HolidayNotice(
            year=int(obj.year), notice=obj.notice, entries=entries, source_name="admin"
        )
        holiday_services.holiday_year_import(notice=notice, actor=actor_of(request))
        saved = HolidayYear.objects.get(year=obj.year)
        obj.pk, obj.imported_at, obj.imported_by = saved.pk, saved.imported_at, saved.imported_by

    def delete_model(self, request: HttpRequest, obj: HolidayYear) -> None:
        holiday_services.holiday_year_delete(year=obj.year, actor=actor_of(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HolidayYear]) -> None:
        for year in list(queryset.values_list("year", flat=True)):
            holiday_services.holiday_year_delete(year=year, actor=actor_of(request))
