"""The Django side of a benchmark run, in its own process (one per data set and settings).

``python -m bench.prepare --set small [--seed KEY]`` migrates, seeds when asked, and prints one
JSON line: the endpoints to load and the SQL queries each one costs, captured once with
Django's test client against the same database (uncached, then cached).
``--hitcount`` prepares the django-hitcount peer instead.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import secrets

import django

CSRF_SECRET = secrets.token_hex(16)  # 32 characters: a valid CSRF cookie, and its own token
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=["small", "large"])
    parser.add_argument("--seed", metavar="KEY", help="seed the empty database, mark it KEY")
    parser.add_argument("--hitcount", action="store_true")
    args = parser.parse_args()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if args.hitcount:
        result = _prepare_hitcount()
    else:
        if args.seed:
            from bench.seed import DATA_SETS, seed

            seed(DATA_SETS[args.set])
            _mark_seeded(args.seed)
        result = _targets()
    print("BENCH_PREPARED " + json.dumps(result))


def _mark_seeded(key: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_seed (key text NOT NULL)")
        cursor.execute("DELETE FROM bench_seed")
        cursor.execute("INSERT INTO bench_seed (key) VALUES (%s)", [key])


def _url(name: str, **kwargs) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None  # not built yet


def _targets() -> dict:
    from django.test import Client

    from articles.models import Article, Tag
    from bench.seed import MEASURED_SLUG, MEASURED_TAG_SLUG

    article = Article.objects.get(slug=MEASURED_SLUG)
    author = article.authors.first()
    tag = Tag.objects.get(slug=MEASURED_TAG_SLUG)
    pages = {
        "ceiling": "/bench/ceiling/",
        "home": "/",
        "article": article.get_absolute_url(),
        "category": article.category.get_absolute_url(),
        "tag": _url("articles:tag", slug=tag.slug),
        "author": author.get_absolute_url() if author else None,
        "search": (_url("articles:search") or "/suche/") + "?q=bewerbung",
        "feed": _url("articles:feed"),
        # The largest sitemap file: the first page of articles (the index only lists pages).
        "sitemap": _url("articles:sitemap_section", section="articles"),
    }
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    queries = {name: _page_queries(client, url) for name, url in pages.items() if url}
    count_url = _url("articles:count_view", article_id=article.pk)
    comment_url = _url("comments:post", article_id=article.pk)
    result = {
        "pages": pages,
        "queries": queries,
        "article_id": article.pk,
        "article_text": {"title": article.title, "teaser": article.teaser, "body": article.body},
        "count_url": count_url,
        "naive_count_url": f"/bench/naive-count/{article.pk}/",
        "csrf_secret": CSRF_SECRET,
    }
    if count_url:
        queries["count_view"] = _count(
            lambda: client.post(
                count_url,
                "view",
                content_type="text/plain",
                HTTP_X_FORWARDED_FOR="198.18.0.1",
            )
        )
    queries["naive_count"] = _count(lambda: client.post(result["naive_count_url"]))
    if comment_url:
        fields = _comment_form_fields(client, pages["article"], comment_url)
        # The page carries no timestamp (it is the same for every reader): fetch one as the
        # form's script does when the reader starts typing.
        stamp_url = _url("comments:stamp", article_id=article.pk)
        if stamp_url:
            fields["timestamp"] = client.get(stamp_url).json()["timestamp"]
        result["comment_url"] = comment_url
        result["comment_fields"] = fields
        queries["comment_post"] = _count(
            lambda: client.post(
                comment_url,
                {**fields, "name": "Bench", "email": "bench@example.com", "text": "Ein Test."},
                HTTP_X_FORWARDED_FOR="198.18.0.2",
            )
        )
    return result


def _count(request) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = request()
    return {"status": response.status_code, "queries": len(captured.captured_queries)}


def _page_queries(client, url: str) -> dict:
    """The view's own queries (page not cached, site-wide caches warm: navigation, top list,
    content types), the first request after a content change, and a cached request."""
    from karriere.dependencies import invalidate

    client.cookies["bench-nocache"] = "1"
    client.get(url)
    view = _count(lambda: client.get(url))
    del client.cookies["bench-nocache"]
    # Everything the page shows (the ceiling is no cached page: it names nothing).
    invalidate(*client.get(url).get("Surrogate-Key", "").split())
    first = _count(lambda: client.get(url))
    hit = _count(lambda: client.get(url))
    return {
        "status": view["status"],
        "queries": view["queries"],
        "after_change": first["queries"],
        "cached": hit["queries"],
    }


def _comment_form_fields(client, page_url: str, comment_url: str) -> dict:
    """The hidden fields of the article page's comment form, with our own CSRF token."""
    page = client.get(page_url).content.decode()
    form = re.search(rf'<form[^>]*action="{re.escape(comment_url)}[^"]*".*?</form>', page, re.S)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(0) if form else ""):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    fields["csrfmiddlewaretoken"] = CSRF_SECRET
    return fields


def _prepare_hitcount() -> dict:
    from django.contrib.sessions.models import Session
    from hitcount.models import Hit
    from hitcount.utils import get_hitcount_model

    from articles.models import Article, Category
    from articles.services import article_save

    article = Article.objects.first()
    if article is None:
        category = Category.objects.create(name="Bewerbung", slug="bewerbung")
        article = article_save(
            article=Article(
                title="Gehaltsverhandlung", teaser="Tipps.", category=category, status="published"
            )
        )
    # Every run starts from an empty hit table, like the first run.
    Hit.objects.all().delete()
    Session.objects.all().delete()
    hitcount = get_hitcount_model().objects.get_for_object(article)
    return {"hitcount_pk": hitcount.pk, "csrf_secret": CSRF_SECRET}


if __name__ == "__main__":
    main()
