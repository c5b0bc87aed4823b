from django.contrib.sitemaps.views import sitemap
from django.urls import path

from articles import feeds, views
from articles.sitemaps import SITEMAPS
from karriere.pagecache import cache_page_for_readers, page_number, search_term

app_name = "articles"

# Reader pages, search included, come from the page cache for anonymous readers
# (karriere/pagecache.py); previews and the counting endpoint never do. Each names the query
# parameters it reads: the cache key has only these, so junk query strings share one entry.
LISTING = {"seite": page_number}
SITEMAP = {"p": page_number}

urlpatterns = [
    path("", cache_page_for_readers(views.home, query=LISTING), name="home"),
    path(
        "artikel/<slug:slug>/",
        # ?antwort=<comment id> pre-selects a reply (comments' form, works without JavaScript).
        cache_page_for_readers(views.article_detail, uncached_if=("antwort",)),
        name="detail",
    ),
    path("vorschau/artikel/<int:pk>/", views.article_preview, name="preview"),
    path("vorschau/<str:token>/", views.article_shared_preview, name="shared_preview"),
    path(
        "kategorie/<slug:slug>/",
        cache_page_for_readers(views.category_detail, query=LISTING),
        name="category",
    ),
    path(
        "kategorie/<slug:slug>/feed/",
        cache_page_for_readers(feeds.CategoryFeed()),
        name="category_feed",
    ),
    # Any text, not only <slug:>: old tag addresses with umlauts must reach the view (301).
    path("thema/<str:slug>/", cache_page_for_readers(views.tag_detail, query=LISTING), name="tag"),
    path(
        "autor/<slug:slug>/",
        cache_page_for_readers(views.author_detail, query=LISTING),
        name="author",
    ),
    path("zaehler/<int:article_id>/", views.count_view, name="count_view"),
    path(
        "suche/",
        cache_page_for_readers(views.search, query={"q": search_term, **LISTING}),
        name="search",
    ),
    path("feed/", cache_page_for_readers(feeds.LatestArticlesFeed()), name="feed"),
    path("feed/atom/", cache_page_for_readers(feeds.LatestArticlesAtomFeed()), name="atom_feed"),
    path("sitemap.xml", cache_page_for_readers(views.sitemap_index), name="sitemap"),
    path(
        "sitemap-<section>.xml",
        cache_page_for_readers(sitemap, query=SITEMAP),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
