from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from articles.models import Article
from articles.views import render_article_page
from comments.forms import CommentForm, form_timestamp
from comments.models import Comment, comments_open
from comments.pending import remember_pending_comment
from comments.services import CommentRejected, CommentsClosed, comment_submit
from karriere.crossorigin import anonymous_post
from karriere.net import client_ip, client_user_agent


def _closed_page(request: HttpRequest, article: Article) -> HttpResponse:
    return render(
        request,
        "comments/comments_closed.html",
        {"article": article},
        status=CommentsClosed.status_code,
    )


@require_safe
@never_cache
def comment_stamp(request: HttpRequest, article_id: int) -> JsonResponse:
    """The comment form's timestamp, fetched by its script when the reader starts typing."""
    article = get_object_or_404(Article.objects.published().only("pk"), pk=article_id)
    return JsonResponse({"timestamp": form_timestamp(article_id=article.pk)})


@anonymous_post
@require_POST
def comment_post(request: HttpRequest, article_id: int) -> HttpResponse:
    # Plain: the usual answer is a redirect; the page with errors loads what it shows itself.
    article = get_object_or_404(
        Article.objects.published().select_related("category"), pk=article_id
    )
    if not comments_open(article):
        return _closed_page(request, article)
    form = CommentForm(request.POST, article=article)
    if not form.is_valid():
        return render_article_page(request, article, comment_form=form)

    awaiting = gettext("Thank you! Your comment will appear once a moderator has approved it.")
    if form.is_bot:
        # Look like success, so the bot learns nothing; store nothing.
        messages.success(request, awaiting)
        return HttpResponseRedirect(article.get_absolute_url() + "#kommentare")

    data = form.cleaned_data
    try:
        comment = comment_submit(
            article=article,
            name=data["name"],
            email=data["email"],
            url=data["url"],
            text=data["text"],
            parent=form.parent_comment,
            ip_address=client_ip(request),
            user_agent=client_user_agent(request),
            exempt_from_flood_control=request.user.is_staff,
        )
    except CommentsClosed:
        return _closed_page(request, article)
    except CommentRejected as rejected:
        form.add_error(None, rejected.message)
        response = render_article_page(
            request, article, comment_form=form, status=rejected.status_code
        )
        if rejected.retry_after is not None:
            response["Retry-After"] = str(rejected.retry_after)
        return response

    if comment.status == Comment.Status.APPROVED:
        messages.success(request, gettext("Thank you! Your comment has been published."))
    else:
        # Spam gets the same answer as a held comment.
        messages.success(request, awaiting)
    response = HttpResponseRedirect(f"{article.get_absolute_url()}#kommentar-{comment.pk}")
    if comment.status == Comment.Status.PENDING:
        remember_pending_comment(request, response, comment.pk)
    return response
