from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from newsletter.models import ConsentEvent, IpThrottle, Subscriber
from newsletter.services import subscription_unsubscribe
from newsletter.tasks import purge_unconfirmed
from tests.newsletter.conftest import link_in

pytestmark = pytest.mark.django_db


def test_the_command_deletes_signups_unconfirmed_for_seven_days(
    sign_up, confirmed_subscriber, run_tasks, clock, capsys
):
    sign_up("alt@example.de")
    confirmed_subscriber("treu@example.de")
    clock.shift(timedelta(days=7, seconds=1))
    sign_up("neu@example.de")

    call_command("newsletter_purge")

    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "neu@example.de",
        "treu@example.de",
    ]
    assert not ConsentEvent.objects.filter(subscriber__isnull=True).exists()
    assert "Deleted 1 unconfirmed newsletter signup(s)." in capsys.readouterr().out


def test_a_purged_signup_link_no_longer_works(client, sign_up, run_tasks, clock):
    sign_up("alt@example.de")
    run_tasks()
    clock.shift(timedelta(days=8))

    purge_unconfirmed.enqueue()
    run_tasks()

    assert client.post(link_in(mail.outbox[0])).status_code == 400
    assert Subscriber.objects.count() == 0


def test_a_former_subscriber_who_does_not_reconfirm_keeps_their_old_evidence(
    confirmed_subscriber, sign_up, run_tasks, clock
):
    subscriber = confirmed_subscriber("treu@example.de")
    subscription_unsubscribe(public_id=subscriber.public_id, channel="web")
    sign_up("treu@example.de")
    clock.shift(timedelta(days=8))

    call_command("newsletter_purge", verbosity=0)

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.confirm_token_hash is None
    assert subscriber.events.filter(kind=ConsentEvent.Kind.CONFIRMED).exists()


def test_old_ip_counters_are_purged_too(sign_up, clock):
    sign_up("alt@example.de")
    clock.shift(timedelta(days=2))

    call_command("newsletter_purge", verbosity=0)

    assert IpThrottle.objects.count() == 0
