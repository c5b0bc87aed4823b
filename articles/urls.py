from django.contrib.sitemaps.views import sitemap
from django.urls import path

from articles import feeds, views
from articles.sitemaps import SITEMAPS

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("artikel/<slug:slug>/", views.article_detail, name="detail"),
    path("vorschau/artikel/<int:pk>/", views.article_preview, name="preview"),
    path("vorschau/<str:token>/", views.article_shared_preview, name="shared_preview"),
    path("kategorie/<slug:slug>/", views.category_detail, name="category"),
    path("kategorie/<slug:slug>/feed/", feeds.CategoryFeed(), name="category_feed"),
    path("thema/<slug:slug>/", views.tag_detail, name="tag"),
    path("autor/<slug:slug>/", views.author_detail, name="author"),
    path("zaehler/<int:article_id>/", views.count_view, name="count_view"),
    path("suche/", views.search, name="search"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="atom_feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
