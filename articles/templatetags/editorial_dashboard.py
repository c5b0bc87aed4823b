"""The admin's start page for editors: what waits for review, what goes live when, what was
published lately and one's own drafts. Authors see their own articles, Redaktion sees all."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from articles.models import Article, ReviewRequest

register = template.Library()

SCHEDULE_DAYS = 14


@register.inclusion_tag("admin/articles/_dashboard.html", takes_context=True)
def editorial_dashboard(context):
    user = context["request"].user
    # For the people who write and publish; moderators see their queue, not the plan.
    if not (user.has_perm("articles.add_article") or user.has_perm("articles.change_article")):
        return {"show": False}
    articles = Article.objects.for_editor(user).not_trashed().select_related("category")
    latest_request = ReviewRequest.objects.filter(article=OuterRef("pk")).order_by("-pk")
    in_review = (
        articles.filter(status=Article.Status.REVIEW)
        .annotate(review_request_id=Subquery(latest_request.values("pk")[:1]))
        .order_by("updated_at")
    )
    requests = ReviewRequest.objects.select_related("requested_by").in_bulk(
        [a.review_request_id for a in in_review if a.review_request_id]
    )
    now = timezone.now()
    today = timezone.localdate()
    scheduled = list(
        articles.scheduled()
        .filter(published_at__lt=now + timedelta(days=SCHEDULE_DAYS))
        .order_by("published_at")
    )
    # A simple calendar: the next 14 days, Monday to Sunday, each with what goes live.
    start = today - timedelta(days=today.weekday())
    days = [start + timedelta(days=n) for n in range(21)]
    by_day: dict = {}
    for article in scheduled:
        by_day.setdefault(timezone.localdate(article.published_at), []).append(article)
    weeks = [
        [
            {"date": day, "articles": by_day.get(day, []), "past": day < today}
            for day in days[week * 7 : week * 7 + 7]
        ]
        for week in range(3)
        if days[week * 7] <= today + timedelta(days=SCHEDULE_DAYS)
    ]
    own_drafts = Article.objects.not_trashed().filter(
        authors__user=user, status=Article.Status.DRAFT
    )
    return {
        "show": True,
        "in_review": [(a, requests.get(a.review_request_id)) for a in in_review[:20]],
        "weeks": weeks,
        "scheduled_count": len(scheduled),
        "recent": articles.published().prefetch_related(Prefetch("authors"))[:8],
        "my_drafts": own_drafts.order_by("-updated_at")[:8],
        "today": today,
    }
