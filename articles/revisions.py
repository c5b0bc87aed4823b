"""Reading revisions for people: the fields of two versions side by side and a word-level diff
of the body text (what an editor reads, not the HTML)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext
from reversion.models import Version

from articles.models import Article, Author, Category, Image, format_when
from articles.services import version_tags

# The fields compared, in the order of the change form.
COMPARED_FIELDS = [
    "title", "slug", "teaser", "body", "hero_image", "category", "authors", "tags",
    "status", "published_at", "seo_title", "seo_description",
]  # fmt: skip


@dataclass
class FieldComparison:
    label: str
    old: Any
    new: Any
    changed: bool
    diff: SafeString | None = None


def body_words(html: str) -> list[str]:
    return strip_tags(html or "").split()


def word_diff(old_html: str, new_html: str) -> SafeString:
    """The body's words with removed ones in <del> and added ones in <ins>."""
    old, new = body_words(old_html), body_words(new_html)
    pieces = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            pieces.append(("del", " ".join(old[a1:a2])))
        if op in ("replace", "insert"):
            pieces.append(("ins", " ".join(new[b1:b2])))
        if op == "equal":
            pieces.append(("span", " ".join(old[a1:a2])))
    return format_html_join(" ", "<{0}>{1}</{0}>", pieces)


def readable_values(values: dict[str, Any], tags: list[str]) -> dict[str, Any]:
    """A version's (or a form's) values as an editor reads them."""
    category = Category.objects.filter(pk=values.get("category_id")).first()
    authors = Author.objects.filter(pk__in=values.get("authors") or []).order_by("name")
    published_at = values.get("published_at")
    status = values.get("status")
    return {
        "title": values.get("title", ""),
        "slug": values.get("slug", ""),
        "teaser": values.get("teaser", ""),
        "body": " ".join(body_words(values.get("body", ""))),
        "hero_image": Image.objects.filter(pk=values.get("hero_image_id")).first() or "–",
        "category": str(category) if category else "–",
        "authors": ", ".join(a.name for a in authors) or "–",
        "tags": ", ".join(tags) or "–",
        "status": Article.Status(status).label if status in Article.Status.values else "",
        "published_at": format_when(published_at) if published_at else "–",
        "seo_title": values.get("seo_title", ""),
        "seo_description": values.get("seo_description", ""),
    }


def version_values(version: Version) -> dict[str, Any]:
    return readable_values(version.field_dict, version_tags(version))


def compare(old: dict[str, Any], new: dict[str, Any], *, old_body: str, new_body: str):
    rows = []
    for name in COMPARED_FIELDS:
        label = str(capfirst(Article._meta.get_field(name).verbose_name))
        changed = old[name] != new[name]
        diff = word_diff(old_body, new_body) if name == "body" and changed else None
        old_value, new_value = old[name], new[name]
        if name == "hero_image":
            old_value, new_value = hero_thumbnail(old_value), hero_thumbnail(new_value)
        rows.append(FieldComparison(label, old_value, new_value, changed, diff))
    return rows


def version_heading(version: Version) -> str:
    user = version.revision.user
    who = (user.get_full_name() or user.get_username()) if user else gettext("system")
    return gettext("%(when)s by %(who)s") % {
        "when": format_when(version.revision.date_created),
        "who": who,
    }


def hero_thumbnail(image: Image | str) -> SafeString | str:
    """The library image as a thumbnail with its title; "–" without one."""
    if not isinstance(image, Image):
        return image
    return format_html('<img src="{}" width="160" alt=""> {}', image.thumbnail_url, image.title)
