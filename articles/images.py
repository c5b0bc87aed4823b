"""Image checks for every upload (library images, author photos) and the renditions of library
images."""

from __future__ import annotations

import io
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# The raster formats browsers show everywhere (as Pillow names them), with the extension a file
# of that format is stored under. SVG is never accepted: it can carry scripts.
FORMAT_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
RENDITION_WIDTHS = (400, 800, 1200)


def validate_image_upload(file) -> None:
    """Refuse anything that is not a real raster image within the size limit.

    Pillow decides, not the file name or the browser's content type: an HTML file named
    ``.jpg`` or an SVG fails here. Pillow's decompression-bomb guard stays on.
    """
    limit = settings.ARTICLES_IMAGE_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The image is too large (%(size)s). At most %(limit)s are allowed.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="image_too_large",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            image.verify()
    except Exception as error:  # Pillow raises many types for broken or hostile files.
        raise ValidationError(
            _("This file is not an image we can use. Please upload a JPEG, PNG, GIF or WebP."),
            code="invalid_image",
        ) from error
    finally:
        file.seek(position)
    if image_format not in FORMAT_EXTENSIONS:
        raise ValidationError(
            _("Images in the format %(format)s are not allowed. Please upload a JPEG, PNG, GIF "
              "or WebP.") % {"format": image_format},
            code="invalid_image_format",
        )  # fmt: skip


# The shapes the site shows, as (width / height or None for the image's own, widths).
# hero 16:9 on article pages and the home page, card 3:2 in lists, square 1:1 in Top-Artikel,
# original in article bodies.
SHAPES: dict[str, tuple[float | None, tuple[int, ...]]] = {
    "original": (None, RENDITION_WIDTHS),
    "hero": (16 / 9, RENDITION_WIDTHS),
    "card": (3 / 2, (400, 800)),
    "square": (1.0, (160, 320)),
}


def open_for_renditions(storage: Storage, name: str) -> Image.Image:
    """The stored image upright (EXIF orientation applied) and in RGB, transparency laid on
    white (JPEG has none, and black behind a logo is worse than white)."""
    with storage.open(name) as source, Image.open(source) as original:
        original.load()
        image = ImageOps.exif_transpose(original)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def focal_crop(image: Image.Image, ratio: float | None, focal: tuple[float, float]) -> Image.Image:
    """The largest ``ratio`` (width / height) cut of the image centred as near to the focal
    point (fractions 0-1 of width and height) as the edges allow."""
    width, height = image.size
    if ratio is None:
        return image
    if width / height > ratio:
        crop_w, crop_h = round(height * ratio), height
    else:
        crop_w, crop_h = width, round(width / ratio)
    left = min(max(round(focal[0] * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(focal[1] * height - crop_h / 2), 0), height - crop_h)
    return image.crop((left, top, left + crop_w, top + crop_h))


def image_extension(file) -> str:
    """The file extension of the image format Pillow finds in the file (never the uploader's:
    the web server picks the content type from it)."""
    position = file.tell()
    file.seek(0)
    try:
        with Image.open(file) as image:
            return FORMAT_EXTENSIONS.get(image.format, ".jpg")
    finally:
        file.seek(position)


def make_renditions(
    storage: Storage,
    name: str,
    *,
    focal: tuple[float, float] = (0.5, 0.5),
    shapes: tuple[str, ...] = tuple(SHAPES),
) -> dict:
    """Write WebP and JPEG copies of every shape at its widths, once, at save time.

    Returns what templates need to build ``srcset``: the upright original size and, per shape
    and width, the size and stored names. Widths larger than the cut are skipped (no
    upscaling). No rendition carries the original's metadata (EXIF, GPS, XMP, comments).
    """
    image = open_for_renditions(storage, name)
    stem = str(PurePosixPath(name).with_suffix(""))
    made = {}
    for shape in shapes:
        ratio, widths = SHAPES[shape]
        cut = focal_crop(image, ratio, focal)
        cut_w, cut_h = cut.size
        targets = sorted({w for w in widths if w < cut_w} | {min(cut_w, widths[-1])})
        items = []
        for target in targets:
            size = (target, max(1, round(cut_h * target / cut_w)))
            resized = cut.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            resized.info = {}  # nothing of the original's metadata goes along
            item = {"width": size[0], "height": size[1]}
            for ext, pil_format, options in (
                ("webp", "WEBP", {"quality": 80}),
                ("jpg", "JPEG", {"quality": 82, "optimize": True, "progressive": True}),
            ):
                buffer = io.BytesIO()
                resized.save(buffer, format=pil_format, **options)
                target_name = f"{stem}-{shape}-{target}.{ext}"
                if storage.exists(target_name):
                    storage.delete(target_name)
                item[ext] = storage.save(target_name, ContentFile(buffer.getvalue()))
            items.append(item)
        made[shape] = items
    return {"width": image.width, "height": image.height, "shapes": made}


def rendition_files(renditions: dict) -> list[str]:
    """Every stored file name in a ``make_renditions`` result."""
    return [
        item[ext]
        for items in (renditions or {}).get("shapes", {}).values()
        for item in items
        for ext in ("webp", "jpg")
        if item.get(ext)
    ]


@deconstructible
class RandomImageName:
    """``upload_to`` for images: a random name in ``folder/YYYY/MM/`` with the extension of the
    format Pillow finds in the file, whatever the uploader called it (for fields of
    ``ImageFieldNamedByFormat``, which hand it the name with that extension).

    Names then say nothing about people or drafts, and the stored extension is always that of
    the real format: the web server picks the content type from it, so a (validated) image
    uploaded as ``bild.html`` or a PNG named ``.jpg`` is not stored under that name.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        # The name's extension is the real format's already (ImageFieldFileNamedByFormat).
        extension = PurePosixPath(filename).suffix
        return f"{self.folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomImageName) and other.folder == self.folder


class ImageFieldFileNamedByFormat(ImageFieldFile):
    """Every save, from a form, the admin or code, names the file by the format Pillow finds in
    it (``image_extension``), never by the name it came with."""

    def save(self, name, content, save=True):
        super().save(f"upload{image_extension(content)}", content, save)


class ImageFieldNamedByFormat(models.ImageField):
    """An image field whose stored extension is that of the file's real format."""

    attr_class = ImageFieldFileNamedByFormat
