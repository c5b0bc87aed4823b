from django.urls import path

from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.signup, name="signup"),
    path("bestaetigen/<str:token>/", views.confirm, name="confirm"),
    path("abmelden/", views.unsubscribe_request, name="unsubscribe_request"),
    path("abmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("archiv/", views.archive, name="archive"),
    path("archiv/<int:pk>/", views.issue, name="issue"),
]
