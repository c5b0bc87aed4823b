from __future__ import annotations

from django.utils.text import slugify

GERMAN_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)


def german_slugify(value: str) -> str:
    """Slug with German transliteration: "Gehaltserhöhung für X" -> "gehaltserhoehung-fuer-x"."""
    return slugify(value.translate(GERMAN_TRANSLITERATION))
