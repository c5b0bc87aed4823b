"""Sending an issue: what a subscriber receives over real SMTP, who receives it, and that
nobody gets it twice whatever fails on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from newsletter import services, tasks
from newsletter.models import ConsentEvent, Delivery, NewsletterIssue, Subscriber
from tests.conftest import StallingInbox, free_port
from tests.newsletter.issue_helpers import confirmed, make_issue, path_of, unsubscribe_target

pytestmark = pytest.mark.django_db


def send(issue, actor="newsletter-redakteurin"):
    services.issue_send(issue=issue, actor=actor)


def test_subscriber_gets_text_and_html_with_list_headers_over_smtp(smtp_inbox, run_tasks):
    (leserin,) = confirmed("juergen.gross@example.de")
    issue = make_issue()
    send(issue)
    run_tasks()

    (message,) = smtp_inbox.messages
    assert smtp_inbox.recipients == [["juergen.gross@example.de"]]
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert message["Subject"] == "Gehaltserhöhung: So klappt’s"
    assert message["Precedence"] == "bulk"
    assert message["List-Id"] == "Karriere-Magazin Newsletter <newsletter.127.0.0.1>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https_target, mailto_target = (
        part.strip(" <>") for part in message["List-Unsubscribe"].split(",")
    )
    assert "/newsletter/abmelden/" in https_target and f"?ausgabe={issue.pk}" in https_target
    assert mailto_target.startswith("mailto:abmelden@karriere.example?subject=unsubscribe")

    body_text, body_html = text.get_content(), html.get_content()
    for body in (body_text, body_html):
        assert "Gehaltserhöhung richtig verhandeln" in body
        assert "Weiterbildungsmöglichkeiten für Berufstätige" in body
        assert "Amtsgericht Berlin HRB 000000" in body  # the Impressum line
        assert f"http://127.0.0.1:8000/newsletter/archiv/{issue.pk}/" in body  # web version
    assert https_target in body_text
    assert https_target.replace("&", "&amp;") in body_html
    assert "Weiterlesen »" in body_html
    # CSS inlined, relative links made absolute, no tracking pixel or web font.
    assert 'style="' in body_html and "font-family: Arial" in body_html
    assert 'href="http://127.0.0.1:8000/gehalt/"' in body_html
    assert "@font-face" not in body_html and "fonts.googleapis" not in body_html

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.message_id == message["Message-ID"]
    evidence = leserin.events.get(kind=ConsentEvent.Kind.ISSUE_SENT)
    assert evidence.message_id == message["Message-ID"]
    assert evidence.template_version == f"issue {issue.pk}: Gehaltserhöhung: So klappt’s"
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT


def test_one_click_post_from_the_received_header_unsubscribes_without_cookie(smtp_inbox, run_tasks):
    (leserin,) = confirmed("leserin@example.de")
    issue = make_issue()
    send(issue)
    run_tasks()

    provider = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token: a mail provider
    response = provider.post(
        path_of(unsubscribe_target(smtp_inbox.messages[0])), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert not response.cookies
    leserin.refresh_from_db()
    assert leserin.status == Subscriber.Status.UNSUBSCRIBED
    assert leserin.events.filter(channel=ConsentEvent.Channel.ONE_CLICK).exists()
    assert issue.deliveries.figures()["unsubscribed"] == 1


def test_unsubscribed_and_suppressed_addresses_are_skipped_though_subscribed_when_composed(
    smtp_inbox, run_tasks
):
    anna, bernd, cäcilie = confirmed("anna@example.de", "bernd@example.de", "caecilie@example.de")
    issue = make_issue()
    send(issue)
    run_tasks_until = tasks.prepare_issue.call(issue.pk)
    assert run_tasks_until == 1
    # After the rows were made, before their batch goes out:
    services.subscription_unsubscribe(public_id=anna.public_id, channel="web")
    services.subscriber_erase(subscriber=bernd, actor="chefin")
    run_tasks()

    assert smtp_inbox.recipients == [["caecilie@example.de"]]
    figures = issue.deliveries.figures()
    assert (figures["recipients"], figures["sent"], figures["skipped"]) == (3, 1, 2)


def test_consent_withdrawn_between_two_batches_is_honoured(settings, smtp_inbox, run_tasks):
    settings.NEWSLETTER_BATCH_SIZE = 2
    subscribers = confirmed(*(f"leser{n}@example.de" for n in range(4)))
    issue = make_issue()
    send(issue)
    tasks.prepare_issue.call(issue.pk)
    assert tasks.send_issue_batch.call(issue.pk, 0) == 2

    services.subscription_unsubscribe(public_id=subscribers[3].public_id, channel="web")
    tasks.send_issue_batch.call(issue.pk, 1)

    assert [r[0] for r in smtp_inbox.recipients] == [
        "leser0@example.de",
        "leser1@example.de",
        "leser2@example.de",
    ]
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT


def test_a_duplicated_batch_task_mails_nobody_twice(smtp_inbox, run_tasks):
    confirmed("anna@example.de", "bernd@example.de")
    issue = make_issue()
    send(issue)
    tasks.prepare_issue.call(issue.pk)
    tasks.send_issue_batch.call(issue.pk, 0)
    tasks.send_issue_batch.call(issue.pk, 0)
    run_tasks()  # and the queued task, a third time

    assert sorted(r[0] for r in smtp_inbox.recipients) == ["anna@example.de", "bernd@example.de"]


def test_an_issue_is_sent_only_once(smtp_inbox, run_tasks):
    confirmed("anna@example.de")
    issue = make_issue()
    send(issue)
    with pytest.raises(services.IssueStateError):
        send(issue)
    run_tasks()
    with pytest.raises(services.IssueStateError):
        send(issue)
    assert len(smtp_inbox.messages) == 1


def test_smtp_server_down_mid_send_loses_nothing_and_repeats_nothing(
    settings, smtp_inbox, run_tasks, clock
):
    settings.NEWSLETTER_BATCH_SIZE = 2
    confirmed(*(f"leser{n}@example.de" for n in range(6)))
    issue = make_issue()
    send(issue)
    tasks.prepare_issue.call(issue.pk)
    tasks.send_issue_batch.call(issue.pk, 0)
    smtp_inbox.stop()  # the server goes away for ten minutes

    run_tasks()
    figures = issue.deliveries.figures()
    assert (figures["sent"], figures["waiting"], figures["failed"]) == (2, 4, 0)
    assert Delivery.objects.filter(status=Delivery.Status.RETRY).exists()
    for _ in range(5):  # the worker comes back now and then while the server is down
        clock.shift(120)
        run_tasks()
    assert issue.deliveries.figures()["sent"] == 2

    smtp_inbox.start()
    clock.shift(600)
    run_tasks()

    assert sorted(r[0] for r in smtp_inbox.recipients) == [f"leser{n}@example.de" for n in range(6)]
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert issue.deliveries.figures()["sent"] == 6


def test_a_permanent_refusal_is_recorded_with_the_servers_reason(settings, smtp_inbox, run_tasks):
    smtp_inbox.refused = {"weg@example.de": "550 5.1.1 Postfach unbekannt"}
    confirmed("weg@example.de", "da@example.de")
    issue = make_issue()
    send(issue)
    run_tasks()

    refused = Delivery.objects.get(subscriber__email="weg@example.de")
    assert refused.status == Delivery.Status.FAILED
    # The same description as the outbox's mails (karriere.mailerrors.describe).
    assert refused.error == "SMTPRecipientsRefused: weg@example.de: 550 5.1.1 Postfach unbekannt"
    assert refused.attempts == 1
    assert smtp_inbox.recipients == [["da@example.de"]]
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT


def test_cancelling_stops_what_has_not_gone_out(settings, smtp_inbox, run_tasks):
    settings.NEWSLETTER_BATCH_SIZE = 1
    confirmed("anna@example.de", "bernd@example.de", "clara@example.de")
    issue = make_issue()
    send(issue)
    tasks.prepare_issue.call(issue.pk)
    tasks.send_issue_batch.call(issue.pk, 0)

    assert services.issue_cancel(issue=issue) == 2
    run_tasks()

    assert smtp_inbox.recipients == [["anna@example.de"]]
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.CANCELLED
    assert issue.deliveries.figures()["cancelled"] == 2


def test_a_scheduled_issue_goes_out_at_its_time(smtp_inbox, run_tasks, clock):
    confirmed("anna@example.de")
    issue = make_issue()
    services.issue_send(issue=issue, actor="newsletter", when=timezone.now() + timedelta(hours=2))
    run_tasks()
    assert smtp_inbox.messages == []
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SCHEDULED

    clock.shift(2 * 3600)
    run_tasks()
    assert smtp_inbox.recipients == [["anna@example.de"]]
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT


def test_the_rate_per_minute_spreads_the_batches(settings, smtp_inbox, run_tasks, clock):
    settings.NEWSLETTER_BATCH_SIZE = 2
    settings.NEWSLETTER_MAX_PER_MINUTE = 2
    confirmed(*(f"leser{n}@example.de" for n in range(5)))
    send(make_issue())

    run_tasks()
    assert len(smtp_inbox.messages) == 2
    clock.shift(60)
    run_tasks()
    assert len(smtp_inbox.messages) == 4
    clock.shift(60)
    run_tasks()
    assert len(smtp_inbox.messages) == 5


def test_intro_and_closing_are_sanitised_like_article_bodies(db):
    issue = make_issue(
        intro='<p onclick="alert(1)">Hallo</p><script>alert("Gehaltserhöhung")</script>',
        closing='<a href="javascript:alert(1)">Grüße</a>',
    )
    assert issue.intro == "<p>Hallo</p>"
    assert "javascript" not in issue.closing and "Grüße" in issue.closing


def test_a_server_that_takes_a_mail_and_never_answers_gets_no_second_copy(
    settings, smtp_inbox, run_tasks, clock
):
    confirmed("anna@example.de", "bernd@example.de")
    issue = make_issue()
    send(issue)
    tasks.prepare_issue.call(issue.pk)
    stalling = StallingInbox()
    server = Controller(stalling, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 1  # the worker gives up waiting for the "250"
    try:
        tasks.send_issue_batch.call(issue.pk, 0)
    finally:
        stalling.release.set()
        server.stop()
    settings.EMAIL_PORT = smtp_inbox.port
    clock.shift(3600)
    tasks.resume_stalled_issues.call()  # as the periodic job
    run_tasks()

    assert len(stalling.messages) == 2  # each handed over once; the outcome is unknown
    assert smtp_inbox.messages == []  # and nobody gets a second copy
    figures = issue.deliveries.figures()
    assert (figures["unknown"], figures["waiting"], figures["sent"]) == (2, 0, 0)
    assert "timed out" in Delivery.objects.first().error
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT


def test_a_batch_task_that_failed_is_carried_on_after_the_lease_and_the_stall_time(
    settings, smtp_inbox, run_tasks, clock, monkeypatch
):
    confirmed("anna@example.de", "bernd@example.de")
    issue = make_issue()
    send(issue)
    with monkeypatch.context() as broken:

        def database_gone(issue):
            raise RuntimeError("server closed the connection unexpectedly")

        broken.setattr("newsletter.issue_mail.issue_render", database_gone)
        run_tasks()  # prepares, then the batch task fails and leaves the queue
    assert issue.deliveries.figures()["waiting"] == 2

    # Until the lease has run out a dead worker's task could still come back: not this job's case.
    clock.shift(settings.TASK_LEASE_SECONDS + settings.NEWSLETTER_STALL_MINUTES * 60 - 60)
    assert tasks.resume_stalled_issues.call() == 0
    clock.shift(120)
    assert tasks.resume_stalled_issues.call() == 1
    run_tasks()

    assert sorted(r[0] for r in smtp_inbox.recipients) == ["anna@example.de", "bernd@example.de"]
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
