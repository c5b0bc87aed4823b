"""Comment workflows: one place for the rules, used by the public view and the admin alike."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_lazy

from articles import invalidation
from articles.models import Article
from comments.mail import moderator_recipients
from comments.models import (
    Comment,
    ModerationWord,
    ModeratorMail,
    comments_open,
    text_fingerprint,
)
from comments.tasks import send_moderator_mail
from karriere import outbox

Status = Comment.Status

# "https://…", "http://…" and bare "www.…" (but not the "www." inside an URL already counted).
LINK_PATTERN = re.compile(r"https?://|(?<![/\w.])www\.", re.IGNORECASE)


class CommentRejected(Exception):
    """A comment the rules refuse; each kind carries its HTTP status and German message."""

    status_code: int
    message: str
    # Seconds after which sending again may succeed (the HTTP Retry-After), if known.
    retry_after: int | None = None

    def __init__(self, *, retry_after: int | None = None):
        super().__init__()
        self.retry_after = retry_after


class CommentsClosed(CommentRejected):
    status_code = 403
    message = gettext_lazy("Comments are closed.")


class CommentFlood(CommentRejected):
    status_code = 429
    message = gettext_lazy(
        "You are commenting too quickly. Please wait a few seconds and send your comment again."
    )


class DuplicateComment(CommentRejected):
    status_code = 409
    message = gettext_lazy("You have already sent this comment.")


def _count_links(*texts: str) -> int:
    return sum(len(LINK_PATTERN.findall(text)) for text in texts)


def _initial_status(comment: Comment) -> str:
    """The status a new comment starts with: block list and spam checker first, then the
    reasons to hold it, then the optional auto-approval of known authors."""
    haystack = " ".join([comment.name, comment.email, comment.url, comment.text]).casefold()
    words = ModerationWord.objects.values_list("word", "kind")
    matched = {kind for word, kind in words if word.strip() and word.casefold() in haystack}
    if ModerationWord.Kind.BLOCK in matched:
        return Status.SPAM
    verdict = _spam_checker_verdict(comment)
    if verdict == Status.SPAM:
        return Status.SPAM
    if (
        verdict == Status.PENDING
        or ModerationWord.Kind.MODERATE in matched
        or _count_links(comment.url, comment.text) >= settings.COMMENTS_HOLD_LINK_COUNT
    ):
        return Status.PENDING
    if (
        settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS
        and Comment.objects.filter(
            name=comment.name, email=comment.email, status=Status.APPROVED
        ).exists()
    ):
        return Status.APPROVED
    return Status.PENDING


def _spam_checker_verdict(comment: Comment) -> str | None:
    """Ask the checker named by ``COMMENTS_SPAM_CHECKER``, if any.

    The checker is called as ``check(comment=comment)`` with the unsaved comment and returns
    ``"spam"``, ``"pending"`` (hold for a moderator) or ``None`` (no objection).
    """
    if not settings.COMMENTS_SPAM_CHECKER:
        return None
    return import_string(settings.COMMENTS_SPAM_CHECKER)(comment=comment)


def _change_approved_count(article_id: int, delta: int) -> None:
    if delta:
        Article.objects.filter(pk=article_id).update(comment_count=F("comment_count") + delta)
    # The article's page and the lists showing its count, once the change is committed: a
    # page rendered before the commit would otherwise be cached as the new version.
    invalidation.comment_count_changed(article_id=article_id)


@transaction.atomic
def comment_submit(
    *,
    article: Article,
    name: str,
    email: str,
    text: str,
    url: str = "",
    parent: Comment | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    exempt_from_flood_control: bool = False,
) -> Comment:
    """Store a reader's comment with the status the rules give it.

    Raises ``CommentsClosed``, ``CommentFlood`` or ``DuplicateComment``. A held comment queues
    one notification mail to the moderators in the same transaction.
    """
    if not comments_open(article):
        raise CommentsClosed
    if not exempt_from_flood_control:
        now = timezone.now()
        recent = Comment.objects.filter(
            created_at__gt=now - timedelta(seconds=settings.COMMENTS_FLOOD_SECONDS)
        )
        same_sender = Q(email=email) | Q(ip_address=ip_address) if ip_address else Q(email=email)
        last = recent.filter(same_sender).aggregate(last=Max("created_at"))["last"]
        if last is not None:
            wait = settings.COMMENTS_FLOOD_SECONDS - (now - last).total_seconds()
            raise CommentFlood(retry_after=max(1, math.ceil(wait)))
    if Comment.objects.filter(
        article=article, email=email, text_fingerprint=text_fingerprint(text)
    ).exists():
        raise DuplicateComment

    comment = Comment(
        article=article,
        parent=parent,
        name=name,
        email=email,
        url=url,
        text=text,
        ip_address=ip_address or None,
        user_agent=user_agent,
    )
    comment.status = _initial_status(comment)
    if comment.status == Status.APPROVED:
        comment.approved_at = timezone.now()
    try:
        # The unique constraint catches the race between the check above and this insert.
        with transaction.atomic():
            comment.save()
    except IntegrityError as error:
        raise DuplicateComment from error

    if comment.status == Status.APPROVED:
        _change_approved_count(article.pk, +1)
    elif comment.status == Status.PENDING and moderator_recipients():
        notification = ModeratorMail.objects.create(comment=comment)
        send_moderator_mail.enqueue(notification.pk)
    return comment


def moderator_mails_resend(*, mails: QuerySet[ModeratorMail]) -> int:
    """The admin's "Erneut senden": queue undelivered notifications again; return how many."""
    return outbox.mails_resend(mails=mails, task=send_moderator_mail)


def _set_status(comment: Comment, new_status: str, *, moderator: Any = None) -> Comment:
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    old_status = locked.status
    if old_status == new_status:
        return locked
    locked.previous_status = old_status
    locked.status = new_status
    fields = ["status", "previous_status"]
    if new_status == Status.APPROVED:
        locked.approved_at = timezone.now()
        locked.approved_by = moderator if getattr(moderator, "pk", None) else None
        fields += ["approved_at", "approved_by"]
    locked.save(update_fields=fields)
    was_visible = old_status == Status.APPROVED
    is_visible = new_status == Status.APPROVED
    if was_visible or is_visible:
        _change_approved_count(locked.article_id, int(is_visible) - int(was_visible))
    return locked


@transaction.atomic
def comment_approve(*, comment: Comment, moderator: Any) -> Comment:
    return _set_status(comment, Status.APPROVED, moderator=moderator)


@transaction.atomic
def comment_mark_spam(*, comment: Comment) -> Comment:
    return _set_status(comment, Status.SPAM)


@transaction.atomic
def comment_trash(*, comment: Comment) -> Comment:
    return _set_status(comment, Status.TRASH)


@transaction.atomic
def comment_restore(*, comment: Comment, moderator: Any) -> Comment:
    """Take a comment out of spam or trash, back to the status it had before (else pending).

    Comments in other statuses are left alone, so a bulk restore cannot un-approve anything.
    """
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.status not in (Status.SPAM, Status.TRASH):
        return locked
    target = locked.previous_status or Status.PENDING
    return _set_status(locked, target, moderator=moderator)


@transaction.atomic
def comment_reply_as_staff(*, parent: Comment, text: str, moderator: Any) -> Comment:
    """Answer a reader as the magazine: an approved reply marked "Redaktion" on the site.
    A pending comment that gets an answer is approved with it (the reply needs its parent)."""
    if parent.status == Status.PENDING:
        parent = _set_status(parent, Status.APPROVED, moderator=moderator)
    reply = Comment(
        article_id=parent.article_id,
        parent=parent,
        name=moderator.get_full_name() or gettext("Editorial team"),
        email=moderator.email,
        text=text,
        status=Status.APPROVED,
        approved_at=timezone.now(),
        approved_by=moderator,
        staff_reply=True,
    )
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError as error:
        raise DuplicateComment from error
    _change_approved_count(parent.article_id, +1)
    return reply


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    locked.delete()
    if locked.status == Status.APPROVED:
        _change_approved_count(locked.article_id, -1)


def comment_personal_data_export(*, email: str) -> list[dict[str, Any]]:
    """Everything stored about the comments of one e-mail address (right of access)."""
    comments = (
        Comment.objects.filter(email__iexact=email.strip())
        .select_related("article")
        .order_by("created_at", "id")
    )
    return [
        {
            "article": comment.article.title,
            "article_url": settings.SITE_URL + comment.article.get_absolute_url(),
            "name": comment.name,
            "email": comment.email,
            "website": comment.url,
            "text": comment.text,
            "status": comment.status,
            "created_at": comment.created_at.isoformat(),
            "ip_address": comment.ip_address,
            "user_agent": comment.user_agent,
        }
        for comment in comments
    ]


@transaction.atomic
def comment_personal_data_anonymise(*, email: str) -> int:
    """Remove the author's name, e-mail, website, IP and user agent from all their comments.

    The text stays (as in WordPress' eraser); status and therefore the approved count do not
    change. Returns the number of comments anonymised.
    """
    comments = Comment.objects.select_for_update().filter(email__iexact=email.strip())
    shown_on = set(comments.filter(status=Status.APPROVED).values_list("article_id", flat=True))
    count = comments.update(
        name=gettext("Anonymous"), email="", url="", ip_address=None, user_agent=""
    )
    for article_id in shown_on:
        invalidation.comment_count_changed(article_id=article_id)
    return count
