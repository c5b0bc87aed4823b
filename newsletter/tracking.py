"""What e-mail services report back (django-anymail's normalised tracking webhooks).

Anymail verifies the webhook (basic auth from ``ANYMAIL_WEBHOOK_SECRET``, plus the service's
signature where it signs) and sends its ``tracking`` signal; the receiver only hands the event
to ``delivery_tracking_record``, where the rule is.
"""

from __future__ import annotations

from anymail.signals import AnymailTrackingEvent, tracking
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from newsletter import services, tokens
from newsletter.models import ConsentEvent, Delivery, Suppression

# Soft bounces ("deferred", a bounce with a 4xx reply, Postmark's "SoftBounce") are not acted
# on: the service retries them itself, and the next issue tries the address again.
SOFT_TYPES = {"SoftBounce", "Transient", "DnsError"}
# A service refusing to even try (known-bad or blocked address) counts like a hard bounce.
HARD_REJECTIONS = {"invalid", "bounced", "blocked"}


def _suppression_reason(event: AnymailTrackingEvent) -> str | None:
    if event.event_type == "complained":
        return Suppression.Reason.COMPLAINED
    esp_type = event.esp_event.get("Type") if isinstance(event.esp_event, dict) else None
    soft = esp_type in SOFT_TYPES or (event.mta_response or "").lstrip().startswith("4")
    if event.event_type == "bounced" and not soft:
        return Suppression.Reason.BOUNCED
    if event.event_type == "rejected" and event.reject_reason in HARD_REJECTIONS:
        return Suppression.Reason.BOUNCED
    return None


@transaction.atomic
def delivery_tracking_record(*, event: AnymailTrackingEvent) -> bool:
    """Hard bounce or complaint: suppress the address (hashed) and mark the issue's delivery.
    A complaint also unsubscribes. Returns True if the event changed anything."""
    reason = _suppression_reason(event)
    if reason is None or not event.recipient:
        return False
    recipient = event.recipient.strip()
    Suppression.objects.get_or_create(
        address_hash=tokens.address_hash(recipient),
        defaults={"reason": reason, "created_at": timezone.now()},
    )
    ids = [value for value in (event.message_id,) if value]
    delivery = None
    if ids:
        delivery = (
            Delivery.objects.select_related("subscriber")
            .filter(Q(esp_message_id__in=ids) | Q(message_id__in=ids))
            .first()
        )
    if delivery is None:  # services that do not give their id back: the newest to that address
        delivery = (
            Delivery.objects.select_related("subscriber")
            .filter(subscriber__email__iexact=recipient, status=Delivery.Status.SENT)
            .order_by("-sent_at")
            .first()
        )
    if delivery is not None:
        status = (
            Delivery.Status.COMPLAINED
            if reason == Suppression.Reason.COMPLAINED
            else (Delivery.Status.BOUNCED)
        )
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status,
            error=(event.description or event.mta_response or event.event_type)[:500],
            updated_at=timezone.now(),
        )
    if reason == Suppression.Reason.COMPLAINED and delivery and delivery.subscriber:
        services.subscription_unsubscribe(
            public_id=delivery.subscriber.public_id, channel=ConsentEvent.Channel.ESP
        )
    return True


@receiver(tracking, dispatch_uid="newsletter.tracking")
def _on_tracking(sender, event, esp_name, **kwargs):
    delivery_tracking_record(event=event)
