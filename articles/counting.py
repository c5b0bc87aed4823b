"""Counting views and likes ("Hilfreich"): one small interface, two stores.

The article page posts a beacon (static/js/count-view.js); the view hands it to ``record`` with
``VIEWS``. The "Hilfreich" button posts to its own view, which calls ``record`` with ``LIKES``:
both are counted the same way. A visitor counts once per article and kind within
``VIEW_COUNT_DEDUPE_SECONDS``,
recognised by a keyed hash of IP, user agent and article whose key is derived from SECRET_KEY
and the date, so it rotates daily. The hash lives only in the cache and expires; no cookie is
set and no IP is stored.

Stores:
- ``RedisStore`` (``VIEW_COUNT_REDIS_URL``, defaults to ``REDIS_URL``): dedupe and increment in
  one Lua call, nothing touches the database on the request path. ``flush`` moves the counts to
  the database in one batched upsert.
- ``DatabaseStore`` (embedded default): dedupe with the Django cache's atomic ``add`` and
  upsert each view directly, so no flush is needed.

Both stores write through ``_apply_counts``, which drops counts of articles that are not
published and adds the same deltas to ``ArticleViewDay`` (``views``, ``likes``) and
``Article.view_count`` / ``like_count`` in one transaction.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from datetime import date, timedelta
from enum import StrEnum
from functools import cache as memoize
from itertools import islice
from typing import Protocol

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, F, OuterRef, Subquery, Sum, Value, When, Window
from django.db.models.functions import Coalesce, Least, RowNumber
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from redis.exceptions import LockNotOwnedError

from articles.models import Article, ArticleViewDay

logger = logging.getLogger(__name__)

# What count-view.js sends: a CORS-safelisted content type (sendBeacon cannot set headers)
# and a fixed body, so stray POSTs, forms and link checkers do not count.
BEACON_CONTENT_TYPE = "text/plain"
BEACON_BODY = b"view"

# User agents that are not readers. Case-insensitive substrings, kept roughly in the order of
# how often they show up in magazine logs; an empty user agent is a bot too (see ``is_bot``).
BOT_PATTERNS = (
    "bot",  # Googlebot, bingbot, Applebot, GPTBot, ClaudeBot, AhrefsBot, SemrushBot, ...
    "crawl",
    "spider",
    "slurp",
    "mediapartners-google",
    "google-inspectiontool",
    "apis-google",
    "feedfetcher",
    "lighthouse",
    "pagespeed",
    "gtmetrix",
    "pingdom",
    "uptime",
    "monitor",
    "headless",
    "phantomjs",
    "selenium",
    "puppeteer",
    "playwright",
    "preview",  # link previews: Slack, Skype, Bing
    "facebookexternalhit",
    "facebookcatalog",
    "embedly",
    "whatsapp",
    "vkshare",
    "pinterest",
    "ia_archiver",
    "archive.org",
    "scrapy",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "curl/",
    "wget/",
    "libwww",
    "go-http-client",
    "java/",
    "okhttp",
    "axios",
    "node-fetch",
    "undici",
    "httpclient",
    "validator",
    "checker",
    "scanner",
    "yandex",
    "baiduspider",
    "bytespider",
    "petalsearch",
    "ccbot",
    "anthropic",
    "perplexity",
    "dataforseo",
)
_BOT_RE = re.compile("|".join(re.escape(pattern) for pattern in BOT_PATTERNS), re.IGNORECASE)

DAY_SECONDS = 24 * 60 * 60
# Rows per INSERT / UPDATE statement: well below SQLite's and PostgreSQL's parameter limits.
BATCH_ROWS = 500

SEEN_PREFIX = "views:seen:"
# Larger ids cannot exist (bigint primary key) and would break the flush's query.
MAX_ARTICLE_ID = 2**63 - 1


class Kind(StrEnum):
    """What is counted: the value names the ``ArticleViewDay`` column."""

    VIEWS = "views"
    LIKES = "likes"


VIEWS, LIKES = Kind.VIEWS, Kind.LIKES
# The Article field holding each kind's running total.
TOTAL_FIELDS = {VIEWS: "view_count", LIKES: "like_count"}


class Outcome(StrEnum):
    COUNTED = "counted"
    REPEAT = "repeat"  # this visitor was already counted within the window
    IGNORED = "ignored"  # staff, a bot, no such article id
    UNAVAILABLE = "unavailable"  # the store is unreachable: dropped, not counted


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or _BOT_RE.search(user_agent) is not None


def is_beacon(request: HttpRequest) -> bool:
    """Whether the request is the beacon count-view.js sends from a page of this site."""
    # Browsers send Sec-Fetch-Site with sendBeacon/fetch; older ones omit it, which we accept.
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return False
    if request.content_type != BEACON_CONTENT_TYPE:
        return False
    # Check the length before reading, so a large body is never read into memory.
    if request.META.get("CONTENT_LENGTH") != str(len(BEACON_BODY)):
        return False
    return request.body == BEACON_BODY


def record(kind: Kind, *, article_id: int, ip: str, user_agent: str, is_staff: bool) -> Outcome:
    """Count one view or like of the article unless it is a bot, staff or a repeat.

    Unpublished articles are filtered where the counts reach the database (at once in the
    embedded store, at the next flush with Redis), so the Redis path needs no query.
    """
    if is_staff or is_bot(user_agent) or not 0 < article_id <= MAX_ARTICLE_ID:
        return Outcome.IGNORED
    today = timezone.localdate()
    visitor = {"kind": kind, "article_id": article_id, "ip": ip, "user_agent": user_agent}
    seen_key = _seen_key(**visitor, day=today)
    # The hash key rotates at midnight, so the window is also checked under the keys of the
    # days it reaches back into; each key expires with the window.
    days_back = max(1, math.ceil(settings.VIEW_COUNT_DEDUPE_SECONDS / DAY_SECONDS))
    earlier_keys = [_seen_key(**visitor, day=today - timedelta(n)) for n in range(1, days_back + 1)]
    return get_store().record(
        kind, article_id=article_id, day=today, seen_key=seen_key, earlier_keys=earlier_keys
    )


def flush_views() -> int:
    """Move collected views and likes to the database; returns how many were written."""
    return get_store().flush()


def current_total(kind: Kind, *, article_id: int) -> int:
    """The article's running total with today's counts still waiting for the flush: what its
    pages show once they are rendered again (for the "Hilfreich" button's answer)."""
    total_field = TOTAL_FIELDS[kind]
    stored = Article.objects.filter(pk=article_id).values_list(total_field, flat=True).first()
    pending = get_store().pending(kind, article_id=article_id, day=timezone.localdate())
    return (stored or 0) + pending


def most_read(*, limit: int) -> list[tuple[str, list[tuple[Article, int]]]]:
    """The most read published articles of the last VIEW_COUNT_TOP_DAYS days (today included)
    and of all time: ``[(heading, [(article, views), ...]), ...]``, articles with category.

    One query: both rankings are window functions over the published articles, and only the
    rows in either top ``limit`` come back. Callers cache the result for a few minutes.
    """
    days = settings.VIEW_COUNT_TOP_DAYS
    since = timezone.localdate() - timedelta(days=days - 1)
    recent_views = (
        ArticleViewDay.objects.filter(article=OuterRef("pk"), day__gte=since)
        .values("article")
        .annotate(views=Sum("views"))
        .values("views")
    )
    newest_first = [F("published_at").desc(), F("pk").desc()]
    rows = list(
        Article.objects.published()
        .select_related("category", "hero_image")
        .prefetch_related("authors")
        .defer("body", "body_html")
        .annotate(recent_views=Coalesce(Subquery(recent_views), 0))
        .annotate(
            recent_rank=Window(RowNumber(), order_by=[F("recent_views").desc(), *newest_first]),
            total_rank=Window(RowNumber(), order_by=[F("view_count").desc(), *newest_first]),
        )
        .annotate(best_rank=Least("recent_rank", "total_rank"))
        .filter(best_rank__lte=limit)
    )
    recent = sorted(
        (a for a in rows if a.recent_rank <= limit and a.recent_views), key=lambda a: a.recent_rank
    )
    all_time = sorted(
        (a for a in rows if a.total_rank <= limit and a.view_count), key=lambda a: a.total_rank
    )
    return [
        (
            ngettext("Last %(days)s day", "Last %(days)s days", days) % {"days": days},
            [(article, article.recent_views) for article in recent],
        ),
        (_("All time"), [(article, article.view_count) for article in all_time]),
    ]


def recommended(*, limit: int) -> list[tuple[str, list[tuple[Article, int]]]]:
    """What the Top-Artikel box shows while no views are counted (a new site): the editors'
    featured articles, then the newest, in ``most_read``'s shape."""
    articles = (
        Article.objects.published()
        .for_listing()
        .defer("body", "body_html")
        .order_by("-featured", "-published_at", "-id")[:limit]
    )
    return [(_("Recommended by the editors"), [(a, a.view_count) for a in articles])]


def _seen_key(*, kind: Kind, article_id: int, ip: str, user_agent: str, day: date) -> str:
    # Views keep the salt they had before likes were counted, so no visitor counts twice
    # across the deployment.
    digest = salted_hmac(
        f"karriere.{kind}.seen.{day.isoformat()}",
        f"{article_id}\0{ip}\0{user_agent}",
        algorithm="sha256",
    ).hexdigest()
    return SEEN_PREFIX + digest[:32]


class CountStore(Protocol):
    def record(
        self, kind: Kind, *, article_id: int, day: date, seen_key: str, earlier_keys: list[str]
    ) -> Outcome:
        """Count unless one of the keys is already set; set ``seen_key``."""

    def flush(self) -> int:
        """Write collected counts to the database."""

    def pending(self, kind: Kind, *, article_id: int, day: date) -> int:
        """Counts of the day not yet in the database."""


def get_store() -> CountStore:
    url = settings.VIEW_COUNT_REDIS_URL
    return _redis_store(url) if url else DatabaseStore()


class DatabaseStore:
    def record(
        self, kind: Kind, *, article_id: int, day: date, seen_key: str, earlier_keys: list[str]
    ) -> Outcome:
        if cache.get_many(earlier_keys):
            return Outcome.REPEAT
        if not cache.add(seen_key, 1, timeout=settings.VIEW_COUNT_DEDUPE_SECONDS):
            return Outcome.REPEAT
        counted = _apply_counts({(article_id, day, kind): 1}) == 1
        return Outcome.COUNTED if counted else Outcome.IGNORED

    def flush(self) -> int:
        return 0

    def pending(self, kind: Kind, *, article_id: int, day: date) -> int:
        return 0


# KEYS: pending hash, seen key, earlier seen keys...; ARGV: expiry, hash field.
_RECORD_LUA = """
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end
end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
  return 1
end
return 0
"""

# KEYS: pending hash, processing hash. Takes the pending counts atomically (new views go to a
# fresh pending hash), unless a batch from a flush that died is still waiting: that one goes
# first.
_TAKE_LUA = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
  redis.call('RENAME', KEYS[1], KEYS[2])
end
return redis.call('HGETALL', KEYS[2])
"""


class RedisStore:
    PENDING = "views:pending"
    PROCESSING = "views:processing"
    # PostgreSQL transaction id of the flush that is writing the processing batch.
    PROCESSING_XID = "views:processing:xid"
    LOCK = "views:flush-lock"

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url, **settings.REDIS_CLIENT_OPTIONS)
        self._record = self.client.register_script(_RECORD_LUA)
        self._take = self.client.register_script(_TAKE_LUA)

    def record(
        self, kind: Kind, *, article_id: int, day: date, seen_key: str, earlier_keys: list[str]
    ) -> Outcome:
        try:
            counted = self._record(
                keys=[self.PENDING, seen_key, *earlier_keys],
                args=[settings.VIEW_COUNT_DEDUPE_SECONDS, _field(article_id, day, kind)],
            )
        except (redis.ConnectionError, redis.TimeoutError) as error:
            # Dropped, not written to the database: without the dedupe keys every reload would
            # count, and a viral article would hit its row with a write per view.
            logger.warning("View counter Redis unreachable, %s not counted: %s", kind, error)
            return Outcome.UNAVAILABLE
        return Outcome.COUNTED if counted == 1 else Outcome.REPEAT

    def pending(self, kind: Kind, *, article_id: int, day: date) -> int:
        field = _field(article_id, day, kind)
        try:
            with self.client.pipeline(transaction=False) as pipe:
                pipe.hget(self.PENDING, field).hget(self.PROCESSING, field)
                return sum(int(count or 0) for count in pipe.execute())
        except (redis.ConnectionError, redis.TimeoutError):
            return 0

    def flush(self) -> int:
        # One flusher at a time: the scheduler's task and a flush by hand may overlap. The lock
        # is a short lease the flusher renews as it writes, so a flusher that was killed
        # blocks the next one for at most VIEW_COUNT_FLUSH_LEASE_SECONDS.
        lock = self.client.lock(
            self.LOCK, timeout=settings.VIEW_COUNT_FLUSH_LEASE_SECONDS, blocking=False
        )
        if not lock.acquire():
            return 0
        try:
            batch = self._take(keys=[self.PENDING, self.PROCESSING])
            if not batch:
                return 0
            deltas = Counter()
            for field, count in zip(batch[::2], batch[1::2], strict=True):
                deltas[_parse_field(field.decode())] += int(count)
            # reacquire() renews the lease, and raises if it ran out and another flusher may
            # hold the batch: called after every chunk and last before the commit, so a
            # flusher that lost its lease rolls back and leaves the batch to the next one.
            written = self._write_once(deltas, renew_lease=lock.reacquire)
            # Only now, after the commit, are the counts dropped from Redis.
            self.client.delete(self.PROCESSING, self.PROCESSING_XID)
            return written
        finally:
            with suppress(LockNotOwnedError):  # the lease ran out; nothing of ours to free
                lock.release()

    def _write_once(self, deltas: Counter, *, renew_lease: Callable[[], object]) -> int:
        """Write the batch unless a flush that died after its commit already wrote it.

        On PostgreSQL the transaction id is noted in Redis before the commit; the next flush
        asks PostgreSQL whether that transaction committed. Other databases (development
        only) may count such a batch twice.
        """
        if connection.vendor != "postgresql":
            return _apply_counts(deltas, after_chunk=renew_lease)
        previous = self.client.get(self.PROCESSING_XID)
        if previous is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_xact_status(%s::xid8)", [previous.decode()])
                (status,) = cursor.fetchone()
            if status == "committed":
                return 0
            if status == "in progress":
                raise RuntimeError("An earlier view-count flush is still writing; try later.")
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_current_xact_id()::text")
                (xid,) = cursor.fetchone()
            self.client.set(self.PROCESSING_XID, xid)
            return _apply_counts(deltas, after_chunk=renew_lease)


def _field(article_id: int, day: date, kind: Kind) -> str:
    """The pending hash's field: views keep the ``article:day`` they had before likes."""
    field = f"{article_id}:{day.isoformat()}"
    return field if kind == VIEWS else f"{field}:{kind}"


def _parse_field(field: str) -> tuple[int, date, Kind]:
    article_id, day, *kind = field.split(":")
    return int(article_id), date.fromisoformat(day), Kind(kind[0] if kind else VIEWS)


@memoize
def _redis_store(url: str) -> RedisStore:
    # One client (with its connection pool) per process and URL.
    return RedisStore(url)


@transaction.atomic
def _apply_counts(
    deltas: dict[tuple[int, date, Kind], int], *, after_chunk: Callable[[], object] | None = None
) -> int:
    """Add views and likes per (article, day) to the daily rows and the running totals;
    returns the sum.

    One upsert per batch: ``ON CONFLICT ... DO UPDATE SET views = views + EXCLUDED.views``
    (PostgreSQL and SQLite) adds atomically under the unique (article, day) constraint, so
    concurrent writers never lose an increment. Rows are written in key order so concurrent
    flushes take row locks in the same order. ``after_chunk`` runs after every statement,
    inside the transaction (the flush renews its lease there; raising rolls back).
    """
    after_chunk = after_chunk or (lambda: None)
    published = set(
        Article.objects.published()
        .filter(pk__in={article_id for article_id, _day, _kind in deltas})
        .values_list("pk", flat=True)
    )
    per_day: dict[tuple[int, date], Counter] = {}
    for (article_id, day, kind), count in deltas.items():
        if article_id in published and count > 0:
            per_day.setdefault((article_id, day), Counter())[kind] += count
    if not per_day:
        return 0
    rows = sorted((*article_day, counts) for article_day, counts in per_day.items())
    opts = ArticleViewDay._meta
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    article_col = quote(opts.get_field("article").column)
    day_col = quote(opts.get_field("day").column)
    count_cols = [quote(opts.get_field(kind).column) for kind in Kind]
    added = ", ".join(f"{col} = {table}.{col} + EXCLUDED.{col}" for col in count_cols)
    with connection.cursor() as cursor:
        for chunk in _chunks(rows):
            placeholders = ", ".join([f"({', '.join(['%s'] * (2 + len(Kind)))})"] * len(chunk))
            params = []
            for article_id, day, counts in chunk:
                params += [article_id, connection.ops.adapt_datefield_value(day)]
                params += [counts[kind] for kind in Kind]
            cursor.execute(
                f"INSERT INTO {table} ({article_col}, {day_col}, {', '.join(count_cols)}) "
                f"VALUES {placeholders} "
                f"ON CONFLICT ({article_col}, {day_col}) DO UPDATE SET {added}",
                params,
            )
            after_chunk()
    per_article: dict[int, Counter] = {}
    for article_id, _day, counts in rows:
        per_article.setdefault(article_id, Counter()).update(counts)
    for chunk in _chunks(sorted(per_article.items())):
        totals = {
            TOTAL_FIELDS[kind]: F(TOTAL_FIELDS[kind])
            + Case(
                *(When(pk=pk, then=Value(counts[kind])) for pk, counts in chunk if counts[kind]),
                default=Value(0),
            )
            for kind in Kind
            if any(counts[kind] for _pk, counts in chunk)
        }
        Article.objects.filter(pk__in=[pk for pk, _counts in chunk]).update(**totals)
        after_chunk()
    return sum(counts.total() for counts in per_article.values())


def _chunks(items: list) -> list[list]:
    iterator = iter(items)
    return list(iter(lambda: list(islice(iterator, BATCH_ROWS)), []))
