"""Every mail the site sends by itself says so, and names the site's domain in its Message-ID."""

from __future__ import annotations

import pytest

from comments.services import comment_submit
from newsletter.models import ConsentText, Subscriber
from newsletter.services import subscription_request, unsubscribe_link_request
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_every_automatic_mail_is_marked_auto_generated_with_a_message_id_on_the_site_domain(
    settings, run_tasks, smtp_inbox
):
    settings.SITE_URL = "https://www.karriere-magazin.example"
    settings.COMMENTS_MODERATOR_EMAILS = ["moderation@karriere-magazin.example"]
    subscription_request(
        email="neu@example.de",
        consent_text=ConsentText.objects.current(),
        ip="203.0.113.7",
        user_agent="Testbrowser/1.0",
        page="/gehalt/",
    )
    Subscriber.objects.create(email="treu@example.de", status=Subscriber.Status.CONFIRMED)
    unsubscribe_link_request(email="treu@example.de", ip="203.0.113.8")
    comment_submit(
        article=ArticleFactory(title="Weiterbildungsmöglichkeiten für Quereinsteiger"),
        name="Jürgen Größmann",
        email="juergen@example.de",
        text="Wo finde ich die Förderung?",
    )
    run_tasks()

    subjects = sorted(message["Subject"].strip()[:20] for message in smtp_inbox.messages)
    assert subjects == ["Bitte bestätige dein", "Dein Abmeldelink – K", "Neuer Kommentar wart"]
    for message in smtp_inbox.messages:
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Message-ID"].endswith("@www.karriere-magazin.example>")
