from django.apps import apps
from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/ceiling/", views.ceiling),
    path("bench/204/", views.no_content),
    path("bench/naive-count/<int:pk>/", views.naive_count),
]
if apps.is_installed("hitcount"):
    urlpatterns.append(path("bench/hitcount/", include("hitcount.urls", namespace="hitcount")))
urlpatterns.append(path("", include("karriere.urls")))
