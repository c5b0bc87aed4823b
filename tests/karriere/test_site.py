from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.utils import timezone

from articles.models import Article, Author, Category, Tag
from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_health_endpoint_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_health_endpoint_reports_503_when_the_database_fails(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "error"


def test_unknown_page_gets_the_german_404_page(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Seite nicht gefunden" in html
    assert "Zur Startseite" in html


def test_home_page_is_german_with_skip_link_navigation_and_footer(client):
    Category.objects.create(name="Weiterbildung", slug="weiterbildung")
    html = client.get("/").content.decode()
    assert '<html lang="de">' in html
    assert "Zum Inhalt springen" in html
    assert 'href="/kategorie/weiterbildung/"' in html
    assert "Impressum" in html and "Datenschutz" in html


def test_pages_load_nothing_from_third_party_hosts(client):
    html = client.get("/").content.decode()
    for marker in ("https://", "http://", "//fonts.", "//cdn"):
        assert f'src="{marker}' not in html
        assert f'href="{marker}' not in html.replace('href="https://karriere', "")


def test_demo_content_is_idempotent():
    call_command("demo_content", verbosity=0)
    counts = (Category.objects.count(), Author.objects.count(), Article.objects.count())
    dates = dict(Article.objects.values_list("slug", "published_at"))
    call_command("demo_content", verbosity=0)
    assert (Category.objects.count(), Author.objects.count(), Article.objects.count()) == counts
    assert dict(Article.objects.values_list("slug", "published_at")) == dates
    assert counts[2] >= 12
    assert {"Weiterbildung", "Im Job", "Bewerbung", "Gehalt"} <= set(
        Category.objects.values_list("name", flat=True)
    )
    assert Author.objects.filter(kind=Author.Kind.GUEST).exists()
    assert Author.objects.filter(kind=Author.Kind.STAFF).exists()
    assert all(article.hero_image for article in Article.objects.all())
    # One article is scheduled: published, but dated in the future.
    scheduled = Article.objects.exclude(pk__in=Article.objects.published())
    assert [article.status for article in scheduled] == [Article.Status.PUBLISHED]
    assert scheduled.get().published_at > timezone.now()


def test_demo_content_spells_out_every_letter_in_slugs():
    call_command("demo_content", verbosity=0)
    authors = dict(Author.objects.values_list("name", "slug"))
    assert authors["Mehmet Yılmaz"] == "mehmet-yilmaz"
    assert authors["Søren Ødegaard"] == "soeren-oedegaard"
    assert authors["Łukasz Wróbel"] == "lukasz-wrobel"
    assert authors["Jörg Weiß"] == "joerg-weiss"
    tags = dict(Tag.objects.values_list("name", "slug"))
    assert tags["Gehaltserhöhung"] == "gehaltserhoehung"
    assert tags["Führung"] == "fuehrung"
    assert tags["Øresund"] == "oeresund"
    assert tags["Außendienst"] == "aussendienst"


def test_demo_content_keeps_an_older_demo_database_working():
    """Databases made before authors' slugs kept every letter get the fixed slug, no twin."""
    Author.objects.create(name="Mehmet Yılmaz", slug="mehmet-ylmaz", kind=Author.Kind.GUEST)
    call_command("demo_content", verbosity=0)
    assert list(Author.objects.filter(name="Mehmet Yılmaz").values_list("slug", flat=True)) == [
        "mehmet-yilmaz"
    ]


def test_demo_comments_add_an_approved_thread_with_a_reply_once():
    call_command("demo_content", verbosity=0)
    call_command("demo_comments", verbosity=0)
    call_command("demo_comments", verbosity=0)
    comments = Comment.objects.filter(status=Comment.Status.APPROVED)
    assert comments.count() == 3
    assert comments.filter(parent__isnull=False).count() == 1
    article = comments.first().article
    article.refresh_from_db()
    assert article.comment_count == 3


def test_impressum_and_datenschutz_pages_are_served_in_german(client):
    call_command("demo_content", verbosity=0)
    assert "Impressum" in client.get("/impressum/").content.decode()
    assert "Datenschutzerklärung" in client.get("/datenschutz/").content.decode()


def test_postgresql_sessions_run_without_jit(settings):
    if not settings.IS_POSTGRES:
        pytest.skip("JIT is a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_ensure_superuser_creates_the_admin_once_from_the_environment(monkeypatch):
    from django.contrib.auth.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "chefredaktion")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "ein-langes-geheimes-passwort")
    call_command("ensure_superuser", verbosity=0)
    call_command("ensure_superuser", verbosity=0)
    admin = User.objects.get(username="chefredaktion")
    assert admin.is_superuser and admin.check_password("ein-langes-geheimes-passwort")
    assert User.objects.count() == 1


def test_ensure_superuser_refuses_the_default_account_in_production(settings, monkeypatch):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_USERNAME"):
        call_command("ensure_superuser", verbosity=0)


def test_time_elements_carry_no_microseconds():
    """HTML allows at most three fractional digits in <time datetime>; Python prints six."""
    from karriere.templatetags.karriere_tags import html_datetime

    moment = datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=UTC)
    assert html_datetime(moment) == "2026-03-02T10:15:30+01:00"
