"""Placeholder views; the case UI replaces this module."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponseNotFound()


inbox_view = case_new = report_list_view = inbox_export = case_detail = case_act = _todo
