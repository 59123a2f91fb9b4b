"""The witness webhook (YANCHENG_AUDIT_WITNESS_URL): a copy of every checkpoint sent to a
party outside this installation — a 企业微信 or 钉钉 group robot the audit administrators
are in, or any HTTPS endpoint that keeps what it receives. Sent by a background task after
the checkpoint commits, retried with backoff; never inside a request."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from yancheng.core.webhooks import DeliveryError, check_webhook_url, opener, post_robot

logger = logging.getLogger("yancheng.audit.witness")

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 10


def witness_message(anchor: dict[str, Any]) -> str:
    kind = _("归档截断点") if anchor.get("is_archive_cut") else _("审计检查点")
    return (
        f"[{anchor['deployment_id']}] {kind} seq={anchor['seq']} hash={anchor['hash']} "
        f"time={anchor['created_at']} key={anchor['key_id']} sig={anchor['signature']}"
    )


def witness_send(url: str, anchor: dict[str, Any]) -> None:
    """One attempt. 企业微信/钉钉 robots get a text message (their JSON format, errcode 0
    checked); any other endpoint gets the anchor as JSON and must answer 2xx."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "qyapi.weixin.qq.com" or host == "oapi.dingtalk.com":
        post_robot(url, {"msgtype": "text", "text": {"content": witness_message(anchor)}}, secrets=(url,))
        return
    if check_webhook_url(url) is not None:
        raise DeliveryError("witness URL invalid or not HTTPS")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(anchor, sort_keys=True).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"connection failed: {getattr(exc, 'reason', exc)}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")


def witness_enqueue(anchor: dict[str, Any], *, attempt: int = 1) -> None:
    if attempt > 1:
        backend = witness_task.get_backend()
        if not getattr(backend, "supports_defer", False):
            logger.error("audit witness: no retry for seq %s (the task backend cannot defer)", anchor.get("seq"))
            return
        witness_task.using(run_after=timezone.now() + BACKOFF[attempt - 2]).enqueue(anchor, attempt)
        return
    witness_task.enqueue(anchor, attempt)


@task(priority=50)
def witness_task(anchor: dict[str, Any], attempt: int = 1) -> str:
    """Send one checkpoint to the witness; on failure queue the next attempt, up to
    MAX_ATTEMPTS, then give up with an error in the log (the file and the log still hold it)."""
    url = (getattr(settings, "YANCHENG_AUDIT_WITNESS_URL", "") or "").strip()
    if not url:
        return "disabled"
    try:
        witness_send(url, anchor)
    except DeliveryError as exc:
        if attempt >= MAX_ATTEMPTS:
            logger.error("audit witness gave up on seq %s after %s attempts: %s", anchor.get("seq"), attempt, exc)
            return "gave_up"
        logger.warning("audit witness attempt %s for seq %s failed: %s", attempt, anchor.get("seq"), exc)
        witness_enqueue(anchor, attempt=attempt + 1)
        return "retry"
    return "sent"
