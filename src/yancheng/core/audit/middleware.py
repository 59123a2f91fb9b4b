from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import AuditContext, reset_context, set_context


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind a proxy, only the proxy's X-Forwarded-For is trusted,
    and only as many hops as settings.YANCHENG_PROXY_COUNT (via django-axes' ipware)."""
    from axes.helpers import get_client_ip_address

    return str(get_client_ip_address(request) or "")


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        user = getattr(request, "user", None)
        token = set_context(
            AuditContext(user=user if user is not None and user.is_authenticated else None,
                         ip=client_ip(request), request_id=request_id)
        )
        try:
            response = self.get_response(request)
        finally:
            reset_context(token)
        response["X-Request-ID"] = request_id
        return response
