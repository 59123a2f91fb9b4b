"""Posting JSON to a webhook outside the installation: a 企业微信 or 钉钉 group robot (the
notifications' robots, the audit witness). HTTPS only, no redirects, a short timeout, and
errors that never name the URL, its key or a signing secret."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

WEBHOOK_TIMEOUT_SECONDS = 10
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class DeliveryError(Exception):
    """A delivery attempt failed; the message is safe to store and show."""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot endpoint never redirects; following one could send the message elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(NoRedirect())


def check_webhook_url(url: str) -> str | None:
    """Why the URL is unacceptable, or None. HTTPS only, except on the loopback interface
    (tests, a local relay) or where YANCHENG_WEBHOOK_ALLOW_HTTP is set (an intranet relay)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "scheme"
    if parts.username or parts.password:
        return "credentials"
    if (
        parts.scheme == "http"
        and parts.hostname not in LOOPBACK_HOSTS
        and not getattr(settings, "YANCHENG_WEBHOOK_ALLOW_HTTP", False)
    ):
        return "https"
    return None


def post_robot(url: str, payload: dict[str, Any], *, secrets: tuple[str, ...] = ()) -> None:
    """POST the JSON message and check the robot's answer: HTTP 200 and ``errcode`` 0.

    ``secrets`` (the URL, its key, the signing secret) are scrubbed from any error text.
    """
    if check_webhook_url(url) is not None:
        raise DeliveryError(_("Webhook 地址无效或不是 HTTPS"))
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with opener().open(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(scrub(f"HTTP {exc.code}", secrets)) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(scrub(_("连接失败：%(reason)s") % {"reason": reason}, secrets)[:300]) from None
    if status != 200:
        raise DeliveryError(f"HTTP {status}")
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DeliveryError(_("应答不是 JSON")) from None
    errcode = answer.get("errcode") if isinstance(answer, dict) else None
    if errcode != 0:
        errmsg = str(answer.get("errmsg", "")) if isinstance(answer, dict) else ""
        raise DeliveryError(scrub(f"errcode={errcode} {errmsg}".strip(), secrets)[:300])


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
