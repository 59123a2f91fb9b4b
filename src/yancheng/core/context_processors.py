from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": settings.YANCHENG_SITE_NAME,
        "CITY_NAME": settings.YANCHENG_CITY_NAME,
        "DEMO_BANNER": settings.YANCHENG_DEMO_BANNER,
    }
