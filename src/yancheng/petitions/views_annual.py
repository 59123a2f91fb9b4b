"""The annual report's page (《信访工作条例》第四十一条) and its .docx and .xlsx."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from yancheng.core.audit.services import audit_record
from yancheng.core.kit.exports import DOCX, download, stamped, wants_xlsx
from yancheng.core.kit.require import require_page
from yancheng.core.typing import AuthenticatedHttpRequest

from .annual import annual_report as build_report
from .annual import report_docx, report_title, report_xlsx

FIRST_YEAR = 2000


def _year(request: AuthenticatedHttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year else this_year


@login_required
@require_GET
def annual_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "petitions.view_statistics")
    year = _year(request)
    report = build_report(request.user, year)
    wanted = "xlsx" if wants_xlsx(request) else request.GET.get("format", "")
    if wanted in ("xlsx", "docx"):
        audit_record("petition.annual_report_export", actor=request.user, object_type="petitions.petition",
                     after={"year": year, "format": wanted})
        if wanted == "xlsx":
            return download(report_xlsx(report), stamped(report_title(report), "xlsx"))
        return download(report_docx(report), stamped(report_title(report), "docx"), DOCX)
    this_year = timezone.localdate().year
    return render(request, "petitions/annual_report.html", {
        "report": report, "title": report_title(report), "year": year,
        "years": list(range(this_year, max(FIRST_YEAR, this_year - 9) - 1, -1)),
    })
