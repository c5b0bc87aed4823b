from __future__ import annotations

from datetime import timedelta

from django import template
from django.conf import settings
from django.utils import timezone

from karriere.dependencies import shown
from newsletter.forms import SignupForm
from newsletter.models import Subscriber, SubscriberMail

register = template.Library()


@register.inclusion_tag("newsletter/_newsletter_box.html", takes_context=True)
def newsletter_box(context):
    """The signup box for sidebars; it posts to the signup page, which shows any errors."""
    request = context.get("request")
    if request is not None:
        shown(request, "newsletter-consent")
    return {
        "form": SignupForm(id_prefix="nl-box"),
        "source": request.path if request else "",
        "id_prefix": "nl-box",
        # An inclusion tag's template sees only this context, not the context processors'.
        "privacy_url": settings.PRIVACY_URL,
    }


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
