"""Response headers and cookies under the settings production computes from its environment."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from karriere.middleware import is_editor_path
from tests.factories import ArticleFactory
from tests.karriere.test_settings import PRODUCTION_ENV, read_settings, run_python

pytestmark = pytest.mark.django_db

PRODUCTION_SECURITY_SETTINGS = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
)
HOST = "karriere.example"


@pytest.fixture(scope="module")
def production_values():
    return read_settings(*PRODUCTION_SECURITY_SETTINGS, **PRODUCTION_ENV)


@pytest.fixture
def production(settings, production_values):
    """This process's settings switched to what production computes; requests go over HTTPS."""
    for name, value in production_values.items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = [HOST]
    return {"secure": True, "HTTP_HOST": HOST}


def csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_production_turns_on_hsts_https_redirect_and_secure_cookies(production_values):
    assert production_values["DEBUG"] is False
    assert production_values["SECURE_SSL_REDIRECT"] is True
    assert production_values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production_values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production_values["SESSION_COOKIE_SECURE"] is True
    assert production_values["CSRF_COOKIE_SECURE"] is True
    assert production_values["LANGUAGE_COOKIE_SECURE"] is True


def test_plain_http_is_redirected_to_https_in_production(client, production):
    response = client.get("/", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/"


def test_reader_page_sends_the_strict_policy_and_security_headers(client, production):
    ArticleFactory()
    response = client.get("/", **production)
    assert response.status_code == 200
    assert csp(response) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_a_reader_page_from_the_page_cache_carries_the_same_headers(
    client, production, page_cache, django_assert_num_queries
):
    ArticleFactory()
    first = client.get("/", **production)
    with django_assert_num_queries(0):  # really from the cache
        cached = client.get("/", **production)
    for name in ("Content-Security-Policy", "Permissions-Policy", "Strict-Transport-Security"):
        assert cached[name] == first[name], name
    assert "'unsafe-inline'" not in cached["Content-Security-Policy"]


def test_not_found_page_and_flatpages_get_the_reader_policy_too(client, production):
    response = client.get("/gibt-es-nicht/", **production)
    assert response.status_code == 404
    assert csp(response)["frame-ancestors"] == ["'none'"]
    assert "Permissions-Policy" in response


def test_admin_gets_its_own_policy_that_lets_ckeditor_run(client, production):
    response = client.get("/admin/login/", **production)
    assert response.status_code == 200
    policy = csp(response)
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_ckeditor_views_get_the_admin_policy(client, admin_user, production):
    client.force_login(admin_user)
    response = client.get("/ckeditor/browse/", **production)
    assert response.status_code == 200
    assert csp(response)["script-src"] == ["'self'", "'unsafe-inline'"]


def test_cookies_are_secure_httponly_and_samesite_lax_in_production(client, production):
    from django.contrib.auth.models import User

    User.objects.create_superuser("chefin", "chefin@example.org", "ein-langes-passwort")
    client.get("/admin/login/", **production)
    response = client.post(
        "/admin/login/",
        {"username": "chefin", "password": "ein-langes-passwort", "next": "/admin/"},
        **production,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_admin_url_comes_from_the_environment_and_the_admin_policy_follows_it():
    result = run_python(
        "import django; django.setup(); from django.urls import reverse; "
        "from karriere.middleware import is_editor_path as e; "
        "print(reverse('admin:index'), e('/redaktion-7f3k/login/'), e('/admin/login/'))",
        ADMIN_URL="redaktion-7f3k",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/redaktion-7f3k/", "True", "False"]


@pytest.mark.parametrize(
    ("path", "editor"),
    [("/admin/", True), ("/ckeditor/upload/", True), ("/", False), ("/administration/", False)],
)
def test_only_the_admin_and_ckeditor_count_as_editing_area(path, editor):
    assert is_editor_path(path) is editor


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style blocks and attributes,
    event-handler attributes and javascript: links."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # JSON-LD is data that browsers never execute, so the policy leaves it alone.
        is_data = attributes.get("type") == "application/ld+json"
        if tag == "script" and "src" not in attributes and not is_data:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action"} and (value or "").strip().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")


def test_reader_pages_contain_nothing_the_policy_would_block(client):
    article = ArticleFactory()
    pages = [
        "/",
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        article.authors.get().get_absolute_url(),
        "/suche/?q=Bewerbung",
        "/newsletter/",
        "/gibt-es-nicht/",
    ]
    for path in pages:
        finder = InlineCodeFinder()
        finder.feed(client.get(path).content.decode())
        assert finder.found == [], path
