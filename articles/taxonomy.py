"""How articles are filed: categories, authors and tags (with German slugs and the old tag
addresses), and the slug rule they share with articles."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import ItemBase, TagBase

from articles import invalidation
from articles.images import ImageFieldNamedByFormat, RandomImageName, validate_image_upload
from articles.text import german_slugify


def unique_slug(
    model: type[models.Model], text: str, *, exclude_pk: int | None = None, fallback="artikel"
) -> str:
    """German slug of ``text``, with ``-2``, ``-3``... appended while it is taken."""
    base = german_slugify(text)[:190] or fallback
    slug, number = base, 1
    taken = model._default_manager.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


class DependencyKeysMixin:
    """Readers see these models on cached pages: every change invalidates the pages showing
    them once the transaction commits (articles/invalidation.py)."""

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        invalidation.changed(self)

    def delete(self, *args, **kwargs):
        invalidation.changed(self)  # while it still has its pk
        return super().delete(*args, **kwargs)


class Category(DependencyKeysMixin, models.Model):
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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Search finds articles by their category's name.
        self.articles.update_search_vectors()

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})


class Author(DependencyKeysMixin, models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Editorial staff")
        GUEST = "guest", _("Guest author")

    name = models.CharField(_("display name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    bio = models.TextField(_("short bio"), blank=True)
    photo = ImageFieldNamedByFormat(
        _("photo"),
        upload_to=RandomImageName("authors"),
        blank=True,
        validators=[validate_image_upload],
    )
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

    @property
    def is_guest(self) -> bool:
        return self.kind == self.Kind.GUEST


class Tag(DependencyKeysMixin, TagBase):
    """A taggit tag whose slug follows the German rule of the whole site ("Führung" ->
    "fuehrung"); taggit's own keeps umlauts, which the tag address cannot carry."""

    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("Part of the address. Leave empty to build it from the name."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Tag, self.name, exclude_pk=self.pk, fallback="thema")
        with transaction.atomic(using=kwargs.get("using")):
            old_slug = (
                Tag.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
                if self.pk
                else None
            )
            super().save(*args, **kwargs)
            # Like articles: the new address never redirects, the old one keeps working.
            TagRedirect.objects.filter(old_slug=self.slug).delete()
            if old_slug and old_slug != self.slug:
                TagRedirect.objects.update_or_create(old_slug=old_slug, defaults={"tag": self})

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class TagRedirect(models.Model):
    """A former tag address (an older slug rule or a renamed tag); it answers with a 301."""

    # Old slugs may hold any letter (taggit kept umlauts), so this is no SlugField.
    old_slug = models.CharField(_("old slug"), max_length=200, unique=True)
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), on_delete=models.CASCADE, related_name="redirects"
    )

    class Meta:
        verbose_name = _("old tag address")
        verbose_name_plural = _("old tag addresses")

    def __str__(self):
        return f"{self.old_slug} → {self.tag.slug}"


class TaggedArticle(ItemBase):
    """taggit's link between an article and a tag, with a real foreign key to the article."""

    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), on_delete=models.CASCADE, related_name="tagged_articles"
    )
    content_object = models.ForeignKey(
        "Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique"),
        ]
