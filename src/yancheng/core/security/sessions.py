"""Ending a user's sessions (logout everywhere, account disabled, password changed or reset,
second factor reset) and the login time that bounds a session's absolute lifetime.

Sessions live in the database (django.contrib.sessions). Idle sessions expire after
SESSION_COOKIE_AGE (30 minutes), so the set of live sessions is small — about the number
of people working right now — and scanning it is cheap. Expired rows are never decoded.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.sessions.models import Session
from django.utils import timezone

from yancheng.core.typing import Actor

# Session key holding the UNIX time of the login (password step). Set at login, checked by
# SessionLifetimeMiddleware against settings.YANCHENG_SESSION_ABSOLUTE_SECONDS.
LOGIN_AT_SESSION_KEY = "yancheng_login_at"


def mark_login_time(session: Any) -> None:
    session[LOGIN_AT_SESSION_KEY] = time.time()


def _sessions_of(user: Actor) -> list[Session]:
    found: list[Session] = []
    uid = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        try:
            data = session.get_decoded()
        except Exception:  # noqa: S112 - a corrupt session is nobody's
            continue
        if str(data.get("_auth_user_id")) == uid:
            found.append(session)
    return found


def session_keys_of(user: Actor) -> list[str]:
    """Keys of the user's live sessions (for tests and the account page)."""
    return [s.session_key for s in _sessions_of(user)]


def end_all_sessions(user: Actor, *, keep: str | None = None) -> int:
    """Delete every live session of `user` except the one whose key is `keep`; returns how
    many were ended. The next request with a deleted session's cookie is anonymous."""
    ended = 0
    for session in _sessions_of(user):
        if keep is not None and session.session_key == keep:
            continue
        session.delete()
        ended += 1
    return ended
