from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("artikel/<slug:slug>/", views.article_detail, name="detail"),
    path("kategorie/<slug:slug>/", views.category_detail, name="category"),
    path("thema/<slug:slug>/", views.tag_detail, name="tag"),
    path("autor/<slug:slug>/", views.author_detail, name="author"),
]
