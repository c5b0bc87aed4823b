from django.urls import path

from karriere.pagecache import cache_page_for_readers
from newsletter import views

app_name = "newsletter"

urlpatterns = [
    # The forms' pages are shared pages; their POSTs are anonymous_post.
    path("", cache_page_for_readers(views.signup, keys=["newsletter-consent"]), name="signup"),
    path("bestaetigen/<str:token>/", views.confirm, name="confirm"),
    path(
        "abmelden/",
        cache_page_for_readers(views.unsubscribe_request),
        name="unsubscribe_request",
    ),
    path("abmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("archiv/", views.archive, name="archive"),
    path("archiv/<int:pk>/", views.issue, name="issue"),
]
