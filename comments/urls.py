from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("<int:article_id>/", views.comment_post, name="post"),
    path("<int:article_id>/stempel/", views.comment_stamp, name="stamp"),
]
