"""Put category and tag names into the existing full-text vectors (PostgreSQL only)."""

from django.contrib.postgres.aggregates import StringAgg
from django.db import migrations
from django.db.models import OuterRef, Subquery

from articles.models import search_vector_of


def refresh_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Article = apps.get_model("articles", "Article")
    tag_names = (
        apps.get_model("articles", "TaggedArticle")
        .objects.filter(content_object=OuterRef("pk"))
        .order_by()
        .values("content_object")
        .annotate(names=StringAgg("tag__name", delimiter=" "))
        .values("names")
    )
    Article.objects.using(schema_editor.connection.alias).update(
        search_vector=search_vector_of(Article, Subquery(tag_names))
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_remove_old_hero_fields")]

    operations = [migrations.RunPython(refresh_vectors, migrations.RunPython.noop)]
