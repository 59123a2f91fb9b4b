from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language


def site(request: HttpRequest | None) -> dict[str, Any]:
    """The site's and the city's names in the active language (also for the 500 page,
    rendered without a request)."""
    english = (get_language() or "").startswith("en")
    return {
        "SITE_NAME": settings.YANCHENG_SITE_NAME_EN if english else settings.YANCHENG_SITE_NAME,
        "CITY_NAME": settings.YANCHENG_CITY_NAME_EN if english else settings.YANCHENG_CITY_NAME,
        "DEMO_BANNER": settings.YANCHENG_DEMO_BANNER,
    }
