"""The image library: pictures with alt text, caption, credit and licence, reused by articles.

Renditions (every shape the site shows, WebP and JPEG) are made once when an image is saved,
never per request; article bodies are rendered with them when the article is saved.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import invalidation
from articles.images import (
    ImageFieldNamedByFormat,
    RandomImageName,
    make_renditions,
    rendition_files,
    validate_image_upload,
)
from karriere.outbox import OutgoingMail

CC_URLS = {
    "cc-by": "by",
    "cc-by-sa": "by-sa",
    "cc-by-nd": "by-nd",
    "cc-by-nc": "by-nc",
    "cc-by-nc-sa": "by-nc-sa",
    "cc-by-nc-nd": "by-nc-nd",
}
# A stored rendition: "<stem>-<shape>-<width>.<ext>" (see articles.images.make_renditions).
RENDITION_NAME = re.compile(r"^(?P<stem>.+)-(?:original|hero|card|square)-\d+\.(?:webp|jpg)$")


def licence_end(valid_until: date) -> datetime:
    """The moment a licence "valid until" a date runs out: the end of that day in Germany."""
    return timezone.make_aware(datetime.combine(valid_until + timedelta(days=1), time.min))


class ImageQuerySet(models.QuerySet):
    def expired(self) -> ImageQuerySet:
        return self.filter(licence_until__lt=timezone.localdate())

    def expiring(self, *, days: int = 30) -> ImageQuerySet:
        """Licences still valid today that run out within ``days`` days."""
        today = timezone.localdate()
        return self.filter(licence_until__gte=today, licence_until__lte=today + timedelta(days))

    def unused(self) -> ImageQuerySet:
        return self.filter(hero_articles__isnull=True, body_articles__isnull=True)

    def used(self) -> ImageQuerySet:
        return self.filter(Q(hero_articles__isnull=False) | Q(body_articles__isnull=False))

    def with_usage(self) -> ImageQuerySet:
        """Annotates ``usage``: in how many articles (hero or body) the image appears."""
        # The article model through the relation: articles.models imports this module.
        Article = self.model._meta.get_field("hero_articles").related_model
        articles = (
            Article.objects.filter(Q(hero_image=OuterRef("pk")) | Q(body_images=OuterRef("pk")))
            .order_by()
            .values(one=models.Value(1))
            .annotate(count=Count("pk", distinct=True))
            .values("count")
        )
        return self.annotate(usage=Coalesce(Subquery(articles), 0))

    def next_licence_end(self) -> datetime | None:
        """When the next licence of a shown image runs out (readers must stop seeing it)."""
        upcoming = self.filter(licence_until__gte=timezone.localdate()).aggregate(
            first=models.Min("licence_until")
        )["first"]
        return licence_end(upcoming) if upcoming else None


class Image(models.Model):
    class Licence(models.TextChoices):
        OWN = "own", _("Own picture (staff photographer, commissioned)")
        AGENCY = "agency", _("Agency / picture library")
        CC_BY = "cc-by", "Creative Commons BY"
        CC_BY_SA = "cc-by-sa", "Creative Commons BY-SA"
        CC_BY_ND = "cc-by-nd", "Creative Commons BY-ND"
        CC_BY_NC = "cc-by-nc", "Creative Commons BY-NC"
        CC_BY_NC_SA = "cc-by-nc-sa", "Creative Commons BY-NC-SA"
        CC_BY_NC_ND = "cc-by-nc-nd", "Creative Commons BY-NC-ND"
        CC0 = "cc0", _("CC0 (no rights reserved)")
        PUBLIC_DOMAIN = "public-domain", _("Public domain")
        OTHER = "other", _("Other")

    class LicenceVersion(models.TextChoices):
        V4 = "4.0", "4.0"
        V3 = "3.0", "3.0"
        V2 = "2.0", "2.0"

    file = ImageFieldNamedByFormat(
        _("image file"),
        upload_to=RandomImageName("images"),
        validators=[validate_image_upload],
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=250,
        blank=True,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    decorative = models.BooleanField(
        _("decorative image"),
        default=False,
        help_text=_("Tick only if the image carries no information; it then needs no alt text."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    # Images that came in before the library have none (""): the admin filters them.
    credit = models.CharField(
        _("credit"),
        max_length=200,
        help_text=_("Who must be named (§ 13 UrhG), e.g. “Foto: Anna Müller / Agentur”."),
    )
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices)
    licence_version = models.CharField(
        _("licence version"),
        max_length=5,
        choices=LicenceVersion.choices,
        blank=True,
        help_text=_("Creative Commons licences only."),
    )
    source_url = models.URLField(_("source URL"), blank=True)
    licence_until = models.DateField(
        _("licence valid until"),
        null=True,
        blank=True,
        help_text=_("Last day the image may be shown. Empty: no end. Afterwards readers no "
                    "longer see it."),
    )  # fmt: skip
    focal_x = models.FloatField(
        _("focal point horizontal (%)"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Click the preview to set it. Crops keep this point in view."),
    )
    focal_y = models.FloatField(
        _("focal point vertical (%)"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Sizes and stored names of every shape's renditions, made when the file or focal point
    # changes (articles.images.make_renditions).
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        permissions = [("delete_used_image", _("Can delete images that articles use"))]
        indexes = [models.Index(fields=["licence_until"], name="image_licence_until")]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=100, focal_y__gte=0, focal_y__lte=100),
                name="image_focal_point_in_image",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded", {})
        using = kwargs.get("using")
        if self.file and not self.file._committed:
            # Store the upload first so the renditions are made from the stored file (under a
            # random name with the extension of its real format: ImageFieldNamedByFormat).
            self.file.save(self.file.name, self.file.file, save=False)
        source = (str(self.file), self.focal_x, self.focal_y)
        stale = []
        if self.file and (source != _as_source(loaded.get("source")) or not self.renditions):
            self.renditions = make_renditions(
                self.file.storage, self.file.name, focal=(self.focal_x / 100, self.focal_y / 100)
            )
            current = {str(self.file), *rendition_files(self.renditions)}
            stale = [name for name in loaded.get("files", []) if name and name not in current]
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:
            self._render_bodies_again()
        self._loaded = {
            "source": source,
            "files": [str(self.file), *rendition_files(self.renditions)],
        }
        if stale:
            # Only after the commit: a rollback must not leave the image without its files.
            storage = self.file.storage
            transaction.on_commit(lambda: [storage.delete(n) for n in stale], using=using)
        invalidation.image_changed(self)

    def delete(self, *args, **kwargs):
        files = [str(self.file), *rendition_files(self.renditions)]
        storage = self.file.storage
        invalidation.image_changed(self)  # while it still knows its articles
        result = super().delete(*args, **kwargs)
        using = kwargs.get("using")
        transaction.on_commit(lambda: [storage.delete(n) for n in files if n], using=using)
        return result

    @classmethod
    def from_db(cls, db, field_names, values):
        image = super().from_db(db, field_names, values)
        # What the renditions were made from: save() remakes them only when this changes.
        image._loaded = {
            "source": (image.__dict__.get("file"), image.__dict__.get("focal_x"),
                       image.__dict__.get("focal_y")),
            "files": [image.__dict__.get("file")] + rendition_files(
                image.__dict__.get("renditions") or {}
            ),
        }  # fmt: skip
        return image

    def _render_bodies_again(self) -> None:
        """Articles show this image in their body as markup rendered when they were saved: a
        new caption, credit, alt text or crop must reach them without anyone saving them."""
        for article in self.body_articles.only("pk", "body"):
            html, _ = render_body(article.body)
            type(article).objects.filter(pk=article.pk).update(body_html=html)

    def clean(self):
        super().clean()
        errors = {}
        if not self.decorative and not self.alt_text.strip():
            errors["alt_text"] = _(
                "Describe the image for people who cannot see it, or tick “decorative image”."
            )
        if self.licence in CC_URLS and not self.licence_version:
            errors["licence_version"] = _("Creative Commons licences need their version.")
        if errors:
            raise ValidationError(errors)

    # --- what readers see --------------------------------------------------------------------

    @property
    def alt(self) -> str:
        return "" if self.decorative else self.alt_text

    @property
    def is_expired(self) -> bool:
        return self.licence_until is not None and self.licence_until < timezone.localdate()

    @property
    def licence_name(self) -> str:
        """Short licence label as credits write it, e.g. "CC BY-SA 4.0"."""
        if self.licence in CC_URLS:
            return f"CC {CC_URLS[self.licence].upper()} {self.licence_version}".strip()
        if self.licence == self.Licence.CC0:
            return "CC0 1.0"
        return ""

    @property
    def licence_url(self) -> str:
        if self.licence in CC_URLS and self.licence_version:
            return (
                f"https://creativecommons.org/licenses/{CC_URLS[self.licence]}/"
                f"{self.licence_version}/deed.de"
            )
        if self.licence == self.Licence.CC0:
            return "https://creativecommons.org/publicdomain/zero/1.0/deed.de"
        return ""

    @property
    def credit_line(self) -> str:
        """The credit as printed under the picture: Creative Commons wants its licence named."""
        return ", ".join(part for part in (self.credit, self.licence_name) if part)

    def shape(self, name: str) -> list[dict]:
        shapes = (self.renditions or {}).get("shapes") or {}
        return shapes.get(name) or shapes.get("original") or []

    def picture(
        self, shape: str, *, sizes: str, lazy: bool = True, css_class: str = "", alt=None
    ) -> dict:
        """What ``articles/_picture.html`` needs: WebP and JPEG srcsets of one shape, the size
        of its largest rendition (so the browser reserves the space) and the alt text."""
        items = self.shape(shape)
        url = self.file.storage.url
        picture = {"sizes": sizes, "lazy": lazy, "css_class": css_class}
        picture["alt"] = self.alt if alt is None else alt
        if not items:
            return {**picture, "src": self.file.url, "width": self.width, "height": self.height}
        return {
            **picture,
            "src": url(items[-1]["jpg"]),
            "width": items[-1]["width"],
            "height": items[-1]["height"],
            "webp_srcset": ", ".join(f"{url(item['webp'])} {item['width']}w" for item in items),
            "jpeg_srcset": ", ".join(f"{url(item['jpg'])} {item['width']}w" for item in items),
        }

    @property
    def thumbnail_url(self) -> str:
        items = self.shape("square")
        return self.file.storage.url(items[0]["jpg"]) if items else self.file.url

    def largest_url(self, shape: str = "original") -> str:
        items = self.shape(shape)
        return self.file.storage.url(items[-1]["jpg"]) if items else self.file.url


def _as_source(value) -> tuple | None:
    return (str(value[0] or ""), value[1], value[2]) if value else None


class ImageLicenceReminder(OutgoingMail):
    """The week's reminder mail about ending licences: one row per week, claimed before it is
    sent (karriere.outbox), so a retried or doubled task never mails the Redaktion twice."""

    week = models.DateField(_("week"), unique=True)

    class Meta(OutgoingMail.Meta):
        verbose_name = _("licence reminder")
        verbose_name_plural = _("licence reminders")

    def __str__(self):
        return str(self.week)


# --- article bodies ---------------------------------------------------------------------------

BODY_IMAGE_SIZES = "(min-width: 60em) 44em, 100vw"
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")


def _library_name(src: str) -> str | None:
    """The stored file name an own media URL points to, renditions mapped to the original's
    stem (``images/…/abc``), or None."""
    path = html.unescape(src)
    if not path.startswith(settings.MEDIA_URL):
        path = path.split("://", 1)[-1]
        path = path[path.find("/") :] if "/" in path else ""
        if not path.startswith(settings.MEDIA_URL):
            return None
    name = path[len(settings.MEDIA_URL) :]
    match = RENDITION_NAME.match(name)
    return match.group("stem") if match else name.rsplit(".", 1)[0]


def render_body(body: str) -> tuple[str, list[int]]:
    """The reader's HTML of a (sanitised) body: every image from the library becomes a
    ``<figure>`` with renditions, size, lazy loading, caption and credit. Returns the HTML and
    the ids of the library images used. Run on save, never per request."""
    tags = _IMG_TAG.findall(body)
    stems = {stem for tag in tags if (stem := _library_name(_attributes(tag).get("src", "")))}
    if not stems:
        return body, []
    by_stem = {}
    query = Q()
    for stem in stems:
        query |= Q(file__startswith=stem + ".")
    for image in Image.objects.filter(query):
        by_stem[str(image.file).rsplit(".", 1)[0]] = image
    used: list[int] = []

    def replace(match: re.Match) -> str:
        attributes = _attributes(match.group(0))
        image = by_stem.get(_library_name(attributes.get("src", "")) or "")
        if image is None:
            return match.group(0)
        used.append(image.pk)
        picture = image.picture(
            "original", sizes=BODY_IMAGE_SIZES, alt=attributes.get("alt") or image.alt
        )
        figure = render_to_string(
            "articles/_figure.html", {"image": image, "picture": picture, "figure_class": "bild"}
        ).strip()
        before = body[: match.start()]
        inside_paragraph = before.rfind("<p>") > before.rfind("</p>")
        # A figure cannot sit in a paragraph: close it around the figure.
        return f"</p>{figure}<p>" if inside_paragraph else figure

    rendered = _EMPTY_PARAGRAPH.sub("", _IMG_TAG.sub(replace, body))
    return rendered, list(dict.fromkeys(used))


def _attributes(tag: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}


_BODY_FIGURE = re.compile(r'<figure class="bild" data-bild="(\d+)">.*?</figure>', re.DOTALL)


def shown_body(body_html: str, images: list[Image]) -> str:
    """The body as readers may see it now: without the figures of images whose licence has
    expired or that were deleted since the article was saved (``images``: its body images)."""
    shown = {str(image.pk) for image in images if not image.is_expired}
    return _BODY_FIGURE.sub(lambda m: m.group(0) if m.group(1) in shown else "", body_html)
