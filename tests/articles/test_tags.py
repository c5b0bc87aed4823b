"""Tags follow the site's German slug rule, and every tag address that ever existed keeps
working."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from taggit.models import Tag as TaggitTag
from taggit.models import TaggedItem

from articles.models import Article, Tag, TagRedirect
from articles.text import german_slugify
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

TAG_ADMIN = "/admin/articles/tag/"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Gehaltserhöhung", "gehaltserhoehung"),
        ("Führung", "fuehrung"),
        ("Außendienst", "aussendienst"),
        ("Mehmet Yılmaz", "mehmet-yilmaz"),
        ("Søren Ødegaard", "soeren-oedegaard"),
        ("Łukasz Wróbel", "lukasz-wrobel"),
        ("Œuvre Đorđević", "oeuvre-dordevic"),
        ("Þórður Ægisson", "thordur-aegisson"),
    ],
)
def test_tags_typed_into_an_article_get_german_slugs(name, slug):
    article = ArticleFactory(tags=[name])
    assert [(tag.name, tag.slug) for tag in article.tags.all()] == [(name, slug)]


def test_no_latin_letter_vanishes_from_a_slug():
    letters = [chr(code) for code in range(0xC0, 0x180) if chr(code).isalpha()]
    assert [letter for letter in letters if not german_slugify(f"x{letter}x").strip("x")] == []


def test_umlauts_typed_as_combining_marks_are_spelled_out_too():
    assert german_slugify(unicodedata.normalize("NFD", "Gehaltserhöhung")) == "gehaltserhoehung"


def test_article_with_umlaut_tags_renders_and_links_to_the_tag_page(client):
    article = ArticleFactory(tags=["Vorstellungsgespräch", "Kündigung"])
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert 'href="/thema/vorstellungsgespraech/"' in response.content.decode()
    tag_page = client.get("/thema/vorstellungsgespraech/")
    assert tag_page.status_code == 200
    assert article.title in tag_page.content.decode()


def test_fuehrung_next_to_fuehrung_gets_its_own_slug():
    first = ArticleFactory(tags=["Führung"])
    second = ArticleFactory(tags=["Fuehrung"])
    assert first.tags.get().slug == "fuehrung"
    assert second.tags.get().slug == "fuehrung-2"


def test_admin_adds_fuehrung_next_to_fuehrung_without_a_crash(client):
    Tag.objects.create(name="Führung")
    client.force_login(User.objects.create_superuser("chefin"))
    response = client.post(f"{TAG_ADMIN}add/", {"name": "Fuehrung", "slug": ""})
    assert response.status_code == 302
    assert Tag.objects.get(name="Fuehrung").slug == "fuehrung-2"

    taken = client.post(f"{TAG_ADMIN}add/", {"name": "Führungskraft", "slug": "fuehrung"})
    assert taken.status_code == 200
    assert (
        "Schlagwort mit diesem Wert für das Feld Kurzname (URL) existiert bereits."
        in taken.content.decode()
    )
    umlaut = client.post(f"{TAG_ADMIN}add/", {"name": "Führungskraft", "slug": "führung"})
    assert umlaut.status_code == 200
    assert (
        "bestehend aus Buchstaben, Ziffern, Unterstrichen und Bindestrichen"
        in umlaut.content.decode()
    )


@pytest.mark.parametrize(
    "old_address", ["/thema/führung/", "/thema/f%C3%BChrung/", "/thema/f%c3%bchrung/"]
)
def test_old_umlaut_tag_address_answers_301(client, old_address):
    tag = Tag.objects.create(name="Führung")
    TagRedirect.objects.create(old_slug="führung", tag=tag)
    response = client.get(old_address)
    assert response.status_code == 301
    assert response["Location"] == "/thema/fuehrung/"


def test_unknown_tag_address_is_404(client):
    assert client.get("/thema/gibt-es-nicht/").status_code == 404
    assert client.get("/thema/gäbe-es/").status_code == 404


def test_changing_a_tags_slug_keeps_the_old_address():
    tag = Tag.objects.create(name="Homeoffice")
    tag.slug = "mobiles-arbeiten"
    tag.save()
    assert TagRedirect.objects.get(old_slug="homeoffice").tag == tag
    tag.slug = "homeoffice"
    tag.save()
    # The current address never redirects.
    assert not TagRedirect.objects.filter(old_slug="homeoffice").exists()


def test_merging_tags_moves_their_articles_and_redirects_their_addresses(client):
    both = ArticleFactory(tags=["Führung", "Leadership"])
    only_old = ArticleFactory(tags=["Leadership"])
    client.force_login(User.objects.create_superuser("chefin"))
    ids = ",".join(str(pk) for pk in Tag.objects.values_list("pk", flat=True))
    page = client.get(f"{TAG_ADMIN}merge/?ids={ids}")
    assert "Leadership" in page.content.decode()
    response = client.post(f"{TAG_ADMIN}merge/?ids={ids}", {"name": "Führung"})
    assert response.status_code == 302
    assert list(Tag.objects.values_list("name", flat=True)) == ["Führung"]
    assert list(both.tags.names()) == ["Führung"]
    assert list(only_old.tags.names()) == ["Führung"]
    assert client.get("/thema/leadership/")["Location"] == "/thema/fuehrung/"


def _tag_migration():
    loader = MigrationLoader(connection)
    (key,) = [
        key for key in loader.disk_migrations if key[0] == "articles" and "german_tags" in key[1]
    ]
    return sys.modules[type(loader.disk_migrations[key]).__module__]


def test_migration_reslugs_taggit_tags_and_keeps_their_articles_and_old_addresses(client):
    article = ArticleFactory()
    other = ArticleFactory()
    content_type = ContentType.objects.get_for_model(Article)
    for name, slug, tagged in [
        ("Führung", "führung", [article, other]),
        ("Fuehrung", "fuehrung", [other]),
        ("Bewerbung", "bewerbung", [article]),
    ]:
        old = TaggitTag.objects.create(name=name, slug=slug)
        for item in tagged:
            TaggedItem.objects.create(tag=old, content_type=content_type, object_id=item.pk)

    _tag_migration().tags_to_german_slugs(apps, None)

    assert dict(Tag.objects.values_list("name", "slug")) == {
        "Führung": "fuehrung",
        "Fuehrung": "fuehrung-2",
        "Bewerbung": "bewerbung",
    }
    assert sorted(article.tags.names()) == ["Bewerbung", "Führung"]
    assert sorted(other.tags.names()) == ["Fuehrung", "Führung"]
    assert not TaggedItem.objects.exists() and not TaggitTag.objects.exists()
    assert client.get("/thema/f%C3%BChrung/")["Location"] == "/thema/fuehrung/"
