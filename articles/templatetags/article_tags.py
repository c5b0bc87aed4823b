from __future__ import annotations

import json
from urllib.parse import quote

from django import template
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.html import format_html
from django.utils.safestring import SafeString

from articles.models import Article

register = template.Library()

# Share targets as plain links: no third-party script or request before a reader clicks.
SHARE_TARGETS = [
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    ("X", "https://x.com/intent/post?url={url}&text={title}"),
    ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    ("XING", "https://www.xing.com/spi/shares/new?url={url}"),
    ("WhatsApp", "https://wa.me/?text={title}%20{url}"),
]


@register.filter
def absolute(path: str) -> str:
    """A site path as an absolute URL on SITE_URL (canonical links, Open Graph, feeds)."""
    return settings.SITE_URL + path if path.startswith("/") else path


def _media(name: str) -> str:
    return default_storage.url(name)


@register.inclusion_tag("articles/_picture.html")
def hero_picture(article: Article, sizes: str = "100vw", lazy: bool = True, css_class: str = ""):
    """<picture> with WebP and JPEG srcsets from the stored renditions (no work per request)."""
    renditions = article.hero_renditions or {}
    sources = renditions.get("sources") or []
    context = {
        "article": article,
        "alt": "" if article.hero_decorative else article.hero_alt,
        "sizes": sizes,
        "lazy": lazy,
        "css_class": css_class,
        "width": renditions.get("width"),
        "height": renditions.get("height"),
    }
    if sources:
        context["webp_srcset"] = ", ".join(f"{_media(s['webp'])} {s['width']}w" for s in sources)
        context["jpeg_srcset"] = ", ".join(f"{_media(s['jpg'])} {s['width']}w" for s in sources)
        context["src"] = _media(sources[-1]["jpg"])
    elif article.hero_image:
        context["src"] = article.hero_image.url
    return context


@register.inclusion_tag("articles/_share_links.html")
def share_links(article: Article, top: bool = False):
    url = quote(absolute(article.get_absolute_url()), safe="")
    title = quote(article.title, safe="")
    links = [(name, pattern.format(url=url, title=title)) for name, pattern in SHARE_TARGETS]
    links.append(("E-Mail", f"mailto:?subject={title}&body={url}"))
    return {"links": links, "top": top}


@register.simple_tag
def article_jsonld(article: Article) -> SafeString:
    """schema.org Article as JSON-LD, escaped like ``json_script`` so text cannot end the
    script element."""
    url = absolute(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title[:110],
        "description": article.seo_description or article.teaser,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat(),
        "articleSection": article.category.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "inLanguage": "de-DE",
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
            for author in article.authors.all()
        ],
        "publisher": {"@type": "Organization", "name": settings.PUBLISHER_NAME},
    }
    if article.hero_image:
        data["image"] = absolute(article.hero_image.url)
    text = json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text))
