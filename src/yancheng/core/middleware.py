"""Core middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
