"""Admin login throttling, through real POSTs to the admin login page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "ein-sehr-geheimes-passwort"
LOCKED_TEXT = "Zu viele fehlgeschlagene Anmeldeversuche"


@pytest.fixture
def editor():
    return User.objects.create_user("redakteurin", password=PASSWORD, is_staff=True)


def login(client, username, password, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def fail_five_logins(client, *, usernames=None, ips=None, forwarded=None, **extra):
    """Five wrong passwords: the first four get the normal form error, the fifth the block."""
    statuses = []
    for n in range(5):
        username = usernames[n] if usernames else "redakteurin"
        per_try = {"REMOTE_ADDR": ips[n]} if ips else {}
        if forwarded:
            per_try["HTTP_X_FORWARDED_FOR"] = forwarded[n]
        statuses.append(login(client, username, "falsch", **per_try, **extra).status_code)
    assert statuses == [200, 200, 200, 200, 429]


def test_a_few_wrong_passwords_only_show_the_normal_login_error(client, editor):
    response = login(client, "redakteurin", "falsch")
    assert response.status_code == 200
    assert LOCKED_TEXT not in response.content.decode()
    assert login(client, "redakteurin", PASSWORD).status_code == 302


def test_five_failures_from_one_ip_block_every_login_from_it_in_german(client, editor):
    fail_five_logins(client, usernames=[f"rater{n}" for n in range(5)], ips=["198.51.100.7"] * 5)

    response = login(client, "redakteurin", PASSWORD, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_TEXT in html
    assert "15 Minuten gesperrt" in html
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    # The editor's own network is not affected.
    assert login(client, "redakteurin", PASSWORD, REMOTE_ADDR="203.0.113.20").status_code == 302


def test_strangers_failing_for_an_editors_username_cannot_lock_the_editor_out(client, editor):
    # The attack: five addresses each send a wrong password for a known login name.
    statuses = [
        login(client, "redakteurin", "falsch", REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(1, 6)
    ]
    assert statuses == [200] * 5

    response = login(client, "redakteurin", PASSWORD, REMOTE_ADDR="203.0.113.99")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_guessing_one_username_from_one_address_stays_blocked(client, editor):
    fail_five_logins(client, ips=["198.51.100.7"] * 5)

    # Even the right password gets nowhere from that address during the block.
    response = login(client, "redakteurin", PASSWORD, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_guessing_from_many_addresses_gets_five_tries_per_address_and_no_more(client, editor):
    # A botnet gets at most AXES_FAILURE_LIMIT guesses per address and cool-off (README).
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        fail_five_logins(client, ips=[address] * 5)
        assert login(client, "redakteurin", PASSWORD, REMOTE_ADDR=address).status_code == 429
    assert "_auth_user_id" not in client.session
    # The editor at their own desk is not affected.
    assert login(client, "redakteurin", PASSWORD, REMOTE_ADDR="203.0.113.20").status_code == 302


def test_the_block_ends_after_the_cooloff(client, editor):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail_five_logins(client)
        assert login(client, "redakteurin", PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert login(client, "redakteurin", PASSWORD).status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_ip_block(client, editor):
    # No trusted proxy: the header is ignored, every attempt counts for REMOTE_ADDR.
    fail_five_logins(
        client,
        usernames=[f"rater{n}" for n in range(5)],
        forwarded=[f"10.0.0.{n}" for n in range(5)],
    )

    response = login(client, "redakteurin", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert response.status_code == 429


def test_behind_one_proxy_only_the_address_the_proxy_saw_counts(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    # The attacker puts a new fake address in front each time; the proxy appends the real one.
    fail_five_logins(
        client,
        usernames=[f"rater{n}" for n in range(5)],
        forwarded=[f"192.0.2.{n}, 198.51.100.7" for n in range(5)],
        **proxy,
    )

    blocked = login(
        client, "redakteurin", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7", **proxy
    )
    other_reader = login(
        client, "redakteurin", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy
    )

    assert blocked.status_code == 429
    assert other_reader.status_code == 302


def test_test_client_login_still_works_without_a_request(client, editor):
    assert client.login(username="redakteurin", password=PASSWORD)
