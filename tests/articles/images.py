"""Image bytes for upload tests."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def jpeg_bytes(width: int = 1600, height: int = 900) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (11, 92, 173)).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def sideways_phone_photo_bytes() -> bytes:
    """A JPEG stored 1600×900 with red on top and blue below, and EXIF orientation 6 ("turn
    90° clockwise to view"), as phones write them: upright it is 900×1600, red on the right."""
    image = Image.new("RGB", (1600, 900), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 1600, 450))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def transparent_logo_png_bytes() -> bytes:
    """A 1000×500 PNG, transparent but for a red square in the middle."""
    image = Image.new("RGBA", (1000, 500), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (400, 150, 600, 350))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
