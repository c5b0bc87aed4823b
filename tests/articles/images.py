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


def phone_jpeg(width: int = 800, height: int = 600) -> bytes:
    """A JPEG as phones write it: stored landscape with EXIF orientation 6 (turn 90° clockwise
    to show it), a camera model and the GPS position of Berlin's Hauptbahnhof."""
    image = Image.new("RGB", (width, height), (30, 90, 160))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x0110] = "Pixel 9"  # Model
    exif.get_ifd(0x8825).update(
        {1: "N", 2: (52.0, 31.0, 30.0), 3: "E", 4: (13.0, 22.0, 8.0)}  # GPS latitude, longitude
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def transparent_png(width: int = 600, height: int = 400) -> bytes:
    """A logo-like PNG: transparent, with an opaque dark square in the middle."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste((20, 20, 20, 255), (width // 3, height // 3, 2 * width // 3, 2 * height // 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
