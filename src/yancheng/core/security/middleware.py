"""Session lifetime, second factor and password expiry (SPEC §12). Filled in by the security work."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class _PassThrough:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class SessionLifetimeMiddleware(_PassThrough):
    pass


class SecondFactorMiddleware(_PassThrough):
    pass


class PasswordExpiryMiddleware(_PassThrough):
    pass
