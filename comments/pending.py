"""The reader's own pending comments: a signed cookie with their ids, so the author (and only
the author's browser) sees what they wrote while it waits for a moderator.

The cookie's name is ``settings.COMMENTS_PENDING_COOKIE_NAME``: defined in the settings, because
the page cache (``PAGECACHE_BYPASS_COOKIES``) must skip readers who carry it and ``karriere``
never imports an app.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

SALT = "comments.own-pending"
# Only the last few: the cookie must stay small.
KEEP = 20


def own_pending_comment_ids(request: HttpRequest | None) -> list[int]:
    """Ids of the pending comments this browser wrote, from the signed cookie."""
    name = settings.COMMENTS_PENDING_COOKIE_NAME
    if request is None or name not in request.COOKIES:
        return []
    try:
        ids = signing.loads(
            request.COOKIES[name], salt=SALT, max_age=settings.COMMENTS_PENDING_COOKIE_MAX_AGE
        )
    except signing.BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def remember_pending_comment(request: HttpRequest, response: HttpResponse, comment_id: int):
    """Add the comment to the browser's cookie on the response."""
    ids = [*own_pending_comment_ids(request), comment_id][-KEEP:]
    response.set_cookie(
        settings.COMMENTS_PENDING_COOKIE_NAME,
        signing.dumps(ids, salt=SALT),
        max_age=settings.COMMENTS_PENDING_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
