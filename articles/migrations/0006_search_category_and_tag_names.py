"""Put category and tag names into the existing full-text vectors (PostgreSQL only)."""

from django.contrib.postgres.aggregates import StringAgg
from django.db import migrations
from django.db.models import OuterRef, Subquery

from articles.models import search_vector_of


def refresh_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Article = apps.get_model("articles", "Article")
    # Tags are taggit's generic TaggedItem rows at this point of the history.
    tag_names = (
        apps.get_model("taggit", "TaggedItem")
        .objects.filter(
            content_type__app_label="articles",
            content_type__model="article",
            object_id=OuterRef("pk"),
        )
        .order_by()
        .values("object_id")
        .annotate(names=StringAgg("tag__name", delimiter=" "))
        .values("names")
    )
    Article.objects.using(schema_editor.connection.alias).update(
        search_vector=search_vector_of(Article, Subquery(tag_names))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_article_preview_key"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(refresh_vectors, migrations.RunPython.noop)]
