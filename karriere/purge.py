"""Purging shared HTTP caches (Varnish, Cloudflare) by surrogate key.

Pages carry the keys of what they show in a header (``Surrogate-Key: article-42 home …``);
``karriere.dependencies.invalidate`` queues one task per committed change with every key it
touched, and the task asks each configured cache to drop the pages with one of them. Without
configuration nothing is queued. A cache that cannot be reached is asked again by a new run of
the task (backoff), only that cache, up to ``PURGE_MAX_ATTEMPTS`` runs.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

# Keys are ours ("article-42"), but nothing that could break a header or a ban expression
# may reach the caches.
VALID_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


class PurgeFailed(Exception):
    """A cache did not confirm the purge (unreachable, timeout, an error answer)."""


@dataclass(frozen=True)
class Varnish:
    """Varnish (``deploy/varnish/default.vcl``): one ``PURGE`` request per batch of keys to
    each instance, keys space-separated in ``Surrogate-Key``; the VCL bans the cached objects
    whose ``Surrogate-Key`` names one of them."""

    urls: tuple[str, ...]
    name = "varnish"
    batch_size = 100

    def purge(self, keys: Sequence[str]) -> None:
        for url in self.urls:
            _send(url, method="PURGE", headers={"Surrogate-Key": " ".join(keys)})


@dataclass(frozen=True)
class Cloudflare:
    """Cloudflare's purge by cache tag (the pages send ``Cache-Tag`` too, see
    ``SURROGATE_KEY_HEADERS``): ``POST /zones/<zone>/purge_cache {"tags": [...]}``."""

    zone_id: str
    api_token: str
    api_url: str = "https://api.cloudflare.com/client/v4"
    name = "cloudflare"
    batch_size = 30  # tags per API call

    def purge(self, keys: Sequence[str]) -> None:
        _send(
            f"{self.api_url}/zones/{self.zone_id}/purge_cache",
            method="POST",
            headers={
                "Authorization": f"Bearer {self.api_token}",
                "Content-Type": "application/json",
            },
            body=json.dumps({"tags": list(keys)}).encode(),
        )


def configured_backends() -> list[Varnish | Cloudflare]:
    backends: list[Varnish | Cloudflare] = []
    if settings.PURGE_VARNISH_URLS:
        backends.append(Varnish(urls=tuple(settings.PURGE_VARNISH_URLS)))
    if settings.PURGE_CLOUDFLARE_ZONE_ID and settings.PURGE_CLOUDFLARE_API_TOKEN:
        backends.append(
            Cloudflare(
                zone_id=settings.PURGE_CLOUDFLARE_ZONE_ID,
                api_token=settings.PURGE_CLOUDFLARE_API_TOKEN,
                api_url=settings.PURGE_CLOUDFLARE_API_URL,
            )
        )
    return backends


def purge_keys(*, keys: Sequence[str], backends: Sequence[str]) -> list[str]:
    """Purge ``keys`` from the named configured backends, in batches; returns the names of the
    backends that failed (to be tried again)."""
    keys = [key for key in keys if VALID_KEY.match(key)]
    failed = []
    for backend in configured_backends():
        if backend.name not in backends:
            continue
        try:
            for batch in _batches(keys, backend.batch_size):
                backend.purge(batch)
        except PurgeFailed as error:
            logger.warning("Purging %s failed: %s", backend.name, error)
            failed.append(backend.name)
    return failed


def _batches(keys: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def _send(url: str, *, method: str, headers: dict[str, str], body: bytes | None = None) -> None:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=settings.PURGE_TIMEOUT_SECONDS) as answer:
            answer.read()
    except urllib.error.HTTPError as error:
        raise PurgeFailed(f"{method} {url}: HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise PurgeFailed(f"{method} {url}: {error}") from error
