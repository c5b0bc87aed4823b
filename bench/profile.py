"""Profile one page as the benchmark serves it: `python -m bench.profile URL [N] [SET]`.

Runs N uncached requests (default 20) through Django's test client against the data set SET
(default small) with the benchmark's production settings, under pyinstrument, and prints the
call tree.
Run `make bench` once first (it seeds the database and collects the static files).
"""

from __future__ import annotations

import os
import sys

from bench.run import harness


def main() -> None:
    url = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    data_set = sys.argv[3] if len(sys.argv) > 3 else "small"
    database = harness.database_name(data_set)
    os.environ.update(
        harness.django_env(database, str(harness.STATIC_ROOT), port=harness.PORTS[data_set])
    )
    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    client = Client(HTTP_USER_AGENT=harness.BROWSER_UA)
    client.cookies["bench-nocache"] = "1"
    client.get(url)  # warm up: templates compiled, connections open
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(count):
            response = client.get(url)
    print(f"{url}: HTTP {response.status_code}, {count} requests")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
