"""Talking to the outside world: email, 企业微信 and 钉钉 group robots, SMS.

Each sender either returns (sent) or raises DeliveryError with a message fit for the
delivery status page: never the webhook URL, its key, the signing secret or a phone.
Only background tasks call these (never a request). Posting to a webhook is
`core/webhooks.py`, shared with the audit witness.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from typing import Any, Protocol
from urllib.parse import quote_plus, urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

# DeliveryError is imported from here by SMS backends (docs/notifications.md).
from yancheng.core.webhooks import DeliveryError as DeliveryError
from yancheng.core.webhooks import post_robot, scrub

from .models import mask_phone

logger = logging.getLogger("yancheng.notifications")

# 企业微信: markdown content at most 4096 bytes; 钉钉 allows 20000 but long messages read badly.
MAX_ROBOT_TEXT_BYTES = 3800


def absolute_url(url: str) -> str:
    """A link for messages read outside the site: YANCHENG_SITE_URL + the relative link."""
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    base = (getattr(settings, "YANCHENG_SITE_URL", "") or "").rstrip("/")
    return f"{base}{url}" if base else ""


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", errors="ignore") + "…"


# --- email -------------------------------------------------------------------------------


def send_email(*, to: str, title: str, body: str, url: str) -> None:
    link = absolute_url(url)
    text = body + (f"\n\n{link}" if link else "")
    try:
        send_mail(subject=title, message=text, from_email=None, recipient_list=[to], fail_silently=False)
    except Exception as exc:  # SMTP errors come in many classes
        raise DeliveryError(f"{type(exc).__name__}: {_first_line(exc)}"[:300]) from exc


# --- group robots --------------------------------------------------------------------------


def wecom_payload(*, title: str, body: str, url: str) -> dict[str, Any]:
    """企业微信群机器人 markdown message (developer.work.weixin.qq.com/document/path/91770)."""
    link = absolute_url(url)
    content = f"**{title}**\n{body}" if body else f"**{title}**"
    if link:
        content += f"\n[查看详情]({link})"
    return {"msgtype": "markdown", "markdown": {"content": _truncate_bytes(content, MAX_ROBOT_TEXT_BYTES)}}


def dingtalk_payload(*, title: str, body: str, url: str) -> dict[str, Any]:
    """钉钉自定义机器人 markdown message (open.dingtalk.com, 自定义机器人发送群消息)."""
    link = absolute_url(url)
    text = f"#### {title}\n\n{body}" if body else f"#### {title}"
    if link:
        text += f"\n\n[查看详情]({link})"
    return {"msgtype": "markdown", "markdown": {"title": title[:64], "text": _truncate_bytes(text, MAX_ROBOT_TEXT_BYTES)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret, base64, URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"


def send_wecom(*, webhook_url: str, title: str, body: str, url: str) -> None:
    post_robot(webhook_url, wecom_payload(title=title, body=body, url=url), secrets=_url_secrets(webhook_url))


def send_dingtalk(*, webhook_url: str, secret: str, title: str, body: str, url: str) -> None:
    post_robot(
        dingtalk_signed_url(webhook_url, secret),
        dingtalk_payload(title=title, body=body, url=url),
        secrets=(*_url_secrets(webhook_url), secret),
    )


def _url_secrets(url: str) -> tuple[str, ...]:
    parts = urlsplit(url)
    return tuple(s for s in (url, parts.query, *[p.partition("=")[2] for p in parts.query.split("&")]) if s)


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0]


# --- SMS -------------------------------------------------------------------------------------


class SmsBackend(Protocol):
    """A city's SMS gateway. ``send`` returns when the gateway accepted the message and
    raises DeliveryError (or any exception) otherwise. Configure with
    ``YANCHENG_SMS_BACKEND = "dotted.path.ToTheClass"``; the class is built without arguments."""

    def send(self, *, phone: str, message: str) -> None: ...


class LoggingSmsBackend:
    """The default: sends nothing, logs that a message would have gone to a masked number."""

    def send(self, *, phone: str, message: str) -> None:
        logger.info("SMS (logging backend, not sent) to %s, %d characters", mask_phone(phone), len(message))


DEFAULT_SMS_BACKEND = "yancheng.core.notifications.channels.LoggingSmsBackend"


def sms_backend() -> SmsBackend:
    path = getattr(settings, "YANCHENG_SMS_BACKEND", "") or DEFAULT_SMS_BACKEND
    backend: SmsBackend = import_string(path)()
    return backend


def sms_text(*, title: str, url: str) -> str:
    link = absolute_url(url)
    return f"【{settings.YANCHENG_SITE_NAME}】{title}" + (f" {link}" if link else "")


def send_sms(*, phone: str, title: str, url: str) -> None:
    try:
        sms_backend().send(phone=phone, message=sms_text(title=title, url=url))
    except DeliveryError:
        raise
    except Exception as exc:
        raise DeliveryError(scrub(f"{type(exc).__name__}: {_first_line(exc)}", (phone,))[:300]) from exc
