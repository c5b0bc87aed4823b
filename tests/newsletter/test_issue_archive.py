"""The public archive of past issues, and the welcome mail after confirmation."""

from __future__ import annotations

import pytest
from django.core import mail as outbox

from newsletter import sending, services
from newsletter.models import ConsentEvent, WelcomeMail
from tests.newsletter.conftest import link_in
from tests.newsletter.issue_helpers import confirmed, make_issue

pytestmark = pytest.mark.django_db


def test_archive_lists_sent_issues_with_a_web_version_free_of_personal_data(
    client, smtp_inbox, run_tasks
):
    confirmed("anna.groß@example.de")
    sent = make_issue(subject="Gehaltserhöhung: So klappt’s")
    draft = make_issue(subject="Noch geheimer Entwurf")
    services.issue_send(issue=sent, actor="newsletter")
    run_tasks()

    archive = client.get("/newsletter/archiv/").content.decode()
    assert "Newsletter-Archiv" in archive
    assert "Gehaltserhöhung: So klappt’s" in archive
    assert "Noch geheimer Entwurf" not in archive
    page = client.get(f"/newsletter/archiv/{sent.pk}/")
    html = page.content.decode()
    assert "Weiterbildungsmöglichkeiten für Berufstätige" in html
    assert "Weiterlesen »" in html
    assert "anna.groß" not in html and "/newsletter/abmelden/" not in html
    assert client.get(f"/newsletter/archiv/{draft.pk}/").status_code == 404
    # Linked from the newsletter page, and from each mail.
    assert 'href="/newsletter/archiv/"' in client.get("/newsletter/").content.decode()
    assert (
        f"/newsletter/archiv/{sent.pk}/"
        in smtp_inbox.messages[0].get_body(("plain",)).get_content()
    )


def test_welcome_mail_follows_the_confirmation_when_switched_on(client, sign_up, run_tasks):
    WelcomeMail.objects.update(
        enabled=True,
        subject="Willkommen bei den Karriere-Tipps",
        body="Schön, dass du dabei bist – jetzt geht’s um deine Gehaltserhöhung.",
    )
    sign_up("leserin@example.de")
    run_tasks()
    (confirmation,) = outbox.outbox
    assert "Willkommen" not in confirmation.body  # no advertising in the confirmation mail
    client.post(link_in(confirmation))
    run_tasks()
    subscriber = ConsentEvent.objects.get(kind=ConsentEvent.Kind.WELCOME_SENT).subscriber
    sending.welcome_mail_send(subscriber_id=subscriber.pk)  # a repeated task: nothing twice

    welcome = outbox.outbox[1]
    assert len(outbox.outbox) == 2
    assert welcome.subject == "Willkommen bei den Karriere-Tipps"
    assert "Gehaltserhöhung" in welcome.body
    assert "/newsletter/abmelden/" in welcome.body
    assert welcome.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    event = ConsentEvent.objects.get(kind=ConsentEvent.Kind.WELCOME_SENT)
    assert event.message_id == welcome.extra_headers["Message-ID"]


def test_no_welcome_mail_while_it_is_switched_off(client, sign_up, run_tasks):
    sign_up("leserin@example.de")
    run_tasks()
    client.post(link_in(outbox.outbox[0]))
    run_tasks()
    assert len(outbox.outbox) == 1
