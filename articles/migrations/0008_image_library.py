import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import articles.images


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_article_workplace"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImageLicenceReminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("week", models.DateField(unique=True, verbose_name="week")),
                ("sent_at", models.DateTimeField(auto_now_add=True, verbose_name="sent")),
            ],
            options={
                "verbose_name": "licence reminder",
                "verbose_name_plural": "licence reminders",
            },
        ),
        migrations.CreateModel(
            name="Image",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.ImageField(
                        height_field="height",
                        upload_to=articles.images.RandomImageName("images"),
                        validators=[articles.images.validate_image_upload],
                        verbose_name="image file",
                        width_field="width",
                    ),
                ),
                (
                    "width",
                    models.PositiveIntegerField(editable=False, null=True, verbose_name="width"),
                ),
                (
                    "height",
                    models.PositiveIntegerField(editable=False, null=True, verbose_name="height"),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "alt_text",
                    models.CharField(
                        blank=True,
                        help_text="What the picture shows, for people who cannot see it.",
                        max_length=250,
                        verbose_name="alternative text",
                    ),
                ),
                (
                    "decorative",
                    models.BooleanField(
                        default=False,
                        help_text="Tick only if the image carries no information; it then needs no alt text.",
                        verbose_name="decorative image",
                    ),
                ),
                ("caption", models.CharField(blank=True, max_length=300, verbose_name="caption")),
                (
                    "credit",
                    models.CharField(
                        help_text="Who must be named (§ 13 UrhG), e.g. “Foto: Anna Müller / Agentur”.",
                        max_length=200,
                        verbose_name="credit",
                    ),
                ),
                (
                    "licence",
                    models.CharField(
                        choices=[
                            ("own", "Own picture (staff photographer, commissioned)"),
                            ("agency", "Agency / picture library"),
                            ("cc-by", "Creative Commons BY"),
                            ("cc-by-sa", "Creative Commons BY-SA"),
                            ("cc-by-nd", "Creative Commons BY-ND"),
                            ("cc-by-nc", "Creative Commons BY-NC"),
                            ("cc-by-nc-sa", "Creative Commons BY-NC-SA"),
                            ("cc-by-nc-nd", "Creative Commons BY-NC-ND"),
                            ("cc0", "CC0 (no rights reserved)"),
                            ("public-domain", "Public domain"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="licence",
                    ),
                ),
                (
                    "licence_version",
                    models.CharField(
                        blank=True,
                        choices=[("4.0", "4.0"), ("3.0", "3.0"), ("2.0", "2.0")],
                        help_text="Creative Commons licences only.",
                        max_length=5,
                        verbose_name="licence version",
                    ),
                ),
                ("source_url", models.URLField(blank=True, verbose_name="source URL")),
                (
                    "licence_until",
                    models.DateField(
                        blank=True,
                        help_text="Last day the image may be shown. Empty: no end. Afterwards readers no longer see it.",
                        null=True,
                        verbose_name="licence valid until",
                    ),
                ),
                (
                    "focal_x",
                    models.FloatField(
                        default=50,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        help_text="Click the preview to set it. Crops keep this point in view.",
                        verbose_name="focal point horizontal (%)",
                    ),
                ),
                (
                    "focal_y",
                    models.FloatField(
                        default=50,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="focal point vertical (%)",
                    ),
                ),
                ("renditions", models.JSONField(blank=True, default=dict, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "image",
                "verbose_name_plural": "images",
                "ordering": ["-created_at", "-id"],
                "permissions": [("delete_used_image", "Can delete images that articles use")],
                "indexes": [models.Index(fields=["licence_until"], name="image_licence_until")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("focal_x__gte", 0),
                            ("focal_x__lte", 100),
                            ("focal_y__gte", 0),
                            ("focal_y__lte", 100),
                        ),
                        name="image_focal_point_in_image",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="body_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="article",
            name="body_images",
            field=models.ManyToManyField(
                blank=True, editable=False, related_name="body_articles", to="articles.image"
            ),
        ),
        # Named so beside the old hero fields; 0008 renames it to hero_image once they are gone.
        migrations.AddField(
            model_name="article",
            name="hero_library_image",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="hero_articles",
                to="articles.image",
                verbose_name="hero image",
            ),
        ),
    ]
