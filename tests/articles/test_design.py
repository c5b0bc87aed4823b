"""The magazine's look as readers and publishers meet it: brand, type, badges, Top-Artikel,
phone menu, print (issue #18). The browser tests (tests/browser/test_design.py) look at it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from articles.models import Article, ArticleViewDay, Author
from tests.articles.test_views import html_of, json_ld_blocks
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, ImageFactory

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[2] / "static"


def header_of(html: str) -> str:
    return html.split('<header class="site-header">')[1].split("</header>")[0]


def test_header_shows_the_logo_and_the_magazine_name(client, settings):
    ArticleFactory(title="Gehaltserhöhung richtig verhandeln")
    header = header_of(html_of(client.get("/")))
    assert '<img src="/static/icons/logo.svg" width="40" height="40" alt="">' in header
    assert "<span>Karriere-Magazin</span>" in header
    assert '<meta name="theme-color" content="#0d4a85">' in html_of(client.get("/"))


def test_a_publisher_puts_their_own_logo_and_theme_colour(client, settings):
    settings.SITE_LOGO = "icons/verlag.svg"
    settings.SITE_LOGO_PNG = "icons/verlag.png"
    settings.SITE_THEME_COLOR = "#7a1f5c"
    settings.SITE_NAME = "Weiterbildungsmöglichkeiten heute"
    html = html_of(client.get("/"))
    assert '<img src="/static/icons/verlag.svg"' in header_of(html)
    assert '<link rel="icon" href="/static/icons/verlag.svg" type="image/svg+xml">' in html
    assert '<meta name="theme-color" content="#7a1f5c">' in html
    organization = next(
        item for item in json_ld_blocks(html)[0]["@graph"] if item["@type"] == "Organization"
    )
    assert organization["logo"]["url"] == settings.SITE_URL + "/static/icons/verlag.png"


def test_json_ld_publisher_logo_is_the_png_logo(client, settings):
    article = ArticleFactory(title="Weiterbildungsmöglichkeiten für Quereinsteiger")
    html = html_of(client.get(article.get_absolute_url()))
    article_data = next(b for b in json_ld_blocks(html) if b.get("@type") == "Article")
    assert article_data["publisher"]["logo"] == {
        "@type": "ImageObject",
        "url": settings.SITE_URL + "/static/icons/icon-512.png",
        "width": 512,
        "height": 512,
    }
    assert finders.find("icons/icon-512.png") and finders.find("icons/logo.svg")


def test_two_font_files_are_preloaded_and_every_font_is_served_from_our_own_static_files(
    client,
):
    html = html_of(client.get("/"))
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font"', html)
    assert preloads == [
        "/static/fonts/source-sans-3-latin-400-normal.woff2",
        "/static/fonts/source-serif-4-latin-700-normal.woff2",
    ]
    css = (STATIC / "css" / "site.css").read_text()
    sources = re.findall(r'url\("\.\./(fonts/[^"]+)"\)', css)
    assert len(sources) == 8 and {p.removeprefix("/static/") for p in preloads} <= set(sources)
    for source in sources:
        assert finders.find(source), source
    # Swap, so text shows at once in a fallback; no font from another host.
    assert css.count("font-display: swap") == css.count("@font-face") == 8
    assert "//" not in "".join(re.findall(r"url\(([^)]*)\)", css))
    assert (STATIC / "fonts" / "OFL-SourceSans3.txt").exists()
    assert (STATIC / "fonts" / "OFL-SourceSerif4.txt").exists()


def test_pages_are_german_with_hyphenation_and_light_and_dark_colours(client):
    html = html_of(client.get("/"))
    assert html.startswith('<!doctype html>\n<html lang="de">')
    css = (STATIC / "css" / "site.css").read_text()
    assert "hyphens: auto" in css
    assert "@media (prefers-color-scheme: dark)" in css


def test_every_card_carries_a_staff_or_guest_badge_and_the_list_explains_them(client):
    category = CategoryFactory(name="Weiterbildung")
    guest = AuthorFactory(name="Dr. Sabine Wolf", kind=Author.Kind.GUEST)
    staff = AuthorFactory(name="Jörg Weiß", kind=Author.Kind.STAFF)
    lead = ArticleFactory(title="Der Aufmacher", featured=True, category=category, authors=[guest])
    ArticleFactory(title="Bildungsurlaub beantragen", category=category, authors=[guest])
    ArticleFactory(title="Gehaltsverhandlung im Außendienst", category=category, authors=[staff])
    for url in ("/", category.get_absolute_url()):
        html = html_of(client.get(url))
        cards = html.split('<article class="card">')[1:]
        if url == "/":
            assert 'class="badge badge-guest"' in html.split('class="featured"')[1]
        else:
            cards = [card for card in cards if lead.title not in card]
        assert len(cards) == 2
        badges = [re.search(r'class="badge (badge-\w+)">([^<]+)<', card).groups() for card in cards]
        assert sorted(badges) == [("badge-guest", "Gastbeitrag"), ("badge-staff", "Redaktion")]
        legend = html.split('<dl class="badge-legend">')[1].split("</dl>")[0]
        assert "Redaktion" in legend and "Gastbeitrag" in legend


def test_author_is_guest_follows_the_kind():
    assert AuthorFactory.build(kind=Author.Kind.GUEST).is_guest
    assert not AuthorFactory.build(kind=Author.Kind.STAFF).is_guest


def test_cards_show_category_title_teaser_byline_and_numbers(client):
    author = AuthorFactory(name="Łukasz Wróbel")
    ArticleFactory(title="Der Aufmacher", featured=True)
    ArticleFactory(
        title="Weiterbildungsmöglichkeiten im Überblick",
        teaser="Was sich lohnt und wer zahlt.",
        authors=[author],
        category=CategoryFactory(name="Weiterbildung"),
    )
    card = html_of(client.get("/")).split('<article class="card">')[1].split("</article>")[0]
    assert ">Weiterbildung</a>" in card
    assert "Weiterbildungsmöglichkeiten im Überblick" in card
    assert "Was sich lohnt und wer zahlt." in card
    assert f'<a href="{author.get_absolute_url()}">Łukasz Wróbel</a>' in card
    assert "0 Aufrufe" in card and "0 Kommentare" in card


def top_box(html: str) -> str:
    return html.split('<section class="top-articles"')[1].split("</section>")[0]


def test_top_articles_show_the_editors_recommendations_before_any_view_is_counted(client):
    pick = ArticleFactory(
        title="Kündigungsfrist: Was gilt in der Probezeit?",
        featured=True,
        hero_image=ImageFactory(),
    )
    newest = ArticleFactory(title="Quereinstieg in die IT", published_at=timezone.now())
    box = top_box(html_of(client.get("/")))
    assert "Empfehlungen der Redaktion" in box
    assert "Noch keine Aufrufe" not in box
    # The editors' pick first, then the newest; each with teaser, link on and byline.
    assert box.index(pick.title) < box.index(newest.title)
    assert box.count("Weiterlesen »") == 2
    # Equal squares: the image's square rendition, or a square placeholder without one.
    assert box.count('class="top-image"') == 1 and box.count('class="top-thumb"') == 1


def test_top_articles_list_the_most_read_once_views_are_counted(client):
    ArticleFactory(title="Redaktionsempfehlung ohne Leser", featured=True)
    read = ArticleFactory(title="Gehaltserhöhung: So klappt’s")
    Article.objects.filter(pk=read.pk).update(view_count=42)
    ArticleViewDay.objects.create(article=read, day=timezone.localdate(), views=42)
    box = top_box(html_of(client.get("/")))
    assert "Empfehlungen der Redaktion" not in box
    assert "Gehaltserhöhung: So klappt’s" in box and "42 Aufrufe" in box


def test_phone_menu_is_a_details_element_with_every_category_and_search_is_one_tap(client):
    CategoryFactory(name="Berufsbilder")
    CategoryFactory(name="Gehalt")
    ArticleFactory(category=CategoryFactory(name="Bewerbung"))
    header = header_of(html_of(client.get("/")))
    menu = header.split('<details class="menu">')[1].split("</details>")[0]
    assert "<summary>Menü</summary>" in menu
    for name in ("Berufsbilder", "Bewerbung", "Gehalt"):
        assert f">{name}</a>" in menu
    assert '<a class="search-link" href="/suche/">Suche</a>' in header
    # The search page has its own form for that tap.
    assert 'id="suche-seite-q"' in html_of(client.get("/suche/"))


def test_print_stylesheet_is_linked_and_prints_the_article_alone(client):
    html = html_of(client.get("/"))
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    css = (STATIC / "css" / "print.css").read_text()
    for hidden in (".site-header", ".site-footer", ".sidebar", ".comments", ".share-links"):
        assert hidden in css.split("display: none")[0]


def test_home_leads_with_the_newest_article_when_none_is_marked_aufmacher(client):
    ArticleFactory(title="Älterer Beitrag", published_at=timezone.now() - timezone.timedelta(2))
    ArticleFactory(title="Gehaltserhöhung: der neueste Beitrag", published_at=timezone.now())
    lead = html_of(client.get("/")).split('<article class="featured">')[1].split("</article>")[0]
    assert "Gehaltserhöhung: der neueste Beitrag" in lead


def test_a_home_page_with_only_its_lead_article_says_nothing_is_missing(client):
    ArticleFactory(title="Gehaltserhöhung: der erste Beitrag", authors=[AuthorFactory()])
    html = html_of(client.get("/"))
    assert "Gehaltserhöhung: der erste Beitrag" in html.split('class="featured"')[1]
    assert "Noch keine Artikel." not in html and "Neueste Artikel" not in html
    assert '<dl class="badge-legend">' in html  # the lead's badge is explained


def test_an_empty_home_page_says_there_are_no_articles_yet(client):
    assert "Noch keine Artikel." in html_of(client.get("/"))


def test_home_has_lead_newest_category_sections_and_a_newsletter_block(client):
    lead = ArticleFactory(title="Der Aufmacher", featured=True)
    gehalt = CategoryFactory(name="Gehalt")
    ArticleFactory.create_batch(6, published_at=timezone.now())
    older = ArticleFactory(
        title="Gehaltsvergleich Öffentlicher Dienst",
        category=gehalt,
        published_at=timezone.now() - timezone.timedelta(days=30),
    )
    html = html_of(client.get("/"))
    assert html.index(lead.title) < html.index("Neueste Artikel")
    section = html.split('<section aria-labelledby="rubrik-gehalt">')[1].split("</section>")[0]
    assert older.title in section and "Alle Artikel in Gehalt »" in section
    assert 'class="newsletter-band"' in html


def jpeg(width: int = 200, height: int = 200) -> ContentFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), "#0d4a85").save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="portrait.jpg")


THREE_HEADINGS = (
    "<p>Einleitung</p><h2>Weiterbildungsmöglichkeiten</h2><p>a</p>"
    '<h2 class="x" onclick="alert(1)">Förderung &amp; Zuschüsse</h2><p>b</p>'
    "<h2>Weiterbildungsmöglichkeiten</h2><p>c</p>"
)


def test_table_of_contents_and_anchors_are_made_on_save_and_stored():
    article = ArticleFactory(body=THREE_HEADINGS)
    article.refresh_from_db()
    assert article.toc == [
        {"id": "weiterbildungsmoeglichkeiten", "title": "Weiterbildungsmöglichkeiten"},
        {"id": "foerderung-zuschuesse", "title": "Förderung & Zuschüsse"},
        {"id": "weiterbildungsmoeglichkeiten-2", "title": "Weiterbildungsmöglichkeiten"},
    ]
    # The sanitised body keeps our ids and loses the editor's handler and class.
    assert '<h2 id="foerderung-zuschuesse">Förderung &amp; Zuschüsse</h2>' in article.body
    assert "onclick" not in article.body and 'class="x"' not in article.body
    assert '<h2 id="weiterbildungsmoeglichkeiten-2">' in article.body_html


def test_article_page_shows_the_stored_table_of_contents_from_three_sub_headings(client):
    article = ArticleFactory(body=THREE_HEADINGS)
    # Changed behind the service's back: the page reads what was stored, it parses nothing.
    Article.objects.filter(pk=article.pk).update(body_html=article.body_html + "<h2>Neu</h2>")
    html = html_of(client.get(article.get_absolute_url()))
    toc = html.split('<nav class="toc" aria-labelledby="inhaltsverzeichnis">')[1].split("</nav>")[0]
    assert re.findall(r'<a href="#([^"]+)">', toc) == [
        "weiterbildungsmoeglichkeiten",
        "foerderung-zuschuesse",
        "weiterbildungsmoeglichkeiten-2",
    ]
    assert "Neu" not in toc
    assert html.index('class="toc"') < html.index('<h2 id="weiterbildungsmoeglichkeiten">')


def test_article_with_fewer_than_three_sub_headings_has_no_table_of_contents(client):
    article = ArticleFactory(body="<h2>Gehalt</h2><p>a</p><h2>Urlaub</h2><p>b</p>")
    html = html_of(client.get(article.get_absolute_url()))
    assert 'class="toc"' not in html and '<h2 id="urlaub">Urlaub</h2>' in html


def test_article_ends_with_an_author_box_with_photo_and_bio(client):
    author = AuthorFactory(
        name="Dr. Sabine Wolf",
        kind=Author.Kind.GUEST,
        bio="Karriereberaterin und Coach aus Hamburg, Schwerpunkt Gehaltsverhandlung.",
        photo=jpeg(),
    )
    article = ArticleFactory(authors=[author])
    html = html_of(client.get(article.get_absolute_url()))
    box = html.split('<section class="author-box" aria-label="Über Dr. Sabine Wolf">')[1]
    box = box.split("</section>")[0]
    assert f'<img class="author-box-photo" src="{author.photo.url}"' in box
    assert "<h2>Dr. Sabine Wolf</h2>" in box and "Gastbeitrag" in box
    assert "Schwerpunkt Gehaltsverhandlung." in box
    assert f'href="{author.get_absolute_url()}">Alle Artikel von Dr. Sabine Wolf</a>' in box


def test_article_page_has_only_static_scripts_and_no_inline_styles_and_names_its_url_for_print(
    client, settings
):
    article = ArticleFactory(title="Überstunden richtig abrechnen", body=THREE_HEADINGS)
    html = html_of(client.get(article.get_absolute_url()))
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all(
        'type="application/ld+json"' in attrs or re.search(r'src="/static/js/[\w-]+\.js"', attrs)
        for attrs in scripts
    )
    assert '<script src="/static/js/reading-progress.js" defer></script>' in html
    assert finders.find("js/reading-progress.js")
    assert " style=" not in html and "<style" not in html and " onclick=" not in html
    assert f'data-print-url="{settings.SITE_URL}{article.get_absolute_url()}"' in html
