"""Mails to subscribers survive a mail server that is down or refuses, over real SMTP."""

from __future__ import annotations

import re

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from karriere.mailerrors import retry_delay
from newsletter.models import ConsentEvent, Subscriber, SubscriberMail
from newsletter.services import subscription_unsubscribe
from tests.conftest import StallingInbox, free_port

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:newsletter_subscribermail_changelist")
ADDRESS = "joerg.weiss@example.de"


def the_mail() -> SubscriberMail:
    return SubscriberMail.objects.get()


def confirm_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/newsletter/bestaetigen/\S+/)", message.get_content())[1]


@pytest.fixture
def newsletter_team(client) -> Client:
    user = User.objects.create_user("nora.newsletter", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Newsletter"))
    client.force_login(user)
    return client


def test_a_confirmation_waits_out_a_closed_port_and_goes_out_once_when_smtp_is_back(
    sign_up, run_tasks, smtp_inbox, settings, clock
):
    settings.EMAIL_PORT = free_port()  # the mail server is down: connection refused
    sign_up(ADDRESS)
    run_tasks()

    mail = the_mail()
    assert (mail.state, mail.attempts) == ("retrying", 1)
    assert "ConnectionRefusedError" in mail.last_error
    assert mail.next_attempt_at == mail.last_attempt_at + retry_delay(1)
    assert run_tasks() == 0  # the retry waits for its time

    settings.EMAIL_PORT = smtp_inbox.port  # back up
    clock.shift(retry_delay(1).total_seconds())
    run_tasks()
    clock.shift(3 * 3600)
    run_tasks()

    (message,) = smtp_inbox.messages
    assert smtp_inbox.recipients == [[ADDRESS]]
    mail = the_mail()
    assert (mail.state, mail.attempts, mail.last_error) == ("sent", 2, "")
    assert message["Message-ID"] == mail.message_id
    sent = ConsentEvent.objects.get(kind=ConsentEvent.Kind.CONFIRMATION_SENT)
    assert sent.message_id == mail.message_id
    # The link of the mail that finally went out works.
    Client().post(confirm_path(message))
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_a_greylisting_451_is_retried_and_the_mail_is_accepted_once(
    sign_up, run_tasks, smtp_inbox, clock
):
    smtp_inbox.data_replies = ["451 4.7.1 Greylisting, bitte später erneut versuchen"]
    sign_up(ADDRESS)
    run_tasks()
    mail = the_mail()
    assert (mail.state, smtp_inbox.messages) == ("retrying", [])
    assert "451" in mail.last_error

    clock.shift(retry_delay(1).total_seconds())
    run_tasks()
    clock.shift(3 * 3600)
    run_tasks()

    assert len(smtp_inbox.messages) == 1
    assert the_mail().state == "sent"


def test_transient_failures_are_retried_with_growing_pauses_until_the_window_closes(
    sign_up, run_tasks, smtp_inbox, settings, clock
):
    settings.MAIL_RETRY_HOURS = 2
    settings.EMAIL_PORT = free_port()
    sign_up(ADDRESS)
    run_tasks()
    pauses = []
    for _ in range(20):  # bounded: the window closes after 7 attempts
        mail = the_mail()
        if mail.state != "retrying":
            break
        pauses.append(round((mail.next_attempt_at - mail.last_attempt_at).total_seconds() / 60))
        clock.move_to(mail.next_attempt_at)
        run_tasks()

    mail = the_mail()
    assert pauses == [1, 2, 4, 8, 16, 32]  # minutes; the next one (60) would end after 2 h
    assert (mail.state, mail.attempts, mail.next_attempt_at) == ("failed", 7, None)
    assert "ConnectionRefusedError" in mail.last_error
    assert not DBTaskResult.objects.ready().exists()


def test_a_permanent_550_is_recorded_at_once_without_retries(sign_up, run_tasks, smtp_inbox):
    smtp_inbox.refused[ADDRESS] = "550 5.1.1 Postfach unbekannt"
    sign_up(ADDRESS)
    run_tasks()

    mail = the_mail()
    assert (mail.state, mail.attempts) == ("failed", 1)
    assert "550 5.1.1 Postfach unbekannt" in mail.last_error
    assert smtp_inbox.messages == []
    assert not DBTaskResult.objects.ready().exists()
    assert not ConsentEvent.objects.filter(kind=ConsentEvent.Kind.CONFIRMATION_SENT).exists()


def test_the_newsletter_team_sees_an_undelivered_mail_in_german_and_sends_it_again_once(
    sign_up, run_tasks, smtp_inbox, newsletter_team
):
    smtp_inbox.refused[ADDRESS] = "550 5.1.1 Postfach unbekannt"
    sign_up(ADDRESS)
    sign_up("gelesen@example.de")  # delivered: not in the "nicht zugestellt" list
    run_tasks()
    failed = SubscriberMail.objects.get(subscriber__email=ADDRESS)

    index = newsletter_team.get(reverse("admin:index")).content.decode()
    assert "1 Mail an Abonnent*innen nicht zugestellt" in index
    assert f'href="{CHANGELIST}?zustellung=nicht-zugestellt"' in index
    listing = newsletter_team.get(CHANGELIST, {"zustellung": "nicht-zugestellt"})
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "Mails an Abonnent*innen" in html
    assert ADDRESS in html and "gelesen@example.de" not in html
    assert "Fehlgeschlagen" in html and "Bestätigungsanfrage" in html
    assert "550 5.1.1 Postfach unbekannt" in html
    assert "Erneut senden" in html
    subscriber_page = newsletter_team.get(
        reverse("admin:newsletter_subscriber_change", args=[failed.subscriber_id])
    ).content.decode()
    assert "Fehlgeschlagen" in subscriber_page and "550 5.1.1" in subscriber_page

    del smtp_inbox.refused[ADDRESS]  # the reader fixed their mailbox
    delivered_before = len(smtp_inbox.messages)
    for _ in range(2):  # a double click queues it once
        response = newsletter_team.post(
            CHANGELIST, {"action": "resend", "_selected_action": [failed.pk]}, follow=True
        )
    messages = [str(m) for m in response.context["messages"]]
    assert any("nicht angefasst" in m for m in messages)
    run_tasks()
    run_tasks()

    assert len(smtp_inbox.messages) == delivered_before + 1
    assert smtp_inbox.recipients[-1] == [ADDRESS]
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("sent", 1)


def test_resending_is_refused_without_the_permission(client, sign_up, run_tasks, smtp_inbox):
    smtp_inbox.refused[ADDRESS] = "550 5.1.1 Postfach unbekannt"
    sign_up(ADDRESS)
    run_tasks()
    viewer = User.objects.create_user("praktikant", password="x", is_staff=True)
    group = Group.objects.create(name="Nur lesen")
    group.permissions.add(
        *Group.objects.get(name="Newsletter").permissions.exclude(codename="resend_mail")
    )
    viewer.groups.add(group)
    client.force_login(viewer)

    html = client.get(CHANGELIST).content.decode()
    assert "Fehlgeschlagen" in html and "Erneut senden" not in html
    client.post(CHANGELIST, {"action": "resend", "_selected_action": [the_mail().pk]})
    assert the_mail().state == "failed"
    assert not DBTaskResult.objects.ready().exists()


def test_a_mail_no_longer_needed_is_not_sent(sign_up, run_tasks, smtp_inbox, settings, clock):
    settings.EMAIL_PORT = free_port()
    sign_up(ADDRESS)
    run_tasks()
    # The reader signed up again elsewhere and unsubscribed at once, before SMTP came back.
    subscription_unsubscribe(public_id=Subscriber.objects.get().public_id, channel="web")

    settings.EMAIL_PORT = smtp_inbox.port
    clock.shift(retry_delay(1).total_seconds())
    run_tasks()

    assert smtp_inbox.messages == []
    assert the_mail().state == "cancelled"


def test_a_server_that_takes_the_whole_mail_and_never_answers_gets_no_second_copy(
    sign_up, run_tasks, smtp_inbox, settings, newsletter_team
):
    stalling = StallingInbox()
    server = Controller(stalling, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 1  # the worker gives up waiting for the "250"
    try:
        sign_up(ADDRESS)
        run_tasks()
    finally:
        stalling.release.set()
        server.stop()

    assert len(stalling.messages) == 1  # the server has it and may deliver it
    mail = the_mail()
    assert (mail.state, mail.next_attempt_at) == ("unknown", None)
    assert "timed out" in mail.last_error
    assert not DBTaskResult.objects.ready().exists()  # no automatic retry
    html = newsletter_team.get(CHANGELIST, {"zustellung": "nicht-zugestellt"}).content.decode()
    assert "Zustellung unklar" in html
