"""Rendering a newsletter issue: the HTML and text mail, the web version, the test send.

An issue is rendered once per batch with a placeholder where the unsubscribe link goes; each
recipient's mail is that text with their own link put in (rendering and CSS inlining per
recipient would cost more than the SMTP round trip).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from articles.models import Article
from newsletter import mail
from newsletter.models import NewsletterIssue, Subscriber

HTML_TEMPLATE = "newsletter/mail/issue.html"
TEXT_TEMPLATE = "newsletter/mail/issue.txt"
UNSUBSCRIBE_PLACEHOLDER = "https://abmelden.invalid/karriere-newsletter-abmelden"
# Card images are at most this wide in the mail; the rendition at or above it is used.
CARD_IMAGE_WIDTH = 600
_RELATIVE_URL = re.compile(r'(\s(?:href|src)=")/(?!/)')

_inliner = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else mail.absolute_url(url)


def _absolute_links(fragment: str) -> str:
    """Links and images in the rich text point at our own site; in a mail they need the host."""
    return _RELATIVE_URL.sub(rf"\1{settings.SITE_URL}/", fragment)


def _card_image(article: Article) -> str | None:
    """The hero image of the library (never one whose licence ran out), wide enough for a card."""
    image = article.hero_image
    if image is None or image.is_expired:
        return None
    sources = image.shape("original")
    if sources:
        wide = [s for s in sources if s["width"] >= CARD_IMAGE_WIDTH] or sources[-1:]
        return _absolute(image.file.storage.url(wide[0]["jpg"]))
    return _absolute(image.file.url)


def _plain(fragment: str) -> str:
    text = html.unescape(strip_tags(re.sub(r"</(p|h\d|li)>|<br\s*/?>", "\n\n", fragment)))
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def web_url(issue: NewsletterIssue) -> str:
    return mail.absolute_url(issue.get_absolute_url())


def issue_unsubscribe_url(issue: NewsletterIssue, subscriber: Subscriber) -> str:
    # The issue id only attributes the unsubscribe to this issue's figures.
    return f"{mail.unsubscribe_url(subscriber)}?ausgabe={issue.pk}"


def dummy_unsubscribe_url() -> str:
    return mail.absolute_url(reverse("newsletter:unsubscribe_request"))


def issue_context(issue: NewsletterIssue) -> dict:
    cards = [
        {
            "title": article.title,
            "teaser": article.teaser,
            "url": _absolute(article.get_absolute_url()),
            "image": _card_image(article),
            "alt": article.hero_image.alt if article.hero_image else "",
            "category": article.category.name,
        }
        for article in issue.ordered_articles()
    ]
    return {
        "issue": issue,
        "cards": cards,
        "intro_html": _absolute_links(issue.intro),
        "closing_html": _absolute_links(issue.closing),
        "intro_text": _plain(issue.intro),
        "closing_text": _plain(issue.closing),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        # PNG: many mail programs show no SVG.
        "logo_url": settings.SITE_URL + static(settings.SITE_LOGO_PNG),
        "imprint": settings.PUBLISHER_IMPRINT,
        "web_url": web_url(issue),
    }


@dataclass(frozen=True)
class RenderedIssue:
    subject: str
    html: str
    text: str

    def personalised(self, unsubscribe_url: str) -> tuple[str, str]:
        return (
            self.html.replace(UNSUBSCRIBE_PLACEHOLDER, html.escape(unsubscribe_url)),
            self.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
        )

    def message(
        self, *, subscriber: Subscriber, unsubscribe_url: str, message_id: str
    ) -> EmailMultiAlternatives:
        """The mail for one recipient: multipart/alternative, text first, then HTML."""
        html_body, text_body = self.personalised(unsubscribe_url)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=text_body,
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            to=[subscriber.email],
            headers={
                "Message-ID": message_id,
                **mail.list_unsubscribe_headers(subscriber, unsubscribe_url),
                "List-Id": f"{settings.SITE_NAME} Newsletter <{settings.NEWSLETTER_LIST_ID}>",
                "Precedence": "bulk",
            },
        )
        message.attach_alternative(html_body, "text/html")
        return message


def issue_render(issue: NewsletterIssue) -> RenderedIssue:
    context = {**issue_context(issue), "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER}
    with translation.override(settings.LANGUAGE_CODE):
        html_body = _inliner.inline(render_to_string(HTML_TEMPLATE, context))
        text_body = render_to_string(TEXT_TEMPLATE, context)
    return RenderedIssue(subject=issue.subject, html=html_body, text=text_body)


def issue_test_message(issue: NewsletterIssue, *, to: str) -> EmailMultiAlternatives:
    """Exactly what a subscriber gets, with a dummy unsubscribe link that changes nothing."""
    stand_in = Subscriber(email=to)
    return issue_render(issue).message(
        subscriber=stand_in,
        unsubscribe_url=dummy_unsubscribe_url(),
        message_id=mail.new_message_id(),
    )
