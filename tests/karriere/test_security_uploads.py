"""Request size limits and upload checks."""

from __future__ import annotations

import re

import pytest

from tests.articles.images import HTML, jpeg_bytes, upload

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"/media/images/.+/[0-9a-f]{32}\.jpg$")


def test_form_data_above_the_limit_is_refused_with_400_not_a_crash(client, settings):
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/admin/login/", {"username": "redakteurin", "password": too_big})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["bild.html", "bewerbung-erika-muster.jpg", "bild.svg"])
def test_editor_upload_is_stored_under_a_random_name_with_the_real_image_extension(
    admin_client, settings, name
):
    response = admin_client.post(
        "/ckeditor/upload/", {"upload": upload(name, jpeg_bytes(40, 30), "text/html")}
    )
    assert response.status_code == 200
    url = response.json()["url"]
    assert RANDOM_NAME.search(url), url
    stored = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert url.rsplit("/", 1)[1] in [p.name for p in stored]
    assert {p.suffix for p in stored} == {".jpg", ".webp"}  # the renditions too


def test_html_file_named_jpg_is_refused_and_not_stored(admin_client, settings):
    response = admin_client.post("/ckeditor/upload/", {"upload": upload("foto.jpg", HTML)})
    assert response.status_code == 400
    assert "kein Bild" in response.json()["error"]["message"]
    assert [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] == []
