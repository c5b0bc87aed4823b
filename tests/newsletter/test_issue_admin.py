"""Editors compose, preview, test and send an issue in the admin (through its URLs)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from newsletter.models import IssueArticle, NewsletterIssue
from tests.factories import ArticleFactory
from tests.newsletter.issue_helpers import confirmed, make_issue

pytestmark = pytest.mark.django_db


def url(name: str, issue=None) -> str:
    return reverse(f"admin:newsletter_newsletterissue_{name}", args=[issue.pk] if issue else [])


@pytest.fixture
def role_client(client):
    def login(role: str):
        user = User.objects.create_user(
            role.lower(), email=f"{role.lower()}@karriere.example", password="x", is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        return client

    return login


def test_add_form_speaks_german(role_client):
    page = role_client("Redaktion").get(url("add")).content.decode()
    for label in ("Betreff", "Vorschautext", "Einleitung", "Schlusstext", "Artikel der Ausgabe"):
        assert label in page, label


def test_newest_articles_since_the_last_issue_fill_the_issue_in_one_click(role_client, clock):
    old = ArticleFactory(
        title="Alte Bewerbungstipps", published_at=timezone.now() - timedelta(days=9)
    )
    NewsletterIssue.objects.create(
        subject="Letzte Ausgabe",
        status=NewsletterIssue.Status.SENT,
        started_at=timezone.now() - timedelta(days=5),
    )
    fresh = [
        ArticleFactory(
            title=f"Gehaltserhöhung Teil {n}", published_at=timezone.now() - timedelta(days=n)
        )
        for n in range(1, 4)
    ]
    ArticleFactory(title="Noch geplant", published_at=timezone.now() + timedelta(days=1))
    issue = NewsletterIssue.objects.create(subject="Neue Ausgabe")
    client = role_client("Redaktion")

    response = client.post(url("fill_newest", issue), {"count": "5"}, follow=True)

    assert "3 Artikel hinzugefügt" in response.content.decode()
    assert [item.article for item in issue.items.order_by("position")] == fresh
    assert old not in issue.ordered_articles()


def test_preview_shows_html_at_both_widths_and_the_text(role_client):
    issue = make_issue()
    client = role_client("Redaktion")
    page = client.get(url("preview", issue)).content.decode()
    assert 'width="700"' in page and 'width="375"' in page
    assert "Gehaltserhöhung richtig verhandeln" in page  # the plain text part
    html = client.get(url("preview_html", issue))
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert "/newsletter/abmelden/" in html.content.decode()  # the dummy link, nobody's own
    text = client.get(url("preview_text", issue)).content.decode()
    assert "Weiterlesen: http://127.0.0.1:8000/" in text


def test_test_send_goes_to_the_editor_and_validates_addresses(role_client, smtp_inbox, run_tasks):
    issue = make_issue()
    client = role_client("Redaktion")
    form = client.get(url("test_send", issue))
    assert "redaktion@karriere.example" in form.content.decode()

    bad = client.post(url("test_send", issue), {"addresses": "chefin@karriere, ok@example.de"})
    assert "Keine gültige E-Mail-Adresse: chefin@karriere" in bad.content.decode()
    assert "chefin@karriere, ok@example.de" in bad.content.decode()  # nothing typed is lost

    client.post(url("test_send", issue), {"addresses": "redaktion@karriere.example"})
    run_tasks()
    (message,) = smtp_inbox.messages
    assert message["Subject"] == issue.subject
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.DRAFT


def test_sending_asks_first_naming_the_number_of_recipients(role_client, smtp_inbox, run_tasks):
    confirmed(*(f"leserin{n}@example.de" for n in range(3)))
    issue = make_issue()
    client = role_client("Newsletter")

    question = client.get(url("send", issue)).content.decode()
    assert "An 3 bestätigte Abonnentinnen und Abonnenten senden?" in question
    client.post(url("send", issue), {"confirm": "yes", "scheduled_for": ""})
    run_tasks()

    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert len(smtp_inbox.messages) == 3
    page = client.get(url("change", issue)).content.decode()
    assert "Versendet" in page and "Empfänger*innen" in page
    assert 'max="3" value="3"' in page  # the progress bar
    assert client.get(url("figures", issue)).json()["sent"] == 3
    # Sent is sent: the form is read-only, and a second send is refused.
    assert 'name="_save"' not in page
    again = client.post(url("send", issue), {"confirm": "yes"}, follow=True)
    assert "bereits versendet" in again.content.decode()
    assert len(smtp_inbox.messages) == 3


def test_a_time_in_the_past_is_refused_and_a_future_one_schedules(role_client, clock):
    issue = make_issue()
    client = role_client("Newsletter")
    refused = client.post(
        url("send", issue), {"confirm": "yes", "scheduled_for": "01.03.2026 08:00"}
    )
    assert "liegt in der Vergangenheit" in refused.content.decode()
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.DRAFT

    client.post(url("send", issue), {"confirm": "yes", "scheduled_for": "03.03.2026 08:00"})
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SCHEDULED


def test_redaktion_composes_but_cannot_send(role_client, smtp_inbox, run_tasks):
    confirmed("leserin@example.de")
    issue = make_issue()
    client = role_client("Redaktion")
    assert client.get(url("change", issue)).status_code == 200
    assert client.get(url("send", issue)).status_code == 403
    assert client.post(url("send", issue), {"confirm": "yes"}).status_code == 403
    run_tasks()
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.DRAFT
    assert smtp_inbox.messages == []


@pytest.mark.parametrize("role", ["Autor", "Moderation"])
def test_other_roles_reach_nothing_of_an_issue(role_client, role):
    issue = make_issue()
    client = role_client(role)
    for name in ("changelist", "add"):
        assert client.get(url(name)).status_code == 403
    for name in ("change", "preview", "preview_html", "test_send", "send", "cancel"):
        assert client.get(url(name, issue)).status_code in (302, 403), name
    assert client.post(url("fill_newest", issue)).status_code == 403
    assert not IssueArticle.objects.filter(issue=issue).count() > 2


def test_a_sent_issue_shows_its_texts_as_subscribers_read_them_not_as_html_source(role_client):
    issue = make_issue(status=NewsletterIssue.Status.SENT, started_at=timezone.now())
    page = role_client("Newsletter").get(url("change", issue)).content.decode()

    assert "<p>Liebe Leserin, lieber Leser,</p>" in page
    assert "<p>Viel Erfolg wünscht dir Jürgen Groß</p>" in page
    assert "&lt;p&gt;" not in page
    for label in ("Betreff", "Vorschautext", "Einleitung", "Schlusstext"):
        assert label in page, label
