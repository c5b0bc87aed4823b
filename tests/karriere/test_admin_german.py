"""Every label in the admin is German, the third-party apps' included."""

from __future__ import annotations

import re

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

pytestmark = pytest.mark.django_db

ENGLISH = [
    "Axes", "Flat Page", "Tasks Database Backend", "Task Result", "Taggit", "priority",
    "queue name", "Locked Out", "Ready", "Successful",
]  # fmt: skip


def visible_text(response) -> str:
    html = re.sub(r"<(script|svg|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/axes/accessattempt/",
        "/admin/django_tasks_database/dbtaskresult/",
        "/admin/articles/tag/",
        "/admin/flatpages/flatpage/",
    ],
)
def test_third_party_admin_pages_speak_german(admin_client, url):
    text = visible_text(admin_client.get(url))
    assert not [word for word in ENGLISH if re.search(rf"\b{word}\b", text)], text[:400]


def test_task_queue_filters_are_german(admin_client):
    text = visible_text(admin_client.get("/admin/django_tasks_database/dbtaskresult/"))
    assert "Nach Priorität" in text and "Nach Warteschlange" in text and "Erfolgreich" in text


def test_pages_are_edited_with_the_article_editor_and_sanitised(admin_client):
    page = FlatPage.objects.create(url="/impressum/", title="Impressum", content="<p>Alt</p>")
    page.sites.add(Site.objects.get_current())
    url = f"/admin/flatpages/flatpage/{page.pk}/change/"
    assert "django-ckeditor-widget" in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {
            "url": "/impressum/",
            "title": "Impressum",
            "content": '<p onclick="x()">Geschäftsführung: Jürgen Groß</p><script>x()</script>',
            "sites": [Site.objects.get_current().pk],
        },
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.content == "<p>Geschäftsführung: Jürgen Groß</p>"
