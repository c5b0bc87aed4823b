"""Production settings plus the benchmark's own endpoints (ceiling, bare 204, naive counter).

Used only by `make bench`; the environment (set by `bench.run`) turns debug off and points
the database and Redis at the benchmark's own.
"""

from __future__ import annotations

import os

from karriere.settings import *  # noqa: F403
from karriere.settings import INSTALLED_APPS

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]

# The load generator speaks plain HTTP on loopback; a TLS-terminating proxy does this in
# production, so the redirect is off while the cookies stay marked secure.
SECURE_SSL_REDIRECT = False

# Requests to measure the uncached page send this cookie; readers never have it.
PAGECACHE_BYPASS_COOKIES = [*PAGECACHE_BYPASS_COOKIES, "bench-nocache"]  # noqa: F405

# The hitcount peer runs this project in its own virtualenv (bench/.data/hitcount_env).
if os.environ.get("BENCH_HITCOUNT"):
    INSTALLED_APPS = [*INSTALLED_APPS, "hitcount"]
    HITCOUNT_KEEP_HIT_ACTIVE = {"days": 1}
