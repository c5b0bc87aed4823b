from __future__ import annotations

import html
import math
import re
import unicodedata
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import slugify

GERMAN_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)
# Latin letters that Unicode does not decompose into a base letter plus accents, so an ASCII
# slug would silently drop them ("Yılmaz" -> "ylmaz"). Spelled as in machine-readable passports
# (ICAO Doc 9303); accented letters ("é", "ñ", "å") lose their accent by decomposition instead.
LATIN_TRANSLITERATION = str.maketrans(
    {
        "Æ": "Ae", "æ": "ae", "Ð": "D", "ð": "d", "Ø": "Oe", "ø": "oe", "Þ": "Th", "þ": "th",
        "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "ĸ": "q", "Ł": "L", "ł": "l",
        "Ŋ": "N", "ŋ": "n", "Œ": "Oe", "œ": "oe", "Ŧ": "T", "ŧ": "t", "Ə": "E", "ə": "e",
        "ƒ": "f",
    }
)  # fmt: skip

# Adults read German non-fiction at roughly 200 words a minute.
WORDS_PER_MINUTE = 200

ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "br", "hr", "ul", "ol", "li", "a", "img", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "blockquote", "em",
    "strong", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "h2": {"id"},  # the anchors heading_anchors sets
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def german_slugify(value: str) -> str:
    """ASCII slug with German transliteration: "Gehaltserhöhung für X" ->
    "gehaltserhoehung-fuer-x", "Mehmet Yılmaz" -> "mehmet-yilmaz"."""
    # Composed first, so an "ö" typed as "o" + combining diaeresis also becomes "oe"; then
    # decomposed, so "Ǿ" reaches the table as "Ø" + accent.
    german = unicodedata.normalize("NFC", value).translate(GERMAN_TRANSLITERATION)
    return slugify(unicodedata.normalize("NFKD", german).translate(LATIN_TRANSLITERATION))


def is_own_media_url(url: str) -> bool:
    """True for images served from our media folder (relative or on our own host)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        site = urlsplit(settings.SITE_URL)
        if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
            return False
    return parts.path.startswith(settings.MEDIA_URL) and ".." not in parts.path


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_own_media_url(value):
        return None
    return value


def sanitize_body(html: str) -> str:
    """Article HTML reduced to the allow-list: no scripts, handlers, styles, iframes or
    foreign images, links only with safe schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


_H2 = re.compile(r"<h2(?:\s[^>]*)?>(.*?)</h2>", re.DOTALL | re.IGNORECASE)
# Ids the article page uses itself; a heading called "Kommentare" must not take them.
PAGE_IDS = {"inhalt", "inhaltsverzeichnis", "kommentare", "passende-artikel"}


def heading_anchors(body: str) -> tuple[str, list[dict[str, str]]]:
    """Every H2 of a sanitised body gets an id from its words ("Das Wichtigste in Kürze" ->
    "das-wichtigste-in-kuerze", unique in the article), and the table of contents lists them
    as ``[{"id": ..., "title": ...}]``. Run on save, so pages only read the stored result."""
    toc: list[dict[str, str]] = []
    used = set(PAGE_IDS)

    def anchor(match: re.Match) -> str:
        title = html.unescape(strip_tags(match.group(1))).strip()
        base = german_slugify(title) or "abschnitt"
        slug, number = base, 2
        while slug in used:
            slug, number = f"{base}-{number}", number + 1
        used.add(slug)
        toc.append({"id": slug, "title": title})
        return f'<h2 id="{slug}">{match.group(1)}</h2>'

    return _H2.sub(anchor, body), toc


def reading_time(*texts: str) -> int:
    """Whole minutes (at least one) to read the given plain or HTML texts."""
    words = sum(len(strip_tags(text).split()) for text in texts)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
