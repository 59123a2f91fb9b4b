"""A per-caller request rate for the whole API (429 ``rate_limited`` beyond it).

The rate comes from ``settings.YANCHENG_API_RATE`` (default "600/m") and is read on every
request, so it can be changed without a restart of the URL configuration. Counters live
in Django's cache: with several app servers configure a shared cache (Redis or the
database cache), otherwise each process counts on its own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

DEFAULT_RATE = "600/m"


class CallerRateThrottle(SimpleRateThrottle):
    scope = "yancheng-api"

    def __init__(self) -> None:
        super().__init__(rate=DEFAULT_RATE)

    def get_rate(self) -> str | None:
        return str(getattr(settings, "YANCHENG_API_RATE", DEFAULT_RATE) or DEFAULT_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return bool(super().allow_request(request))

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user: Any = getattr(request, "auth", None)
        ident = f"user-{user.pk}" if user is not None and getattr(user, "pk", None) else f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
