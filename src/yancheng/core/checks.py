"""System checks for a production installation (`yancheng check --deploy --database default`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor_on_in_production(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.IS_PRODUCTION and not settings.YANCHENG_TOTP_REQUIRED:
        return [
            Warning(
                "YANCHENG_TOTP_REQUIRED is off in production: staff and administrators log in with a password only.",
                hint="等保 level 3 requires two authentication factors; set YANCHENG_TOTP_REQUIRED=true.",
                id="yancheng.W001",
            )
        ]
    return []


@register(Tags.security, Tags.database)
def no_superuser_in_production(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """SPEC §12: no superuser in production; the three administrators do the work."""
    if not databases or not settings.IS_PRODUCTION:
        return []
    from django.db import DatabaseError

    from .models import User

    try:
        names = list(User.objects.filter(is_superuser=True, is_active=True).values_list("username", flat=True)[:5])
    except DatabaseError:
        return []  # not migrated yet
    if names:
        return [
            Error(
                f"Active superuser accounts in production: {', '.join(names)}.",
                hint="Create the three administrators with `yancheng createadmin`, then disable these accounts.",
                id="yancheng.E001",
            )
        ]
    return []
