from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import quote, urlsplit

import factory
import pytest
from django.utils import timezone

from articles.models import Article
from articles.services import article_save
from articles.sitemaps import ArticleSitemap
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, ImageFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_home_shows_the_featured_article_and_the_latest_articles(client):
    featured = ArticleFactory(title="Der Aufmacher", featured=True)
    latest = ArticleFactory(title="Ganz neu")
    html = html_of(client.get("/"))
    assert 'class="featured"' in html and featured.title in html
    assert latest.title in html


def test_home_is_paginated_with_german_links(client):
    # The lead (here the newest), six per home page, the category sections on the first.
    ArticleFactory.create_batch(8)
    html = html_of(client.get("/"))
    assert "Seite 1 von 2" in html and "?seite=2" in html
    assert html_of(client.get("/?seite=2")).count('class="card"') == 1
    # A page past the last one does not exist (and so takes no room in the page cache).
    assert client.get("/?seite=999").status_code == 404
    assert html_of(client.get("/?seite=keine-zahl")).count('class="card"') == 7


def test_article_page_shows_breadcrumb_byline_german_date_reading_time_tags_and_body(client):
    guest = AuthorFactory(name="Dr. Sabine Wolf", kind="guest")
    article = ArticleFactory(
        title="Welche Aufgaben hat ein Social-Media-Manager?",
        category=CategoryFactory(name="Berufsbilder"),
        authors=[guest],
        tags=["Social Media"],
        published_at=timezone.make_aware(timezone.datetime(2017, 8, 29, 10)),
        body="<p>Postings planen.</p>",
    )
    html = html_of(client.get(article.get_absolute_url()))
    assert 'href="/kategorie/berufsbilder/">Berufsbilder</a>' in html
    assert 'Dr. Sabine Wolf</a> <span class="author-kind">(Gastbeitrag)' in html
    assert "29. August 2017" in html
    assert "1 Min. Lesezeit" in html
    assert "<p>Postings planen.</p>" in html
    assert 'href="/thema/social-media/">Social Media</a>' in html


def test_staff_author_byline_names_the_magazine(client, settings):
    article = ArticleFactory(authors=[AuthorFactory(name="Julia Becker", kind="staff")])
    html = html_of(client.get(article.get_absolute_url()))
    assert f'Julia Becker</a> <span class="author-kind">(Redaktion {settings.SITE_NAME})' in html


def test_article_page_has_share_links_without_third_party_scripts(client):
    html = html_of(client.get(ArticleFactory().get_absolute_url()))
    for host in ("facebook.com/sharer", "x.com/intent", "linkedin.com/sharing", "xing.com/spi",
                 "wa.me/", "mailto:?subject="):  # fmt: skip
        assert host in html
    assert '<script src="http' not in html


def test_article_page_has_seo_tags_with_fallbacks_and_a_canonical_url(client, settings):
    article = ArticleFactory(title="Titel", teaser="Anreißer.", seo_title="", seo_description="")
    html = html_of(client.get(article.get_absolute_url()))
    url = settings.SITE_URL + article.get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta name="description" content="Anreißer.">' in html
    assert '<meta property="og:title" content="Titel">' in html
    assert '<meta name="twitter:card" content="summary">' in html

    article.seo_title, article.seo_description = "SEO-Titel", "SEO-Text"
    article_save(article=article)
    html = html_of(client.get(article.get_absolute_url()))
    assert "<title>SEO-Titel – " in html
    assert '<meta property="og:description" content="SEO-Text">' in html


def test_article_json_ld_parses_as_a_schema_org_article(client, settings):
    image = ImageFactory(licence="cc-by-sa", licence_version="4.0")
    article = ArticleFactory(authors=[AuthorFactory(name="Julia Becker")], hero_image=image)
    html = html_of(client.get(article.get_absolute_url()))
    raw = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    data = json.loads(raw)
    assert data["@type"] == "Article"
    assert data["headline"] == article.title
    assert data["author"][0]["name"] == "Julia Becker"
    assert data["publisher"]["name"] == settings.PUBLISHER_NAME
    assert data["image"]["@type"] == "ImageObject"
    assert data["image"]["url"].startswith(settings.SITE_URL + "/media/images/")
    assert data["image"]["creditText"] == "Foto: Anna Müller / Agentur Süd"
    assert data["image"]["copyrightNotice"] == "Foto: Anna Müller / Agentur Süd"
    assert data["image"]["license"] == "https://creativecommons.org/licenses/by-sa/4.0/deed.de"
    assert data["datePublished"].startswith(str(article.published_at.year))


def test_json_ld_cannot_be_broken_out_of_by_the_title(client):
    article = ArticleFactory(title="</script><script>alert(1)</script>")
    html = html_of(client.get(article.get_absolute_url()))
    assert "<script>alert(1)" not in html


def test_hero_image_is_a_figure_with_srcset_sizes_dimensions_caption_and_credit(client):
    image = ImageFactory(file__width=2000, file__height=2000, caption="Im Büro der Personalerin")
    article = ArticleFactory(hero_image=image)
    html = html_of(client.get(article.get_absolute_url()))
    hero = html.split('<figure class="hero"')[1].split("</figure>")[0]
    assert '<source type="image/webp" srcset="/media/images/' in hero
    assert "-hero-400.webp 400w" in hero and "-hero-1200.jpg 1200w" in hero
    assert 'width="1200" height="675"' in hero  # the 16:9 cut of a square photo
    assert 'fetchpriority="high"' in hero and 'loading="lazy"' not in hero
    assert 'alt="Zwei Personen im Gespräch am Schreibtisch"' in hero
    assert (
        '<figcaption>Im Büro der Personalerin <small class="credit">Foto: Anna Müller / '
        "Agentur Süd</small></figcaption>"
    ) in hero


def test_cards_use_the_3_2_crop_lazily_and_top_articles_the_square(client):
    image = ImageFactory(file__width=1600, file__height=900)
    ArticleFactory(title="Der Aufmacher", featured=True)
    ArticleFactory(title="Gehaltserhöhung verhandeln", hero_image=image, view_count=5)
    html = html_of(client.get("/"))
    assert "-card-800.jpg 800w" in html and 'loading="lazy"' in html
    assert "-square-160.jpg 160w" in html


def test_body_image_keeps_its_figure_and_the_article_lists_its_credits(client, settings):
    hero = ImageFactory(credit="Foto: Jörg Weiß")
    body = ImageFactory(credit="Foto: Anna Müller / Agentur Süd")
    article = ArticleFactory(
        hero_image=hero, body=f'<p>Text</p><p><img src="{body.file.url}" alt=""></p>'
    )
    html = html_of(client.get(article.get_absolute_url()))
    assert f'<figure class="bild" data-bild="{body.pk}">' in html
    credits = html.split('id="bildnachweise"')[1].split("</section>")[0]
    assert "Foto: Jörg Weiß" in credits and "Foto: Anna Müller / Agentur Süd" in credits
    settings.ARTICLES_IMAGE_CREDITS_LIST = False
    assert 'id="bildnachweise"' not in html_of(client.get(article.get_absolute_url()))


def test_expired_licence_hides_hero_and_body_images_but_the_page_stays_whole(client, settings):
    yesterday = timezone.localdate() - timedelta(days=1)
    hero = ImageFactory(licence_until=yesterday)
    body = ImageFactory(licence_until=yesterday)
    article = ArticleFactory(
        hero_image=hero,
        body=f'<p>Vorher</p><p><img src="{body.file.url}" alt=""></p><p>Nachher</p>',
    )
    response = client.get(article.get_absolute_url())
    html = html_of(response)
    assert "<figure" not in html and "/media/images/" not in html
    assert "Vorher" in html and "Nachher" in html
    assert "Foto: Anna Müller" not in html  # neither caption nor credits list
    assert '"image"' not in html.split('application/ld+json">')[1].split("</script>")[0]

    settings.ARTICLES_IMAGE_EXPIRED_PLACEHOLDER = "img/bild-nicht-verfuegbar.svg"
    html = html_of(client.get(article.get_absolute_url()))
    assert '<figure class="hero"' in html and "bild-nicht-verfuegbar.svg" in html
    assert "/media/images/" not in html


@pytest.mark.parametrize(
    "changes",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_drafts_and_scheduled_articles_are_404(client, changes):
    article = ArticleFactory(**changes)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_old_slug_redirects_permanently_to_the_new_one(client):
    article = ArticleFactory(slug="alter-slug")
    article = Article.objects.get(pk=article.pk)
    article.slug = "neuer-slug"
    article_save(article=article)
    response = client.get("/artikel/alter-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/artikel/neuer-slug/"


def test_old_slug_of_an_unpublished_article_is_404(client):
    article = ArticleFactory(slug="alter-slug")
    article = Article.objects.get(pk=article.pk)
    article.slug, article.status = "neuer-slug", Article.Status.DRAFT
    article_save(article=article)
    assert client.get("/artikel/alter-slug/").status_code == 404


def test_related_articles_prefer_shared_tags_then_category_then_latest(client):
    category = CategoryFactory()
    article = ArticleFactory(category=category, tags=["Gehalt", "Verhandlung"])
    two_tags = ArticleFactory(title="Zwei Schlagwörter", tags=["Gehalt", "Verhandlung"],
                              published_at=timezone.now() - timedelta(days=9))  # fmt: skip
    one_tag = ArticleFactory(title="Ein Schlagwort", tags=["Gehalt"])
    same_category = ArticleFactory(title="Gleiche Kategorie", category=category)
    unrelated = ArticleFactory(title="Irgendwas anderes")
    ArticleFactory(title="Alt und fremd", published_at=timezone.now() - timedelta(days=30))
    html = html_of(client.get(article.get_absolute_url()))
    section = html.split('id="passende-artikel"')[1].split("</section>")[0]
    positions = [section.index(a.title) for a in (two_tags, one_tag, same_category, unrelated)]
    assert positions == sorted(positions)
    assert "Alt und fremd" not in section  # four places, the newest unrelated one fills the last


def test_related_articles_fall_back_to_the_latest(client):
    article = ArticleFactory()
    other = ArticleFactory(title="Etwas ganz anderes")
    html = html_of(client.get(article.get_absolute_url()))
    assert other.title in html.split('id="passende-artikel"')[1].split("</section>")[0]


def test_article_page_query_count_does_not_grow_with_content(client, django_assert_max_num_queries):
    def make(n):
        authors = AuthorFactory.create_batch(n)
        tags = [f"Thema {i}" for i in range(n)]
        image = ImageFactory()
        body = "".join(f'<p><img src="{ImageFactory().file.url}" alt=""></p>' for _ in range(n))
        article = ArticleFactory(authors=authors, tags=tags, hero_image=image, body=body)
        ArticleFactory.create_batch(n, tags=tags, hero_image=image)
        return article

    small, big = make(1), make(6)
    client.get("/")  # the navigation is cached across pages; later pages do not query it
    for article in (small, big):
        # Nothing cached but the navigation: article, authors, tags, body images, related,
        # then the Top-Artikel, comment and newsletter boxes (tests/karriere/test_fragments.py:
        # one query with the parts cached).
        with django_assert_max_num_queries(8):
            html_of(client.get(article.get_absolute_url()))


@pytest.mark.parametrize("url", ["/", "/kategorie/{category}/", "/thema/{tag}/", "/autor/{author}/",
                                 "/suche/?q=Bewerbung", "/feed/", "/sitemap.xml"])  # fmt: skip
def test_list_pages_query_count_is_constant(client, url, django_assert_max_num_queries):
    # The home page adds its lead, the category sections (one query for all) and, with no
    # views counted, the editors' recommendations: each a query plus one for their authors.
    cap = 15 if url == "/" else 9
    category, author = CategoryFactory(), AuthorFactory()
    ArticleFactory.create_batch(15, category=category, authors=[author], tags=["Bewerbung"],
                                title="Bewerbung", slug="", hero_image=ImageFactory())  # fmt: skip
    url = url.format(category=category.slug, tag="bewerbung", author=author.slug)
    # 9 on a cold cache: the next scheduled publication and the next licence end (two queries
    # for the ETag and the page's lifetime) are looked up once per content version.
    with django_assert_max_num_queries(cap):
        assert client.get(url).status_code == 200


def test_category_tag_and_author_archives_list_only_their_published_articles(client):
    category, author = CategoryFactory(name="Gehalt"), AuthorFactory(name="Tobias Krüger")
    mine = ArticleFactory(title="Gehaltsverhandlung", category=category, authors=[author],
                          tags=["Geld"])  # fmt: skip
    ArticleFactory(title="Entwurf", category=category, authors=[author], tags=["Geld"],
                   status=Article.Status.DRAFT)  # fmt: skip
    ArticleFactory(title="Woanders")
    for url in ("/kategorie/gehalt/", "/thema/geld/", "/autor/tobias-krueger/"):
        html = html_of(client.get(url))
        assert mine.title in html
        assert "Entwurf" not in html and "Woanders" not in html
    assert client.get("/kategorie/gibt-es-nicht/").status_code == 404


def test_search_finds_published_articles_by_title_teaser_or_body(client):
    ArticleFactory(title="Bewerbung schreiben", teaser="x", body="<p>y</p>")
    ArticleFactory(title="Gehalt", teaser="Alles zur Bewerbung", body="<p>y</p>")
    ArticleFactory(title="Entwurf zur Bewerbung", status=Article.Status.DRAFT)
    ArticleFactory(title="Etwas anderes", teaser="x", body="<p>nichts</p>")
    html = html_of(client.get("/suche/", {"q": "Bewerbung"}))
    assert "Bewerbung schreiben" in html and "Gehalt" in html
    assert "Entwurf zur Bewerbung" not in html and "Etwas anderes" not in html
    assert "2 Artikel gefunden" in html


def found(client, query: str) -> list[str]:
    html = html_of(client.get("/suche/", {"q": query}))
    return sorted(re.findall(r'<h[23] class="card-title"><a href="[^"]+">([^<]+)</a>', html))


def test_search_finds_the_articles_of_a_category_by_its_name(client):
    bewerbung = CategoryFactory(name="Bewerbung", slug="bewerbung")
    ArticleFactory(title="Lebenslauf mit Lücken", category=bewerbung, teaser="x", body="<p>y</p>")
    ArticleFactory(title="Das Anschreiben", category=bewerbung, teaser="x", body="<p>y</p>")
    ArticleFactory(title="Gehaltserhöhung", teaser="x", body="<p>y</p>")

    assert found(client, "Bewerbung") == ["Das Anschreiben", "Lebenslauf mit Lücken"]


def test_search_finds_articles_by_tag_name_as_their_tags_change(client):
    article = ArticleFactory(title="Mehr Geld verlangen", teaser="x", body="<p>y</p>")
    ArticleFactory(title="Überstunden", teaser="x", body="<p>y</p>", tags=["Arbeitszeit"])
    assert found(client, "Gehaltsverhandlung") == []

    article.tags.add("Gehaltsverhandlung")
    assert found(client, "Gehaltsverhandlung") == ["Mehr Geld verlangen"]

    article.tags.set(["Weiterbildungsmöglichkeiten"])
    assert found(client, "Gehaltsverhandlung") == []
    assert found(client, "Weiterbildungsmöglichkeiten") == ["Mehr Geld verlangen"]

    article.tags.clear()
    assert found(client, "Weiterbildungsmöglichkeiten") == []


def test_search_follows_renamed_categories_and_renamed_or_deleted_tags(client):
    article = ArticleFactory(
        title="Chefin sein", teaser="x", body="<p>y</p>", tags=["Leitung"],
        category=CategoryFactory(name="Karriere", slug="karriere"),
    )  # fmt: skip
    category, tag = article.category, article.tags.get()

    category.name = "Führungsaufgaben"
    category.save()
    tag.name = "Mitarbeiterführung"
    tag.save()

    assert found(client, "Führungsaufgaben") == ["Chefin sein"]
    assert found(client, "Mitarbeiterführung") == ["Chefin sein"]
    assert found(client, "Leitung") == []

    tag.delete()
    assert found(client, "Mitarbeiterführung") == []


def test_search_ranks_title_matches_first_on_postgresql(client, settings):
    if not settings.IS_POSTGRES:
        pytest.skip("ranking is PostgreSQL full-text search")
    ArticleFactory(title="Gehalt", teaser="x", body="<p>Tipps zur Bewerbung</p>",
                   published_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    ArticleFactory(title="Die Bewerbung", teaser="x", body="<p>y</p>",
                   published_at=timezone.now() - timedelta(days=5))  # fmt: skip
    html = html_of(client.get("/suche/", {"q": "Bewerbung"}))
    assert html.index("Die Bewerbung") < html.index(">Gehalt<")


def test_search_uses_german_stemming_on_postgresql(client, settings):
    if not settings.IS_POSTGRES:
        pytest.skip("stemming is PostgreSQL full-text search")
    ArticleFactory(title="Die perfekte Bewerbung", teaser="x", body="<p>y</p>")
    html = html_of(client.get("/suche/", {"q": "Bewerbungen"}))
    assert "Die perfekte Bewerbung" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "Bitte gib einen Suchbegriff ein."), ("   ", "Bitte gib einen Suchbegriff ein."),
     ("x" * 101, "Dein Suchbegriff ist zu lang"), ("Quantenphysik", "Nichts gefunden für")],
)  # fmt: skip
def test_search_answers_empty_too_long_or_unmatched_queries_in_german(client, query, message):
    assert message in html_of(client.get("/suche/", {"q": query}))


def test_search_shows_only_the_newest_matches_of_a_very_common_word(client, settings):
    settings.ARTICLES_SEARCH_MAX_RESULTS = 3
    for days in range(5):
        ArticleFactory(title=f"Bewerbung Teil {days}", slug="",
                       published_at=timezone.now() - timedelta(days=days + 1))  # fmt: skip
    html = html_of(client.get("/suche/", {"q": "Bewerbung"}))
    assert all(f"Bewerbung Teil {days}" in html for days in (0, 1, 2))
    assert "Bewerbung Teil 3" not in html and "Bewerbung Teil 4" not in html
    assert "hier sind die neuesten 3" in html


def test_search_pagination_keeps_the_query(client):
    ArticleFactory.create_batch(13, title="Bewerbung", slug="")
    assert "?q=Bewerbung&amp;seite=2" in html_of(client.get("/suche/", {"q": "Bewerbung"}))


def test_search_survives_operators_and_odd_characters(client):
    for query in ['"Bewerbung', "-", "a & b | !c", "'; DROP TABLE", "():*"]:
        assert client.get("/suche/", {"q": query}).status_code == 200


def test_rss_feed_is_valid_rss_with_only_published_articles(client, settings):
    live = ArticleFactory(title="Lebt", tags=["x"])
    ArticleFactory(title="Geplant", published_at=timezone.now() + timedelta(days=1))
    response = client.get("/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("./channel/item")
    assert [item.findtext("title") for item in items] == ["Lebt"]
    assert items[0].findtext("link") == settings.SITE_URL + live.get_absolute_url()


def test_atom_feed_is_valid_atom(client):
    ArticleFactory(title="Lebt")
    root = ET.fromstring(client.get("/feed/atom/").content)
    assert root.tag == f"{ATOM}feed"
    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == ["Lebt"]


def test_category_feed_lists_only_that_category(client):
    category = CategoryFactory(name="Gehalt")
    ArticleFactory(title="Drin", category=category)
    ArticleFactory(title="Draußen")
    root = ET.fromstring(client.get("/kategorie/gehalt/feed/").content)
    assert [item.findtext("title") for item in root.findall("./channel/item")] == ["Drin"]
    assert client.get("/kategorie/nein/feed/").status_code == 404


CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
MEDIA = "{http://search.yahoo.com/mrss/}"


@pytest.fixture
def article_with_hero():
    article = ArticleFactory(
        title="Überstunden: Was dein Arbeitgeber verlangen darf",
        teaser="Kurz: nicht alles.",
        body='<p>Der ganze Text über Überstunden.</p><p><img src="/media/uploads/tabelle.png"'
        ' alt="Tabelle"> <a href="/artikel/arbeitszeitgesetz/">Arbeitszeitgesetz</a></p>',
        hero_image=ImageFactory(
            file=factory.django.ImageField(width=1600, height=900, format="JPEG"),
            alt_text="Leeres Büro am Abend",
        ),
    )
    return article


def test_rss_feed_carries_the_full_article_and_its_hero_image(client, settings, article_with_hero):
    item = ET.fromstring(client.get("/feed/").content).find("./channel/item")

    assert item.findtext("description") == "Kurz: nicht alles."
    content = item.findtext(f"{CONTENT}encoded")
    assert "<p>Der ganze Text über Überstunden.</p>" in content
    assert f'src="{settings.SITE_URL}/media/uploads/tabelle.png"' in content
    assert f'href="{settings.SITE_URL}/artikel/arbeitszeitgesetz/"' in content
    image = item.find(f"{MEDIA}content")
    assert image.get("url").startswith(settings.SITE_URL + "/media/images/")
    assert image.get("url").endswith("-1200.jpg")
    assert (image.get("medium"), image.get("width"), image.get("height")) == (
        "image",
        "1200",
        "675",
    )


def test_atom_feed_carries_the_full_article_and_its_hero_image(client, settings, article_with_hero):
    entry = ET.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")

    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "<p>Der ganze Text über Überstunden.</p>" in content.text
    assert entry.find(f"{MEDIA}content").get("url").endswith("-1200.jpg")


def test_feed_entry_id_survives_a_slug_change(client, settings):
    article = ArticleFactory(title="Kündigungsfrist berechnen", slug="kuendigungsfrist")
    rss_guid = ET.fromstring(client.get("/feed/").content).find("./channel/item/guid")
    atom_id = ET.fromstring(client.get("/feed/atom/").content).findtext(f"{ATOM}entry/{ATOM}id")

    article.slug = "kuendigungsfrist-richtig-berechnen"
    article_save(article=article)

    assert rss_guid.get("isPermaLink") == "false"
    assert rss_guid.text == atom_id
    assert rss_guid.text.startswith(f"tag:{urlsplit(settings.SITE_URL).hostname},")
    assert "kuendigungsfrist" not in rss_guid.text
    again = ET.fromstring(client.get("/feed/").content).find("./channel/item")
    assert again.findtext("link").endswith("/artikel/kuendigungsfrist-richtig-berechnen/")
    assert again.findtext("guid") == rss_guid.text


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/", "/kategorie/gehalt-verguetung/feed/"])
def test_feeds_point_their_self_link_at_site_url(client, settings, path):
    ArticleFactory(category=CategoryFactory(name="Gehalt & Vergütung", slug="gehalt-verguetung"))
    root = ET.fromstring(client.get(path).content)

    links = root.iter(f"{ATOM}link")
    assert [link.get("href") for link in links if link.get("rel") == "self"] == [
        settings.SITE_URL + path
    ]


def sitemap_urls(client, settings) -> dict:
    """Every <url> of every sitemap the index at /sitemap.xml lists, by location."""
    index = ET.fromstring(client.get("/sitemap.xml").content)
    assert index.tag == f"{SITEMAP}sitemapindex"
    urls = {}
    for location in index.iterfind(f"{SITEMAP}sitemap/{SITEMAP}loc"):
        assert location.text.startswith(settings.SITE_URL + "/sitemap-")
        section = ET.fromstring(client.get(location.text.removeprefix(settings.SITE_URL)).content)
        urls |= {url.findtext(f"{SITEMAP}loc"): url for url in section.iter(f"{SITEMAP}url")}
    return urls


def test_sitemap_is_valid_xml_listing_published_articles_categories_and_authors(client, settings):
    live = ArticleFactory(slug="lebt")
    ArticleFactory(slug="entwurf", status=Article.Status.DRAFT)
    locations = sitemap_urls(client, settings)
    article_url = settings.SITE_URL + "/artikel/lebt/"
    assert article_url in locations
    assert locations[article_url].findtext(f"{SITEMAP}lastmod")
    assert settings.SITE_URL + "/artikel/entwurf/" not in locations
    assert settings.SITE_URL + live.category.get_absolute_url() in locations
    assert settings.SITE_URL + live.authors.get().get_absolute_url() in locations


def test_a_large_archive_is_split_into_sitemap_pages(client, settings, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    ArticleFactory.create_batch(5)
    index = client.get("/sitemap.xml").content.decode()
    assert f"{settings.SITE_URL}/sitemap-articles.xml?p=3</loc>" in index
    assert f"{settings.SITE_URL}/sitemap-articles.xml?p=4</loc>" not in index
    assert len([url for url in sitemap_urls(client, settings) if "/artikel/" in url]) == 5


def test_robots_txt_points_to_the_sitemap(client, settings):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in response.content.decode()


def test_staff_can_preview_a_draft_marked_noindex(admin_client):
    article = ArticleFactory(title="Noch geheim", status=Article.Status.DRAFT)
    response = admin_client.get(f"/vorschau/artikel/{article.pk}/")
    html = html_of(response)
    assert "Noch geheim" in html and 'content="noindex, nofollow"' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_readers_cannot_use_the_staff_preview(client):
    article = ArticleFactory(status=Article.Status.DRAFT)
    response = client.get(f"/vorschau/artikel/{article.pk}/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_shareable_preview_link_works_until_it_expires(client, settings):
    import time_machine

    article = ArticleFactory(title="Noch geheim", status=Article.Status.DRAFT)
    url = f"/vorschau/{article.preview_token()}/"
    assert "Noch geheim" in html_of(client.get(url))
    later = timezone.now() + timedelta(seconds=settings.ARTICLES_PREVIEW_MAX_AGE + 60)
    with time_machine.travel(later):
        assert client.get(url).status_code == 404
    assert client.get(f"/vorschau/{article.pk}:falsch/").status_code == 404


def test_teilen_with_whatsapp_is_offered_at_the_top_and_after_the_body(client, settings):
    article = ArticleFactory(
        title="Kündigung & Abfindung: Was dir zusteht", body="<p>Der Artikeltext.</p>"
    )
    html = html_of(client.get(article.get_absolute_url()))
    whatsapp = (
        "https://wa.me/?text=K%C3%BCndigung%20%26%20Abfindung%3A%20Was%20dir%20zusteht%20"
        + quote(settings.SITE_URL + article.get_absolute_url(), safe="")
    )
    body = html.index("Der Artikeltext.")

    assert html.count("<p>Teilen:</p>") == 2
    assert html.index("<p>Teilen:</p>") < body
    assert html.count(f'href="{whatsapp}"') == 2
    assert html.index(f'href="{whatsapp}"') < body


def json_ld_blocks(html: str) -> list[dict]:
    parts = html.split('<script type="application/ld+json">')[1:]
    return [json.loads(part.split("</script>")[0]) for part in parts]


def meta(html: str, name: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)
    return found.group(1) if found else None


def test_home_has_canonical_open_graph_and_website_and_organization_json_ld(client, settings):
    ArticleFactory.create_batch(13)
    html = html_of(client.get("/"))
    home = settings.SITE_URL + "/"

    assert f'<link rel="canonical" href="{home}">' in html
    assert meta(html, "og:url") == home
    assert meta(html, "og:type") == "website"
    assert meta(html, "og:image") == settings.SITE_URL + "/static/icons/icon-512.png"
    assert (meta(html, "og:image:width"), meta(html, "og:image:height")) == ("512", "512")
    assert meta(html, "og:image:alt") == meta(html, "twitter:image:alt") == settings.SITE_NAME
    graph = {item["@type"]: item for item in json_ld_blocks(html)[0]["@graph"]}
    assert graph["WebSite"]["url"] == home
    assert graph["WebSite"]["publisher"] == {"@id": graph["Organization"]["@id"]}
    assert graph["Organization"]["name"] == settings.PUBLISHER_NAME
    assert graph["Organization"]["logo"]["url"].endswith("/static/icons/icon-512.png")
    second_page = html_of(client.get("/?seite=2"))
    assert f'<link rel="canonical" href="{home}?seite=2">' in second_page


def test_tag_page_has_canonical_and_open_graph(client, settings):
    ArticleFactory(title="Wie du die Gehaltserhöhung verhandelst", tags=["Gehaltsverhandlung"])
    html = html_of(client.get("/thema/gehaltsverhandlung/"))
    url = settings.SITE_URL + "/thema/gehaltsverhandlung/"

    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "og:url") == url
    assert meta(html, "og:title") == "Thema: Gehaltsverhandlung"
    assert (
        meta(html, "og:description")
        == "Artikel zum Thema Gehaltsverhandlung: Tipps und Hintergründe."
    )


def test_shared_article_shows_its_hero_image_with_size_and_alt_text(client, settings):
    article = ArticleFactory(
        hero_image=ImageFactory(
            file=factory.django.ImageField(width=1600, height=900, format="JPEG"),
            alt_text="Bewerberin im Vorstellungsgespräch",
        )
    )
    html = html_of(client.get(article.get_absolute_url()))

    image = meta(html, "og:image")
    assert image.startswith(settings.SITE_URL + "/media/images/") and image.endswith("-1200.jpg")
    assert meta(html, "twitter:image") == image
    assert (meta(html, "og:image:width"), meta(html, "og:image:height")) == ("1200", "675")
    assert meta(html, "og:image:alt") == "Bewerberin im Vorstellungsgespräch"
    assert meta(html, "twitter:image:alt") == "Bewerberin im Vorstellungsgespräch"
    assert meta(html, "twitter:card") == "summary_large_image"


def test_article_json_ld_names_the_publisher_with_logo_and_a_breadcrumb_trail(client, settings):
    category = CategoryFactory(name="Weiterbildung & Studium", slug="weiterbildung-studium")
    article = ArticleFactory(title="Weiterbildungsmöglichkeiten für Ältere", category=category)
    html = html_of(client.get(article.get_absolute_url()))
    article_data, breadcrumb = json_ld_blocks(html)

    publisher = article_data["publisher"]
    assert publisher["url"] == settings.SITE_URL + "/"
    assert publisher["logo"]["url"] == settings.SITE_URL + "/static/icons/icon-512.png"
    assert breadcrumb["@type"] == "BreadcrumbList"
    assert [
        (item["position"], item["name"], item["item"]) for item in breadcrumb["itemListElement"]
    ] == [
        (1, "Startseite", settings.SITE_URL + "/"),
        (2, "Weiterbildung & Studium", settings.SITE_URL + "/kategorie/weiterbildung-studium/"),
        (
            3,
            "Weiterbildungsmöglichkeiten für Ältere",
            settings.SITE_URL + article.get_absolute_url(),
        ),
    ]


def test_article_page_links_the_atom_and_its_category_feed_in_the_head(client):
    article = ArticleFactory(category=CategoryFactory(name="Führung", slug="fuehrung"))
    html = html_of(client.get(article.get_absolute_url()))
    head = html.split("</head>")[0]

    assert '<link rel="alternate" type="application/atom+xml"' in head
    assert 'href="/feed/atom/"' in head
    assert 'title="Führung – Karriere-Magazin" href="/kategorie/fuehrung/feed/"' in head
