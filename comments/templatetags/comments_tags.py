from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import render_to_string

from articles.invalidation import comments_key, key
from articles.models import Article
from comments.forms import CommentForm
from comments.models import Comment, ModeratorMail, comments_close_at, comments_open
from comments.pending import own_pending_comment_ids
from karriere import fragments

register = template.Library()


def _threads(comments: list[Comment]) -> list[tuple[Comment, list[Comment]]]:
    """Top-level comments with their replies; a reply whose parent is not shown stands alone."""
    shown = {comment.pk for comment in comments}
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id in shown:
            replies.setdefault(comment.parent_id, []).append(comment)
    return [
        (comment, replies.get(comment.pk, []))
        for comment in comments
        if comment.parent_id not in shown
    ]


@register.simple_tag(takes_context=True)
def comment_section(context, article: Article) -> str:
    """The comments under an article: one query, however many comments there are.

    The same for every reader unless it shows something of theirs (their own pending comment,
    the reply they chose with ``?antwort=``, their refused form): then it is cached as a
    fragment until a comment of this article changes (``comments-42``) or the article does
    (comments closed), and no longer than comments stay open.

    After a failed POST the comments view renders the article page with the bound form
    (``render_article_page(..., comment_form=form)`` puts it in the context as
    ``comment_form``); it is then shown with the reader's input and the errors.
    """
    request = context.get("request")
    form = context.get("comment_form")
    pending_ids = own_pending_comment_ids(request)
    if form is None and not pending_ids and "antwort" not in getattr(request, "GET", ()):
        closes_at = comments_close_at(article)
        return fragments.cached(
            request,
            ("comments", article.pk),
            lambda: _render_section(request, article, None, []),
            keys=[comments_key(article.pk), key(article)],
            until=closes_at.timestamp() if closes_at else 0,
        )
    return _render_section(request, article, form, pending_ids)


def _render_section(request, article: Article, form, pending_ids: list[int]) -> str:
    comments = list(Comment.objects.for_article_page(article, pending_ids))
    reply_to = None
    if form is None:
        reply_to = _reply_target(request, comments)
        form = CommentForm(article=article, initial={"parent": reply_to and reply_to.pk})
    elif form.parent_comment is not None:
        reply_to = form.parent_comment
    context = {
        "article": article,
        "request": request,
        "threads": _threads(comments),
        "approved_count": sum(not comment.is_pending for comment in comments),
        "comments_open": comments_open(article),
        "form": form,
        "reply_to": reply_to,
        # An inclusion tag's template sees only this context, not the context processors'.
        "privacy_url": settings.PRIVACY_URL,
        "retention_days": settings.COMMENTS_CLIENT_DATA_RETENTION_DAYS,
    }
    return render_to_string("comments/_comment_section.html", context)


def _reply_target(request, comments: list[Comment]) -> Comment | None:
    # `?antwort=<id>` preselects a reply (works without JavaScript); only approved
    # top-level comments can be answered.
    raw = request.GET.get("antwort", "") if request is not None else ""
    # ASCII digits only ("²" passes isdigit() but not int()), and no more than an id can have
    # (int() refuses thousands of digits).
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > 18:
        return None
    return next(
        (
            comment
            for comment in comments
            if comment.pk == int(raw) and not comment.is_pending and comment.parent_id is None
        ),
        None,
    )


@register.simple_tag
def pending_comment_count() -> int:
    return Comment.objects.pending().count()


@register.simple_tag
def undelivered_moderator_mail_count() -> int:
    return ModeratorMail.objects.undelivered().count()
