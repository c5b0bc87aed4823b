"""Illustrations for the demo articles: a category's colours, soft shapes and its icon, drawn
with Pillow. No text: cards show the title already, and an image must not repeat it."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1600, 1000
WHITE = (255, 255, 255)

# Per category: background, shapes, accent (icons are white with the accent).
PALETTES = {
    "Bewerbung": ((13, 74, 133), (38, 110, 180), (255, 179, 71)),
    "Im Job": ((24, 96, 88), (46, 139, 122), (255, 209, 102)),
    "Gehalt": ((120, 53, 15), (168, 84, 30), (255, 224, 138)),
    "Weiterbildung": ((76, 45, 130), (112, 78, 170), (140, 220, 200)),
    "Berufsbilder": ((40, 52, 66), (70, 88, 108), (255, 140, 105)),
}


def _document(draw: ImageDraw.ImageDraw, x: int, y: int, accent) -> None:
    draw.rounded_rectangle((x, y, x + 300, y + 400), 24, fill=WHITE)
    draw.ellipse((x + 40, y + 40, x + 130, y + 130), fill=accent)
    for row in range(5):
        top = y + 170 + row * 45
        draw.rounded_rectangle((x + 40, top, x + 260 - (row % 2) * 60, top + 18), 9, fill=accent)


def _briefcase(draw: ImageDraw.ImageDraw, x: int, y: int, accent) -> None:
    draw.rounded_rectangle((x + 100, y, x + 240, y + 80), 20, outline=WHITE, width=22)
    draw.rounded_rectangle((x, y + 60, x + 340, y + 300), 28, fill=WHITE)
    draw.rectangle((x, y + 160, x + 340, y + 176), fill=accent)
    draw.rounded_rectangle((x + 145, y + 140, x + 195, y + 200), 10, fill=accent)


def _coins(draw: ImageDraw.ImageDraw, x: int, y: int, accent) -> None:
    for step, height in enumerate((120, 200, 290)):
        left = x + step * 110
        draw.rounded_rectangle((left, y + 300 - height, left + 80, y + 300), 12, fill=WHITE)
    for level in range(4):
        top = y + 250 - level * 40
        draw.ellipse((x + 340, top, x + 480, top + 60), fill=accent, outline=WHITE, width=6)


def _mortarboard(draw: ImageDraw.ImageDraw, x: int, y: int, accent) -> None:
    draw.polygon([(x, y + 110), (x + 200, y + 30), (x + 400, y + 110), (x + 200, y + 190)], WHITE)
    draw.rounded_rectangle((x + 90, y + 150, x + 310, y + 280), 30, fill=WHITE)
    draw.line([(x + 360, y + 120), (x + 360, y + 260)], fill=accent, width=12)
    draw.ellipse((x + 340, y + 250, x + 380, y + 290), fill=accent)


def _gear(draw: ImageDraw.ImageDraw, x: int, y: int, accent) -> None:
    cx, cy = x + 170, y + 170
    for angle in (0, 22):  # two squares' worth of teeth
        draw.regular_polygon((cx, cy, 175), 8, rotation=angle, fill=WHITE)
    draw.ellipse((cx - 130, cy - 130, cx + 130, cy + 130), fill=WHITE)
    draw.ellipse((cx - 55, cy - 55, cx + 55, cy + 55), fill=accent)


ICONS = {
    "Bewerbung": _document,
    "Im Job": _briefcase,
    "Gehalt": _coins,
    "Weiterbildung": _mortarboard,
    "Berufsbilder": _gear,
}


def illustration(category: str, index: int) -> bytes:
    """A 1600×1000 JPEG for a demo article of ``category``; ``index`` varies the shapes, so
    articles of one category still look different."""
    background, shapes, accent = PALETTES.get(category, PALETTES["Berufsbilder"])
    rng = random.Random(index)
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        size = rng.randint(180, 520)
        left, top = rng.randint(-200, WIDTH - 100), rng.randint(-200, HEIGHT - 100)
        if rng.random() < 0.5:
            draw.ellipse((left, top, left + size, top + size), fill=shapes)
        else:
            draw.rounded_rectangle((left, top, left + size, top + size // 2), 40, fill=shapes)
    halo = tuple(min(255, c + 18) for c in background)
    draw.ellipse((WIDTH // 2 - 330, HEIGHT // 2 - 330, WIDTH // 2 + 330, HEIGHT // 2 + 330), halo)
    ICONS.get(category, _gear)(draw, WIDTH // 2 - 190, HEIGHT // 2 - 200, accent)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()
