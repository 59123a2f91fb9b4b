"""Login lockouts in force (django-axes): read by the account list and the workbench."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone


def lockouts_in_force() -> QuerySet[Any]:
    """The failure records that lock their username out now (on any address)."""
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    attempts: QuerySet[Any] = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )
    return attempts
