"""Idempotency keys on creating writes (SPEC §12, security-checklist §10).

A client sends ``Idempotency-Key: <uuid4>`` (at most 255 printable ASCII characters)
with a POST. The key is scoped to the calling user:

* first use: the request runs and its answer (status, body and the ETag/Location
  headers) is stored;
* a retry with the same key and the same request: the stored answer is sent again,
  byte for byte, with ``Idempotent-Replayed: true``, and nothing runs twice;
* the same key with a different request (other path or body): 422 ``idempotency_key_reused``;
* the same key while the first request still runs: it waits for the first to finish,
  then gets its answer (the reservation, the endpoint's writes and the answer commit
  together, in one transaction); 409 ``idempotency_in_flight`` only for a reservation
  left unanswered by an earlier version, which committed it separately.

Answers are stored only once the endpoint itself started (after authentication and
input validation), as Stripe does, and never a 500: an unexpected failure rolls back
the reservation with everything the endpoint wrote, so a retry runs again. Records are
pruned after 24 hours by ``manage.py api_prune_idempotency`` (``idempotency_prune``).

This runs for every POST operation of the API automatically (installed in
``yancheng.api.main`` with ``api.add_decorator``): endpoints need do nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.typing import Actor

from .errors import error_response
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)
# A request that has not finished after this long died with its process: its key is freed.
ABANDONED_AFTER = timedelta(minutes=10)
REPLAYED_HEADERS = ("ETag", "Location", "Content-Disposition")
_EXECUTED_ATTR = "_yancheng_api_executed"


def mark_executed(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Operation-mode decorator: the endpoint itself began (auth and validation passed)."""
    import functools

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        setattr(request, _EXECUTED_ATTR, True)
        return view_func(request, *args, **kwargs)

    return wrapper


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and all(0x20 < ord(c) < 0x7F for c in key)


def request_fingerprint(request: HttpRequest) -> str:
    """A digest of what the request asks for: method, path, query and body. JSON bodies are
    compared by content (key order and spacing do not matter); multipart bodies by their
    fields and the SHA-256 of each file, since the boundary changes on every send."""
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.path}\n{request.META.get('QUERY_STRING', '')}\n".encode())
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        fields = sorted((k, v) for k in request.POST for v in request.POST.getlist(k))
        files = []
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                file_digest = hashlib.sha256()
                for chunk in upload.chunks():
                    file_digest.update(chunk)
                upload.seek(0)
                files.append((name, upload.name or "", upload.size, file_digest.hexdigest()))
        digest.update(json.dumps({"fields": fields, "files": files}, ensure_ascii=False).encode())
    else:
        body = request.body
        if content_type == "application/json":
            with contextlib.suppress(ValueError):
                body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
        digest.update(body)
    return digest.hexdigest()


class _KeyTaken(Exception):
    """The user's key already has a record (its INSERT hit the unique constraint)."""


def replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status or 200, content_type=record.content_type)
    for name, value in (record.headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _in_flight() -> HttpResponse:
    return error_response(
        409, "idempotency_in_flight", _("使用此 Idempotency-Key 的请求仍在处理中，请稍后重试。"),
        headers={"Retry-After": "1"},
    )


def idempotent_call(run: Callable[..., HttpResponseBase], request: HttpRequest, kw: dict[str, Any], user: Actor) -> HttpResponseBase:
    key = request.headers.get(HEADER, "")
    if not valid_key(key):
        return error_response(
            400, "idempotency_key_invalid",
            _("Idempotency-Key 须为 1 至 255 个可打印 ASCII 字符（建议使用 UUID）。"), {HEADER: [_("格式不正确。")]},
        )
    fingerprint = request_fingerprint(request)
    for _attempt in range(3):
        try:
            return _first_use(run, request, kw, user, key, fingerprint)
        except _KeyTaken:
            pass
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            continue  # the first request rolled back meanwhile: this one runs
        if record.in_flight and timezone.now() - record.created_at > ABANDONED_AFTER:
            IdempotencyRecord.objects.filter(pk=record.pk, status__isnull=True).delete()
            continue
        if record.fingerprint != fingerprint:
            return error_response(
                422, "idempotency_key_reused",
                _("此 Idempotency-Key 已用于另一个不同的请求；新的请求请使用新的键。"), {HEADER: [_("已被使用。")]},
            )
        if record.in_flight:
            # A reservation committed on its own (an earlier version answered in a second
            # transaction) whose request has not finished.
            return _in_flight()
        return replay(record)
    return _in_flight()


def _first_use(
    run: Callable[..., HttpResponseBase], request: HttpRequest, kw: dict[str, Any], user: Actor, key: str,
    fingerprint: str,
) -> HttpResponseBase:
    """Reserve the key, run the endpoint and store its answer in one transaction (the
    endpoint's services' transactions nest in it): one commit instead of three, and a
    failure anywhere leaves neither a half-done change nor a record of it. A concurrent
    request with the same key waits on the reservation's unique key until this commits,
    then replays the answer (or runs, if this rolled back). Raises _KeyTaken when the key
    already has a record."""
    with transaction.atomic():
        try:
            # No savepoint: a duplicate key is the first statement, and rolls back nothing.
            record = IdempotencyRecord.objects.create(
                user=user, key=key, fingerprint=fingerprint, method=request.method or "", path=request.path[:512]
            )
        except IntegrityError:
            raise _KeyTaken from None
        response = run(request, **kw)  # an exception rolls everything back, the reservation too
        if response.status_code >= 500 or _transaction_failed():
            # Unexpected (the API's handlers turned an exception into a 500): keep nothing,
            # so that a retry runs again rather than replaying the failure.
            transaction.set_rollback(True)
            return response
        if not getattr(request, _EXECUTED_ATTR, False) or getattr(response, "streaming", False):
            # Refused before the endpoint began (bad input, throttled): nothing to replay.
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        assert isinstance(response, HttpResponse)
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            headers={h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)},
            body=response.content,
        )
    return response


def _transaction_failed() -> bool:
    """Whether a statement failed in the open transaction outside any savepoint (and the
    endpoint answered anyway): PostgreSQL then refuses every further statement, so the
    transaction can only be rolled back. SQLite has no such state."""
    if connection.needs_rollback:
        return True
    if connection.vendor != "postgresql" or connection.connection is None:
        return False
    from psycopg.pq import TransactionStatus

    return bool(connection.connection.info.transaction_status == TransactionStatus.INERROR)


def idempotency_prune(*, older_than: timedelta = RETENTION) -> int:
    """Delete stored answers older than ``older_than`` (24 hours by default). Returns the
    number removed. Run it daily (``manage.py api_prune_idempotency``)."""
    if older_than < RETENTION:
        older_than = RETENTION
    deleted, _detail = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
