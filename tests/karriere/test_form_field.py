"""Both apps render their reader forms' fields through one partial (templates/_form_field.html):
label, required mark, help, errors linked by aria-describedby, the typed value kept."""

from __future__ import annotations

import re

import pytest

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def field_block(page: str, field_id: str) -> str:
    match = re.search(
        rf'<div class="form-field has-error">\s*<label for="{field_id}">.*?</div>', page, re.S
    )
    assert match, f"no field block with errors for {field_id}"
    return match.group()


def test_the_newsletter_unsubscribe_form_shows_error_and_value_in_the_shared_field(client):
    page = client.post(
        "/newsletter/abmelden/", {"email": "jürgen.groß(at)beispiel.de"}
    ).content.decode()

    block = field_block(page, "nl-unsub-email")
    assert 'E-Mail-Adresse <span class="required-mark" aria-hidden="true">*</span>' in block
    assert '<ul class="errorlist" id="nl-unsub-email_error"><li>Bitte gib eine gültige' in block
    assert 'aria-describedby="nl-unsub-email_error"' in block
    assert 'aria-invalid="true"' in block
    assert 'value="jürgen.groß(at)beispiel.de"' in block
    assert 'autocomplete="email"' in block


def test_the_comment_form_shows_help_error_and_value_in_the_same_shared_field(client):
    article = ArticleFactory(title="Führungskräfte-Entwicklungsprogramm")

    page = client.post(
        f"/kommentare/{article.pk}/",
        {"name": "Jürgen Groß", "email": "jürgen(at)beispiel.de", "text": "Danke!"},
        HTTP_USER_AGENT="Mozilla/5.0",
    ).content.decode()

    block = field_block(page, "id_email")
    assert '<p class="help" id="id_email_helptext">wird nicht veröffentlicht</p>' in block
    assert '<ul class="errorlist" id="id_email_error">' in block
    assert 'aria-describedby="id_email_helptext id_email_error"' in block
    assert 'value="jürgen(at)beispiel.de"' in block
