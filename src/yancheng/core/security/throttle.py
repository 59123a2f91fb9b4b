"""Password spraying and slow guessing (issue 10 §5; ASVS 5.0-6.3.1, 等保 8.1.4.1b).

django-axes locks a username on one address after 5 failures. Two attacks pass under it:

- **spraying**: a few guesses against each of many accounts from one address. A failure
  budget per address, across accounts (``YANCHENG_LOGIN_IP_FAILURE_LIMIT`` failures in
  ``YANCHENG_LOGIN_IP_WINDOW_MINUTES``): past it every login from that address answers 429
  until its failures age out of the window, every refused attempt is audited, and the
  security administrators are told once per window. A successful login does not reset it
  (one valid account would otherwise launder the guesses against all the others).
- **distributed guessing** of one account from many addresses: after
  ``YANCHENG_LOGIN_SLOWDOWN_AFTER`` failures for a username (any address, within the same
  window, since its last successful login) each further attempt waits before the password
  is checked — progressively longer, capped. The delay is computed by
  ``YANCHENG_LOGIN_DELAY_FUNCTION`` (failures → seconds) and spent by
  ``YANCHENG_LOGIN_SLEEP``; both are dotted paths, so a deployment (or a test) can change
  the curve or observe the wait without changing this code. The wait never locks the
  account: the right password still gets in, a little later.

Failures are counted in django-axes' ``AccessFailureLog`` (``AXES_ENABLE_ACCESS_FAILURE_LOG``),
one row per failed attempt in the database, so every web worker sees the same count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_record
from yancheng.core.models import Role, User

IP_BUDGET_EXCEEDED = "auth.ip_budget_exceeded"
IP_THROTTLED = "auth.ip_throttled"


def window() -> timedelta:
    return timedelta(minutes=max(1, int(settings.YANCHENG_LOGIN_IP_WINDOW_MINUTES)))


def _failure_log() -> Any:
    from axes.models import AccessFailureLog

    return AccessFailureLog


def ip_failures(ip: str, *, now: datetime | None = None) -> int:
    """Failed logins from ``ip``, for any username, within the window."""
    if not ip:
        return 0
    since = (now or timezone.now()) - window()
    return int(_failure_log().objects.filter(ip_address=ip, attempt_time__gte=since).count())


def account_failures(username: str, *, now: datetime | None = None) -> int:
    """Failed logins for ``username`` from any address within the window, counted from its
    last successful login (the owner getting in ends the slowdown)."""
    username = username.strip()[:150]
    if not username:
        return 0
    since = (now or timezone.now()) - window()
    last_login = User.objects.filter(username__iexact=username).values_list("last_login", flat=True).first()
    if last_login is not None and last_login > since:
        since = last_login
    return int(_failure_log().objects.filter(username__iexact=username, attempt_time__gte=since).count())


def ip_over_budget(ip: str) -> int | None:
    """The address's failure count when it has used up its budget, else None."""
    failures = ip_failures(ip)
    return failures if failures >= int(settings.YANCHENG_LOGIN_IP_FAILURE_LIMIT) else None


def progressive_delay(failures: int) -> float:
    """The default curve: nothing for the first ``YANCHENG_LOGIN_SLOWDOWN_AFTER`` failures,
    then the base delay, doubling with each further failure, up to the maximum."""
    free = max(0, int(settings.YANCHENG_LOGIN_SLOWDOWN_AFTER))
    if failures < free or failures <= 0:
        return 0.0
    base = float(settings.YANCHENG_LOGIN_SLOWDOWN_BASE_SECONDS)
    cap = float(settings.YANCHENG_LOGIN_SLOWDOWN_MAX_SECONDS)
    exponent = min(failures - free, 32)
    value = base * math.pow(2, exponent)
    return max(0.0, min(value, cap))


def login_delay(username: str) -> float:
    """Seconds this attempt for ``username`` waits before its password is checked."""
    failures = account_failures(username)
    compute = import_string(settings.YANCHENG_LOGIN_DELAY_FUNCTION)
    return max(0.0, min(float(compute(failures)), float(settings.YANCHENG_LOGIN_SLOWDOWN_MAX_SECONDS)))


def wait(seconds: float) -> None:
    if seconds > 0:
        import_string(settings.YANCHENG_LOGIN_SLEEP)(seconds)


@dataclass(frozen=True)
class Refusal:
    failures: int
    alerted: bool


def ip_refusal_record(*, ip: str, username: str, failures: int) -> Refusal:
    """Audit a login refused for its address; on the first refusal of a window, also record
    that the budget was exceeded and tell the security administrators (once per window,
    whatever the number of workers: the check and the write happen under a lock on the
    security administrators' rows, in one transaction)."""
    now = timezone.now()
    with transaction.atomic():
        admins = list(
            User.objects.select_for_update()
            .filter(role=Role.SECURITY_ADMIN, is_active=True)
            .order_by("pk")
        )
        already = AuditEvent.objects.filter(action=IP_BUDGET_EXCEEDED, ip=ip, ts__gte=now - window()).exists()
        if not already:
            usernames = sorted(
                {
                    u
                    for u in _failure_log()
                    .objects.filter(ip_address=ip, attempt_time__gte=now - window())
                    .values_list("username", flat=True)[:200]
                    if u
                }
            )
            audit_record(
                IP_BUDGET_EXCEEDED,
                None,
                actor=None,
                object_repr=ip,
                after={
                    "failures": failures,
                    "limit": int(settings.YANCHENG_LOGIN_IP_FAILURE_LIMIT),
                    "window_minutes": int(window().total_seconds() // 60),
                    "accounts": len(usernames),
                    "usernames": usernames[:50],
                },
                outcome=AuditEvent.Outcome.DENIED,
                ip=ip,
            )
            _tell_security_admins(admins, ip=ip, failures=failures, accounts=len(usernames))
        audit_record(
            IP_THROTTLED,
            None,
            actor=None,
            object_repr=username[:150],
            after={"username": username[:150], "failures_from_ip": failures},
            outcome=AuditEvent.Outcome.DENIED,
            ip=ip,
        )
    return Refusal(failures=failures, alerted=not already)


def _tell_security_admins(admins: list[User], *, ip: str, failures: int, accounts: int) -> None:
    from yancheng.core.notifications.services import notify

    if not admins:
        return
    minutes = int(window().total_seconds() // 60)
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipients=admins,
            verb="security.login_ip_budget",
            title=_("疑似密码喷洒：地址 %(ip)s 登录失败过多") % {"ip": ip},
            body=_(
                "%(minutes)d 分钟内，地址 %(ip)s 登录失败 %(failures)d 次，涉及 %(accounts)d 个账号；"
                "该地址的登录已暂停，失败记录移出时间窗后自动恢复。请在“登录失败记录”中核查。"
            )
            % {"minutes": minutes, "ip": ip, "failures": failures, "accounts": accounts},
            url=reverse("accounts:account_failed_logins"),
            actor=None,
        )
