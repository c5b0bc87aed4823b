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

# Soft bounces ("deferred", or "bounced" with a 4xx code) are not acted on: the service retries
# them itself, and the next issue tries the address again.
HARD = {"bounced": Suppression.Reason.BOUNCED, "rejected": Suppression.Reason.BOUNCED}
COMPLAINT = "complained"


def _is_soft(event: AnymailTrackingEvent) -> bool:
    reason = event.mta_response or ""
    return event.event_type == "bounced" and reason.lstrip().startswith("4")


@transaction.atomic
def delivery_tracking_record(*, event: AnymailTrackingEvent) -> bool:
    """Hard bounce or complaint: suppress the address (hashed) and mark the issue's delivery.
    A complaint also unsubscribes. Returns True if the event changed anything."""
    if event.event_type not in (*HARD, COMPLAINT) or _is_soft(event) or not event.recipient:
        return False
    recipient = event.recipient.strip()
    reason = (
        Suppression.Reason.COMPLAINED if event.event_type == COMPLAINT else HARD[event.event_type]
    )
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
