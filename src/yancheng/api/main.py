"""The one NinjaAPI instance, mounted at /api/v1/. Each app contributes its router
(``app/api.py``), imported and registered here with ``api.add_router``: a real import, so
the import contracts see that the API sits above every app it mounts.

Everything an endpoint would otherwise repeat is installed once, here:
authentication (token or session + CSRF), the per-caller rate limit, the JSON error
format, If-Match on PATCH/PUT and Idempotency-Key on POST (``guards``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger

from yancheng.cases.api import router as cases_router
from yancheng.chains.api import router as chains_router
from yancheng.core.attachments.api import router as attachments_router
from yancheng.inspections.api import router as inspections_router
from yancheng.petitions.api import router as petitions_router
from yancheng.projects.api import router as projects_router
from yancheng.safety.api import router as safety_router

from .auth import API_AUTH, peek_user
from .core_endpoints import router as core_router
from .errors import error_response, install_error_handlers
from .guards import request_guards
from .idempotency import mark_executed
from .throttle import CallerRateThrottle

DESCRIPTION = """雁城政企协同平台接口。

* 认证：`Authorization: Bearer <令牌>`（在“接口令牌”页面创建），或同源浏览器会话（写操作须带 `X-CSRFToken`）。
* 错误统一为 `{"error": {"code": "...", "message": "...", "fields": {...}}}`。
* 创建类请求（POST）可带 `Idempotency-Key`，重试时返回首次结果；修改（PATCH）须带 `If-Match`。
* 详见 docs/api.md。
"""


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and the docs are for signed-in callers only (ASVS 13.4.5)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if peek_user(request) is None:
            if request.path.endswith(".json"):
                return error_response(
                    401, "not_authenticated", _("请先登录，或在 Authorization 头中提供有效的令牌。"),
                    headers={"WWW-Authenticate": 'Bearer realm="yancheng"'},
                )
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="雁城政企协同平台接口",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=API_AUTH,
    throttle=[CallerRateThrottle()],
    # Swagger UI from our own static files (ninja/static/ninja/…), never a CDN: ninja
    # renders the local template because "ninja" is in INSTALLED_APPS.
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    docs_decorator=docs_access,
)
install_error_handlers(api)
api.add_decorator(request_guards, mode="view")
api.add_decorator(mark_executed, mode="operation")

api.add_router("", core_router)
api.add_router("", attachments_router)
api.add_router("", cases_router)
api.add_router("", projects_router)
api.add_router("/inspections", inspections_router)
api.add_router("", petitions_router)
api.add_router("/safety", safety_router)
api.add_router("/chains", chains_router)
