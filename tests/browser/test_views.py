"""Journey 5: readers' visits are counted once each; reloads and bots are not counted."""

from __future__ import annotations

import pytest

from articles.counting import flush_views
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Headless Chromium calls itself "HeadlessChrome", which the bot filter rightly drops: the
# readers here present the user agents of ordinary desktop browsers.
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def beacon_answered(page, visit) -> None:
    """Run ``visit`` and wait until the page's count beacon has been answered."""
    with page.expect_response(lambda response: "/zaehler/" in response.url) as beacon:
        visit()
    assert beacon.value.status == 204


def test_two_readers_count_two_views_and_reloads_and_bots_none(new_context, assert_accessible):
    article = ArticleFactory(title="Weiterbildung neben dem Job")
    url = article.get_absolute_url()

    first = new_context(user_agent=FIREFOX).new_page()
    beacon_answered(first, lambda: first.goto(url))
    assert_accessible(first)
    beacon_answered(first, first.reload)
    second = new_context(user_agent=CHROME).new_page()
    beacon_answered(second, lambda: second.goto(url))
    crawler = new_context(user_agent=GOOGLEBOT).new_page()
    beacon_answered(crawler, lambda: crawler.goto(url))

    # The Redis store (REDIS_URL) collects views until the flush task moves them to the
    # database; the embedded store writes at once and has nothing to flush.
    flush_views()
    article.refresh_from_db()
    assert article.view_count == 2
