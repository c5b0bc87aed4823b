from __future__ import annotations

from datetime import timedelta

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from karriere import fragments
from newsletter.forms import SignupForm
from newsletter.models import Subscriber, SubscriberMail

register = template.Library()


@register.simple_tag(takes_context=True)
def newsletter_box(context) -> str:
    """The signup box for sidebars; it posts to the signup page, which shows any errors.
    Cached per page until the consent text changes (no query for it on every page)."""
    request = context.get("request")
    source = request.path if request else ""
    return fragments.cached(
        request,
        ("newsletter-box", source),
        lambda: render_to_string(
            "newsletter/_newsletter_box.html",
            {
                "form": SignupForm(id_prefix="nl-box"),
                "source": source,
                "id_prefix": "nl-box",
                "privacy_url": settings.PRIVACY_URL,
            },
        ),
        keys=["newsletter-consent"],
    )


@register.simple_tag
def confirmed_signups_since(days: int) -> int:
    """Signups confirmed in the last ``days`` days (the admin dashboard's figure)."""
    since = timezone.now() - timedelta(days=days)
    return Subscriber.objects.filter(
        status=Subscriber.Status.CONFIRMED, confirmed_at__gte=since
    ).count()


@register.simple_tag
def undelivered_subscriber_mail_count() -> int:
    return SubscriberMail.objects.undelivered().count()
