from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(value: datetime | None) -> str:
    """Value for ``<time datetime>``: ISO 8601 in the current time zone, to the second. HTML
    allows at most three fractional digits, and ``date:"c"`` prints six."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()
