"""The "awaits approval" mail survives a mail server that is down or refuses, over real SMTP."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from comments.models import ModeratorMail
from comments.services import comment_approve, comment_submit
from karriere.mailerrors import retry_delay
from tests.conftest import free_port

pytestmark = pytest.mark.django_db

MODERATORS = ["moderation@karriere.example"]
CHANGELIST = reverse("admin:comments_moderatormail_changelist")


@pytest.fixture
def moderators(settings):
    settings.COMMENTS_MODERATOR_EMAILS = MODERATORS


def hold_a_comment(article):
    return comment_submit(
        article=article,
        name="Jürgen Größmann",
        email="juergen@example.de",
        text="Meine Gehaltserhöhung kam erst nach drei Gesprächen. Weiterbildungsmöglichkeiten?",
    )


def the_mail() -> ModeratorMail:
    return ModeratorMail.objects.get()


def test_the_notification_waits_out_a_closed_port_and_goes_out_once(
    article, moderators, run_tasks, smtp_inbox, settings, clock
):
    settings.EMAIL_PORT = free_port()
    hold_a_comment(article)
    run_tasks()
    assert (the_mail().state, the_mail().attempts) == ("retrying", 1)

    settings.EMAIL_PORT = smtp_inbox.port
    clock.shift(retry_delay(1).total_seconds())
    run_tasks()
    clock.shift(3 * 3600)
    run_tasks()

    (message,) = smtp_inbox.messages
    assert smtp_inbox.recipients == [MODERATORS]
    assert "Gehalt verhandeln" in message["Subject"]
    assert (the_mail().state, the_mail().attempts) == ("sent", 2)


def test_a_comment_approved_before_smtp_came_back_needs_no_notification(
    article, moderators, run_tasks, smtp_inbox, settings, clock
):
    settings.EMAIL_PORT = free_port()
    comment = hold_a_comment(article)
    run_tasks()
    comment_approve(comment=comment, moderator=None)

    settings.EMAIL_PORT = smtp_inbox.port
    clock.shift(retry_delay(1).total_seconds())
    run_tasks()

    assert smtp_inbox.messages == []
    assert the_mail().state == "cancelled"


def test_moderators_see_a_refused_notification_in_german_and_send_it_again_once(
    article, moderators, run_tasks, smtp_inbox, client
):
    smtp_inbox.data_replies = ["554 5.7.1 Als Spam abgelehnt"]
    comment = hold_a_comment(article)
    run_tasks()
    mail = the_mail()
    assert (mail.state, mail.attempts) == ("failed", 1)
    assert smtp_inbox.messages == []

    moderator = User.objects.create_user("mia.moderation", password="x", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderation"))
    client.force_login(moderator)
    index = client.get(reverse("admin:index")).content.decode()
    assert "1 Benachrichtigung der Moderation nicht zugestellt" in index
    html = client.get(CHANGELIST, {"zustellung": "nicht-zugestellt"}).content.decode()
    assert "Benachrichtigungen der Moderation" in html
    assert "Fehlgeschlagen" in html and "554 5.7.1 Als Spam abgelehnt" in html
    assert "Erneut senden" in html
    comment_page = client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert "Fehlgeschlagen" in comment_page.content.decode()

    response = client.post(
        CHANGELIST, {"action": "resend", "_selected_action": [mail.pk]}, follow=True
    )
    assert "1 Mail wird erneut gesendet." in [str(m) for m in response.context["messages"]]
    run_tasks()
    run_tasks()

    assert len(smtp_inbox.messages) == 1
    assert the_mail().state == "sent"
