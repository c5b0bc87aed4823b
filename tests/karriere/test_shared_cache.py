"""Reader pages any HTTP cache may keep: the same bytes for every anonymous reader, no cookie,
public Cache-Control, surrogate keys naming what they show; personal states bypass every
cache; the anonymous forms work without a token and refuse posts from other sites; every kind
of change purges exactly its keys, after the commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tag
from articles.services import article_publish, article_save, tag_merge
from comments.models import Comment
from comments.services import comment_approve
from karriere.dependencies import invalidate
from newsletter.models import ConsentText
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CommentFactory,
    ImageFactory,
)
from tests.karriere.purge_stub import VarnishStub

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture(params=[True, False], ids=["pagecache-on", "pagecache-off"])
def pagecache(request, settings):
    settings.PAGECACHE_ENABLED = request.param
    return request.param


@pytest.fixture
def article():
    category = CategoryFactory(name="Gehalt & Verhandlung", slug="gehalt-verhandlung")
    return ArticleFactory(
        title="Gehaltserhöhung: So verhandelst du größer",
        category=category,
        authors=[AuthorFactory(name="Jürgen Weiß", slug="juergen-weiss")],
        tags=["Gehaltsverhandlung"],
    )


def reader_urls(article: Article) -> list[str]:
    return [
        "/",
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        "/thema/gehaltsverhandlung/",
        "/autor/juergen-weiss/",
        "/suche/?q=Gehaltserhöhung",
        "/feed/",
        "/feed/atom/",
        f"/kategorie/{article.category.slug}/feed/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/newsletter/",
        "/newsletter/abmelden/",
    ]


def surrogate_keys(response) -> set[str]:
    return set(response.headers["Surrogate-Key"].split())


def test_every_reader_page_is_public_the_same_for_everyone_and_sets_no_cookie(pagecache, article):
    for url in reader_urls(article):
        first = Client().get(url)
        second = Client().get(url)

        assert first.status_code == 200, url
        assert first.content == second.content, url
        assert not first.cookies and not second.cookies, url
        assert first.headers["Cache-Control"] == (
            "public, max-age=60, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400"
        ), url
        assert "Cookie" not in first.headers.get("Vary", ""), url
        assert "Accept-Language" not in first.headers.get("Vary", ""), url
        assert surrogate_keys(first), url


def test_lifetimes_come_from_the_settings(settings, article):
    settings.HTTP_CACHE_MAX_AGE = 10
    settings.HTTP_CACHE_S_MAXAGE = 3600
    settings.HTTP_CACHE_STALE_WHILE_REVALIDATE = 0
    settings.HTTP_CACHE_STALE_IF_ERROR = 600

    response = Client().get("/")

    assert response.headers["Cache-Control"] == (
        "public, max-age=10, s-maxage=3600, stale-while-revalidate=0, stale-if-error=600"
    )


def test_no_cache_keeps_a_page_past_the_next_scheduled_publication(clock, clock_cache, settings):
    settings.PAGECACHE_ENABLED = True
    settings.HTTP_CACHE_S_MAXAGE = 3600
    ArticleFactory(published_at=timezone.now() + timedelta(seconds=100))

    response = Client().get("/")

    assert "max-age=60," in response.headers["Cache-Control"]
    assert "s-maxage=100," in response.headers["Cache-Control"]


def test_surrogate_keys_name_what_each_page_shows(article):
    other = ArticleFactory(title="Kündigungsfrist richtig berechnen", category=article.category)
    tag = Tag.objects.get(name="Gehaltsverhandlung")
    author = article.authors.get()
    mine = {f"article-{article.pk}", f"article-{other.pk}", "nav"}

    assert surrogate_keys(Client().get("/")) >= {*mine, "home", "top-articles"}
    assert surrogate_keys(Client().get(article.get_absolute_url())) >= {
        f"article-{article.pk}",
        f"category-{article.category_id}",
        f"tag-{tag.pk}",
        f"author-{author.pk}",
        "top-articles",
        "nav",
        "newsletter-consent",
    }
    assert surrogate_keys(Client().get(article.category.get_absolute_url())) >= {
        *mine,
        f"category-{article.category_id}",
    }
    assert surrogate_keys(Client().get("/thema/gehaltsverhandlung/")) >= {
        f"tag-{tag.pk}",
        f"article-{article.pk}",
    }
    assert surrogate_keys(Client().get("/autor/juergen-weiss/")) >= {
        f"author-{author.pk}",
        f"article-{article.pk}",
    }
    assert surrogate_keys(Client().get("/suche/?q=Gehaltserhöhung")) >= {
        "search",
        f"article-{article.pk}",
    }
    assert "feeds" in surrogate_keys(Client().get("/feed/"))
    assert surrogate_keys(Client().get(f"/kategorie/{article.category.slug}/feed/")) >= {
        "feeds",
        f"category-{article.category_id}",
    }
    assert "sitemap" in surrogate_keys(Client().get("/sitemap.xml"))
    assert "newsletter-consent" in surrogate_keys(Client().get("/newsletter/"))


def test_cloudflare_gets_its_cache_tag_header(settings, article):
    settings.SURROGATE_KEY_HEADERS = ["Surrogate-Key", "Cache-Tag"]

    response = Client().get(article.get_absolute_url())

    assert set(response.headers["Cache-Tag"].split(",")) == surrogate_keys(response)


@pytest.mark.parametrize("cookie", ["messages", "karriere_eigene_kommentare"])
def test_reader_with_something_personal_gets_a_private_page(settings, article, cookie):
    settings.PAGECACHE_ENABLED = True
    Client().get(article.get_absolute_url())  # in the cache
    reader = Client()
    reader.cookies[cookie] = "x"

    response = reader.get(article.get_absolute_url())

    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Surrogate-Key" not in response.headers
    assert "ETag" not in response.headers


def test_logged_in_staff_get_private_pages(article, admin_client):
    response = admin_client.get(article.get_absolute_url())

    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_comment_posted_from_the_shared_page_is_taken(clock, article):
    page = Client().get(article.get_absolute_url())
    assert page.headers["Cache-Control"].startswith("public")
    reader = Client(enforce_csrf_checks=True)
    stamp = reader.get(reverse("comments:stamp", args=[article.pk])).json()["timestamp"]
    clock.shift(timedelta(seconds=30))

    response = reader.post(
        reverse("comments:post", args=[article.pk]),
        {
            "name": "Jörg Größe",
            "email": "joerg@example.de",
            "text": "Sehr hilfreich, danke!",
            "timestamp": stamp,
        },
        headers=SAME_ORIGIN,
    )

    assert response.status_code == 302
    assert Comment.objects.get().text == "Sehr hilfreich, danke!"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_comment_posted_without_origin_headers_is_taken_like_any_non_browser_post(article):
    reader = Client(enforce_csrf_checks=True)

    response = reader.post(reverse("comments:post", args=[article.pk]), {"text": ""})

    assert response.status_code == 200  # the form again with its errors, no 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://boese.example", "Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://blog.testserver"},
        {"Origin": "https://boese.example"},
        {"Origin": "null"},
    ],
    ids=["cross-site", "fetch-metadata-only", "sibling-subdomain", "origin-only", "null-origin"],
)
def test_a_cross_site_post_to_an_anonymous_form_is_refused_with_a_german_page(
    article, headers, consent_text
):
    forms = [
        (
            reverse("comments:post", args=[article.pk]),
            {"name": "Bot", "email": "b@example.de", "text": "Gefälscht"},
        ),
        (
            reverse("newsletter:signup"),
            {"email": "opfer@example.de", "consent": "1", "consent_version": consent_text.version},
        ),
        (reverse("newsletter:unsubscribe_request"), {"email": "opfer@example.de"}),
        (reverse("newsletter:confirm", args=["token"]), {}),
    ]
    for url, data in forms:
        response = Client().post(url, data, headers=headers)

        assert response.status_code == 403, url
        assert "von einer anderen Website" in response.content.decode(), url
    assert not Comment.objects.exists()


def test_newsletter_signup_from_the_shared_page_works(consent_text):
    page = Client().get(reverse("newsletter:signup"))
    assert not page.cookies

    response = Client(enforce_csrf_checks=True).post(
        reverse("newsletter:signup"),
        {"email": "leser@example.de", "consent": "1", "consent_version": consent_text.version},
        headers=SAME_ORIGIN,
    )

    assert response.status_code == 200
    assert "Fast geschafft" in response.content.decode()


@pytest.fixture
def consent_text(db) -> ConsentText:
    return ConsentText.objects.current()


# --- purges ---------------------------------------------------------------------------------


@pytest.fixture
def varnish(settings):
    stub = VarnishStub()
    settings.PURGE_VARNISH_URLS = [stub.url]
    yield stub
    stub.close()


@pytest.fixture
def purged(varnish, run_tasks, django_capture_on_commit_callbacks):
    """``with purged() as keys:`` runs the change as one committed transaction and collects
    the keys purged: nothing may be purged before the commit."""
    from contextlib import contextmanager

    @contextmanager
    def change():
        # The setup's own invalidations, as if it had committed (a test never commits).
        with django_capture_on_commit_callbacks(execute=True):
            invalidate("setup")
        run_tasks()
        varnish.requests.clear()
        keys: set[str] = set()
        with django_capture_on_commit_callbacks(execute=True):
            yield keys
            assert run_tasks() == 0 and not varnish.requests  # not before the commit
        run_tasks()
        for batch in varnish.purged():
            keys.update(batch)

    return change


def test_publishing_purges_the_article_its_lists_feeds_and_sitemap(purged):
    author = AuthorFactory()
    article = ArticleFactory(status=Article.Status.DRAFT, authors=[author], tags=["Führung"])
    tag = Tag.objects.get(name="Führung")

    with purged() as keys:
        article_publish(article=article)

    assert keys >= {
        f"article-{article.pk}",
        f"category-{article.category_id}",
        f"tag-{tag.pk}",
        f"author-{author.pk}",
        "home",
        "feeds",
        "sitemap",
    }
    assert "nav" not in keys


def test_approving_a_comment_purges_only_the_pages_showing_its_articles_comments(
    purged, admin_user
):
    article = ArticleFactory()
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)

    with purged() as keys:
        comment_approve(comment=comment, moderator=admin_user)

    # Its article page and the lists with its card name this key; no other page does.
    assert keys == {f"comments-{article.pk}"}


def test_renaming_a_category_purges_its_pages_and_the_navigation(purged):
    category = CategoryFactory()

    with purged() as keys:
        category.name = "Ausbildung & Studium"
        category.save()

    assert keys == {f"category-{category.pk}", "nav"}


def test_renaming_an_author_purges_their_page_and_the_pages_with_their_articles(purged):
    author = AuthorFactory(name="Jürgen Weiß")
    articles = [ArticleFactory(authors=[author]) for _ in range(2)]
    ArticleFactory()  # somebody else's

    with purged() as keys:
        author.name = "Jürgen Weißmüller"
        author.save()

    assert keys == {f"author-{author.pk}", *(f"article-{a.pk}" for a in articles)}


def test_renaming_a_tag_in_the_admin_purges_its_pages(purged, admin_client):
    ArticleFactory(tags=["Führung"])
    tag = Tag.objects.get(name="Führung")

    with purged() as keys:
        response = admin_client.post(
            reverse("admin:articles_tag_change", args=[tag.pk]),
            {"name": "Führungskräfte", "slug": "fuehrungskraefte"},
        )
        assert response.status_code == 302

    assert keys == {f"tag-{tag.pk}"}


def test_merging_tags_purges_both(purged):
    ArticleFactory(tags=["Führung", "Leitung"])
    source, target = Tag.objects.get(name="Leitung"), Tag.objects.get(name="Führung")
    source_key = f"tag-{source.pk}"

    with purged() as keys:
        tag_merge(tags=[source], name="Führung")

    assert keys == {source_key, f"tag-{target.pk}"}


def test_a_new_consent_text_purges_the_pages_with_the_signup_box(purged):
    with purged() as keys:
        ConsentText.objects.create(text="Ja, schickt mir den Newsletter über Weiterbildung.")

    assert keys == {"newsletter-consent"}


def test_a_new_image_credit_purges_the_articles_showing_it(purged):
    image = ImageFactory()
    article = ArticleFactory(hero_image=image)

    with purged() as keys:
        image.credit = "Foto: Jürgen Weiß"
        image.save()

    assert {f"article-{article.pk}", f"image-{image.pk}"} <= keys


def test_editing_a_published_article_purges_it(purged):
    article = ArticleFactory()

    with purged() as keys:
        article.title = "Gehaltsverhandlung: Die größten Fehler"
        article_save(article=article)

    assert f"article-{article.pk}" in keys
