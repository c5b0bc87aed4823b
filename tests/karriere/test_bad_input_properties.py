"""Generated bad input against every public form field, URL parameter and path parameter.

Whatever a client sends (NUL bytes, control characters, digits that are no ASCII numbers, RTL
marks, 20,000-character values, bodies in the wrong content type), the answer is a page or a
4xx, never a 5xx. Runs on whichever database the suite runs on (CI: SQLite and PostgreSQL),
with the page cache on as in production. Derandomised: the same inputs on every run, so a
failure is reproducible and CI is not flaky; ``HYPOTHESIS_EXAMPLES`` scales the runs up.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "40"))
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one article and client for all examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Inputs that broke the site before, or are known to break naive code.
NASTY = [
    "\x00",
    "Gehalts\x00erhöhung",
    "²",
    "³",
    "①",
    "٣",
    "1²",
    "-1",
    "0",
    "007",
    "99999999999999999999",
    "9" * 5000,
    "\u200f",
    "\u202eGehaltserhöhung",
    "\u2066Weiterbildungsmöglichkeiten\u2069",
    "\r\n",
    "\x1b[31m",
    "\x7f\x08",
    "\ufeff",
    "x" * 20_000,
    "ß" * 20_000,
    " ",
    "",
    "%00",
    "%",
    "&=?#",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "http://",
    "https://böse.example/" + "a" * 300,
    "@",
    "jürgen@weiß.de",
    "a@b",
    "Gehaltserhöhung",
    "bewerbung OR gehalt",
    '"Weiterbildung',
    "!@#$%^&*()_+{}|:<>?",
    "/" * 50,
]
# Any code point a UTF-8 body or URL can carry (lone surrogates cannot be encoded).
any_character = st.characters(exclude_categories=("Cs",))
control_character = st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029")
junk = st.one_of(
    st.sampled_from(NASTY),
    st.text(any_character, max_size=60),
    st.text(control_character, min_size=1, max_size=10),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(any_character, max_size=10)),
)


@pytest.fixture
def site(db, clock, page_cache):
    """An article with an approved comment, its category, tag and author."""
    article = ArticleFactory(title="Gehaltserhöhung verhandeln", tags=["Gehalt"])
    comment = CommentFactory(article=article, name="Jürgen Weiß")
    return {
        "article": article,
        "comment": comment,
        "author": article.authors.first(),
    }


def assert_no_server_error(response, what) -> None:
    assert response.status_code < 500, (response.status_code, what)


def get_targets(site) -> list[tuple[str, str]]:
    article = site["article"]
    return [
        ("/", "seite"),
        (article.get_absolute_url(), "antwort"),
        (article.get_absolute_url(), "seite"),
        (f"/kategorie/{article.category.slug}/", "seite"),
        ("/thema/gehalt/", "seite"),
        (site["author"].get_absolute_url(), "seite"),
        ("/suche/", "q"),
        ("/suche/", "seite"),
        ("/sitemap-articles.xml", "p"),
        ("/feed/", "q"),
        ("/newsletter/", "email"),
        ("/healthz", "x"),
    ]


@PROPERTY_SETTINGS
@given(index=st.integers(min_value=0, max_value=11), value=junk, extra=junk)
def test_url_parameters(client, site, index, value, extra):
    url, name = get_targets(site)[index]
    response = client.get(url, {name: value, "utm_source": extra})
    assert_no_server_error(response, (url, name, value))


@PROPERTY_SETTINGS
@given(
    pattern=st.sampled_from(
        [
            "/artikel/{}/",
            "/kategorie/{}/",
            "/kategorie/{}/feed/",
            "/thema/{}/",
            "/autor/{}/",
            "/vorschau/{}/",
            "/sitemap-{}.xml",
            "/newsletter/bestaetigen/{}/",
            "/newsletter/abmelden/{}/",
            "/kommentare/{}/stempel/",
        ]
    ),
    value=junk.filter(lambda v: v.strip("/") != ""),
)
def test_path_parameters(client, site, pattern, value):
    url = pattern.format(quote(value, safe=""))
    for method in ("get", "head", "post"):
        assert_no_server_error(getattr(client, method)(url), (method, url))


@PROPERTY_SETTINGS
@given(
    fields=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ("name", "email", "url", "text", "parent", "timestamp", "phone"), junk
        ),
    ),
    stamp=st.booleans(),
)
def test_comment_form_fields(client, site, clock, fields, stamp):
    article = site["article"]
    if stamp:
        # A real timestamp, so the generated fields get past it to the rest of the form.
        fields.setdefault(
            "timestamp", client.get(f"/kommentare/{article.pk}/stempel/").json()["timestamp"]
        )
        clock.shift(20)  # also past the flood limit of the previous example
    response = client.post(f"/kommentare/{article.pk}/", fields)
    assert_no_server_error(response, fields)


@PROPERTY_SETTINGS
@given(
    fields=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(("email", "consent", "consent_version", "website", "source"), junk),
    ),
    url=st.sampled_from(["/newsletter/", "/newsletter/abmelden/"]),
)
def test_newsletter_form_fields(client, site, fields, url):
    assert_no_server_error(client.post(url, fields), (url, fields))


@PROPERTY_SETTINGS
@given(
    content_type=st.sampled_from(
        [
            "text/plain",
            "application/json",
            "application/xml",
            "multipart/form-data",
            "multipart/form-data; boundary=----grenze",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=gibt-es-nicht",
            "application/x-www-form-urlencoded; charset=latin-1",
            "",
            "\x00",
        ]
    ),
    body=st.one_of(
        st.binary(max_size=200),
        junk.map(lambda text: text.encode("utf-8")),
        junk.map(lambda text: f"email={text}&text={text}&consent=1".encode("utf-16")),
        st.just(b"------grenze\r\nContent-Disposition: form-data; name=\x00\r\n\r\nx"),
    ),
    target=st.sampled_from(["comment", "/newsletter/", "/newsletter/abmelden/", "count"]),
)
def test_bodies_in_the_wrong_content_type(client, site, content_type, body, target):
    article = site["article"]
    url = {"comment": f"/kommentare/{article.pk}/", "count": f"/zaehler/{article.pk}/"}.get(
        target, target
    )
    response = client.generic("POST", url, body, content_type=content_type)
    assert_no_server_error(response, (url, content_type, body[:100]))
