"""The image library: renditions, crops, metadata, licences, bodies."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from articles.media import Image, licence_end
from articles.models import Article
from tests.articles.images import jpeg_bytes, phone_jpeg, transparent_png, upload
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory

pytestmark = pytest.mark.django_db


def library_image(name: str, content: bytes, **fields) -> Image:
    image = ImageFactory.build(file=None, **fields)
    image.file.save(name, ContentFile(content), save=True)
    return image


def open_stored(image: Image, name: str) -> PILImage.Image:
    with image.file.storage.open(name) as stored:
        picture = PILImage.open(stored)
        picture.load()
        return picture


def test_every_shape_gets_webp_and_jpeg_renditions_once_on_save():
    image = library_image("bild.jpg", jpeg_bytes(1600, 900))
    shapes = image.renditions["shapes"]
    assert [item["width"] for item in shapes["original"]] == [400, 800, 1200]
    assert [(i["width"], i["height"]) for i in shapes["hero"]] == [(400, 225), (800, 450),
                                                                   (1200, 675)]  # fmt: skip
    assert [(i["width"], i["height"]) for i in shapes["card"]] == [(400, 267), (800, 533)]
    assert [(i["width"], i["height"]) for i in shapes["square"]] == [(160, 160), (320, 320)]
    storage = image.file.storage
    for items in shapes.values():
        for item in items:
            assert storage.exists(item["webp"]) and storage.exists(item["jpg"])
            assert open_stored(image, item["jpg"]).size == (item["width"], item["height"])
    image = Image.objects.get(pk=image.pk)
    image.title = "Neuer Titel"
    image.save()
    assert image.renditions["shapes"] == shapes


def test_small_images_are_not_upscaled():
    image = library_image("klein.jpg", jpeg_bytes(600, 400))
    assert [item["width"] for item in image.renditions["shapes"]["original"]] == [400, 600]


def test_rotated_phone_photo_is_shown_upright_and_loses_its_location_in_every_rendition():
    original = PILImage.open(ContentFile(phone_jpeg(800, 600)))
    assert original.getexif().get_ifd(0x8825)  # the test photo does carry a position

    image = library_image("IMG_2041.jpg", phone_jpeg(800, 600))

    assert (image.renditions["width"], image.renditions["height"]) == (600, 800)
    largest = image.renditions["shapes"]["original"][-1]
    assert (largest["width"], largest["height"]) == (600, 800)  # portrait, as the phone showed it
    for items in image.renditions["shapes"].values():
        for item in items:
            for ext in ("jpg", "webp"):
                stored = open_stored(image, item[ext])
                assert not stored.getexif(), item[ext]
                assert "exif" not in stored.info and "xmp" not in stored.info
    with image.file.storage.open(largest["jpg"]) as stored:
        assert b"Pixel 9" not in stored.read()


def test_transparent_png_is_laid_on_white():
    image = library_image("logo.png", transparent_png(600, 400))
    for shape in ("original", "square"):
        stored = open_stored(image, image.renditions["shapes"][shape][-1]["jpg"]).convert("RGB")
        assert min(stored.getpixel((2, 2))) >= 250  # the transparent corner: white, not black
        centre = stored.getpixel((stored.width // 2, stored.height // 2))
        assert max(centre) < 60  # the logo itself stays dark


def test_crops_keep_the_focal_point_in_view():
    # A red face at the left edge of a wide picture: a centred square would cut it off.
    picture = PILImage.new("RGB", (1600, 600), (230, 230, 230))
    picture.paste((200, 0, 0), (40, 200, 240, 400))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG")
    centred = library_image("gruppe.jpg", buffer.getvalue())
    focused = library_image("gruppe.jpg", buffer.getvalue(), focal_x=9, focal_y=50)

    def red_in_square(image: Image) -> bool:
        square = open_stored(image, image.renditions["shapes"]["square"][-1]["jpg"])
        pixels = square.convert("RGB").get_flattened_data()
        return any(r > 150 and g < 80 for r, g, b in pixels)

    assert not red_in_square(centred)
    assert red_in_square(focused)


def test_moving_the_focal_point_remakes_the_crops_and_deletes_the_old_ones(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        image = library_image("bild.jpg", jpeg_bytes(1600, 900))
    storage = image.file.storage
    old_hero = image.renditions["shapes"]["hero"][-1]["jpg"]
    image = Image.objects.get(pk=image.pk)
    image.focal_x = 10
    with django_capture_on_commit_callbacks(execute=True):
        image.save()
    # Same names, new pixels: the rendition files are replaced in place.
    assert storage.exists(image.renditions["shapes"]["hero"][-1]["jpg"])
    assert image.renditions["shapes"]["hero"][-1]["jpg"] == old_hero

    old_files = [image.file.name] + [
        item["jpg"] for items in image.renditions["shapes"].values() for item in items
    ]
    image.file.save("neu.jpg", ContentFile(jpeg_bytes(1200, 800)), save=False)
    with django_capture_on_commit_callbacks(execute=True):
        image.save()
    assert not any(storage.exists(name) for name in old_files)
    assert storage.exists(image.file.name)


def test_uploaded_images_get_random_names_with_an_image_extension():
    image = library_image("bewerbung-max-mustermann.html", jpeg_bytes())
    assert image.file.name.startswith(f"images/{timezone.now():%Y/%m}/")
    assert image.file.name.endswith(".jpg")
    assert "mustermann" not in image.file.name and ".html" not in image.file.name
    # Uploads (admin, CKEditor) are stored with the extension of their real format.
    for name, content, extension in [
        ("foto.png", jpeg_bytes(), ".jpg"),
        ("logo.jpg", transparent_png(), ".png"),
    ]:
        uploaded = ImageFactory.build(file=upload(name, content))
        uploaded.save()
        assert uploaded.file.name.endswith(extension)
        # Author photos follow the same rule.
        author = AuthorFactory(photo=upload(name, content))
        assert author.photo.name.startswith(f"authors/{timezone.now():%Y/%m}/")
        assert author.photo.name.endswith(extension)


def test_image_needs_alt_text_unless_decorative():
    image = ImageFactory.build(alt_text="")
    with pytest.raises(ValidationError) as error:
        image.clean()
    assert "alt_text" in error.value.message_dict
    image.decorative = True
    image.clean()


def test_a_licence_runs_out_at_the_end_of_its_last_day_in_germany():
    end = licence_end(date(2026, 6, 30))
    assert end.isoformat() == "2026-07-01T00:00:00+02:00"


def test_deleting_an_image_takes_it_off_its_articles_and_deletes_its_files(
    django_capture_on_commit_callbacks,
):
    image = ImageFactory()
    article = ArticleFactory(hero_image=image)
    names = [image.file.name, image.renditions["shapes"]["card"][0]["webp"]]
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    article.refresh_from_db()
    assert article.hero_image is None
    assert not any(image.file.storage.exists(name) for name in names)


# --- bodies ----------------------------------------------------------------------------------


def test_library_image_in_a_body_becomes_a_figure_with_renditions_and_credit():
    image = ImageFactory(caption="Gehaltsgespräch: gut vorbereitet")
    article = ArticleFactory(
        body=f'<p>Einleitung</p><p><img src="{image.file.url}" alt=""></p><p>Schluss</p>'
    )
    article = Article.objects.get(pk=article.pk)
    html = article.body_html
    assert f'<figure class="bild" data-bild="{image.pk}">' in html
    assert "-original-400.webp 400w" in html and 'loading="lazy"' in html
    assert 'width="480" height="270"' in html
    assert f'alt="{image.alt_text}"' in html  # the library's alt text where the editor gave none
    assert "<figcaption>Gehaltsgespräch: gut vorbereitet" in html
    assert "Foto: Anna Müller / Agentur Süd" in html
    assert "<p><figure" not in html and "<p></p>" not in html
    assert list(article.body_images.all()) == [image]
    # The editor keeps the plain image it inserted.
    assert article.body.count("<img") == 1 and "figure" not in article.body


def test_image_inside_running_text_closes_the_paragraph_around_the_figure():
    image = ImageFactory()
    article = ArticleFactory(body=f'<p>Vorher <img src="{image.file.url}" alt="Büro"> nachher</p>')
    assert article.body_html.startswith("<p>Vorher </p><figure")
    assert article.body_html.endswith("</figure><p> nachher</p>")


def test_foreign_and_unknown_images_in_a_body_stay_as_they_are():
    article = ArticleFactory(body='<p><img src="/media/uploads/alt.jpg" alt="Alt"></p>')
    assert article.body_html == '<p><img src="/media/uploads/alt.jpg" alt="Alt"></p>'
    assert not article.body_images.exists()


def test_expiring_and_expired_licences():
    today = timezone.localdate()
    soon = ImageFactory(licence_until=today + timedelta(days=30))
    later = ImageFactory(licence_until=today + timedelta(days=31))
    gone = ImageFactory(licence_until=today - timedelta(days=1))
    assert list(Image.objects.expiring(days=30)) == [soon]
    assert list(Image.objects.expired()) == [gone]
    assert gone.is_expired and not soon.is_expired and not later.is_expired
    assert Image.objects.next_licence_end() == licence_end(soon.licence_until)


def test_a_new_credit_reaches_the_bodies_showing_the_image_without_saving_them():
    image = ImageFactory(credit="Foto: Anna Müller / Agentur Süd")
    article = ArticleFactory(body=f'<p><img src="{image.file.url}" alt=""></p>')
    image = Image.objects.get(pk=image.pk)
    image.credit = "Foto: Jörg Weiß / Agentur Nord"
    image.save()
    article.refresh_from_db()
    assert "Jörg Weiß" in article.body_html and "Anna Müller" not in article.body_html


def test_a_deleted_body_image_leaves_no_broken_figure(client):
    kept, deleted = ImageFactory(), ImageFactory()
    body = "".join(f'<p><img src="{image.file.url}" alt=""></p>' for image in (kept, deleted))
    article = ArticleFactory(body=body)
    deleted.delete()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'data-bild="{kept.pk}"' in html and f'data-bild="{deleted.pk}"' not in html


def test_a_source_address_typed_without_scheme_is_read_as_https():
    from articles.forms import ImageUploadForm

    field = ImageUploadForm().fields["source_url"]
    assert field.clean("fotos.gemeinfrei-bilder.de/bürogebäude") == (
        "https://fotos.gemeinfrei-bilder.de/bürogebäude"
    )
