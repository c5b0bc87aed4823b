"""Every article's hero image becomes a library image: the same stored file (nothing is copied
or deleted), its alt text and decorative flag, and its existing renditions (kept as the
"original" shape); the crops for the new shapes are made from the stored file."""

import logging

from django.core.files.storage import default_storage
from django.db import migrations
from django.db.models import F

from articles.images import SHAPES, make_renditions

logger = logging.getLogger(__name__)


def _library_renditions(old: dict) -> dict:
    width, height = old.get("width"), old.get("height")
    original = [
        {**item, "height": round(height * item["width"] / width)}
        for item in old.get("sources") or []
        if width and height
    ]
    return {"width": width, "height": height, "shapes": {"original": original}}


def hero_images_into_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("articles", "Image")
    articles = Article.objects.exclude(hero_image="").exclude(hero_image__isnull=True)
    for article in articles.iterator(chunk_size=200):
        renditions = _library_renditions(article.hero_renditions or {})
        # Existing renditions stay the "original" shape; only what is missing is made.
        missing = tuple(shape for shape in SHAPES if not renditions["shapes"].get(shape))
        try:
            made = make_renditions(default_storage, article.hero_image.name, shapes=missing)
        except OSError:  # the stored file is gone or unreadable: keep what there was
            logger.warning(
                "Hero image of article %s not readable: %s", article.pk, article.hero_image.name
            )
            made = {"shapes": {}}
        renditions = {
            "width": renditions["width"] or made.get("width"),
            "height": renditions["height"] or made.get("height"),
            "shapes": {**made["shapes"], **{k: v for k, v in renditions["shapes"].items() if v}},
        }
        image = Image.objects.create(
            file=article.hero_image.name,
            width=renditions["width"],
            height=renditions["height"],
            title=article.title[:200],
            alt_text=article.hero_alt,
            decorative=article.hero_decorative,
            # Not recorded before the library: the admin lists these under "ohne Bildnachweis".
            credit="",
            licence="",
            renditions=renditions,
        )
        Article.objects.filter(pk=article.pk).update(hero_library_image=image)
    # No body refers to a library image yet.
    Article.objects.update(body_html=F("body"))


def library_images_into_hero_fields(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.filter(hero_library_image__isnull=False).select_related(
        "hero_library_image"
    ):
        image = article.hero_library_image
        renditions = image.renditions or {}
        Article.objects.filter(pk=article.pk).update(
            hero_image=image.file.name,
            hero_alt=image.alt_text,
            hero_decorative=image.decorative,
            hero_renditions={
                "width": renditions.get("width"),
                "height": renditions.get("height"),
                "sources": [
                    {key: item[key] for key in ("width", "webp", "jpg")}
                    for item in renditions.get("shapes", {}).get("original", [])
                ],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_image_library")]

    operations = [
        migrations.RunPython(hero_images_into_library, library_images_into_hero_fields),
    ]
