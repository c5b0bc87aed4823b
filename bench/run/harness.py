"""The bench's surroundings: PostgreSQL, Redis, seeded data sets, gunicorn and the machine."""

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
import urllib.request
from datetime import datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
WRK_DIR = BENCH / "wrk"
WAGTAIL_DIR = BENCH / "wagtail_peer"
WAGTAIL_ENV = BENCH / "wagtail_env"
HITCOUNT_ENV = DATA / "hitcount_env"
STATIC_ROOT = DATA / "static"
HITCOUNT_REQUIREMENT = "django-hitcount==1.3.5"
# Several people may bench on one machine: each run can have its own database names, ports and
# Redis database (BENCH_DB_PREFIX, BENCH_PORT_BASE, BENCH_REDIS_URL).
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "karriere_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
PORT_BASE = int(os.environ.get("BENCH_PORT_BASE", "8765"))
PORTS = {
    name: PORT_BASE + offset
    for offset, name in enumerate(("small", "large", "hitcount", "wagtail", "threads"))
}
SEED_VERSION = "1"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SECRET_KEY = secrets.token_urlsafe(50)


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


def database_name(name: str) -> str:
    """``small`` → ``karriere_bench_small`` (or the BENCH_DB_PREFIX's)."""
    return f"{DB_PREFIX}_{name}"


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


def production_env(site_url: str, *, hosts: str = "127.0.0.1,localhost", **extra: str) -> dict:
    """Karriere's own settings as production runs them (debug off), on loopback without TLS."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "karriere.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": hosts,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SITE_URL": site_url,
        **extra,
    }


def django_env(database: str, static_root: str, *, port: int, **extra: str) -> dict[str, str]:
    return production_env(
        f"http://127.0.0.1:{port}",
        hosts="127.0.0.1,localhost,testserver",
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=f"{PG}/{database}",
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=f"bench-{database}",
        BENCH_STATIC_ROOT=static_root,
        # The load generator posts comments at once; every other rule stays as in production.
        COMMENTS_MIN_SUBMIT_SECONDS="0",
        PYTHONPATH=str(ROOT),
        **extra,
    )


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
    # (A slow first answer is a timeout, an OSError: keep waiting.)
    with contextlib.suppress(urllib.error.URLError, OSError):
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


def prepare_set(set_name: str, static_root: str) -> tuple[dict, dict]:
    """Seed (or reuse) the set's database; return its environment and endpoints."""
    database = database_name(set_name)
    key = seed_key(set_name)
    env = django_env(database, static_root, port=PORTS[set_name])
    seed_needed = ensure_database(database, key)
    log(f"{set_name}: {'seeding' if seed_needed else 'reusing'} {database}")
    started = time.monotonic()
    command = [sys.executable, "-m", "bench.prepare", "--set", set_name]
    prepared = run_prepared(command + (["--seed", key] if seed_needed else []), env)
    log(f"{set_name}: prepared in {time.monotonic() - started:.0f} s")
    return env, prepared


def _set_of(base: str) -> str:
    port = int(base.rsplit(":", 1)[1])
    return next(name for name, number in PORTS.items() if number == port)


# --- the machine ---------------------------------------------------------------------------


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
