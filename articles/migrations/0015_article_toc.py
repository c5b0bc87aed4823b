from django.db import migrations, models

from articles.text import heading_anchors


def anchor_existing_articles(apps, schema_editor):
    """Articles saved before: anchors in body and reader HTML (same headings, same ids) and
    their table of contents, without a revision or a cache purge."""
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("pk", "body", "body_html").iterator():
        body, toc = heading_anchors(article.body)
        body_html, _toc = heading_anchors(article.body_html)
        Article.objects.filter(pk=article.pk).update(body=body, body_html=body_html, toc=toc)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_article_likes"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="toc",
            field=models.JSONField(
                blank=True, default=list, editable=False, verbose_name="table of contents"
            ),
        ),
        migrations.RunPython(anchor_existing_articles, migrations.RunPython.noop),
    ]
