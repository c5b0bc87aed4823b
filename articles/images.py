"""Image checks for every upload (hero images, author photos, CKEditor) and hero renditions."""

from __future__ import annotations

import io
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# Raster formats browsers show everywhere. SVG is never accepted: it can carry scripts.
ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
RENDITION_WIDTHS = (400, 800, 1200)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}


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
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("Images in the format %(format)s are not allowed. Please upload a JPEG, PNG, GIF "
              "or WebP.") % {"format": image_format},
            code="invalid_image_format",
        )  # fmt: skip


def make_renditions(storage: Storage, name: str) -> dict:
    """Write WebP and JPEG copies of the image at the standard widths, once, at save time.

    Returns what templates need to build ``srcset``: the original size and, per width, the
    stored names. Widths larger than the original are skipped (no upscaling).
    """
    with storage.open(name) as source, Image.open(source) as original:
        original.load()
        # Phones store photos sideways and say how to turn them in EXIF; browsers would show
        # our EXIF-less renditions sideways.
        upright = ImageOps.exif_transpose(original)
        width, height = upright.size
        if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
            # JPEG has no alpha: transparent areas would turn black, so lay them on white.
            rgba = upright.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        else:
            image = upright.convert("RGB")
    stem = PurePosixPath(name)
    base = str(stem.with_suffix("")) + "-{width}.{ext}"
    sources = []
    for target in [w for w in RENDITION_WIDTHS if w < width] + [min(width, RENDITION_WIDTHS[-1])]:
        if any(item["width"] == target for item in sources):
            continue
        resized = image.resize((target, round(height * target / width)), Image.Resampling.LANCZOS)
        item = {"width": target}
        for ext, pil_format, options in (
            ("webp", "WEBP", {"quality": 80}),
            ("jpg", "JPEG", {"quality": 82, "optimize": True, "progressive": True}),
        ):
            buffer = io.BytesIO()
            resized.save(buffer, format=pil_format, **options)
            target_name = base.format(width=target, ext=ext)
            if storage.exists(target_name):
                storage.delete(target_name)
            item[ext] = storage.save(target_name, ContentFile(buffer.getvalue()))
        sources.append(item)
    return {"width": width, "height": height, "sources": sources}


@deconstructible
class RandomImageName:
    """``upload_to`` for images: a random name in ``folder/YYYY/MM/``.

    Names then say nothing about people or drafts, and the stored extension is always an image
    one: the web server picks the content type from it, so a (validated) image uploaded as
    ``bild.html`` must not be stored under that name.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        suffix = PurePosixPath(filename).suffix.lower()
        extension = suffix if suffix in IMAGE_SUFFIXES else ".jpg"
        return f"{self.folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomImageName) and other.folder == self.folder
