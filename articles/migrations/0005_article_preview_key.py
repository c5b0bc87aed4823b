import secrets

from django.db import migrations, models

import articles.models


def give_each_article_its_own_key(apps, schema_editor):
    # AddField computes the default once for all existing rows; each article needs its own.
    Article = apps.get_model("articles", "Article")
    for pk in Article.objects.values_list("pk", flat=True):
        Article.objects.filter(pk=pk).update(preview_key=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_random_image_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="preview_key",
            field=models.CharField(
                default=articles.models.new_preview_key, editable=False, max_length=32
            ),
        ),
        migrations.RunPython(give_each_article_its_own_key, migrations.RunPython.noop),
    ]
