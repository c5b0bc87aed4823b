"""Dependency keys: tokens that change with what a page shows, invalidated after commit, and
purged from the shared caches by one task per change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from karriere.dependencies import invalidate, version_token
from tests.conftest import free_port
from tests.karriere.purge_stub import VarnishStub


def test_token_is_short_and_stable_while_nothing_changes():
    token = version_token("article-42", "home")
    assert len(token) <= 16
    assert version_token("home", "article-42", "home") == token


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_invalidating_one_key_changes_every_token_that_names_it():
    article_page = version_token("article-42", "category-3", "nav")
    other_article = version_token("article-43", "category-3", "nav")
    invalidate("article-42")
    assert version_token("article-42", "category-3", "nav") != article_page
    assert version_token("article-43", "category-3", "nav") == other_article


def test_a_lost_version_never_brings_an_old_token_back():
    from django.core.cache import cache

    before = version_token("tag-17")
    cache.clear()  # Redis evicted it, the process restarted
    assert version_token("tag-17") != before


@pytest.mark.django_db
def test_invalidation_inside_a_transaction_waits_for_the_commit(django_capture_on_commit_callbacks):
    before = version_token("article-42")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invalidate("article-42")
        assert version_token("article-42") == before
    assert version_token("article-42") != before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_invalidates_nothing():
    before = version_token("article-42")
    with pytest.raises(RuntimeError), transaction.atomic():
        invalidate("article-42")
        raise RuntimeError
    assert version_token("article-42") == before


@pytest.fixture
def varnish(settings):
    stub = VarnishStub()
    settings.PURGE_VARNISH_URLS = [stub.url]
    yield stub
    stub.close()


@pytest.mark.django_db
def test_without_a_configured_cache_nothing_is_queued(
    run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invalidate("article-42")
    assert run_tasks() == 0


@pytest.mark.django_db
def test_one_transaction_queues_one_purge_with_all_its_keys(
    varnish, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invalidate("article-42", "home")
        invalidate("category-3", "home")
        assert run_tasks() == 0  # nothing queued before the commit
    assert run_tasks() == 1
    assert varnish.purged() == [{"article-42", "home", "category-3"}]


@pytest.mark.django_db
def test_many_keys_are_sent_in_batches(varnish, run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invalidate(*(f"article-{pk}" for pk in range(250)))
    run_tasks()
    assert [len(keys) for keys in varnish.purged()] == [100, 100, 50]


@pytest.mark.django_db
def test_a_failed_purge_is_tried_again_later(
    varnish, run_tasks, clock, django_capture_on_commit_callbacks
):
    varnish.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        invalidate("article-42")
    run_tasks()
    assert len(varnish.requests) == 1
    varnish.status = 200
    run_tasks()
    assert len(varnish.requests) == 1  # not before its time
    clock.shift(timedelta(seconds=6))
    run_tasks()
    assert varnish.purged() == [{"article-42"}, {"article-42"}]


@pytest.mark.django_db
def test_an_unreachable_cache_is_tried_a_limited_number_of_times(
    settings, run_tasks, clock, django_capture_on_commit_callbacks
):
    settings.PURGE_VARNISH_URLS = [f"http://127.0.0.1:{free_port()}/"]
    settings.PURGE_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        invalidate("article-42")
    runs = 0
    for _ in range(6):
        runs += run_tasks()
        clock.shift(timedelta(minutes=5))
    assert runs == 3
