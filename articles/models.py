from __future__ import annotations

import secrets
from contextvars import ContextVar
from datetime import datetime

from ckeditor_uploader.fields import RichTextUploadingField
from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.core import signing
from django.db import connections, models
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    Min,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from articles import invalidation
from articles.media import Image, ImageLicenceReminder  # noqa: F401 (registers)
from articles.taxonomy import (  # noqa: F401 (registers; migrations import the mixin from here)
    Author,
    Category,
    DependencyKeysMixin,
    Tag,
    TaggedArticle,
    TagRedirect,
    unique_slug,
)
from articles.text import reading_time, sanitize_body
from articles.workplace import ArticleAutosave, ArticleEditPresence, ReviewRequest  # noqa: F401 (registers)

PREVIEW_SALT = "articles.preview"

# Set by articles.services.article_save while it saves; Article.save refuses to run without
# it, so no code path can skip the workflow (renditions, revision, cache invalidation).
SAVING_THROUGH_SERVICE: ContextVar[bool] = ContextVar("saving_through_service", default=False)


class ArticleSavedPastService(RuntimeError):
    pass


def format_when(moment: datetime) -> str:
    """A moment as editors read it: "3. Dezember 2026, 06:00" (local time)."""
    return date_format(timezone.localtime(moment), "j. F Y, H:i")


def new_preview_key() -> str:
    return secrets.token_hex(16)


def search_vector_of(article_model: type[models.Model], tag_names: Subquery) -> SearchVector:
    """The weighted German full-text vector of an article row, computed by PostgreSQL: title
    (A), teaser, category and tag names (B), body text (C).

    Takes the model and the tag names so the migration that filled the vectors could pass its
    historical ones.
    """
    category_name = (
        article_model._meta.get_field("category")
        .related_model.objects.filter(pk=OuterRef("category_id"))
        .values("name")
    )
    # Tags and character references out of the (sanitised) body HTML.
    body_text = Func(
        F("body"),
        Value(r"<[^>]*>|&#?[a-zA-Z0-9]+;"),
        Value(" "),
        Value("g"),
        function="REGEXP_REPLACE",
        output_field=TextField(),
    )
    return (
        SearchVector("title", weight="A", config="german")
        + SearchVector("teaser", weight="B", config="german")
        + SearchVector(Subquery(category_name), weight="B", config="german")
        + SearchVector(tag_names, weight="B", config="german")
        + SearchVector(body_text, weight="C", config="german")
    )


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """Articles the public may see: published, and their publication time has come."""
        return self.filter(
            status=Article.Status.PUBLISHED, published_at__lte=timezone.now(), trashed_at=None
        )

    def scheduled(self) -> ArticleQuerySet:
        """Published with a future date: they go live by themselves at that time."""
        return self.filter(
            status=Article.Status.PUBLISHED, published_at__gt=timezone.now(), trashed_at=None
        )

    def in_trash(self) -> ArticleQuerySet:
        return self.filter(trashed_at__isnull=False)

    def not_trashed(self) -> ArticleQuerySet:
        return self.filter(trashed_at=None)

    def next_scheduled_publication(self) -> datetime | None:
        """When the next scheduled article goes live (published, with a future date)."""
        return self.scheduled().aggregate(next=Min("published_at"))["next"]

    def for_editor(self, user) -> ArticleQuerySet:
        """Articles an admin user works with. Writers without ``change_any_article`` get only
        those carrying their own byline (Author.user); readers of the admin (view only, e.g.
        moderators) and editors with ``change_any_article`` get all."""
        writes = user.has_perm("articles.add_article") or user.has_perm("articles.change_article")
        if user.has_perm("articles.change_any_article") or not writes:
            return self
        return self.filter(pk__in=Article.objects.filter(authors__user=user).values("pk"))

    def for_listing(self) -> ArticleQuerySet:
        """Everything a card needs, in a constant number of queries."""
        return self.select_related("category", "hero_image").prefetch_related("authors")

    def with_expired_images(self) -> ArticleQuerySet:
        """Articles showing an image whose licence has run out (readers no longer see it)."""
        expired = Image.objects.expired()
        return self.filter(Q(hero_image__in=expired) | Q(body_images__in=expired)).distinct()

    def search(self, text: str) -> ArticleQuerySet:
        """The newest ``ARTICLES_SEARCH_MAX_RESULTS`` matches, best first. PostgreSQL: German
        full-text search (stemming, so "Bewerbungen" finds "Bewerbung"), title weighted above
        teaser above body.

        Only the newest matches are ranked: ranking reads every matching vector, and a common
        word matches a quarter of a career magazine, so the cost would grow with the archive.
        """
        limit = settings.ARTICLES_SEARCH_MAX_RESULTS
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(text, config="german", search_type="websearch")
            newest = self.filter(search_vector=query).order_by("-published_at", "-id")
            return (
                self.filter(pk__in=newest.values("pk")[:limit])
                .annotate(rank=SearchRank(F("search_vector"), query))
                .order_by("-rank", "-published_at", "-id")
            )
        matches = Q()
        for word in text.split():
            tagged = self.model.objects.filter(tags__name__icontains=word).values("pk")
            matches &= (
                Q(title__icontains=word)
                | Q(teaser__icontains=word)
                | Q(body__icontains=word)
                | Q(category__name__icontains=word)
                | Q(pk__in=tagged)
            )
        newest = self.filter(matches).order_by("-published_at", "-id")
        return self.filter(pk__in=newest.values("pk")[:limit]).order_by("-published_at", "-id")

    def update_search_vectors(self) -> None:
        """Rewrite the full-text vectors of these articles in one UPDATE (PostgreSQL only)."""
        if connections[self.db].vendor == "postgresql":
            tag_names = (
                Article.objects.filter(pk=OuterRef("pk"))
                .values("pk")
                .annotate(names=StringAgg("tags__name", delimiter=" "))
                .values("names")
            )
            self.update(search_vector=search_vector_of(self.model, Subquery(tag_names)))

    def related_to(self, article: Article, *, tag_ids: list[int], limit: int) -> ArticleQuerySet:
        """Others sharing the most tags first, then the same category, then the newest: one
        query that still fills the box when nothing matches.

        Only a few candidates are ranked (the best by shared tags, the newest of the category,
        the newest overall), each found through an index, so the cost does not grow with the
        number of articles.
        """
        others = self.exclude(pk=article.pk)
        by_tags = (
            others.filter(tagged_items__tag_id__in=tag_ids)
            .annotate(shared=Count("tagged_items"))
            .order_by("-shared", "-published_at", "-id")
        )
        by_category = others.filter(category_id=article.category_id).order_by("-published_at")
        newest = others.order_by("-published_at", "-id")
        pools = [queryset.values("pk")[:limit] for queryset in (by_tags, by_category, newest)]
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            # One IN over a UNION lets PostgreSQL look the few ids up by primary key; with
            # three ORed INs it scans the table.
            candidates = Q(pk__in=pools[0].union(*pools[1:], all=True))
        else:
            candidates = Q(pk__in=pools[0]) | Q(pk__in=pools[1]) | Q(pk__in=pools[2])
        shared_tags = (
            TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag_id__in=tag_ids)
            .order_by()
            .values("content_object")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            self.filter(candidates)
            .annotate(
                # Counted per candidate, not by joining every tagged item of every article.
                shared_tags=Coalesce(Subquery(shared_tags), 0),
                same_category=Case(
                    When(category_id=article.category_id, then=Value(1)), default=Value(0)
                ),
            )
            .order_by("-shared_tags", "-same_category", "-published_at", "-id")[:limit]
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_(
            "Part of the address. Leave empty to build it from the title. Changing it on a "
            "published article keeps the old address working (redirect)."
        ),
    )
    teaser = models.TextField(_("teaser"), max_length=600)
    body = RichTextUploadingField(_("body"), blank=True)
    # The reader's HTML of the body: library images as figures with renditions and credits,
    # rendered on save (articles.media.render_body). Empty for rows written without save().
    body_html = models.TextField(blank=True, editable=False)
    # The H2s' anchors and titles, [{"id", "title"}], from articles.text.heading_anchors.
    toc = models.JSONField(_("table of contents"), default=list, blank=True, editable=False)
    body_images = models.ManyToManyField(
        Image, blank=True, editable=False, related_name="body_articles"
    )
    hero_image = models.ForeignKey(
        Image,
        verbose_name=_("hero image"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hero_articles",
        help_text=_("Search the image library, or add a new image with the plus sign."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="articles"
    )
    tags = TaggableManager(_("tags"), blank=True, through=TaggedArticle)
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
    # Part of every shareable preview link; a new key revokes the links handed out before.
    preview_key = models.CharField(max_length=32, default=new_preview_key, editable=False)
    reading_time = models.PositiveSmallIntegerField(_("reading time (minutes)"), default=1)
    # Running totals kept by the apps that own the events (view counting, comment approval),
    # so lists need no joins.
    view_count = models.PositiveBigIntegerField(_("views"), default=0, editable=False)
    comment_count = models.PositiveIntegerField(_("comments"), default=0, editable=False)
    # db_default: code of the previous release, still running during a deployment, inserts
    # rows without these columns.
    like_count = models.PositiveIntegerField(_("likes"), db_default=0, editable=False)
    # Weighted German full-text vector (search_vector_of), written on PostgreSQL only (GIN-indexed
    # there, see migration 0003) when the article, its category or its tags change; unused on
    # SQLite, where search falls back to icontains.
    search_vector = SearchVectorField(null=True, editable=False)
    # In the trash (Papierkorb) since then; readers and the article list no longer see it.
    trashed_at = models.DateTimeField(
        _("moved to the trash"), null=True, blank=True, editable=False
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("publish_article", _("Can publish articles")),
            ("change_any_article", _("Can edit articles of other authors")),
            ("empty_trash", _("Can empty the article trash")),
        ]
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

    def save(self, *args, **kwargs):
        # Only cheap, local derivations here; the write workflow (body rendering, slug history,
        # search vector, cache invalidation, revision) is articles.services.article_save.
        if not SAVING_THROUGH_SERVICE.get():
            raise ArticleSavedPastService(
                "Save articles with articles.services.article_save, not Article.save()."
            )
        if not self.slug:
            self.slug = unique_slug(Article, self.title, exclude_pk=self.pk)
        self.body = sanitize_body(self.body or "")
        self.reading_time = reading_time(self.teaser, self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def delete(self, *args, **kwargs):
        invalidation.article_changed(self)  # while it still has its pk, tags and authors
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # What the row held when loaded: article_save compares against it (slug history)
        # without another query.
        article._loaded = {name: article.__dict__.get(name) for name in ("slug", "status")}
        return article

    @property
    def is_guest_post(self) -> bool:
        # Any guest among the authors; reads the authors for_listing prefetched.
        return any(author.is_guest for author in self.authors.all())

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def state_label(self) -> str:
        """The status as editors need it: a published article with a future date is
        "Geplant für 3. Dezember 2026, 06:00", not "Veröffentlicht"."""
        if self.trashed_at:
            return gettext("In the trash")
        if self.is_scheduled:
            return gettext("Scheduled for %(when)s") % {"when": format_when(self.published_at)}
        return self.get_status_display()

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def hero_rendition_for_sharing(self) -> dict | None:
        """URL, size and alt text of the largest JPEG rendition of the hero image: what share
        previews and feed readers want (about 1200 px wide, JPEG everywhere). None while there
        is no image or its licence has expired."""
        image = self.hero_image
        if image is None or image.is_expired or not (items := image.shape("original")):
            return None
        largest = items[-1]
        return {
            "url": image.file.storage.url(largest["jpg"]),
            "width": largest["width"],
            "height": largest["height"],
            "alt": image.alt,
        }

    def preview_token(self) -> str:
        return signing.TimestampSigner(salt=PREVIEW_SALT).sign_object(
            {"id": self.pk, "key": self.preview_key}
        )

    @classmethod
    def from_preview_token(cls, token: str) -> Article | None:
        """The article a shareable preview link points to, or None when it is forged or
        older than ``ARTICLES_PREVIEW_MAX_AGE``."""
        try:
            data = signing.TimestampSigner(salt=PREVIEW_SALT).unsign_object(
                token, max_age=settings.ARTICLES_PREVIEW_MAX_AGE
            )
        except signing.BadSignature:  # includes SignatureExpired
            return None
        return (
            cls.objects.for_listing().filter(pk=data.get("id"), preview_key=data.get("key")).first()
        )

    def revoke_preview_links(self) -> None:
        """Every shareable preview link handed out so far stops working."""
        self.preview_key = new_preview_key()
        Article.objects.filter(pk=self.pk).update(preview_key=self.preview_key)


class SlugRedirect(models.Model):
    """An address an article had while it was published; it answers with a 301."""

    old_slug = models.SlugField(_("old slug"), max_length=200, unique=True)
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="redirects"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


class ArticleViewDay(models.Model):
    """Views and likes of one article on one day (Europe/Berlin); the history behind
    ``view_count`` and ``like_count``."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="view_days"
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)
    likes = models.PositiveIntegerField(_("likes"), db_default=0)

    class Meta:
        verbose_name = _("daily views")
        verbose_name_plural = _("daily views")
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="article_view_day_unique"),
        ]
        indexes = [models.Index(fields=["day", "article"], name="article_view_day_by_day")]

    def __str__(self):
        return f"{self.article_id} {self.day}: {self.views} / {self.likes}"


# Tags change through django-taggit's manager (the admin form, services, the shell) and through
# renamed or deleted tags, none of which passes through Article.save(); these signals are the
# one place where all of them announce it.
TAG_MODEL = Article._meta.get_field("tags").remote_field.model


@receiver(m2m_changed, sender=Article.tags.through)
def _article_tags_changed(sender, instance, action, reverse, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and not reverse:
        Article.objects.filter(pk=instance.pk).update_search_vectors()


@receiver(post_save, sender=TAG_MODEL)
def _tag_renamed(sender, instance, created, **kwargs):
    if not created:
        Article.objects.filter(tags=instance).update_search_vectors()


@receiver(pre_delete, sender=TAG_MODEL)
def _tag_deleting(sender, instance, **kwargs):
    # Its links to articles are gone once it is deleted: note them now.
    instance.tagged_article_ids = list(
        Article.objects.filter(tags=instance).values_list("pk", flat=True)
    )


@receiver(post_delete, sender=TAG_MODEL)
def _tag_deleted(sender, instance, **kwargs):
    Article.objects.filter(pk__in=instance.tagged_article_ids).update_search_vectors()
