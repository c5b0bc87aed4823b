from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Author, Tag, TaggedArticle, TagRedirect, unique_slug


@transaction.atomic
def article_publish(*, article: Article) -> Article:
    """Publish now, or keep a planned future date (then it goes live by itself)."""
    article.status = Article.Status.PUBLISHED
    if article.published_at is None:
        article.published_at = timezone.now()
    article.save()
    return article


@transaction.atomic
def article_unpublish(*, article: Article) -> Article:
    """Take the article off the site; it goes back to draft and keeps its date."""
    article.status = Article.Status.DRAFT
    article.save()
    return article


@transaction.atomic
def author_for_user(*, user: AbstractBaseUser) -> Author:
    """The user's byline profile, created on first use (as editorial staff)."""
    author = Author.objects.filter(user=user).first()
    if author is None:
        name = user.get_full_name().strip() or user.get_username()
        author = Author.objects.create(
            user=user, name=name, slug=unique_slug(Author, name), kind=Author.Kind.STAFF
        )
    return author


@transaction.atomic
def tag_merge(*, tags: list[Tag], name: str) -> Tag:
    """Merge ``tags`` into the tag called ``name`` (existing or new): their articles get that
    tag, the others are deleted and their addresses redirect to it."""
    target = Tag.objects.filter(name__iexact=name).order_by("pk").first()
    if target is None:
        target = Tag.objects.create(name=name)
    for tag in tags:
        if tag.pk == target.pk:
            continue
        tagged = TaggedArticle.objects.filter(tag=tag).exclude(
            content_object__in=TaggedArticle.objects.filter(tag=target).values("content_object")
        )
        tagged.update(tag=target)
        TagRedirect.objects.filter(tag=tag).update(tag=target)
        TagRedirect.objects.update_or_create(old_slug=tag.slug, defaults={"tag": target})
        tag.delete()
    return target
