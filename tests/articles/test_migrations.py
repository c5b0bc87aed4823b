"""The data migration that moves every article's hero image into the image library, run on
the demo content's articles and pictures as the old schema stored them."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from PIL import Image as PILImage

from articles.management.commands.demo_content import ARTICLES
from articles.management.demo_images import illustration
from articles.models import Article

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("articles", "0007_article_workplace")]


def old_renditions(name: str) -> dict:
    """What Article.save stored in hero_renditions before the library (WebP + JPEG per width)."""
    with default_storage.open(name) as stored, PILImage.open(stored) as original:
        image = original.convert("RGB")
    stem = str(PurePosixPath(name).with_suffix(""))
    sources = []
    for width in (400, 800, 1200):
        resized = image.resize((width, round(image.height * width / image.width)))
        item = {"width": width}
        for ext, pil_format in (("webp", "WEBP"), ("jpg", "JPEG")):
            buffer = io.BytesIO()
            resized.save(buffer, format=pil_format)
            item[ext] = default_storage.save(
                f"{stem}-{width}.{ext}", ContentFile(buffer.getvalue())
            )
        sources.append(item)
    return {"width": image.width, "height": image.height, "sources": sources}


@pytest.fixture
def old_schema():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to_the_library() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_hero_images_move_into_the_library_without_losing_a_file_alt_text_or_rendition(
    old_schema,
):
    apps = old_schema
    OldArticle = apps.get_model("articles", "Article")
    category = apps.get_model("articles", "Category").objects.create(name="Gehalt", slug="gehalt")
    before = {}
    for index, (title, *_rest) in enumerate(ARTICLES[:3]):
        name = default_storage.save(
            f"articles/2026/03/{index:032x}.jpg", ContentFile(illustration("Gehalt", index))
        )
        article = OldArticle.objects.create(
            title=title,
            slug=f"artikel-{index}",
            teaser="Teaser",
            body="<p>Weiterbildungsmöglichkeiten für Berufseinsteiger</p>",
            category=category,
            hero_image=name,
            hero_alt=f"Titelbild: {title}" if index else "",
            hero_decorative=index == 0,
            hero_renditions=old_renditions(name),
            preview_key=f"{index:032x}",
        )
        before[article.pk] = (name, article.hero_alt, article.hero_decorative,
                              article.hero_renditions)  # fmt: skip
    without = OldArticle.objects.create(
        title="Ohne Bild: Gehaltserhöhung", slug="ohne-bild", teaser="Teaser",
        category=category, preview_key="f" * 32,
    )  # fmt: skip

    migrate_to_the_library()

    for pk, (name, alt, decorative, renditions) in before.items():
        article = Article.objects.select_related("hero_image").get(pk=pk)
        image = article.hero_image
        assert image.file.name == name and default_storage.exists(name)
        assert (image.alt_text, image.decorative) == (alt, decorative)
        assert image.title == article.title and image.credit == ""
        assert (image.width, image.height) == (1600, 1000)
        kept = image.renditions["shapes"]["original"]
        assert [(i["width"], i["webp"], i["jpg"]) for i in kept] == [
            (i["width"], i["webp"], i["jpg"]) for i in renditions["sources"]
        ]
        assert all(default_storage.exists(i["jpg"]) for i in kept)
        for shape in ("hero", "card", "square"):
            assert image.renditions["shapes"][shape]
            assert all(default_storage.exists(i["webp"]) for i in image.renditions["shapes"][shape])
        assert article.body_html == article.body
    assert Article.objects.get(pk=without.pk).hero_image is None
    decorative = Article.objects.get(pk=min(before)).hero_image
    assert decorative.alt == ""
