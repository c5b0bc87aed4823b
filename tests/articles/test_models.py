from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.images import validate_image_upload
from articles.models import Article, SlugRedirect
from articles.services import article_save
from articles.text import german_slugify, sanitize_body
from karriere.dependencies import version_token
from tests.articles.images import (
    HTML,
    SVG,
    jpeg_bytes,
    upload,
)
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def test_slug_is_built_from_the_title_with_german_transliteration():
    article = ArticleFactory(title="Gehaltserhöhung für Berufseinsteiger", slug="")
    assert article.slug == "gehaltserhoehung-fuer-berufseinsteiger"
    assert german_slugify("Größe & Maße: Straße") == "groesse-masse-strasse"


def test_a_taken_slug_gets_a_number():
    first = ArticleFactory(title="Lebenslauf schreiben", slug="")
    second = ArticleFactory(title="Lebenslauf schreiben", slug="")
    assert (first.slug, second.slug) == ("lebenslauf-schreiben", "lebenslauf-schreiben-2")


def test_published_excludes_drafts_reviews_and_scheduled_articles():
    live = ArticleFactory()
    ArticleFactory(status=Article.Status.DRAFT)
    ArticleFactory(status=Article.Status.REVIEW)
    ArticleFactory(published_at=timezone.now() + timedelta(hours=2))
    assert list(Article.objects.published()) == [live]


def test_scheduled_article_goes_live_by_itself_when_its_time_comes():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        article = ArticleFactory(published_at=start + timedelta(days=1))
        assert not Article.objects.published().filter(pk=article.pk).exists()
    with time_machine.travel(start + timedelta(days=1, seconds=1), tick=False):
        assert Article.objects.published().filter(pk=article.pk).exists()


def test_publishing_without_a_date_sets_it_to_now():
    article = ArticleFactory(published_at=None)
    assert article.published_at is not None
    assert article.published_at <= timezone.now()


def test_reading_time_is_computed_from_the_text_on_save():
    short = ArticleFactory(body="<p>Kurz.</p>")
    long = ArticleFactory(body="<p>" + "Wort " * 1000 + "</p>")
    assert short.reading_time == 1
    assert long.reading_time == 6  # 1000 words + teaser at 200 words a minute, rounded up


XSS_PAYLOADS = [
    '<script>alert("x")</script>',
    '<img src="/media/a.jpg" onerror="alert(1)">',
    '<a href="javascript:alert(1)">klick</a>',
    '<a href="JaVaScRiPt:alert(1)">klick</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">klick</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<svg onload="alert(1)"><circle/></svg>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<div onmouseover="alert(1)">x</div>',
    '<img src="https://tracker.example/pixel.gif">',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name="p"></form>',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitizer_removes_scripts_handlers_dangerous_urls_iframes_and_styles(payload):
    clean = sanitize_body(payload).lower()
    for marker in ("<script", "onerror", "onload", "onmouseover", "javascript:", "<iframe",
                   "style", "data:", "<object", "<embed", "<svg", "tracker.example", "<form",
                   "<input"):  # fmt: skip
        assert marker not in clean


def test_sanitizer_keeps_the_allowed_editorial_markup():
    html = (
        "<h2>Titel</h2><p><strong>fett</strong> <em>kursiv</em></p><ul><li>a</li></ul>"
        "<blockquote><p>Zitat</p></blockquote><table><tbody><tr><td>1</td></tr></tbody></table>"
        '<p><a href="https://example.org/">Link</a> <img src="/media/uploads/a.jpg" alt="A"></p>'
    )
    clean = sanitize_body(html)
    for fragment in ("<h2>Titel</h2>", "<strong>fett</strong>", "<em>kursiv</em>", "<li>a</li>",
                     "<blockquote>", "<td>1</td>", 'href="https://example.org/"',
                     'src="/media/uploads/a.jpg"'):  # fmt: skip
        assert fragment in clean


def test_body_is_sanitized_on_save():
    article = ArticleFactory(body='<p onclick="x()">Hallo<script>alert(1)</script></p>')
    article.refresh_from_db()
    assert article.body == "<p>Hallo</p>"


def test_changing_a_published_slug_records_the_old_one():
    article = ArticleFactory(title="Alter Titel", slug="alter-titel")
    article = Article.objects.get(pk=article.pk)
    article.slug = "neuer-titel"
    article_save(article=article)
    assert SlugRedirect.objects.get(old_slug="alter-titel").article == article


def test_changing_a_draft_slug_records_nothing():
    article = ArticleFactory(slug="entwurf", status=Article.Status.DRAFT)
    article = Article.objects.get(pk=article.pk)
    article.slug = "entwurf-neu"
    article_save(article=article)
    assert not SlugRedirect.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"), [("bild.svg", SVG), ("bild.jpg", HTML), ("bild.jpg", b"")]
)
def test_image_validation_refuses_svg_and_files_that_only_pretend_to_be_images(name, content):
    with pytest.raises(ValidationError) as error:
        validate_image_upload(upload(name, content))
    assert "kein Bild" in error.value.messages[0]


def test_image_validation_refuses_files_over_the_size_limit(settings):
    settings.ARTICLES_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        validate_image_upload(upload("gross.jpg", jpeg_bytes()))
    assert "zu groß" in error.value.messages[0]


def test_publishing_an_article_invalidates_its_lists_feeds_and_sitemap(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        category = CategoryFactory()
    lists = ("home", "feeds", "sitemap", f"category-{category.pk}")
    before = {key: version_token(key) for key in (*lists, "nav")}
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(category=category)
    after = {key: version_token(key) for key in before}
    assert [key for key in before if before[key] != after[key]] == list(lists)


def test_saving_a_draft_invalidates_no_reader_page(django_capture_on_commit_callbacks):
    before = version_token("home", "feeds", "sitemap")
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(status=Article.Status.DRAFT)
    assert version_token("home", "feeds", "sitemap") == before


def test_renaming_a_category_invalidates_its_pages_and_the_navigation(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        category = CategoryFactory()
    before = version_token(f"category-{category.pk}"), version_token("nav"), version_token("home")
    with django_capture_on_commit_callbacks(execute=True):
        category.name = "Neu"
        category.save()
    after = version_token(f"category-{category.pk}"), version_token("nav"), version_token("home")
    assert (after[0] != before[0], after[1] != before[1], after[2] != before[2]) == (
        True,
        True,
        False,
    )


def test_preview_token_finds_the_article_until_it_expires(settings):
    article = ArticleFactory(status=Article.Status.DRAFT)
    token = article.preview_token()
    assert Article.from_preview_token(token) == article
    assert Article.from_preview_token(token + "x") is None
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.ARTICLES_PREVIEW_MAX_AGE + 5)
    ):
        assert Article.from_preview_token(token) is None
