"""Licence ends: the weekly mail to the Redaktion and the admin's lists of affected articles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ImageLicenceReminder
from articles.tasks import mail_expiring_image_licences
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redaktion(db):
    people = []
    for name, email in [("jana", "jana.schroeder@karriere.example"), ("ole", "")]:
        user = User.objects.create_user(name, email=email, is_staff=True)
        user.groups.add(Group.objects.get(name="Redaktion"))
        people.append(user)
    User.objects.create_user("autorin", email="autorin@karriere.example", is_staff=True)
    return people


def test_the_redaktion_gets_one_mail_a_week_about_licences_ending_within_30_days(
    redaktion, run_tasks, smtp_inbox, clock
):
    today = timezone.localdate()
    ending = ImageFactory(title="Gehaltsgespräch im Büro", licence_until=today + timedelta(days=12))
    ArticleFactory(hero_image=ending)
    ArticleFactory(hero_image=ending)
    ImageFactory(title="Später", licence_until=today + timedelta(days=45))
    ImageFactory(title="Schon abgelaufen", licence_until=today - timedelta(days=1))

    call_command("run_periodic_jobs", "--once", verbosity=0)
    run_tasks()

    (mail,) = smtp_inbox.messages
    assert smtp_inbox.recipients == [["jana.schroeder@karriere.example"]]
    assert mail["Subject"] == "Bildlizenzen: 1 Lizenz läuft in 30 Tagen ab"
    assert mail["Auto-Submitted"] == "auto-generated"
    text = mail.get_content()
    assert "Gehaltsgespräch im Büro (Foto: Anna Müller / Agentur Süd)" in text
    assert "Lizenz gültig bis 14. März 2026 · verwendet in 2 Artikeln" in text
    assert f"/admin/articles/image/{ending.pk}/change/" in text
    assert "Später" not in text and "Schon abgelaufen" not in text

    # The scheduler enqueues it again a week later, not before; a retry sends nothing twice.
    clock.shift(24 * 3600)
    call_command("run_periodic_jobs", "--once", verbosity=0)
    run_tasks()
    assert len(smtp_inbox.messages) == 1
    mail_expiring_image_licences.call()
    assert len(smtp_inbox.messages) == 1
    clock.shift(7 * 24 * 3600)
    call_command("run_periodic_jobs", "--once", verbosity=0)
    run_tasks()
    assert len(smtp_inbox.messages) == 2


def test_a_refused_licence_reminder_is_shown_to_the_redaktion_and_sent_again_once(
    redaktion, run_tasks, smtp_inbox, client
):
    ImageFactory(
        title="Fortbildung in Köln", licence_until=timezone.localdate() + timedelta(days=3)
    )
    smtp_inbox.data_replies = ["554 5.7.1 Als Spam abgelehnt"]
    mail_expiring_image_licences.enqueue()
    run_tasks()
    reminder = ImageLicenceReminder.objects.get()
    assert (reminder.state, reminder.attempts) == ("failed", 1)
    assert smtp_inbox.messages == []

    client.force_login(redaktion[0])
    changelist = reverse("admin:articles_imagelicencereminder_changelist")
    html = client.get(changelist, {"zustellung": "nicht-zugestellt"}).content.decode()
    assert "554 5.7.1 Als Spam abgelehnt" in html and "Erneut senden" in html
    response = client.post(
        changelist, {"action": "resend", "_selected_action": [reminder.pk]}, follow=True
    )
    assert "1 Mail wird erneut gesendet." in [str(m) for m in response.context["messages"]]
    run_tasks()
    run_tasks()

    (mail,) = smtp_inbox.messages
    assert "Fortbildung in Köln" in mail.get_content()
    assert ImageLicenceReminder.objects.get().state == "sent"


def test_articles_showing_an_expired_image_are_listed_in_the_admin(admin_client):
    gone = ImageFactory(licence_until=timezone.localdate() - timedelta(days=1))
    ArticleFactory(title="Bewerbungsfoto: Worauf es ankommt", hero_image=gone)
    ArticleFactory(
        title="Weiterbildungsmöglichkeiten im Überblick",
        body=f'<p><img src="{gone.file.url}" alt=""></p>',
    )
    ArticleFactory(title="Gehaltserhöhung ohne Bildproblem", hero_image=ImageFactory())

    affected = {a.title for a in Article.objects.with_expired_images()}
    assert affected == {
        "Bewerbungsfoto: Worauf es ankommt",
        "Weiterbildungsmöglichkeiten im Überblick",
    }
    listing = admin_client.get("/admin/articles/article/?bildlizenz=abgelaufen")
    assert {a.title for a in listing.context["cl"].result_list} == affected
    dashboard = admin_client.get("/admin/").content.decode()
    assert "2 Artikel zeigen ein Bild mit abgelaufener Lizenz" in dashboard
    assert "Bewerbungsfoto: Worauf es ankommt" in dashboard
