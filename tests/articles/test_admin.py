from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from articles.models import Article, Author, Image
from karriere.dependencies import version_token
from tests.articles.images import HTML, SVG, jpeg_bytes, upload
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, ImageFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/articles/article/"


def make_editor(*codenames: str) -> User:
    user = User.objects.create_user("redakteurin", password="geheim-123", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["view_article", "add_article", "change_article", *codenames],
        )
    )
    return user


def form_data(**overrides) -> dict:
    data = {
        "title": "Gehaltserhöhung für Berufseinsteiger",
        "slug": "",
        "teaser": "Wann und wie fragen?",
        "body": "<p>Text</p>",
        "category": CategoryFactory().pk,
        "tags": "Gehalt",
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "comments_open": "on",
        "seo_title": "",
        "seo_description": "",
    }
    data.update(overrides)
    return data


def test_article_list_shows_the_editors_columns_and_sorts_by_views(admin_client):
    ArticleFactory(title="Wenig gelesen", view_count=3, authors=[AuthorFactory(name="Julia")])
    ArticleFactory(title="Viel gelesen", view_count=900)
    html = admin_client.get(ADMIN).content.decode()
    for heading in ("Titel", "Status", "Kategorie", "Autoren", "Veröffentlichungsdatum",
                    "Aufrufe", "Bild"):  # fmt: skip
        assert heading in html
    assert "Julia" in html
    views_column = 6  # 1-based position of "views" in list_display
    html = admin_client.get(ADMIN, {"o": f"-{views_column}"}).content.decode()
    assert html.index("Viel gelesen") < html.index("Wenig gelesen")


def test_admin_list_query_count_is_constant(admin_client, django_assert_max_num_queries):
    for _ in range(20):
        ArticleFactory(authors=AuthorFactory.create_batch(2))
    with django_assert_max_num_queries(14):
        assert admin_client.get(ADMIN).status_code == 200


def test_adding_an_article_builds_a_german_slug_and_invalidates_the_home_page(
    admin_client, django_capture_on_commit_callbacks
):
    author = AuthorFactory()
    before = version_token("home", f"author-{author.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{ADMIN}add/", form_data(authors=[author.pk]))
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.slug == "gehaltserhoehung-fuer-berufseinsteiger"
    assert list(article.tags.names()) == ["Gehalt"]
    assert version_token("home", f"author-{author.pk}") != before


def test_change_form_offers_preview_counters_and_a_shareable_link(admin_client):
    article = ArticleFactory(status=Article.Status.DRAFT)
    html = admin_client.get(f"{ADMIN}{article.pk}/change/").content.decode()
    assert f'href="/vorschau/artikel/{article.pk}/"' in html
    assert "/vorschau/" + article.preview_token()[:10] in html
    assert 'data-counter="true"' in html and 'maxlength="70"' in html
    assert "js/article_admin.js" in html
    assert 'data-slug-source="id_title"' in html


IMAGES = "/admin/articles/image/"


def image_form_data(**overrides) -> dict:
    data = {
        "title": "Gehaltsgespräch im Büro",
        "alt_text": "Zwei Personen am Besprechungstisch",
        "caption": "",
        "credit": "Foto: Anna Müller / Agentur Süd",
        "licence": "agency",
        "licence_version": "",
        "source_url": "",
        "licence_until": "",
        "focal_x": "50",
        "focal_y": "50",
    }
    data.update(overrides)
    return data


def test_image_upload_that_is_not_an_image_gets_a_german_error(admin_client):
    data = image_form_data(file=upload("bild.jpg", HTML))
    response = admin_client.post(f"{IMAGES}add/", data)
    assert response.status_code == 200
    assert "gültiges Bild" in response.content.decode() or "kein Bild" in response.content.decode()
    assert not Image.objects.exists()


def test_image_without_alt_text_or_credit_is_refused_in_german(admin_client):
    data = image_form_data(file=upload("bild.jpg", jpeg_bytes()), alt_text="", credit="")
    html = admin_client.post(f"{IMAGES}add/", data).content.decode()
    assert "Beschreibe das Bild" in html
    assert "Dieses Feld ist zwingend erforderlich" in html  # the credit
    assert 'value="Gehaltsgespräch im Büro"' in html
    assert not Image.objects.exists()


def test_creative_commons_needs_its_version(admin_client):
    data = image_form_data(file=upload("bild.jpg", jpeg_bytes()), licence="cc-by-sa")
    html = admin_client.post(f"{IMAGES}add/", data).content.decode()
    assert "brauchen ihre Version" in html
    data = image_form_data(file=upload("bild.jpg", jpeg_bytes()), licence="cc-by-sa")
    data["licence_version"] = "4.0"
    assert admin_client.post(f"{IMAGES}add/", data).status_code == 302
    image = Image.objects.get()
    assert image.credit_line == "Foto: Anna Müller / Agentur Süd, CC BY-SA 4.0"
    assert image.licence_url == "https://creativecommons.org/licenses/by-sa/4.0/deed.de"


def test_image_admin_records_the_uploader_and_counts_the_articles_using_it(admin_client):
    admin_client.post(f"{IMAGES}add/", image_form_data(file=upload("bild.jpg", jpeg_bytes())))
    image = Image.objects.get()
    assert image.uploaded_by.username == "admin"
    for number in range(3):
        ArticleFactory(title=f"Gehaltserhöhung {number}", hero_image=image)
    html = admin_client.get(IMAGES).content.decode()
    assert "Verwendet in 3 Artikeln" in html
    html = admin_client.get(f"{IMAGES}{image.pk}/change/").content.decode()
    assert "Verwendet in 3 Artikeln" in html and "Gehaltserhöhung 2" in html


def test_image_filters_find_missing_credits_ending_licences_and_unused_images(admin_client):
    today = timezone.localdate()
    without_credit = ImageFactory(title="Altes Titelbild", credit="")
    ending = ImageFactory(title="Läuft bald ab", licence_until=today + timedelta(days=20))
    ImageFactory(title="Läuft später ab", licence_until=today + timedelta(days=40))
    used = ImageFactory(title="Im Einsatz")
    ArticleFactory(hero_image=used)

    def titles(query: str) -> set[str]:
        response = admin_client.get(f"{IMAGES}?{query}")
        return {image.title for image in response.context["cl"].result_list}

    assert titles("bildnachweis=ohne") == {without_credit.title}
    assert titles("lizenz=endet") == {ending.title}
    assert "Im Einsatz" not in titles("verwendung=unbenutzt")
    assert len(titles("verwendung=unbenutzt")) == 3
    assert titles("licence__exact=agency") >= {"Im Einsatz", "Läuft bald ab"}
    html = admin_client.get(IMAGES).content.decode()
    assert "ohne Bildnachweis" in html and "Lizenz läuft in 30 Tagen ab" in html


def test_publish_and_unpublish_actions(admin_client, django_capture_on_commit_callbacks):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    response = admin_client.post(
        ADMIN, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    assert "1 Artikel veröffentlicht" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_public
    admin_client.post(ADMIN, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_editor_without_publish_permission_cannot_publish(client):
    client.force_login(make_editor("change_any_article"))
    draft = ArticleFactory(status=Article.Status.DRAFT)
    html = client.get(ADMIN).content.decode()
    assert 'value="publish"' not in html and 'value="unpublish"' not in html
    client.post(ADMIN, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT

    form = client.get(f"{ADMIN}{draft.pk}/change/").content.decode()
    assert 'value="review"' in form and 'value="published"' not in form
    data = form_data(authors=[draft.authors.get().pk], status=Article.Status.PUBLISHED)
    response = client.post(f"{ADMIN}{draft.pk}/change/", data)
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_editor_without_publish_permission_may_send_to_review(client):
    client.force_login(make_editor("change_any_article"))
    draft = ArticleFactory(status=Article.Status.DRAFT)
    data = form_data(authors=[draft.authors.get().pk], status=Article.Status.REVIEW)
    assert client.post(f"{ADMIN}{draft.pk}/change/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW


def test_published_article_is_read_only_without_publish_permission(client):
    client.force_login(make_editor("change_any_article"))
    live = ArticleFactory(title="Online")
    data = form_data(authors=[live.authors.get().pk], title="Heimlich geändert")
    assert client.post(f"{ADMIN}{live.pk}/change/", data).status_code == 403
    live.refresh_from_db()
    assert live.title == "Online"


def test_author_without_change_any_sees_and_edits_only_own_articles(client):
    user = make_editor()
    client.force_login(user)
    own = ArticleFactory(title="Mein Text", status=Article.Status.DRAFT,
                         authors=[AuthorFactory(user=user)])  # fmt: skip
    other = ArticleFactory(title="Fremder Text", status=Article.Status.DRAFT)
    html = client.get(ADMIN).content.decode()
    assert "Mein Text" in html and "Fremder Text" not in html
    assert client.get(f"{ADMIN}{own.pk}/change/").status_code == 200
    assert client.get(f"{ADMIN}{other.pk}/change/").status_code == 302  # "does not exist"
    data = form_data(authors=[other.authors.get().pk], title="Übernommen")
    client.post(f"{ADMIN}{other.pk}/change/", data)
    other.refresh_from_db()
    assert other.title == "Fremder Text"


def test_new_article_of_an_author_without_change_any_gets_their_own_byline(client):
    user = make_editor()
    user.first_name, user.last_name = "Julia", "Becker"
    user.save()
    client.force_login(user)
    response = client.post(f"{ADMIN}add/", form_data())
    assert response.status_code == 302
    article = Article.objects.get()
    author = Author.objects.get(user=user)
    assert list(article.authors.all()) == [author]
    assert author.name == "Julia Becker"
    assert "Gehaltserh" in client.get(ADMIN).content.decode()


# --- CKEditor uploads ---------------------------------------------------------------------


def test_ckeditor_upload_creates_a_library_image_waiting_for_its_credit(admin_client):
    response = admin_client.post(
        "/ckeditor/upload/", {"upload": upload("büro_foto.jpg", jpeg_bytes())}
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    image = Image.objects.get()
    assert data["uploaded"] == 1 and data["url"] == image.file.url
    assert image.title == "büro foto" and image.credit == ""
    assert image.uploaded_by.username == "admin"
    assert image.renditions["shapes"]["square"]


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("bild.svg", SVG, "image/svg+xml"),
        ("bild.jpg", HTML, "image/jpeg"),
        ("notiz.txt", b"hallo", "text/plain"),
    ],
)
def test_ckeditor_upload_refuses_svg_and_non_images_in_german(
    admin_client, settings, name, content, content_type
):
    response = admin_client.post(
        "/ckeditor/upload/", {"upload": upload(name, content, content_type)}
    )
    assert response.status_code == 400
    assert "kein Bild" in json.loads(response.content)["error"]["message"]
    assert not (settings.MEDIA_ROOT / "images").exists()


def test_ckeditor_dialog_upload_gets_the_message_through_the_callback(admin_client):
    response = admin_client.post(
        "/ckeditor/upload/?CKEditorFuncNum=3", {"upload": upload("bild.svg", SVG, "image/svg+xml")}
    )
    html = response.content.decode()
    assert 'callFunction(3, "",' in html and "kein Bild" in html


def test_ckeditor_upload_is_staff_only(client):
    response = client.post("/ckeditor/upload/", {"upload": upload("foto.jpg", jpeg_bytes())})
    assert response.status_code == 302 and "/login/" in response["Location"]
    User.objects.create_user("leserin", password="geheim-123")
    client.login(username="leserin", password="geheim-123")
    response = client.post("/ckeditor/upload/", {"upload": upload("foto.jpg", jpeg_bytes())})
    assert response.status_code == 302


def test_hero_preview_shows_the_hero_crop_and_the_credit(admin_client):
    article = ArticleFactory(hero_image=ImageFactory())
    html = admin_client.get(f"{ADMIN}{article.pk}/change/").content.decode()
    assert "-hero-480.jpg" in html and "Foto: Anna Müller / Agentur Süd" in html
    assert "-square-160.jpg" in admin_client.get(ADMIN).content.decode()


def test_ckeditor_upload_needs_the_right_to_write_articles(client):
    user = User.objects.create_user("moderatorin", password="geheim-123", is_staff=True)
    client.force_login(user)
    response = client.post("/ckeditor/upload/", {"upload": upload("foto.jpg", jpeg_bytes())})
    assert response.status_code == 403
    assert "Bilder hochladen" in json.loads(response.content)["error"]["message"]


def test_author_without_change_any_previews_only_own_drafts(client):
    user = make_editor()
    client.force_login(user)
    own = ArticleFactory(status=Article.Status.DRAFT, authors=[AuthorFactory(user=user)])
    other = ArticleFactory(status=Article.Status.DRAFT)
    assert client.get(f"/vorschau/artikel/{own.pk}/").status_code == 200
    assert client.get(f"/vorschau/artikel/{other.pk}/").status_code == 404


def test_view_only_staff_see_every_article_read_only(client):
    user = User.objects.create_user("moderatorin", password="geheim-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_article"))
    client.force_login(user)
    other = ArticleFactory(title="Von jemand anderem", status=Article.Status.DRAFT)
    assert "Von jemand anderem" in client.get(ADMIN).content.decode()
    assert client.get(f"/vorschau/artikel/{other.pk}/").status_code == 200


def test_revoking_preview_links_stops_the_links_handed_out_before(admin_client, client):
    article = ArticleFactory(title="Noch geheim", status=Article.Status.DRAFT)
    old_link = f"/vorschau/{article.preview_token()}/"
    assert client.get(old_link).status_code == 200

    response = admin_client.post(
        "/admin/articles/article/",
        {"action": "revoke_preview_links", "_selected_action": [article.pk]},
        follow=True,
    )

    assert "Die Vorschau-Links von 1 Artikel funktionieren nicht mehr." in response.content.decode()
    assert client.get(old_link).status_code == 404
    article.refresh_from_db()
    assert client.get(f"/vorschau/{article.preview_token()}/").status_code == 200


def test_ckeditor_browser_lists_the_library_in_german_and_uploads_with_credit(admin_client):
    ImageFactory(title="Bewerbungsgespräch", credit="Foto: Jörg Weiß")
    ImageFactory(title="Altes Bild ohne Nachweis", credit="")
    url = "/ckeditor/browse/?CKEditor=id_body&CKEditorFuncNum=7&langCode=de"
    html = admin_client.get(url).content.decode()
    assert "Bildbibliothek" in html and 'data-func-num="7"' in html
    assert "Bewerbungsgespräch" in html and "Foto: Jörg Weiß" in html
    assert "Bildnachweis fehlt" in html and "-square-160.jpg" in html
    assert "Neues Bild hochladen" in html

    data = image_form_data(file=upload("gehalt.jpg", jpeg_bytes()), credit="")
    html = admin_client.post(url, data).content.decode()
    assert "Dieses Feld ist zwingend erforderlich" in html
    assert 'value="Gehaltsgespräch im Büro"' in html  # what was typed is kept

    data = image_form_data(file=upload("gehalt.jpg", jpeg_bytes()))
    response = admin_client.post(url, data)
    image = Image.objects.get(title="Gehaltsgespräch im Büro")
    assert response.status_code == 302
    assert "CKEditorFuncNum=7" in response["Location"] and f"neu={image.pk}" in response["Location"]
    html = admin_client.get(response["Location"]).content.decode()
    assert f'data-url="{image.file.url}"' in html and "Füge es unten ein" in html
    assert image.uploaded_by.username == "admin"

    html = admin_client.get(url + "&q=weiß").content.decode()
    assert "Bewerbungsgespräch" in html and "Gehaltsgespräch im Büro" not in html


def test_ckeditor_browser_needs_the_right_to_view_images(client):
    user = User.objects.create_user("moderatorin", password="geheim-123", is_staff=True)
    client.force_login(user)
    assert client.get("/ckeditor/browse/").status_code == 403


def test_hero_image_is_searched_in_the_library_with_thumbnails_or_added_in_place(admin_client):
    image = ImageFactory(title="Gehaltsgespräch unter vier Augen", credit="Foto: Jörg Weiß")
    ImageFactory(title="Lebenslauf auf dem Schreibtisch")
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "hero_image",
         "term": "gehaltsgespräch"},
    )  # fmt: skip
    (result,) = response.json()["results"]
    assert result == {
        "id": str(image.pk),
        "text": "Gehaltsgespräch unter vier Augen",
        "thumbnail": image.thumbnail_url,
        "credit": "Foto: Jörg Weiß",
    }
    form = admin_client.get(f"{ADMIN}add/").content.decode()
    assert 'data-thumbnails="true"' in form and "js/image_autocomplete.js" in form
    # The plus sign opens the image form in a popup: upload in place.
    assert (
        'id="add_id_hero_image"' in form
        and "/admin/articles/image/add/?_to_field=id&amp;_popup=1" in form
    )


def test_bulk_deleting_images_deletes_their_files(admin_client, django_capture_on_commit_callbacks):
    images = ImageFactory.create_batch(2)
    names = [name for image in images for name in (image.file.name, image.thumbnail_url)]
    storage = images[0].file.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            IMAGES,
            {
                "action": "delete_selected",
                "_selected_action": [i.pk for i in images],
                "post": "yes",
            },
        )
    assert response.status_code == 302 and not Image.objects.exists()
    assert not any(storage.exists(name.removeprefix("/media/")) for name in names)


def test_focal_point_outside_the_image_is_refused_in_german(admin_client):
    data = image_form_data(file=upload("bild.jpg", jpeg_bytes()), focal_x="150")
    html = admin_client.post(f"{IMAGES}add/", data).content.decode()
    assert "kleiner oder gleich 100" in html and not Image.objects.exists()
