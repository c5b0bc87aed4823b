"""The shipped deploy/varnish/default.vcl in a real varnishd in front of the live server: pages
are served from Varnish, and a change purges exactly the pages showing it."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from articles.services import article_save
from comments.models import Comment
from comments.services import comment_approve
from tests.conftest import free_port
from tests.factories import ArticleFactory, CommentFactory

VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
VCL = Path(django_settings.BASE_DIR) / "deploy" / "varnish" / "default.vcl"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(VARNISHD).exists(), reason="varnishd is not installed"),
]


@pytest.fixture
def varnish(live_server, tmp_path, settings):
    port = live_server.url.rsplit(":", 1)[1]
    vcl = tmp_path / "test.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{port}";'))
    listen = free_port()
    process = subprocess.Popen(
        [
            VARNISHD,
            "-F",
            # No privilege separation: the test's files are private to this user.
            "-j",
            "none",
            "-n",
            str(tmp_path / "varnish"),
            "-a",
            f"127.0.0.1:{listen}",
            "-T",
            "none",
            "-f",
            str(vcl),
            "-s",
            "malloc,32m",
            "-p",
            "ban_lurker_sleep=0.01",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{listen}"
    deadline = time.monotonic() + 60  # a loaded machine starts the child slowly
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=5).read()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.2)
    settings.PURGE_VARNISH_URLS = [url + "/"]
    settings.PAGECACHE_ENABLED = True
    yield url
    process.terminate()
    process.wait(timeout=30)


def get(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers["X-Cache"], response.read().decode()


def test_varnish_serves_reader_pages_and_a_change_purges_only_what_shows_it(
    varnish, run_tasks, admin_user
):
    article = ArticleFactory(title="Gehaltserhöhung: So verhandelst du größer")
    other = ArticleFactory(title="Kündigungsfrist richtig berechnen")
    run_tasks()  # purges queued by the setup
    page = varnish + article.get_absolute_url()
    # Only the other article is on its author's page (an article page lists related ones).
    other_page = varnish + other.authors.get().get_absolute_url()

    assert get(page)[0] == "MISS"
    assert get(page)[0] == "HIT"
    assert get(other_page)[0] == "MISS"
    assert get(varnish + "/admin/login/")[0] == "MISS"
    assert get(varnish + "/admin/login/")[0] == "MISS"  # never kept: not public

    comment_approve(
        comment=CommentFactory(article=article, status=Comment.Status.PENDING, text="Danke, Jörg!"),
        moderator=admin_user,
    )
    run_tasks()

    cache_state, html = get(page)
    assert (cache_state, "Danke, Jörg!" in html) == ("MISS", True)
    assert get(other_page)[0] == "HIT"  # a page not showing the article is not touched

    article.title = "Gehaltserhöhung: Die größten Fehler"
    article_save(article=article)
    run_tasks()
    assert "Die größten Fehler" in get(page)[1]
    assert "Die größten Fehler" in get(varnish + "/")[1]


def test_varnish_refuses_a_purge_with_a_bad_key(varnish):
    request = urllib.request.Request(
        varnish + "/", method="PURGE", headers={"Surrogate-Key": 'home") || ('}
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 400
