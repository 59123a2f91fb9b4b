"""One JSON error format for every error the API answers:

    {"error": {"code": "not_found", "message": "…", "fields": {"name": ["…"]}}}

``code`` is stable (clients branch on it), ``message`` is for people (Chinese by
default, English with Accept-Language: en), ``fields`` names the offending input.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from yancheng.core.errors import DomainError, bad_input_message, error_payload

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("yancheng.api")

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class ApiError(Exception):
    """An HTTP-level refusal raised by the API machinery itself (412, 428, 409 …)."""

    def __init__(
        self, status: int, code: str, message: Any, *, fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def error_response(
    status: int, code: str, message: Any, fields: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = json.dumps(error_payload(code, message, fields), ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type=JSON_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# Pydantic's messages are English; the common ones get a Chinese message of our own.
_PYDANTIC_MESSAGES = {
    "missing": "必填项。",
    "extra_forbidden": "不允许的字段。",
    "string_too_long": "内容过长。",
    "string_too_short": "内容过短。",
    "string_type": "应为字符串。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "bool_parsing": "应为 true 或 false。",
    "bool_type": "应为 true 或 false。",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_type": "日期格式应为 YYYY-MM-DD。",
    "literal_error": "不是允许的取值。",
    "enum": "不是允许的取值。",
    "list_type": "应为列表。",
    "json_invalid": "不是有效的 JSON。",
    "model_attributes_type": "应为 JSON 对象。",
    "dict_type": "应为 JSON 对象。",
    "greater_than_equal": "数值过小。",
    "less_than_equal": "数值过大。",
    "string_pattern_mismatch": "格式不正确。",
}

# The first element of a ninja error location is where it came from; the second, for a
# body, is the view's parameter name, which means nothing to a client.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source in {"body", "form"} and len(parts) > 1:
            parts.pop(0)
    return ".".join(parts) or "__all__"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        name = _field_name(err.get("loc", ()))
        kind = str(err.get("type", ""))
        message = _(_PYDANTIC_MESSAGES[kind]) if kind in _PYDANTIC_MESSAGES else str(err.get("msg", ""))
        fields.setdefault(name, []).append(message)
    return fields


def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = exc.http_status
    # Optimistic concurrency: a stale If-Match is a failed precondition (RFC 9110 §13.1.1).
    if exc.code == "stale_version" and request.headers.get("If-Match"):
        status = 412
    fields = {exc.field: [str(exc.message)]} if exc.field else {}
    return error_response(status, exc.code, exc.message, fields)


def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(422, "validation_failed", _("提交的数据有误，请检查标出的字段。"), validation_fields(exc.errors))


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if isinstance(exc, AuthenticationError) or status == 401:
        return error_response(
            401, "not_authenticated", _("请先登录，或在 Authorization 头中提供有效的令牌。"),
            headers={"WWW-Authenticate": 'Bearer realm="yancheng"'},
        )
    if isinstance(exc, Throttled):
        headers = {"Retry-After": str(int(exc.wait or 1) + 1)} if exc.wait is not None else {}
        return error_response(429, "rate_limited", _("请求过于频繁，请稍后再试。"), headers=headers)
    if status == 403:
        if "CSRF" in str(exc):
            return error_response(403, "csrf_failed", _("CSRF 校验失败：浏览器会话请求须携带 X-CSRFToken 头。"))
        return error_response(403, "permission_denied", _("您没有执行此操作的权限。"))
    if status == 404:
        return error_response(404, "not_found", _("对象不存在或您无权查看。"))
    if status == 413:
        return error_response(413, "too_large", _("请求内容过大。"))
    return error_response(status, "http_error", _("请求无法处理。"))


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not_found", _("对象不存在或您无权查看。"))


def _on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, "permission_denied", _("您没有执行此操作的权限。"))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    return unexpected_error_response(request, exc)


def unexpected_error_response(request: HttpRequest, exc: Exception) -> HttpResponse:
    """400 ``bad_input`` for what bad input raises below our code (an integer out of
    range, a malformed multipart body: ``core.errors.bad_input_message``); otherwise 500,
    logged with the traceback for operators while the client gets no detail (ASVS 16.5.1)."""
    message = bad_input_message(exc)
    if message is not None:
        logger.warning("Bad input on %s %s: %s", request.method, request.path, type(exc).__name__)
        return error_response(400, "bad_input", message)
    logger.exception("Unhandled API error on %s %s", request.method, request.path)
    return server_error_response()


def server_error_response() -> HttpResponse:
    return error_response(500, "server_error", _("服务器内部错误，请稍后再试；如持续出现请联系管理员。"))


def install_error_handlers(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Any]] = [
        (DomainError, _on_domain_error),
        (ApiError, _on_api_error),
        (ValidationError, _on_validation_error),
        (HttpError, _on_http_error),
        (Http404, _on_not_found),
        (PermissionDenied, _on_permission_denied),
        (Exception, _on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


def is_json_error(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")
