from functools import partial

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from articles import feeds, views
from articles.schedule import next_reader_change
from articles.sitemaps import SITEMAPS
from karriere.pagecache import cache_page_for_readers, page_number, search_term

app_name = "articles"

# Reader pages, search included, come from the page cache for anonymous readers
# (karriere/pagecache.py); previews and the counting endpoint never do. Each names the query
# parameters it reads: the cache key has only these, so junk query strings share one entry.
LISTING = {"seite": page_number}
SITEMAP = {"p": page_number}
# No reader page is kept past the next scheduled publication or licence end.
reader_page = partial(cache_page_for_readers, next_change=next_reader_change)

urlpatterns = [
    path("", reader_page(views.home, query=LISTING), name="home"),
    path(
        "artikel/<slug:slug>/",
        # ?antwort=<comment id> pre-selects a reply (comments' form, works without JavaScript).
        reader_page(views.article_detail, uncached_if=("antwort",)),
        name="detail",
    ),
    path("vorschau/artikel/<int:pk>/", views.article_preview, name="preview"),
    path("vorschau/<str:token>/", views.article_shared_preview, name="shared_preview"),
    path(
        "kategorie/<slug:slug>/",
        reader_page(views.category_detail, query=LISTING),
        name="category",
    ),
    path(
        "kategorie/<slug:slug>/feed/",
        reader_page(feeds.CategoryFeed(), keys=["feeds"]),
        name="category_feed",
    ),
    # Any text, not only <slug:>: old tag addresses with umlauts must reach the view (301).
    path("thema/<str:slug>/", reader_page(views.tag_detail, query=LISTING), name="tag"),
    path(
        "autor/<slug:slug>/",
        reader_page(views.author_detail, query=LISTING),
        name="author",
    ),
    path("zaehler/<int:article_id>/", views.count_view, name="count_view"),
    path("hilfreich/<int:article_id>/", views.like, name="like"),
    path(
        "suche/",
        reader_page(views.search, query={"q": search_term, **LISTING}),
        name="search",
    ),
    path("feed/", reader_page(feeds.LatestArticlesFeed(), keys=["feeds"]), name="feed"),
    path(
        "feed/atom/",
        reader_page(feeds.LatestArticlesAtomFeed(), keys=["feeds"]),
        name="atom_feed",
    ),
    path("sitemap.xml", reader_page(views.sitemap_index, keys=["sitemap"]), name="sitemap"),
    path(
        "sitemap-<section>.xml",
        reader_page(sitemap, query=SITEMAP, keys=["sitemap"]),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
