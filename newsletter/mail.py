"""Building the newsletter's e-mails (sending happens in tasks, never in a request).

``subscriber_mail_build`` and ``subscriber_mail_sent`` are what ``karriere.outbox.deliver`` runs
around a claimed ``SubscriberMail`` (``newsletter.tasks.send_subscriber_mail``).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from karriere.outbox import automatic_message
from newsletter import tokens
from newsletter.models import ConsentEvent, Subscriber, SubscriberMail

# The template's name is its version: the consent evidence records which wording went out, so a
# changed confirmation text gets a new file (confirmation_v2.txt) instead of an edit.
CONFIRMATION_TEMPLATE = "newsletter/mail/confirmation_v1.txt"
UNSUBSCRIBE_LINK_TEMPLATE = "newsletter/mail/unsubscribe_link.txt"
SUBSCRIBER_FOOTER_TEMPLATE = "newsletter/mail/subscriber_footer.txt"


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def confirm_url(token: str) -> str:
    return absolute_url(reverse("newsletter:confirm", kwargs={"token": token}))


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = tokens.unsubscribe_token(subscriber.public_id)
    return absolute_url(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def new_message_id() -> str:
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


def _message(*, to: str, subject: str, body: str, headers: dict[str, str]) -> EmailMessage:
    return automatic_message(
        subject=subject,
        body=body,
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        to=[to],
        headers=headers,
    )


def confirmation_message(*, subscriber: Subscriber, token: str) -> EmailMessage:
    """The double-opt-in mail: factual, no advertising (courts treat teasers in it as spam)."""
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            CONFIRMATION_TEMPLATE,
            {
                "confirm_url": confirm_url(token),
                "hours": settings.NEWSLETTER_CONFIRM_TOKEN_HOURS,
                "site_name": settings.SITE_NAME,
                "site_url": settings.SITE_URL,
                "imprint": settings.PUBLISHER_IMPRINT,
            },
        )
        subject = gettext("Please confirm your newsletter signup – %(site)s") % {
            "site": settings.SITE_NAME
        }
    return _message(to=subscriber.email, subject=subject, body=body, headers={})


def subscriber_message(*, subscriber: Subscriber, subject: str, body: str) -> EmailMessage:
    """A mail to a subscriber with a personal unsubscribe link in the footer and the RFC 8058
    headers, so mail clients offer one-click unsubscribe (required by large mailbox providers)."""
    url = unsubscribe_url(subscriber)
    return _message(
        to=subscriber.email,
        subject=subject,
        body=f"{body.rstrip()}\n\n{subscriber_footer(url)}",
        headers=list_unsubscribe_headers(subscriber, url),
    )


def subscriber_footer(unsubscribe_url: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            SUBSCRIBER_FOOTER_TEMPLATE,
            {
                "unsubscribe_url": unsubscribe_url,
                "site_name": settings.SITE_NAME,
                "imprint": settings.PUBLISHER_IMPRINT,
            },
        )


def list_unsubscribe_headers(subscriber: Subscriber, url: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: the one-click URL and, if configured, a mailbox."""
    targets = [f"<{url}>"]
    if settings.NEWSLETTER_UNSUBSCRIBE_MAILTO:
        token = tokens.unsubscribe_token(subscriber.public_id)
        subject_param = quote(f"unsubscribe {token}")
        targets.append(f"<mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject={subject_param}>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def unsubscribe_link_message(*, subscriber: Subscriber) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(UNSUBSCRIBE_LINK_TEMPLATE, {"site_name": settings.SITE_NAME})
        subject = gettext("Your unsubscribe link – %(site)s") % {"site": settings.SITE_NAME}
    return subscriber_message(subscriber=subscriber, subject=subject, body=body)


def subscriber_mail_build(queued: SubscriberMail) -> EmailMessage | None:
    """The message for a claimed mail, or None if it is no longer needed. A confirmation gets a
    fresh token, made here in the worker, so it is never stored anywhere in plain text (not even
    in the task queue); it is saved with the claim."""
    subscriber = Subscriber.objects.select_for_update().get(pk=queued.subscriber_id)
    if queued.kind == SubscriberMail.Kind.UNSUBSCRIBE_LINK:
        if subscriber.status != Subscriber.Status.CONFIRMED:
            return None
        return unsubscribe_link_message(subscriber=subscriber)
    if subscriber.status != Subscriber.Status.PENDING:  # confirmed or unsubscribed meanwhile
        return None
    token = tokens.new_confirm_token()
    subscriber.confirm_token_hash = tokens.hash_confirm_token(token)
    subscriber.confirm_token_expires_at = timezone.now() + Subscriber.confirm_token_lifetime()
    subscriber.confirm_token_used_at = None
    subscriber.save(
        update_fields=["confirm_token_hash", "confirm_token_expires_at", "confirm_token_used_at"]
    )
    return confirmation_message(subscriber=subscriber, token=token)


def subscriber_mail_sent(sent: SubscriberMail, message: EmailMessage) -> None:
    """Evidence that the confirmation mail went out, with the wording's version."""
    if sent.kind == SubscriberMail.Kind.CONFIRMATION:
        ConsentEvent.objects.create(
            subscriber_id=sent.subscriber_id,
            kind=ConsentEvent.Kind.CONFIRMATION_SENT,
            channel=ConsentEvent.Channel.MAIL,
            message_id=message.extra_headers["Message-ID"],
            template_version=CONFIRMATION_TEMPLATE,
        )
