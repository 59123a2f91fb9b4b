"""Core middleware."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.template.loader import render_to_string
from django.utils import translation

from .context_processors import site as site_context
from .errors import DB_INT_MAX, DB_INT_MIN, bad_input_message, error_payload

logger = logging.getLogger("yancheng.request")


class ChineseByDefaultMiddleware:
    """The pages speak Chinese unless the user chose English with the switch (the language
    cookie): an office PC with an English browser still gets the Chinese UI. API clients
    keep Accept-Language, so they can ask for English error messages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """Django has no handler for 405: a view's ``require_POST`` answers an empty
    ``HttpResponseNotAllowed``. A page gets the site's 405 page instead (its Allow header
    kept); the API's own JSON answers have a body and are left as they are. Placed after
    the authentication and locale middleware, so the page has the user's nav and language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not request.path.startswith("/api/v1/")
            and not getattr(response, "streaming", False)
            and not response.content
        ):
            from .views import method_not_allowed_page  # the views import the models

            return method_not_allowed_page(request, response)
        return response


class InputGuardMiddleware:
    """One guard for input that would otherwise reach the database or Django's parsers and
    answer 500 (issue 10 §5). Placed right after SecurityMiddleware:

    * before anything reads the body, a multipart request whose Content-Type has no valid
      boundary (Django's own parser decides, constructed on an empty body) is refused;
    * while the request runs, a query whose parameters hold an integer outside the signed
      64-bit range raises ``OverflowError`` before it reaches the database. SQLite's driver
      already does; PostgreSQL would compare it as a numeric and answer an empty list, so
      without this the same input answered 500 on one database and 200 on the other;
    * an exception a view raises because of its input — an integer out of range in any
      path, query or form field, a PostgreSQL data exception (``core.errors.bad_input_message``)
      — becomes a 400.

    The API answers in its JSON error format (its own handlers use the same classifier:
    ``api.errors.unexpected_error_response``); pages get the site's 400 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = _malformed_multipart(request)
        if refusal is not None:
            return self.bad_input_response(request, refusal)
        with ExitStack() as stack:
            for connection in connections.all(initialized_only=False):
                stack.enter_context(connection.execute_wrapper(_refuse_integers_out_of_range))
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        message = bad_input_message(exception)
        if message is None:
            return None
        return self.bad_input_response(request, exception)

    @staticmethod
    def bad_input_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
        message = bad_input_message(exception) or ""
        logger.warning("Bad input on %s %s: %s", request.method, request.path, type(exception).__name__)
        if request.path.startswith("/api/"):
            # Before LocaleMiddleware ran (the multipart check) the API's client still
            # gets its Accept-Language.
            with translation.override(translation.get_language_from_request(request)):
                message = bad_input_message(exception) or ""
            body = json.dumps(error_payload("bad_input", message), ensure_ascii=False)
            return HttpResponse(body, status=400, content_type="application/json; charset=utf-8")
        try:
            html = render_to_string("400.html", {"message": message}, request=request)
        except Exception:  # before the session middleware ran, or it broke
            html = render_to_string("400.html", {**site_context(None), "message": message})
        return HttpResponseBadRequest(html)


def _refuse_integers_out_of_range(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    for row in (params or ()) if many else (params,):
        values = row.values() if isinstance(row, dict) else (row or ())
        for value in values:
            if type(value) is int and not DB_INT_MIN <= value <= DB_INT_MAX:
                raise OverflowError("integer parameter out of the database's 64-bit range")
    return execute(sql, params, many, context)


def _malformed_multipart(request: HttpRequest) -> MultiPartParserError | None:
    content_type = request.META.get("CONTENT_TYPE", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return None  # the only multipart type Django parses; others leave POST empty
    try:
        # The constructor checks the Content-Type, the boundary and the length, and
        # reads nothing; no upload handlers are involved.
        MultiPartParser(request.META, io.BytesIO(b""), [], request.encoding)
    except MultiPartParserError as exc:
        return exc
    return None
