"""`make bench`: load Karriere's pages and counting endpoint through gunicorn and report ratios.

Everything is measured in one run against a ceiling (a bare Django view through the same
middleware) because shared machines are noisy: the ratios compare, the absolute figures
only describe this run. Environment knobs: BENCH_SETS (default "small,large"),
BENCH_DURATION (seconds per endpoint, default 5), BENCH_PEERS=0 to skip hitcount and Wagtail.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
WRK_DIR = BENCH / "wrk"
WAGTAIL_DIR = BENCH / "wagtail_peer"
WAGTAIL_ENV = BENCH / "wagtail_env"
HITCOUNT_ENV = DATA / "hitcount_env"
STATIC_ROOT = DATA / "static"
HITCOUNT_REQUIREMENT = "django-hitcount==1.3.5"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/7"
PORTS = {"small": 8765, "large": 8766, "hitcount": 8767, "wagtail": 8768, "threads": 8769}
# The hot article again with 16 threads per worker, so 32 clients reach the database at once.
THREADED = ("--worker-class", "gthread", "--threads", "16")
SEED_VERSION = "1"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
# wrk runs on the same two cores as gunicorn: one thread, few connections.
READERS = 8
HOT_CLIENTS = 32
DURATION = int(os.environ.get("BENCH_DURATION", "5"))
WARMUP = 1
SECRET_KEY = secrets.token_urlsafe(50)

PAGE_ROWS = ["home", "article", "article_uncached", "category", "tag", "author", "search",
             "feed", "sitemap", "count_view", "comment_post"]  # fmt: skip


@dataclass
class Result:
    name: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    queries: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class SetRun:
    name: str
    ceiling: float = 0.0
    ceiling_runs: list[float] = field(default_factory=list)
    results: dict[str, Result] = field(default_factory=dict)
    peak_rss_mb: float = 0.0


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


# --- services, databases, virtualenvs -----------------------------------------------------


def ensure_services() -> None:
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode != 0:
        log("starting PostgreSQL")
        cluster = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"])
        _wait(lambda: subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0)
    if subprocess.run(["redis-cli", "ping"], capture_output=True).returncode != 0:
        log("starting Redis")
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
        _wait(lambda: subprocess.run(["redis-cli", "ping"], capture_output=True).returncode == 0)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk (make bench does this)")


def _wait(ready, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting")
        time.sleep(0.2)


def seed_key(set_name: str) -> str:
    """Changes when the seed code or any migration does: the data set is then made anew."""
    parts = [SEED_VERSION, set_name, (BENCH / "seed.py").read_text()]
    parts += sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/migrations/0*.py"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def ensure_database(name: str, key: str | None) -> bool:
    """Create the database if needed; True when it must be seeded (key differs or no key)."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and key:
            with psycopg.connect(f"{PG}/{name}") as db:
                marker = db.execute("SELECT to_regclass('bench_seed')").fetchone()[0]
                seeded = marker and db.execute("SELECT key FROM bench_seed").fetchone()
            if seeded and seeded[0] == key:
                return False
            log(f"database {name} is from another seed; making it anew")
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    return True


def ensure_venv(path: Path, *requirements: str) -> Path:
    stamp = path / ".bench-installed"
    wanted = hashlib.sha256(" ".join(requirements).encode()).hexdigest()
    if not (stamp.exists() and stamp.read_text() == wanted):
        log(f"installing {path.relative_to(ROOT)} (once)")
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        pip = [str(path / "bin/python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, *requirements], check=True, cwd=ROOT, capture_output=True)
        stamp.write_text(wanted)
    return path / "bin"


def redis_flush() -> None:
    subprocess.run(
        ["redis-cli", "-n", REDIS_URL.rsplit("/", 1)[1], "flushdb"], check=True, capture_output=True
    )


# --- Django processes ---------------------------------------------------------------------


def django_env(database: str, static_root: str, *, port: int, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"{PG}/{database}",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"bench-{database}",
        "BENCH_STATIC_ROOT": static_root,
        "SITE_URL": f"http://127.0.0.1:{port}",
        # The load generator posts comments at once; every other rule stays as in production.
        "COMMENTS_MIN_SUBMIT_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def run_prepared(command: list[str], env: dict, cwd: Path = ROOT) -> dict:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"{' '.join(command)} failed")
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH_PREPARED "))
    return json.loads(line.removeprefix("BENCH_PREPARED "))


@contextlib.contextmanager
def gunicorn(
    bin_dir: Path, app: str, port: int, env: dict, cwd: Path = ROOT, probe: str = "/", extra=()
):
    """Two workers (sync unless ``extra`` says otherwise) on loopback; yields a callable that
    reads the workers' peak RSS."""
    errors = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    command = [
        str(bin_dir / "gunicorn"),
        app,
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(errors),
        "--log-level",
        "warning",
        *extra,
    ]
    # Django's request log (e.g. 429 for flood control) goes there too, not to the terminal.
    with errors.open("a") as output:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=output)
    try:
        _wait(lambda: http_status("GET", f"http://127.0.0.1:{port}{probe}") is not None, 60)
        yield lambda: peak_rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        text = errors.read_text()
        if "Traceback" in text:
            log(f"gunicorn errors (see {errors}):\n{text[-3000:]}")


def peak_rss_mb(master: int) -> float:
    """Largest VmHWM (peak resident set) among the master's worker processes."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def http_status(method: str, url: str, body: bytes | None = None, headers=None) -> int | None:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with contextlib.suppress(urllib.error.URLError, ConnectionError):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
    return None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


urllib.request.install_opener(urllib.request.build_opener(NoRedirect))


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
) -> Result:
    headers = headers or {}
    status = http_status(method, url, body if method == "POST" else None, headers)
    if status != expect:
        log(f"{name}: {url} answered {status}, expected {expect}; not measured")
        return Result(name, queries=queries, note=f"HTTP {status}")
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
    result = Result(name, data["rps"], data["p50_us"] / 1000, data["p99_us"] / 1000, queries, note)
    log(
        f"{name:18} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
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


def prepare_set(set_name: str, static_root: str) -> tuple[dict, dict]:
    """Seed (or reuse) the set's database; return its environment and endpoints."""
    database = f"karriere_bench_{set_name}"
    key = seed_key(set_name)
    env = django_env(database, static_root, port=PORTS[set_name])
    seed_needed = ensure_database(database, key)
    log(f"{set_name}: {'seeding' if seed_needed else 'reusing'} {database}")
    started = time.monotonic()
    command = [sys.executable, "-m", "bench.prepare", "--set", set_name]
    prepared = run_prepared(command + (["--seed", key] if seed_needed else []), env)
    log(f"{set_name}: prepared in {time.monotonic() - started:.0f} s")
    return env, prepared


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
        if peers:
            first = sets[0]
            hot = measure_hot_article(f"http://127.0.0.1:{PORTS[first]}", setup[first][1])
        for name in sets:
            runs[name].peak_rss_mb = rss[name]()
    if peers:
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


def _set_of(base: str) -> str:
    port = int(base.rsplit(":", 1)[1])
    return next(name for name, number in PORTS.items() if number == port)


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


def measure_hot_article(base: str, prepared: dict, config: str = "32 c") -> list[Result]:
    """32 clients beating on one article: the ways to count a view."""
    ua = {"Content-Type": "text/plain", "User-Agent": BROWSER_UA}
    common = {
        "method": "POST",
        "body": b"view",
        "headers": ua,
        "connections": HOT_CLIENTS,
        "script": "post.lua",
        "args": beacon_args(),
    }
    return [
        measure(f"bare 204 ({config})", base + "/bench/204/", 204, **common),
        measure(
            f"count_view ({config})",
            base + prepared["count_url"],
            204,
            queries=_queries(prepared, "count_view"),
            **common,
        )
        if prepared.get("count_url")
        else Result(f"count_view ({config})", note="not built"),
        measure(
            f"naive UPDATE ({config})",
            base + prepared["naive_count_url"],
            204,
            queries=_queries(prepared, "naive_count"),
            **common,
        ),
    ]


def measure_peers(prepared: dict, static_root: str) -> list[Result]:
    results = []
    # django-hitcount: this project plus hitcount in its own virtualenv and database.
    hit_bin = ensure_venv(HITCOUNT_ENV, "-c", "requirements.lock", "-e", ".", HITCOUNT_REQUIREMENT)
    ensure_database("karriere_bench_hitcount", None)
    hit_env = django_env(
        "karriere_bench_hitcount", static_root, port=PORTS["hitcount"], BENCH_HITCOUNT="1"
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
        results.append(
            measure(
                "hitcount (32 c)",
                f"http://127.0.0.1:{port}/bench/hitcount/hit/ajax/",
                200,
                method="POST",
                body=body.encode(),
                headers=headers,
                connections=HOT_CLIENTS,
                script="post.lua",
                args=(body, form, *(f"{k}: {v}" for k, v in headers.items())),
            )
        )
    # Wagtail: the measured article's text as a Wagtail page.
    wagtail_bin = ensure_venv(WAGTAIL_ENV, "-r", str(WAGTAIL_DIR / "requirements.txt"))
    ensure_database("karriere_bench_wagtail", None)
    wagtail_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": f"{PG}/karriere_bench_wagtail",
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
        results.append(measure("wagtail article", f"http://127.0.0.1:{port}{peer['path']}", 200))
    return results


# --- report -------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.2f}"


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 1)[0]


def machine() -> str:
    memory = next(x for x in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in x)
    gib = int(memory.split()[1]) / 1024 / 1024
    cpu = next(
        (
            x.split(":", 1)[1].strip()
            for x in Path("/proc/cpuinfo").read_text().splitlines()
            if x.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({cpu}), {gib:.1f} GiB memory, {platform.platform()}"


def commit() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    return head + (" (with uncommitted changes)" if dirty else "")


def report(runs: list[SetRun], hot: list[Result], load: tuple[str, str]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- Machine: {machine()}",
        f"- Commit: {commit()}",
        f"- Load average (1 min) at start / end: {load[0]} / {load[1]} on {os.cpu_count()} cores "
        "(anything above about 1 means other work shared the machine)",
        f"- Setup: gunicorn 2 sync workers, PostgreSQL + Redis, DEBUG off; wrk -t1 -c{READERS} "
        f"-d{DURATION}s per endpoint after {WARMUP} s warm-up "
        f"(-c{HOT_CLIENTS} for the hot article)",
        "- `× ceiling`: requests/s divided by the bare Django view's (mean of a run before and "
        "after the pages) in the same data set.",
        "- SQL: queries per request (Django test client, once): the view's own (page not "
        "cached, site-wide caches warm) / the first request after a "
        "content change (refills navigation, top list, next publication) / cached page.",
        "",
    ]
    by_name = {run.name: run for run in runs}
    small, large = by_name.get("small"), by_name.get("large")
    header = "| Endpoint | SQL |"
    rule = "|---|---:|"
    for run in runs:
        header += f" {run.name} req/s | p50 ms | p99 ms | × ceiling |"
        rule += "---:|---:|---:|---:|"
    if small and large:
        header += " large / small |"
        rule += "---:|"
    lines += [header, rule]
    ceiling_row = "| ceiling (bare view) | 0 |"
    for run in runs:
        spread = " / ".join(fmt(x) for x in run.ceiling_runs)
        ceiling_row += f" {fmt(run.ceiling)} ({spread}) | | | 1.00 |"
    lines.append(
        ceiling_row + (" " + ratio(large.ceiling, small.ceiling) + " |" if small and large else "")
    )
    for name in PAGE_ROWS:
        present = [run.results.get(name) for run in runs]
        if not any(present):
            continue
        queries = next((r.queries for r in present if r and r.queries), "")
        row = f"| {name} | {queries} |"
        for run, result in zip(runs, present, strict=True):
            if result is None or result.rps is None:
                row += f" {result.note if result else 'not built'} | | | |"
            else:
                note = f" ({result.note})" if result.note else ""
                row += (
                    f" {fmt(result.rps)}{note} | {fmt(result.p50_ms, 1)} | "
                    f"{fmt(result.p99_ms, 1)} | {ratio(result.rps, run.ceiling)} |"
                )
        if small and large:
            s, g = small.results.get(name), large.results.get(name)
            row += f" {ratio(g.rps if g else None, s.rps if s else None)} |"
        lines.append(row)
    lines += [
        "",
        "Peak RSS of a gunicorn worker after the run: "
        + ", ".join(f"{run.name} {run.peak_rss_mb:.0f} MiB" for run in runs),
    ]
    if hot:
        by = {r.name: r for r in hot}
        lines += [
            "",
            f"## View counting and the peer ({runs[0].name} set)",
            "",
            "| Endpoint | SQL | req/s | p50 ms | p99 ms | count_view ÷ this |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for result in hot:
            if result.name == "wagtail article":
                continue
            lines.append(
                f"| {result.name} | {result.queries} | {fmt(result.rps)} "
                f"{('(' + result.note + ')') if result.note else ''} | "
                f"{fmt(result.p50_ms, 1)} | {fmt(result.p99_ms, 1)} | "
                f"{ratio(rps(_same_setup(by, 'count_view', result.name)), result.rps)} |"
            )
        wagtail = by.get("wagtail article")
        if wagtail and runs[0].results.get("article"):
            ours = runs[0].results["article"]
            uncached = runs[0].results.get("article_uncached")
            lines += [
                "",
                "| Article page | req/s | p50 ms | p99 ms | Karriere ÷ Wagtail |",
                "|---|---:|---:|---:|---:|",
            ]
            for label, result in (
                ("Karriere (page cache)", ours),
                ("Karriere (uncached)", uncached),
                ("Wagtail 8 (minimal site)", wagtail),
            ):
                if result and result.rps:
                    lines.append(
                        f"| {label} | {fmt(result.rps)} | {fmt(result.p50_ms, 1)} | "
                        f"{fmt(result.p99_ms, 1)} | {ratio(result.rps, wagtail.rps)} |"
                    )
    lines += ["", "## Goals (bench/FINDINGS.md explains the gaps)", ""]
    lines += goals(runs, hot)
    return "\n".join(lines) + "\n"


def rps(result: Result | None) -> float | None:
    return result.rps if result else None


def _same_setup(by_name: dict[str, Result], endpoint: str, other: str) -> Result | None:
    """The ``endpoint`` row measured under the same setup as ``other``: "(32 c)" etc."""
    return by_name.get(f"{endpoint} {other[other.index('(') :]}") if "(" in other else None


def goals(runs: list[SetRun], hot: list[Result]) -> list[str]:
    """The issue's goals, each with the figure it is judged by."""
    by_set = {run.name: run for run in runs}
    by_hot = {r.name: r for r in hot}
    rows = ["| Goal | Figure | Met |", "|---|---:|:---:|"]

    def add(goal: str, value: float | None, target: float) -> None:
        met = "–" if value is None else ("yes" if value >= target else "**no**")
        # Three decimals where two would round a miss up to the target (0.498 → "0.50").
        digits = 3 if value is not None and value < target <= round(value, 2) else 2
        rows.append(f"| {goal} | {'–' if value is None else f'{value:.{digits}f}'} | {met} |")

    def times_ceiling(run: SetRun, name: str) -> float | None:
        result = run.results.get(name)
        return result.rps / run.ceiling if result and result.rps and run.ceiling else None

    for run in runs:
        for name in ("article", "home", "category", "tag", "feed", "sitemap"):
            add(f"{name} ≥ 0.5 × ceiling ({run.name})", times_ceiling(run, name), 0.5)
        add(f"count_view ≥ 0.8 × ceiling ({run.name})", times_ceiling(run, "count_view"), 0.8)
    for run in runs:
        article = run.results.get("article")
        queries = int(article.queries.split("/")[0]) if article and article.queries else None
        met = "–" if queries is None else ("yes" if queries <= 8 else "**no**")
        rows.append(f"| article SQL queries uncached ≤ 8 ({run.name}) | {queries} | {met} |")
    if len(runs) > 1:
        same = all(
            len({run.results[name].queries for run in runs if name in run.results}) == 1
            for name in PAGE_ROWS
        )
        rows.append(
            f"| SQL queries per page the same on every set | | {'yes' if same else '**no**'} |"
        )
    if "large" in by_set:
        add("search ≥ 0.25 × ceiling (large)", times_ceiling(by_set["large"], "search"), 0.25)
    if "small" in by_set and "large" in by_set:
        for name in PAGE_ROWS:
            small, large = by_set["small"].results.get(name), by_set["large"].results.get(name)
            if rps(small) and rps(large):
                add(f"{name}: large ≥ 0.8 × small", large.rps / small.rps, 0.8)
    for name, target in (
        ("bare 204 (32 c)", 0.8),
        ("naive UPDATE (32 c)", 3),
        ("hitcount (32 c)", 5),
        ("bare 204 (32 c, 2×16 threads)", 0.8),
        ("naive UPDATE (32 c, 2×16 threads)", 3),
    ):
        count, peer = rps(_same_setup(by_hot, "count_view", name)), rps(by_hot.get(name))
        add(f"count_view ≥ {target} × {name}", count / peer if count and peer else None, target)
    wagtail = rps(by_hot.get("wagtail article"))
    ours = rps(runs[0].results.get("article"))
    add("article (page cache) ≥ 1.5 × Wagtail", ours / wagtail if ours and wagtail else None, 1.5)
    uncached = rps(runs[0].results.get("article_uncached"))
    add(
        "article (uncached) ≥ 1.5 × Wagtail",
        uncached / wagtail if uncached and wagtail else None,
        1.5,
    )
    return rows


def main() -> None:
    ensure_services()
    sets = [s.strip() for s in os.environ.get("BENCH_SETS", "small,large").split(",") if s.strip()]
    peers = os.environ.get("BENCH_PEERS", "1") != "0"
    DATA.mkdir(exist_ok=True)
    static_root = str(STATIC_ROOT)
    started, load_at_start = time.monotonic(), load_average()
    log("collectstatic into " + static_root)
    env = django_env("karriere_bench_small", static_root, port=PORTS["small"])
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    runs, hot = measure_sets(sets, static_root, peers)
    text = report(runs, hot, (load_at_start, load_average()))
    print("\n" + text)
    results = BENCH / "RESULTS.md"
    # The newsletter sending figures come from `python -m bench.newsletter`; keep them.
    previous = results.read_text() if results.exists() else ""
    marker = previous.find("## Newsletter sending")
    results.write_text(text + ("\n" + previous[marker:] if marker >= 0 else ""))
    log(f"done in {time.monotonic() - started:.0f} s; written to bench/RESULTS.md")
