import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_hero_images_into_library")]

    operations = [
        migrations.RemoveField(model_name="article", name="hero_alt"),
        migrations.RemoveField(model_name="article", name="hero_decorative"),
        migrations.RemoveField(model_name="article", name="hero_renditions"),
        migrations.RemoveField(model_name="article", name="hero_image"),
        migrations.RenameField(
            model_name="article", old_name="hero_library_image", new_name="hero_image"
        ),
        migrations.AlterField(
            model_name="article",
            name="hero_image",
            field=models.ForeignKey(
                blank=True,
                help_text="Search the image library, or add a new image with the plus sign.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="hero_articles",
                to="articles.image",
                verbose_name="hero image",
            ),
        ),
    ]
