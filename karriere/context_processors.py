from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "SITE_LOGO": settings.SITE_LOGO,
        "SITE_THEME_COLOR": settings.SITE_THEME_COLOR,
        "PRIVACY_URL": settings.PRIVACY_URL,
    }
