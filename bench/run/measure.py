"""Load one endpoint with wrk and keep what it did as a `Result`."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import tempfile
import urllib.parse
from dataclasses import dataclass, field

from bench.run.harness import (
    BROWSER_UA,
    HITCOUNT_ENV,
    HITCOUNT_REQUIREMENT,
    PG,
    PORTS,
    REDIS_URL,
    ROOT,
    SECRET_KEY,
    WAGTAIL_DIR,
    WAGTAIL_ENV,
    WRK_DIR,
    _set_of,
    database_name,
    django_env,
    ensure_database,
    ensure_venv,
    gunicorn,
    http_status,
    log,
    prepare_set,
    redis_flush,
    run_prepared,
)

# wrk runs on the same two cores as gunicorn: one thread, few connections.
READERS = 8
HOT_CLIENTS = 32
DURATION = int(os.environ.get("BENCH_DURATION", "5"))
WARMUP = 1
# The hot article again with 16 threads per worker, so 32 clients reach the database at once.
THREADED = ("--worker-class", "gthread", "--threads", "16")
# BENCH_ONLY="article_uncached,wagtail": measure only these endpoints (and the ceiling), e.g.
# the uncached article against the Wagtail peer; "hot" and "hitcount" name the peer rows.
ONLY = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}


def wanted(label: str) -> bool:
    return not ONLY or label in ONLY


@dataclass
class Result:
    name: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    queries: str = ""
    note: str = ""
    # How the endpoint was loaded, where it is measured more than one way ("32 c").
    setup: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.setup})" if self.setup else self.name


@dataclass
class SetRun:
    name: str
    ceiling: float = 0.0
    ceiling_runs: list[float] = field(default_factory=list)
    results: dict[str, Result] = field(default_factory=dict)
    peak_rss_mb: float = 0.0


# --- load ---------------------------------------------------------------------------------


def wrk(url: str, *, connections: int, script: str | None = None, args=(), headers=()) -> dict:
    lua = (WRK_DIR / script).read_text() if script else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(lua + "\n" + (WRK_DIR / "report.lua").read_text())
    base = ["wrk", "-t1", f"-c{connections}", "--timeout", "10s", "-s", file.name]
    for header in headers:
        base += ["-H", header]
    tail = [url, "--", *args] if args else [url]
    subprocess.run([*base, f"-d{WARMUP}s", *tail], capture_output=True, check=True)
    done = subprocess.run([*base, f"-d{DURATION}s", *tail], capture_output=True, text=True)
    os.unlink(file.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH_WRK "))
    data = json.loads(line.removeprefix("BENCH_WRK "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def measure(
    name: str,
    url: str,
    expect: int,
    *,
    method="GET",
    body=b"",
    headers=None,
    connections=READERS,
    script=None,
    args=(),
    queries="",
    setup="",
) -> Result:
    headers = headers or {}
    status = http_status(method, url, body if method == "POST" else None, headers)
    if status != expect:
        log(f"{name}: {url} answered {status}, expected {expect}; not measured")
        return Result(name, queries=queries, note=f"HTTP {status}", setup=setup)
    data = wrk(
        url,
        connections=connections,
        script=script,
        args=args,
        headers=[f"{k}: {v}" for k, v in headers.items()] if not script else [],
    )
    note = ""
    if data["status_errors"] or data["socket_errors"]:
        note = f"{data['status_errors']} bad status, {data['socket_errors']} socket errors"
    p50_ms, p99_ms = data["p50_us"] / 1000, data["p99_us"] / 1000
    result = Result(name, data["rps"], p50_ms, p99_ms, queries, note, setup)
    log(
        f"{result.label:18} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
        f"p99 {result.p99_ms:6.1f} ms  {queries} {note}"
    )
    return result


def _queries(prepared: dict, name: str) -> str:
    found = prepared["queries"].get(name)
    if not found:
        return ""
    if "cached" not in found:
        return str(found["queries"])
    return f"{found['queries']} / {found['after_change']} / {found['cached']}"


def beacon_args() -> tuple[str, ...]:
    return ("view", "text/plain", f"User-Agent: {BROWSER_UA}", "Sec-Fetch-Site: same-origin")


def measure_sets(sets: list[str], static_root: str, peers: bool) -> tuple[list[SetRun], list]:
    """All sets' servers run side by side and each endpoint is loaded on one set right after
    the other, so a change in the machine's load hits both figures of a growth ratio alike."""
    redis_flush()
    setup = {name: prepare_set(name, static_root) for name in sets}
    runs = {name: SetRun(name) for name in sets}
    hot: list[Result] = []
    with contextlib.ExitStack() as stack:
        rss = {}
        for name, (env, prepared) in setup.items():
            server = gunicorn(
                ROOT / ".venv/bin",
                "karriere.wsgi",
                PORTS[name],
                env,
                probe=prepared["pages"]["ceiling"],
            )
            rss[name] = stack.enter_context(server)

        def each(label: str, measure_one) -> None:
            if label != "ceiling" and not wanted(label):
                return
            for name, (_, prepared) in setup.items():
                base = f"http://127.0.0.1:{PORTS[name]}"
                result = measure_one(base, prepared)
                if result is not None:
                    result.name = label
                    runs[name].results[label] = result

        def ceiling(base: str, prepared: dict) -> None:
            url = base + prepared["pages"]["ceiling"]
            runs[_set_of(base)].ceiling_runs.append(measure("ceiling", url, 200).rps)

        each("ceiling", ceiling)
        for page in ("home", "article", "category", "tag", "author", "search", "feed", "sitemap"):
            each(page, lambda base, prepared, page=page: measure_page(base, prepared, page))
        each("article_uncached", measure_uncached_article)
        each("count_view", measure_count_view)
        each("comment_post", measure_comment)
        each("ceiling", ceiling)
        if peers and wanted("hot"):
            first = sets[0]
            hot = measure_hot_article(f"http://127.0.0.1:{PORTS[first]}", setup[first][1])
        for name in sets:
            runs[name].peak_rss_mb = rss[name]()
    if peers and wanted("hot"):
        env, prepared = setup[sets[0]]
        probe = prepared["pages"]["ceiling"]
        port = PORTS["threads"]
        with gunicorn(ROOT / ".venv/bin", "karriere.wsgi", port, env, probe=probe, extra=THREADED):
            base = f"http://127.0.0.1:{port}"
            hot += measure_hot_article(base, prepared, "32 c, 2×16 threads")
    for run in runs.values():
        run.ceiling = sum(run.ceiling_runs) / len(run.ceiling_runs)
    if peers:
        hot += measure_peers(setup[sets[0]][1], static_root)
    return list(runs.values()), hot


def measure_page(base: str, prepared: dict, page: str, headers=None, cached=True) -> Result | None:
    url = prepared["pages"].get(page)
    if not url:
        return None
    found = prepared["queries"].get(page, {})
    queries = _queries(prepared, page) if cached else str(found.get("queries"))
    return measure(page, base + url, 200, headers=headers, queries=queries)


def measure_uncached_article(base: str, prepared: dict) -> Result | None:
    # The cookie is a bypass cookie only in bench settings: the view runs on every request.
    headers = {"Cookie": "bench-nocache=1"}
    return measure_page(base, prepared, "article", headers=headers, cached=False)


def measure_count_view(base: str, prepared: dict) -> Result | None:
    if not prepared.get("count_url"):
        return None
    return measure(
        "count_view",
        base + prepared["count_url"],
        204,
        method="POST",
        body=b"view",
        headers={"Content-Type": "text/plain", "User-Agent": BROWSER_UA},
        script="post.lua",
        args=beacon_args(),
        queries=_queries(prepared, "count_view"),
    )


def measure_comment(base: str, prepared: dict) -> Result | None:
    if not prepared.get("comment_url"):
        return None
    fields = {**prepared["comment_fields"], "name": "Leserin {n}", "url": "", "phone": ""}
    fields["email"] = f"bench-{secrets.token_hex(4)}-{{n}}@example.com"
    fields["text"] = "Danke für den Artikel, das hilft mir bei der Bewerbung ({n})."
    body = "&".join(f"{k}={urllib.parse.quote(str(v), safe='{}')}" for k, v in fields.items())
    cookie = f"Cookie: csrftoken={prepared['csrf_secret']}"
    form = "application/x-www-form-urlencoded"
    probe_body = body.replace("{n}", "0").encode()
    return measure(
        "comment_post",
        base + prepared["comment_url"],
        302,
        method="POST",
        body=probe_body,
        headers={
            "Content-Type": form,
            "Cookie": cookie.removeprefix("Cookie: "),
            "User-Agent": BROWSER_UA,
            "X-Forwarded-For": "198.19.255.254",
        },
        script="post.lua",
        args=(body, form, cookie, f"User-Agent: {BROWSER_UA}"),
        queries=_queries(prepared, "comment_post"),
    )


def measure_hot_article(base: str, prepared: dict, setup: str = "32 c") -> list[Result]:
    """32 clients beating on one article: the ways to count a view."""
    ua = {"Content-Type": "text/plain", "User-Agent": BROWSER_UA}
    common = {
        "method": "POST",
        "body": b"view",
        "headers": ua,
        "connections": HOT_CLIENTS,
        "script": "post.lua",
        "args": beacon_args(),
        "setup": setup,
    }
    return [
        measure("bare 204", base + "/bench/204/", 204, **common),
        measure(
            "count_view",
            base + prepared["count_url"],
            204,
            queries=_queries(prepared, "count_view"),
            **common,
        )
        if prepared.get("count_url")
        else Result("count_view", note="not built", setup=setup),
        measure(
            "naive UPDATE",
            base + prepared["naive_count_url"],
            204,
            queries=_queries(prepared, "naive_count"),
            **common,
        ),
    ]


def measure_peers(prepared: dict, static_root: str) -> list[Result]:
    results = []
    if wanted("hitcount"):
        results.append(measure_hitcount(static_root))
    if wanted("wagtail"):
        results.append(measure_wagtail(prepared))
    return results


def measure_hitcount(static_root: str) -> Result:
    # django-hitcount: this project plus hitcount in its own virtualenv and database.
    hit_bin = ensure_venv(HITCOUNT_ENV, "-c", "requirements.lock", "-e", ".", HITCOUNT_REQUIREMENT)
    ensure_database(database_name("hitcount"), None)
    hit_env = django_env(
        database_name("hitcount"), static_root, port=PORTS["hitcount"], BENCH_HITCOUNT="1"
    )
    hit = run_prepared([str(hit_bin / "python"), "-m", "bench.prepare", "--hitcount"], hit_env)
    port = PORTS["hitcount"]
    with gunicorn(hit_bin, "karriere.wsgi", port, hit_env, probe="/bench/ceiling/"):
        form = "application/x-www-form-urlencoded"
        body = f"hitcountPK={hit['hitcount_pk']}&csrfmiddlewaretoken={hit['csrf_secret']}"
        headers = {
            "Content-Type": form,
            "Cookie": f"csrftoken={hit['csrf_secret']}",
            "X-Requested-With": "XMLHttpRequest",
            "User-Agent": BROWSER_UA,
        }
        return measure(
            "hitcount",
            f"http://127.0.0.1:{port}/bench/hitcount/hit/ajax/",
            200,
            method="POST",
            body=body.encode(),
            headers=headers,
            connections=HOT_CLIENTS,
            script="post.lua",
            args=(body, form, *(f"{k}: {v}" for k, v in headers.items())),
            setup="32 c",
        )


def measure_wagtail(prepared: dict) -> Result:
    # Wagtail: the measured article's text as a Wagtail page.
    wagtail_bin = ensure_venv(WAGTAIL_ENV, "-r", str(WAGTAIL_DIR / "requirements.txt"))
    ensure_database(database_name("wagtail"), None)
    wagtail_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": f"{PG}/{database_name('wagtail')}",
        "PYTHONPATH": str(WAGTAIL_DIR),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as text:
        json.dump(prepared["article_text"], text)
    peer = run_prepared(
        [str(wagtail_bin / "python"), "seed.py", text.name], wagtail_env, WAGTAIL_DIR
    )
    port = PORTS["wagtail"]
    app = "django.core.wsgi:get_wsgi_application()"
    with gunicorn(wagtail_bin, app, port, wagtail_env, cwd=WAGTAIL_DIR, probe=peer["path"]):
        return measure("wagtail article", f"http://127.0.0.1:{port}{peer['path']}", 200)
