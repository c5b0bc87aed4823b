from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotFound
from django.template import engines
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles.models import Article
from articles.services import article_publish, article_save
from comments.models import Comment
from comments.services import comment_approve
from karriere.dependencies import invalidate, shown
from karriere.pagecache import cache_page_for_readers, page_number
from tests.factories import ArticleFactory, ImageFactory

# Transactional: invalidation happens when a transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)
# The decorator's own tests run against the small views below; the last tests use the site's.
with_test_views = pytest.mark.urls(__name__)

PAGE = engines["django"].from_string(
    "<p>Aufruf {{ calls }} für {{ user.username|default:'Gast' }}</p>"
    '<form method="post" action="/senden/"><button>Senden</button></form>'
)
renders: list[str] = []


def page(request):
    renders.append(request.path)
    shown(request, request.path.strip("/"))
    return HttpResponse(PAGE.render({"calls": len(renders)}, request))


page = cache_page_for_readers(page, query={"seite": page_number})


@cache_page_for_readers
def missing(request):
    renders.append(request.path)
    return HttpResponseNotFound("<p>Nicht gefunden</p>")


@cache_page_for_readers
def changing(request):
    renders.append(request.path)
    if len(renders) == 1:
        invalidate("etwas")  # an editor saves while this page renders
    return HttpResponse(f"Stand {len(renders)}")


@require_POST
def submit(request):
    return HttpResponse("angekommen")


urlpatterns = [
    path("seite/", page),
    path("andere/", page),
    path("fehlt/", missing),
    path("wechselt/", changing),
    path("senden/", submit),
]


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGECACHE_ENABLED = True
    renders.clear()


@with_test_views
def test_second_anonymous_request_is_served_from_the_cache(client):
    first = client.get("/seite/")
    second = Client().get("/seite/")

    assert first.status_code == second.status_code == 200
    assert renders == ["/seite/"]
    assert "Aufruf 1 für Gast" in second.content.decode()


@with_test_views
def test_the_query_parameters_a_page_uses_make_different_pages(client):
    client.get("/seite/?seite=2")
    client.get("/seite/?seite=3")

    assert len(renders) == 2


@with_test_views
def test_the_cache_key_is_the_canonical_url(client):
    client.get("/seite/")
    for junk in ("?seite=1", "?seite=keine-zahl", "?x=1", "?x=2&y=%00", "?seite=%C2%B2"):
        client.get(f"/seite/{junk}")
    client.get("/seite/?seite=2")
    client.get("/seite/?seite=002&z=1")

    assert len(renders) == 2


@with_test_views
def test_links_with_campaign_parameters_share_the_cached_page(client):
    client.get("/seite/?seite=2")
    client.get("/seite/?utm_source=newsletter&seite=2&fbclid=abc")

    assert len(renders) == 1


@with_test_views
def test_invalidating_a_key_the_page_shows_renders_it_afresh(client):
    client.get("/seite/")
    client.get("/andere/")
    with transaction.atomic():
        invalidate("seite")
    response = client.get("/seite/")
    client.get("/andere/")

    assert renders == ["/seite/", "/andere/", "/seite/"]
    assert "Aufruf 3" in response.content.decode()


@with_test_views
def test_page_rendered_while_the_content_changed_is_not_served_again(client):
    client.get("/wechselt/")
    second = client.get("/wechselt/")
    third = client.get("/wechselt/")

    assert second.content == third.content == b"Stand 2"
    assert len(renders) == 2


@with_test_views
def test_staff_user_gets_a_fresh_page_and_does_not_fill_the_cache(client):
    staff = get_user_model().objects.create_user("redaktion", password="x", is_staff=True)
    client.get("/seite/")
    editor = Client()
    editor.force_login(staff)

    staff_html = editor.get("/seite/").content.decode()
    reader_html = Client().get("/seite/").content.decode()

    assert "für redaktion" in staff_html
    assert "für Gast" in reader_html
    assert len(renders) == 2


@with_test_views
@pytest.mark.parametrize("cookie", ["messages", "karriere_eigene_kommentare"])
def test_reader_with_something_personal_pending_gets_a_fresh_page(client, cookie):
    client.get("/seite/")
    client.cookies[cookie] = "signed-value"

    client.get("/seite/")

    assert len(renders) == 2


@with_test_views
def test_bypass_cookie_names_come_from_the_settings(client, settings):
    settings.PAGECACHE_BYPASS_COOKIES = ["vorschau"]
    client.get("/seite/")
    client.cookies["vorschau"] = "1"

    client.get("/seite/")

    assert len(renders) == 2


@with_test_views
def test_switched_off_cache_renders_every_request(client, settings):
    settings.PAGECACHE_ENABLED = False
    client.get("/seite/")
    client.get("/seite/")

    assert len(renders) == 2


@with_test_views
def test_error_pages_are_not_cached(client):
    client.get("/fehlt/")
    response = client.get("/fehlt/")

    assert response.status_code == 404
    assert len(renders) == 2


@with_test_views
def test_cached_page_costs_no_database_query(client, django_assert_num_queries):
    client.get("/seite/")

    with django_assert_num_queries(0):
        response = Client().get("/seite/")

    assert response.status_code == 200


# The site's reader pages: every change readers must see reaches the cached pages.


def test_saving_an_article_updates_its_cached_page(client, django_capture_on_commit_callbacks):
    article = ArticleFactory(title="Alter Titel")
    assert "Alter Titel" in client.get(article.get_absolute_url()).content.decode()

    article.title = "Neuer Titel"
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article)

    html = client.get(article.get_absolute_url()).content.decode()
    assert "Neuer Titel" in html
    assert "Alter Titel" not in html


def test_publishing_an_article_puts_it_on_the_cached_home_page_feed_and_search(
    client, django_capture_on_commit_callbacks
):
    ArticleFactory(title="Schon da")
    draft = ArticleFactory(title="Frisch veröffentlicht", status=Article.Status.DRAFT)
    urls = ("/", "/feed/", "/sitemap-articles.xml", "/suche/?q=Frisch")
    for url in urls:
        assert draft.slug not in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=draft)

    for url in urls:
        assert draft.slug in client.get(url).content.decode()


def test_approving_a_comment_shows_it_on_the_cached_article_page(
    client, admin_user, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    comment = Comment.objects.create(
        article=article, name="Lea", email="lea@example.com", text="Sehr hilfreich, danke!"
    )
    assert "Sehr hilfreich" not in client.get(article.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=comment, moderator=admin_user)

    assert "Sehr hilfreich" in client.get(article.get_absolute_url()).content.decode()


def test_comment_form_on_a_cached_article_page_works_without_a_token_or_cookie():
    article = ArticleFactory()
    Client().get(article.get_absolute_url())  # another reader fills the cache
    reader = Client(enforce_csrf_checks=True)

    page = reader.get(article.get_absolute_url())
    response = reader.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        {"name": "", "email": "", "text": ""},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )

    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert not page.cookies
    # The form comes back with its German error messages, not a 403 page.
    assert response.status_code == 200
    assert "Bitte" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_a_scheduled_article_reaches_cached_pages_when_its_time_comes(
    client, settings, clock, clock_cache
):
    settings.PAGECACHE_TIMEOUT = 300
    ArticleFactory(title="Schon da")
    ArticleFactory(title="Geplant für gleich", published_at=timezone.now() + timedelta(seconds=90))

    assert "Geplant für gleich" not in client.get("/").content.decode()
    clock.shift(60)
    assert "Geplant für gleich" not in client.get("/").content.decode()
    clock.shift(31)
    assert "Geplant für gleich" in client.get("/").content.decode()


@pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis cache backend needs REDIS_URL")
def test_redis_cache_backend_reuses_one_client_for_every_call():
    from django.core.cache import cache

    cache.set_many({"eins": 1, "zwei": b"2"})

    assert cache.get_many(["eins", "zwei", "drei"]) == {"eins": 1, "zwei": b"2"}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


def test_junk_query_strings_on_reader_pages_fill_no_new_cache_entries(
    client, django_assert_num_queries
):
    article = ArticleFactory()
    pages = ["/", article.get_absolute_url(), f"/kategorie/{article.category.slug}/", "/feed/"]
    for url in pages:
        assert client.get(url).status_code == 200

    # Every one is a hit on the entry of its canonical URL: rendering (and so storing a new
    # entry) would cost queries.
    with django_assert_num_queries(0):
        for n in range(25):
            for url in pages:
                assert client.get(f"{url}?junk={n}&utm_source=x{n}").status_code == 200


def test_a_page_number_past_the_last_page_is_404_and_not_cached(client):
    ArticleFactory()
    assert client.get("/?seite=5").status_code == 404
    assert client.get("/?seite=99999999999999999999").status_code == 404
    assert client.get("/?seite=1").status_code == 200


def test_a_preselected_reply_is_never_served_from_or_stored_in_the_cache(client):
    from tests.factories import CommentFactory

    comment = CommentFactory(name="Jürgen Weiß")
    url = comment.article.get_absolute_url()
    client.get(url)  # cached without a reply target

    reply = client.get(f"{url}?antwort={comment.pk}").content.decode()
    plain = client.get(url).content.decode()

    assert "Deine Antwort an Jürgen Weiß" in reply
    assert "Deine Antwort an" not in plain


def test_renaming_a_tag_in_the_admin_updates_its_cached_page(
    client, admin_user, page_cache, django_assert_num_queries
):
    from articles.models import Tag

    tag = Tag.objects.create(name="Gehalt", slug="gehalt")
    reader = Client()
    reader.get("/thema/gehalt/")
    with django_assert_num_queries(0):  # really from the cache
        assert "Gehalt" in reader.get("/thema/gehalt/").content.decode()

    client.force_login(admin_user)
    change_page = client.get(f"/admin/articles/tag/{tag.pk}/change/").content.decode()
    management = dict(re.findall(r'name="([\w-]+_FORMS)"[^>]*value="(\d+)"', change_page))
    with page_cache.commit():
        response = client.post(
            f"/admin/articles/tag/{tag.pk}/change/",
            {"name": "Gehaltsverhandlung", "slug": "gehalt", **management},
        )
    assert response.status_code == 302

    assert "Gehaltsverhandlung" in reader.get("/thema/gehalt/").content.decode()


def test_an_expired_image_licence_leaves_the_cached_page_when_the_licence_ends(
    client, settings, clock
):
    # The in-process cache follows the test's clock; Redis would expire entries in real time.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PAGECACHE_TIMEOUT = 24 * 3600  # longer than the licence has left
    # The in-process cache keeps its entries across tests of this process; start empty (the
    # test's saves never commit, so the content version does not move on its own).
    cache.clear()
    # The clock stands at 2 March 2026, 10:00 in Germany: the licence ends at midnight, 14 h on.
    image = ImageFactory(licence_until=timezone.localdate())
    article = ArticleFactory(
        hero_image=image, body=f'<p>Text</p><p><img src="{image.file.url}" alt=""></p>'
    )
    url = article.get_absolute_url()

    assert client.get(url).content.decode().count("<figure") == 2
    clock.shift(14 * 3600 - 1)  # 23:59:59 on the licence's last day
    page = client.get(url).content.decode()
    assert page.count("<figure") == 2
    clock.shift(2)  # 00:00:01 the next day
    page = client.get(url).content.decode()
    assert "<figure" not in page and "/media/images/" not in page
    assert page.rstrip().endswith("</html>")


def test_a_renamed_author_reaches_the_cards_of_cached_lists(page_cache):
    from tests.factories import AuthorFactory

    with page_cache.commit():
        author = AuthorFactory(name="Jürgen Weiß")
        article = ArticleFactory(title="Überstunden richtig abrechnen", authors=[author])
    lists = ["/", article.category.get_absolute_url()]
    reader = Client()
    for url in lists:
        assert "Jürgen Weiß<" in reader.get(url).content.decode()

    author.name = "Jürgen Weißmüller"
    with page_cache.commit():
        author.save()

    for url in lists:
        html = reader.get(url).content.decode()
        assert "Jürgen Weißmüller" in html and "Jürgen Weiß<" not in html
