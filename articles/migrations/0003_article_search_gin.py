"""GIN index on the full-text vector: PostgreSQL only, a no-op on SQLite."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_vector_gin "
            "ON articles_article USING GIN (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_article_workflow")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
