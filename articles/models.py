from __future__ import annotations

from ckeditor_uploader.fields import RichTextUploadingField
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in the navigation (lowest first).")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})


class Author(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Editorial staff")
        GUEST = "guest", _("Guest author")

    name = models.CharField(_("display name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    bio = models.TextField(_("short bio"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="authors/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STAFF)

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """Articles the public may see: published, and their publication time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    teaser = models.TextField(_("teaser"), max_length=600)
    body = RichTextUploadingField(_("body"), blank=True)
    hero_image = models.ImageField(_("hero image"), upload_to="articles/%Y/%m/", blank=True)
    hero_alt = models.CharField(_("alternative text"), max_length=250, blank=True)
    hero_decorative = models.BooleanField(
        _("decorative image"),
        default=False,
        help_text=_("Tick only if the image carries no information; it then needs no alt text."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="articles"
    )
    tags = TaggableManager(_("tags"), blank=True)
    authors = models.ManyToManyField(Author, verbose_name=_("authors"), related_name="articles")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_("A date in the future schedules the article; it goes live by itself."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=160, blank=True)
    featured = models.BooleanField(_("featured"), default=False)
    comments_open = models.BooleanField(_("comments open"), default=True)
    reading_time = models.PositiveSmallIntegerField(_("reading time (minutes)"), default=1)
    # Running totals kept by the apps that own the events (view counting, comment approval),
    # so lists need no joins.
    view_count = models.PositiveBigIntegerField(_("views"), default=0, editable=False)
    comment_count = models.PositiveIntegerField(_("comments"), default=0, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            models.Index(fields=["category", "status", "-published_at"], name="article_cat_pub"),
            models.Index(fields=["-view_count"], name="article_view_count"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})


class ArticleViewDay(models.Model):
    """Views of one article on one day (Europe/Berlin); the history behind ``view_count``."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="view_days"
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("daily views")
        verbose_name_plural = _("daily views")
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="article_view_day_unique"),
        ]
        indexes = [models.Index(fields=["day", "article"], name="article_view_day_by_day")]

    def __str__(self):
        return f"{self.article_id} {self.day}: {self.views}"
