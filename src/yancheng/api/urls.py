"""URLs of the API app, included by yancheng/urls.py under ``api/`` (namespace "api"):

* ``/api/v1/…`` the NinjaAPI (schema at /api/v1/openapi.json, docs at /api/v1/docs); its
  operations share this namespace (``api:openapi-view``, ``api:cases_list``, …)
* ``/api/docs`` redirects to the docs
* ``/api/tokens/`` the caller's personal API tokens
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView

from . import views
from .errors import error_response, is_json_error, unexpected_error_response
from .main import api


def _json_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answers the API gives outside an operation (wrong method) in the JSON error format too."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_response(404, "not_found", _("接口地址不存在。"))
        except PermissionDenied:
            return error_response(403, "permission_denied", _("您没有执行此操作的权限。"))
        except Exception as exc:  # the operation's own handlers caught everything they know
            return unexpected_error_response(request, exc)
        if isinstance(response, HttpResponseNotAllowed) and not is_json_error(response):
            allow = response.get("Allow", "")
            return error_response(405, "method_not_allowed", _("此地址不支持 %(m)s 方法。") % {"m": request.method},
                                  headers={"Allow": allow})
        return response

    return wrapper


def _api_patterns() -> list[URLPattern | URLResolver]:
    patterns, _app_name, _namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_errors(pattern.callback)
    return patterns


@csrf_exempt
def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "not_found", _("接口地址不存在。"))


app_name = "api"
urlpatterns = [
    path("v1/", include(_api_patterns())),
    re_path(r"^v1/(?P<rest>.*)$", api_not_found, name="api_not_found"),
    path("docs", RedirectView.as_view(pattern_name="api:openapi-view", permanent=False), name="api_docs"),
    path("docs/", RedirectView.as_view(pattern_name="api:openapi-view", permanent=False)),
    path("tokens/", views.token_list, name="api_token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
