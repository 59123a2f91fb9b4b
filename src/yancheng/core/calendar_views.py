"""The working-day calendar pages: which years are known and from where (everyone
logged in), and the import of a year's notice with a dry-run preview (system
administrators)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core.kit.forms import SiteForm, upload_attrs
from yancheng.core.typing import AuthenticatedHttpRequest

from .calendar import parsers as holiday_parsers
from .calendar import services as holiday_services
from .calendar import source as calendar_source
from .errors import DomainError

MAX_FILE_BYTES = 256 * 1024


def _check(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


class HolidayImportForm(SiteForm):
    """Upload a notice (first step) or confirm the previewed one (second step, the file's
    text travels back in ``content``)."""

    file = forms.FileField(
        label=gettext_lazy("节假日文件"),
        required=False,
        help_text=gettext_lazy("CSV（date,kind,name）或 YAML，格式见使用说明。"),
    )
    year = forms.IntegerField(
        label=gettext_lazy("年份"),
        required=False,
        min_value=1900,
        max_value=2200,
        help_text=gettext_lazy("CSV 文件未声明年份时填写。"),
    )
    notice = forms.CharField(label=gettext_lazy("通知文号/标题"), required=False, max_length=255)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(upload_attrs(MAX_FILE_BYTES))
    content = forms.CharField(required=False, widget=forms.HiddenInput)
    filename = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_FILE_BYTES:
                raise forms.ValidationError(_("文件不能超过 256 KB。"))
            name = upload.name or ""
            if not name.lower().endswith((".csv", ".yaml", ".yml", ".txt")):
                raise forms.ValidationError(_("只接受 .csv、.yaml 或 .yml 文件。"))
            cleaned["data"] = upload.read()
            cleaned["filename"] = name
        elif cleaned.get("content"):
            if len(cleaned["content"]) > MAX_FILE_BYTES:
                raise forms.ValidationError(_("文件不能超过 256 KB。"))
            cleaned["data"] = cleaned["content"]
        else:
            raise forms.ValidationError(_("请选择要导入的文件。"))
        return cleaned


@login_required
def holiday_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _check(request, "core.view_holidays")
    today = timezone.localdate()
    package_years = calendar_source.package_years()
    table_years = calendar_source.table_years()
    wanted = {*table_years, *range(today.year - 1, today.year + 3)}
    statuses = sorted(calendar_source.year_statuses(wanted), key=lambda s: s.year, reverse=True)
    by_year = {s.year: s for s in statuses}
    missing = [y for y in (today.year, today.year + 1) if by_year[y].origin == ""]
    return render(
        request,
        "core/holidays/list.html",
        {
            "statuses": statuses,
            "missing": missing,
            "package_first": package_years.start if package_years else None,
            "package_last": package_years.stop - 1 if package_years else None,
            "package_version": calendar_source.package_version(),
            "can_manage": request.user.has_perm("core.manage_holidays"),
            "today": today,
        },
    )


@login_required
def holiday_year(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    _check(request, "core.view_holidays")
    if not 1900 <= year <= 2200:
        raise Http404
    status = calendar_source.year_statuses([year])[0]
    days = [
        {"date": d, "kind": kind, "name": name, "weekday": holiday_parsers.WEEKDAY_NAMES[d.weekday()]}
        for d, kind, name in calendar_source.year_days(year)
    ]
    return render(request, "core/holidays/year.html", {"status": status, "days": days, "year": year})


@login_required
def holiday_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    _check(request, "core.manage_holidays")
    form = HolidayImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        confirm = request.POST.get("action") == "import" and not data.get("file")
        try:
            notice = holiday_parsers.parse_holiday_file(
                data["data"],
                filename=data.get("filename") or "",
                year=data.get("year"),
                notice=data.get("notice") or "",
            )
            report = holiday_services.holiday_year_import(notice=notice, actor=request.user, dry_run=not confirm)
        except holiday_parsers.HolidayImportError as exc:
            context["errors"] = exc.errors
        except DomainError as exc:
            context["errors"] = [str(exc.message)]
        else:
            if confirm:
                messages.success(
                    request,
                    _("已导入 %(year)s 年节假日安排：放假 %(h)s 天，调休上班 %(w)s 天。")
                    % {"year": report.year, "h": report.after["holidays"], "w": report.after["workdays"]},
                )
                return redirect("core:holiday_list")
            text = data["data"]
            if isinstance(text, bytes):
                text = holiday_parsers.decode_text(text)
            context.update(
                report=report,
                entries=[
                    {
                        "date": e.date,
                        "kind": e.kind,
                        "name": e.name,
                        "weekday": holiday_parsers.WEEKDAY_NAMES[e.date.weekday()],
                    }
                    for e in sorted(report.entries, key=lambda e: e.date)
                ],
                confirm_form=HolidayImportForm(
                    initial={
                        "content": text,
                        "filename": data.get("filename") or "",
                        "year": report.year,
                        "notice": report.notice,
                    }
                ),
            )
    return render(request, "core/holidays/import.html", context)


def current_year_missing(today: dt.date | None = None) -> list[int]:
    """The current and next year when neither the table nor the package knows them
    (for a banner elsewhere, e.g. the administrator's workbench)."""
    today = today or timezone.localdate()
    return [s.year for s in calendar_source.year_statuses([today.year, today.year + 1]) if s.origin == ""]
