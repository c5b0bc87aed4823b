from __future__ import annotations

import json
from urllib.parse import quote

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from articles.media import Image, shown_body
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


def _picture(image: Image | None, shape: str, **options) -> dict | None:
    """The picture of a library image, the placeholder while its licence has expired
    (``ARTICLES_IMAGE_EXPIRED_PLACEHOLDER``, empty: nothing), or None."""
    if image is None:
        return None
    if not image.is_expired:
        return image.picture(shape, **options)
    placeholder = settings.ARTICLES_IMAGE_EXPIRED_PLACEHOLDER
    if not placeholder:
        return None
    return {**options, "src": static(placeholder), "alt": ""}


# The PNG logo (SITE_LOGO_PNG, square, 512 px) is the publisher's logo in JSON-LD (Google
# takes no SVG there) and the share image of pages without one.
LOGO_SIZE = 512


@register.simple_tag
def canonical_url(path: str, page=None) -> str:
    """Absolute URL of a (list) page; pages after the first are pages of their own."""
    url = absolute(path)
    return f"{url}?seite={page.number}" if page and page.number > 1 else url


@register.simple_tag
def social_image(article: Article | None = None) -> dict:
    """The picture a shared link shows: the article's largest hero rendition (what Facebook,
    LinkedIn and messengers want: about 1200 px wide, JPEG), else the site's logo."""
    if rendition := article.hero_rendition_for_sharing() if article else None:
        return {**rendition, "url": absolute(rendition["url"]), "large": True}
    return {
        "url": absolute(static(settings.SITE_LOGO_PNG)),
        "width": LOGO_SIZE,
        "height": LOGO_SIZE,
        "alt": settings.SITE_NAME,
        "large": False,
    }


@register.inclusion_tag("articles/_picture.html")
def hero_picture(
    article: Article, sizes: str = "100vw", lazy: bool = True, css_class: str = "", shape="card"
):
    """<picture> of the article's hero image in one shape, with WebP and JPEG srcsets from the
    stored renditions (no image work per request)."""
    picture = _picture(article.hero_image, shape, sizes=sizes, lazy=lazy, css_class=css_class)
    return {"picture": picture}


@register.inclusion_tag("articles/_figure.html")
def hero_figure(article: Article, sizes: str, css_class: str = ""):
    """The article page's hero as a <figure> with caption and credit (16:9, above the fold)."""
    image = article.hero_image
    picture = _picture(image, "hero", sizes=sizes, lazy=False, css_class=css_class)
    return {
        "image": image,
        "picture": picture,
        "expired": image is not None and image.is_expired,
        "figure_class": "hero",
    }


@register.simple_tag
def article_body(article: Article, body_images=None) -> SafeString:
    """The body as rendered on save, without the figures of images whose licence expired.
    Sanitised with nh3 on save (articles.text.sanitize_body), so it is safe to render.
    ``body_images``: the article's, where the page has fetched them already."""
    if not article.body_html:
        return SafeString(article.body)
    images = article.body_images.all() if body_images is None else body_images
    return SafeString(shown_body(article.body_html, list(images)))


@register.simple_tag
def articles_with_expired_images(limit: int = 20) -> list[Article]:
    """For the admin dashboard: articles whose hero or body shows an image readers no longer
    see because its licence ran out."""
    return list(Article.objects.with_expired_images().only("pk", "title")[:limit])


@register.inclusion_tag("articles/_image_credits.html")
def image_credits(article: Article, body_images=None):
    """The "Bildnachweise" list (``ARTICLES_IMAGE_CREDITS_LIST``): every image readers see."""
    if not settings.ARTICLES_IMAGE_CREDITS_LIST:
        return {"images": []}
    body_images = article.body_images.all() if body_images is None else body_images
    images = [article.hero_image, *body_images]
    shown = {image.pk: image for image in images if image and not image.is_expired}
    return {"images": [image for image in shown.values() if image.credit_line]}


@register.inclusion_tag("articles/_share_links.html")
def share_links(article: Article, top: bool = False):
    url = quote(absolute(article.get_absolute_url()), safe="")
    title = quote(article.title, safe="")
    links = [(name, pattern.format(url=url, title=title)) for name, pattern in SHARE_TARGETS]
    links.append(("E-Mail", f"mailto:?subject={title}&body={url}"))
    return {"links": links, "top": top}


def _publisher() -> dict:
    home = settings.SITE_URL + "/"
    return {
        "@type": "Organization",
        "@id": home + "#organization",
        "name": settings.PUBLISHER_NAME,
        "url": home,
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static(settings.SITE_LOGO_PNG)),
            "width": LOGO_SIZE,
            "height": LOGO_SIZE,
        },
    }


def _jsonld(*blocks: dict) -> SafeString:
    """schema.org data as JSON-LD, escaped like ``json_script`` so text cannot end the script
    element."""
    texts = []
    for data in blocks:
        text = json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False)
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        texts.append((SafeString(text),))
    return format_html_join("\n  ", '<script type="application/ld+json">{}</script>', texts)


@register.simple_tag
def site_jsonld() -> SafeString:
    """The magazine and its publisher for search engines (home page), with the site search."""
    home = settings.SITE_URL + "/"
    search = settings.SITE_URL + reverse("articles:search") + "?q={search_term_string}"
    return _jsonld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "WebSite",
                    "@id": home + "#website",
                    "name": settings.SITE_NAME,
                    "url": home,
                    "inLanguage": "de-DE",
                    "publisher": {"@id": home + "#organization"},
                    "potentialAction": {
                        "@type": "SearchAction",
                        "target": {"@type": "EntryPoint", "urlTemplate": search},
                        "query-input": "required name=search_term_string",
                    },
                },
                _publisher(),
            ],
        }
    )


def image_object(image: Image) -> dict:
    """schema.org ImageObject with the rights metadata Google reads (creditText,
    copyrightNotice, license, acquireLicensePage)."""
    items = image.shape("hero")
    data = {
        "@type": "ImageObject",
        "url": absolute(image.largest_url("hero")),
        "contentUrl": absolute(image.largest_url("hero")),
        "width": items[-1]["width"] if items else image.width,
        "height": items[-1]["height"] if items else image.height,
        "caption": image.caption or None,
        "creditText": image.credit or None,
        "copyrightNotice": image.credit or None,
        "license": image.licence_url or image.source_url or None,
        "acquireLicensePage": image.source_url or None,
    }
    return {key: value for key, value in data.items() if value is not None}


@register.simple_tag
def article_jsonld(article: Article, tags=None, authors=None) -> SafeString:
    """schema.org Article and the article's breadcrumb trail (``tags`` and ``authors``: the
    article's, where the page has them)."""
    tags = article.tags.all() if tags is None else tags
    authors = article.authors.all() if authors is None else authors
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
        "keywords": [tag.name for tag in tags],
        "inLanguage": "de-DE",
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
            for author in authors
        ],
        "publisher": _publisher(),
    }
    image = article.hero_image
    if image and not image.is_expired:
        data["image"] = image_object(image)
    trail = [
        (_("Home"), settings.SITE_URL + "/"),
        (article.category.name, absolute(article.category.get_absolute_url())),
        (article.title, url),
    ]
    breadcrumb = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": number, "name": name, "item": item}
            for number, (name, item) in enumerate(trail, start=1)
        ],
    }
    return _jsonld(data, breadcrumb)


@register.simple_tag
def author_badge(article: Article) -> SafeString:
    """The "Redaktion"/"Gastbeitrag" badge of a card (legend: articles/_badge_legend.html).
    A tag, not an include: it runs once per card."""
    if article.is_guest_post:
        return format_html('<span class="badge badge-guest">{}</span>', _("Guest article"))
    return format_html('<span class="badge badge-staff">{}</span>', _("Editorial staff"))


@register.simple_tag
def author_names(article: Article) -> SafeString:
    """The authors of a card as links, from the prefetched authors."""
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((author.get_absolute_url(), author.name) for author in article.authors.all()),
    )
