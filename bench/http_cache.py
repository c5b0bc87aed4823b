"""Varnish in front of Karriere (issue #17): how close pages come to a static file, how much a
comment approval re-renders, and how fast a publication reaches the cache.

    DATABASE_URL=postgres://…/karriere_bench_http REDIS_URL=redis://…/N \\
        python -m bench.http_cache [--set large] [--ports 8150]

Runs in the given database (made anew and seeded with ``bench.seed``), starts gunicorn (2
workers), one ``db_worker`` (purges) and Debian's ``varnishd`` with ``deploy/varnish/default.vcl``
plus a "ceiling" backend that serves the very same HTML as static files through the same
Varnish. Prints a JSON report and a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.run import harness

ROOT = harness.ROOT
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
DURATION = 10
CONNECTIONS = 32


def log(message: str) -> None:
    print(f"[http-cache {time.strftime('%H:%M:%S')}] {message}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="large", choices=["small", "large"])
    parser.add_argument("--ports", type=int, default=8150, help="gunicorn; +2: the ceiling")
    parser.add_argument("--varnish-port", type=int, help="default: --ports + 1")
    parser.add_argument("--approvals", type=int, default=100)
    parser.add_argument("--crawl-articles", type=int, default=2000)
    parser.add_argument("--skip-seed", action="store_true")
    options = parser.parse_args()
    varnish_port = options.varnish_port or options.ports + 1
    env = harness.production_env(
        f"http://127.0.0.1:{varnish_port}",
        PURGE_VARNISH_URLS=f"http://127.0.0.1:{varnish_port}/",
        HTTP_CACHE_S_MAXAGE="86400",
        COMMENTS_FLOOD_SECONDS="0",
    )
    os.environ.update(env)
    import django

    django.setup()
    python = sys.executable
    if not options.skip_seed:
        log(f"migrating and seeding the {options.set} set")
        subprocess.run([python, "manage.py", "flush", "--noinput"], cwd=ROOT, env=env)
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        from bench.seed import DATA_SETS, seed

        seed(DATA_SETS[options.set])
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    from django.core.cache import cache

    cache.clear()
    app, varnish, ceiling = options.ports, varnish_port, options.ports + 2
    with (
        harness.gunicorn(Path(python).parent, "karriere.wsgi", app, env, probe="/healthz"),
        _process(
            [python, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.05"],
            env,
            None,
        ),
        _ceiling_server(ceiling) as ceiling_pages,
        _varnish(app, ceiling, varnish),
    ):
        report = _measure(options, app, varnish, ceiling_pages)
    print("BENCH_HTTP_CACHE " + json.dumps(report), flush=True)
    print(_markdown(report))


# --- measurements ---------------------------------------------------------------------------


def _measure(options, app: int, varnish: int, ceiling_pages: dict) -> dict:
    from articles.models import Article, Category

    article = Article.objects.published().order_by("-view_count").first()
    category = Category.objects.order_by("pk").first()
    pages = {
        "article": article.get_absolute_url(),
        "home": "/",
        "category": category.get_absolute_url(),
    }
    report: dict = {"set": options.set, "throughput": {}}
    for name, path in pages.items():
        html, headers = _get(f"http://127.0.0.1:{varnish}{path}")
        _get(f"http://127.0.0.1:{varnish}{path}")
        # The ceiling: the same bytes and cache headers, from a static file, same Varnish.
        ceiling_pages[f"/__ceiling__/{name}.html"] = (html, headers.get("Cache-Control"))
        _get(f"http://127.0.0.1:{varnish}/__ceiling__/{name}.html")
        _get(f"http://127.0.0.1:{app}{path}")
        rows = {
            "varnish": _wrk(f"http://127.0.0.1:{varnish}{path}"),
            "varnish_static_file": _wrk(f"http://127.0.0.1:{varnish}/__ceiling__/{name}.html"),
            "django_page_cache": _wrk(f"http://127.0.0.1:{app}{path}"),
        }
        rows["varnish_vs_static"] = rows["varnish"] / rows["varnish_static_file"]
        rows["varnish_vs_django"] = rows["varnish"] / rows["django_page_cache"]
        report["throughput"][name] = rows
        log(f"{name}: {json.dumps(rows)}")
    report["approvals"] = _approvals(options, varnish)
    report["publish_to_fresh"] = _publish_to_fresh(varnish)
    return report


def _approvals(options, varnish: int) -> dict:
    """Prime Varnish with article pages and every list page 1, approve one comment on each of
    ``approvals`` articles (each its own transaction, as moderators click), let the worker
    purge, crawl again: every MISS is a page Django rendered again."""
    from django.contrib.auth import get_user_model

    from articles.models import Article, Author, Category
    from comments.models import Comment
    from comments.services import comment_approve, comment_submit

    articles = list(Article.objects.published().order_by("-published_at")[: options.crawl_articles])
    urls = ["/"] + [c.get_absolute_url() for c in Category.objects.all()]
    urls += [a.get_absolute_url() for a in Author.objects.all()]
    urls += [a.get_absolute_url() for a in articles]
    log(f"priming Varnish with {len(urls)} pages")
    _crawl(varnish, urls)
    _drain_tasks()
    targets = articles[:: max(1, len(articles) // options.approvals)][: options.approvals]
    pending = [
        comment_submit(
            article=article,
            name="Jörg Größe",
            email=f"leser{n}@example.de",
            url="",
            text=f"Sehr hilfreich, danke für Teil {n}!",
            ip_address="198.51.100.7",
            user_agent="bench",
            exempt_from_flood_control=True,
        )
        for n, article in enumerate(targets)
    ]
    moderator = get_user_model().objects.filter(is_superuser=True).first()
    if moderator is None:
        moderator = get_user_model().objects.create_superuser("bench", "b@example.de", "x" * 20)
    started = time.monotonic()
    for comment in pending:
        if comment.status == Comment.Status.PENDING:
            comment_approve(comment=comment, moderator=moderator)
    _drain_tasks()
    purged_after = time.monotonic() - started
    states = _crawl(varnish, urls)
    misses = sum(1 for state in states if state != "HIT")
    return {
        "pages_primed": len(urls),
        "articles_on_site": Article.objects.published().count(),
        "approvals": len(targets),
        "pages_rendered_again": misses,
        "hit_rate_after": 1 - misses / len(urls),
        "seconds_until_purged": purged_after,
    }


def _publish_to_fresh(varnish: int, rounds: int = 5) -> dict:
    """Seconds from an editor's save (commit) to Varnish serving the new title."""
    from articles.models import Article
    from articles.services import article_save

    article = Article.objects.published().order_by("-published_at")[10]
    url = f"http://127.0.0.1:{varnish}{article.get_absolute_url()}"
    times, saved, purged, rendered = [], [], [], []
    for n in range(rounds):
        _get(url)
        title = f"Gehaltsverhandlung: neue Fassung {n} – größer"
        article.title = title
        started = time.monotonic()
        article_save(article=article)
        saved.append(time.monotonic() - started)
        # Where the time goes: the save (commit), the worker picking up and sending the purge,
        # and the first request after it (Varnish miss, Django renders the page).
        _drain_tasks(poll=0.001)
        purged.append(time.monotonic() - started)
        while True:
            asked = time.monotonic()
            if title in _get(url)[0].decode():
                rendered.append(time.monotonic() - asked)
                break
            if asked - started > 30:
                raise RuntimeError("the page did not become fresh within 30 s")
            time.sleep(0.005)
        times.append(time.monotonic() - started)

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    return {
        "rounds": rounds,
        "median_seconds": median(times),
        "max_seconds": max(times),
        "median_save_seconds": median(saved),
        "median_until_purged_seconds": median(purged),
        "median_fresh_request_seconds": median(rendered),
    }


# --- helpers --------------------------------------------------------------------------------


def _get(url: str) -> tuple[bytes, dict]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read(), dict(response.headers)


def _crawl(varnish: int, urls: list[str]) -> list[str]:
    states = []
    for path in urls:
        states.append(_get(f"http://127.0.0.1:{varnish}{path}")[1].get("X-Cache", "?"))
    return states


def _drain_tasks(poll: float = 0.05) -> None:
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + 300
    while (
        DBTaskResult.objects.ready().exists()
        or DBTaskResult.objects.filter(status="RUNNING").exists()
    ):
        if time.monotonic() > deadline:
            raise RuntimeError("the worker did not finish the purges")
        time.sleep(poll)


def _wrk(url: str) -> float:
    subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", "-d2s", url], capture_output=True)
    done = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", url],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("Requests/sec:"))
    if "Non-2xx" in done.stdout:
        raise RuntimeError(f"errors from {url}:\n{done.stdout}")
    return float(line.split()[1])


class _process:
    def __init__(self, command, env, ready_url):
        self.command, self.env, self.ready_url = command, env, ready_url

    def __enter__(self):
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env)
        if self.ready_url:
            _wait_for(self.ready_url)
        return self.process

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=60)


class _ceiling_server:
    """Serves registered HTML with the cache headers Django sent: the static-file backend."""

    def __init__(self, port: int):
        self.port = port
        self.pages: dict[str, tuple[bytes, str]] = {}

    def __enter__(self):
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body, cache_control = pages.get(self.path, (b"", None))
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if cache_control:
                    self.send_header("Cache-Control", cache_control)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return pages

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class _varnish:
    def __init__(self, app: int, ceiling: int, port: int):
        self.app, self.ceiling, self.port = app, ceiling, port

    def __enter__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="bench-varnish-")
        vcl = VCL.read_text().replace('.port = "8000";', f'.port = "{self.app}";')
        # The ceiling backend: static files through the very same VCL.
        vcl = vcl.replace(
            "sub vcl_recv {",
            f'backend ceiling {{ .host = "127.0.0.1"; .port = "{self.ceiling}"; }}\n\n'
            'sub vcl_recv {\n    if (req.url ~ "^/__ceiling__/") {\n'
            "        set req.backend_hint = ceiling;\n    }",
            1,
        )
        path = Path(self.dir.name) / "bench.vcl"
        path.write_text(vcl)
        self.process = subprocess.Popen(
            ["varnishd", "-F", "-j", "none", "-n", f"{self.dir.name}/n", "-T", "none",
             "-a", f"127.0.0.1:{self.port}", "-f", str(path), "-s", "malloc,256m",
             "-p", "ban_lurker_sleep=0.01"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for(f"http://127.0.0.1:{self.port}/healthz")
        return self.process

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.dir.cleanup()


def _wait_for(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _get(url)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _markdown(report: dict) -> str:
    lines = [
        "| Page | Varnish (req/s) | Same HTML as static file through Varnish | ratio "
        "| Django page-cache hit (gunicorn) | Varnish / Django |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in report["throughput"].items():
        lines.append(
            f"| {name} | {row['varnish']:,.0f} | {row['varnish_static_file']:,.0f} "
            f"| {row['varnish_vs_static']:.2f} | {row['django_page_cache']:,.0f} "
            f"| {row['varnish_vs_django']:.1f}× |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
