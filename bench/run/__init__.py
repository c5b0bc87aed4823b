"""`make bench`: load Karriere's pages and counting endpoint through gunicorn and report ratios.

Everything is measured in one run against a ceiling (a bare Django view through the same
middleware) because shared machines are noisy: the ratios compare, the absolute figures
only describe this run. Environment knobs: BENCH_SETS (default "small,large"),
BENCH_DURATION (seconds per endpoint, default 5), BENCH_PEERS=0 to skip hitcount and Wagtail,
BENCH_DB_PREFIX / BENCH_PORT_BASE / BENCH_REDIS_URL for a run beside someone else's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.run.harness import (
    BENCH,
    DATA,
    PORTS,
    ROOT,
    STATIC_ROOT,
    database_name,
    django_env,
    ensure_services,
    load_average,
    log,
)
from bench.run.measure import measure_sets
from bench.run.report import report


def main() -> None:
    ensure_services()
    sets = [s.strip() for s in os.environ.get("BENCH_SETS", "small,large").split(",") if s.strip()]
    peers = os.environ.get("BENCH_PEERS", "1") != "0"
    DATA.mkdir(exist_ok=True)
    static_root = str(STATIC_ROOT)
    started, load_at_start = time.monotonic(), load_average()
    log("collectstatic into " + static_root)
    env = django_env(database_name("small"), static_root, port=PORTS["small"])
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    runs, hot = measure_sets(sets, static_root, peers)
    text = report(runs, hot, (load_at_start, load_average()))
    print("\n" + text)
    if os.environ.get("BENCH_ONLY"):
        log("BENCH_ONLY: a partial run, bench/RESULTS.md left as it is")
        return
    results = BENCH / "RESULTS.md"
    # The newsletter sending figures come from `python -m bench.newsletter`; keep them.
    previous = results.read_text() if results.exists() else ""
    marker = previous.find("## Newsletter sending")
    results.write_text(text + ("\n" + previous[marker:] if marker >= 0 else ""))
    log(f"done in {time.monotonic() - started:.0f} s; written to bench/RESULTS.md")
