"""Article workflows. Every write of an article goes through ``article_save``: the admin, the
publish actions, restoring a revision or an article from the trash, the demo content and the
benchmark seed. ``Article.save`` refuses to run outside it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext
from reversion.models import Version

from articles import invalidation
from articles.media import render_body
from articles.models import (
    SAVING_THROUGH_SERVICE,
    Article,
    ArticleAutosave,
    Author,
    Category,
    Image,
    ImageLicenceReminder,
    ReviewRequest,
    SlugRedirect,
    Tag,
    TaggedArticle,
    TagRedirect,
    format_when,
    unique_slug,
)
from articles.tasks import notify_review_requested, send_licence_reminder
from articles.text import heading_anchors, sanitize_body
from karriere import outbox

# What a revision comment names when it changed (in this order), and what restoring a revision
# brings back. Status and date are not restored: restoring never publishes by itself. The hero
# image is the library image (its alt text and credit live there).
CONTENT_FIELDS = [
    "title", "slug", "teaser", "body", "hero_image",
    "category", "seo_title", "seo_description", "featured", "comments_open",
]  # fmt: skip
TRACKED_FIELDS = [*CONTENT_FIELDS, "status", "published_at"]


@transaction.atomic
def article_save(
    *,
    article: Article,
    user: AbstractBaseUser | None = None,
    authors: Iterable[Author] | None = None,
    tags: Iterable[str] | None = None,
    comment: str = "",
) -> Article:
    """Save the article and everything that hangs off a save: the reader's body HTML with its
    library images, the old address (301), the search vector, one revision with a German
    comment, the review mail and the page cache (after commit). ``authors`` and ``tags``
    replace the article's when given. Hero renditions belong to the library Image."""
    loaded = getattr(article, "_loaded", {})
    created = article._state.adding
    before = _stored_state(article) if not created else {}
    # Anchors on the H2s and the table of contents, stored: pages never parse the body.
    article.body, article.toc = heading_anchors(sanitize_body(article.body or ""))
    article.body_html, body_images = render_body(article.body)

    # Managed by hand, so a save that changed nothing (the demo content loaded again) adds no
    # revision.
    with reversion.create_revision(manage_manually=True):
        token = SAVING_THROUGH_SERVICE.set(True)
        try:
            article.save()
        finally:
            SAVING_THROUGH_SERVICE.reset(token)
        article.body_images.set(body_images)
        if authors is not None:
            article.authors.set(authors)
        if tags is not None:
            article.tags.set(list(tags))
        after = _stored_state(article)
        _record_slug_change(article, loaded)
        Article.objects.filter(pk=article.pk).update_search_vectors()
        if created or comment or before != after:
            reversion.add_to_revision(article)
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment or revision_comment(before, after, created=created))

    if after["status"] == Article.Status.REVIEW and before.get("status") != Article.Status.REVIEW:
        request = ReviewRequest.objects.create(
            article=article, requested_by=user if getattr(user, "pk", None) else None
        )
        notify_review_requested.enqueue(review_request_id=request.pk)
    # The editor's background copy is superseded by what was just saved.
    if user is not None and user.is_authenticated:
        ArticleAutosave.objects.filter(article=article, user=user).delete()
    article._loaded = {"slug": article.slug, "status": article.status}
    if Article.Status.PUBLISHED in (after["status"], before.get("status")):
        # Published (maybe scheduled) before or now; drafts are on no reader page. Also the
        # category and authors it had: their lists lose it.
        invalidation.article_changed(
            article,
            category_ids=[before.get("category")],
            author_ids=before.get("authors", []),
        )
    return article


def _stored_state(article: Article) -> dict[str, Any]:
    row = (
        Article.objects.filter(pk=article.pk)
        .values(*(Article._meta.get_field(name).attname for name in TRACKED_FIELDS))
        .first()
    ) or {}
    state = {name: row.get(Article._meta.get_field(name).attname) for name in TRACKED_FIELDS}
    state["authors"] = sorted(article.authors.values_list("pk", flat=True)) if article.pk else []
    state["tags"] = sorted(article.tags.names()) if article.pk else []
    return state


def revision_comment(before: dict[str, Any], after: dict[str, Any], *, created: bool) -> str:
    """What a save did, in German: "Angelegt", "Veröffentlicht", "Titel und Text geändert"."""
    parts = [gettext("Created")] if created else []
    Status = Article.Status
    status, published_at = after["status"], after["published_at"]
    if status != before.get("status") or (
        status == Status.PUBLISHED and published_at != before.get("published_at")
    ):
        if status == Status.PUBLISHED and published_at and published_at > timezone.now():
            parts.append(gettext("Scheduled for %(when)s") % {"when": format_when(published_at)})
        elif status == Status.PUBLISHED:
            parts.append(gettext("Published"))
        elif status == Status.REVIEW:
            parts.append(gettext("Submitted for review"))
        elif before.get("status") == Status.PUBLISHED:
            parts.append(gettext("Taken offline"))
        elif not created:
            parts.append(gettext("Back to draft"))
    if not created:
        # A new date of a published article is named above ("Geplant für …").
        dated = [] if status == Status.PUBLISHED else ["published_at"]
        changed = [
            name for name in [*CONTENT_FIELDS, *dated] if before.get(name) != after.get(name)
        ]
        changed += [name for name in ("authors", "tags") if before.get(name) != after.get(name)]
        if changed:
            labels = [str(capfirst(Article._meta.get_field(name).verbose_name)) for name in changed]
            parts.append(
                gettext("%(fields)s changed") % {"fields": get_text_list(labels, gettext("and"))}
            )
    return "; ".join(parts) or gettext("Saved without changes")


def _record_slug_change(article: Article, loaded: dict) -> None:
    old_slug = loaded.get("slug")
    # The new address must not redirect anywhere, even if it once belonged to another.
    SlugRedirect.objects.filter(old_slug=article.slug).delete()
    if old_slug and old_slug != article.slug and loaded.get("status") == Article.Status.PUBLISHED:
        SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": article})


@transaction.atomic
def article_publish(*, article: Article, user: AbstractBaseUser | None = None) -> Article:
    """Publish now, or keep a planned future date (then it goes live by itself)."""
    article.status = Article.Status.PUBLISHED
    if article.published_at is None:
        article.published_at = timezone.now()
    return article_save(article=article, user=user)


@transaction.atomic
def article_unpublish(*, article: Article, user: AbstractBaseUser | None = None) -> Article:
    """Take the article off the site; it goes back to draft and keeps its date."""
    article.status = Article.Status.DRAFT
    return article_save(article=article, user=user)


# --- revisions ------------------------------------------------------------------------------


def article_versions(article: Article):
    """The article's revisions, newest first, with their author."""
    return (
        Version.objects.get_for_object(article)
        .select_related("revision", "revision__user")
        .order_by("-revision_id", "-pk")
    )


def version_tags(version: Version) -> list[str]:
    """The tag names the article had in this revision (followed into the revision)."""
    tag_model = Article._meta.get_field("tags").remote_field.model
    versions = version.revision.version_set.get_for_model(tag_model)
    return sorted(v.field_dict.get("name", "") for v in versions)


@transaction.atomic
def article_restore(*, article: Article, version: Version, user: AbstractBaseUser) -> Article:
    """Make a revision's content the current content again, through ``article_save``.

    Status and publication date stay as they are: restoring never publishes an article.
    Whoever may not publish may not restore into a live article either (as with editing it).
    Things that no longer fit are kept as they are now: a slug another article took, a
    deleted category, a hero image deleted from the library; deleted authors are left out.
    """
    if article.status == Article.Status.PUBLISHED and not user.has_perm("articles.publish_article"):
        raise PermissionDenied(gettext("Only the editorial team may change a published article."))
    values = version.field_dict
    for name in CONTENT_FIELDS:
        field = Article._meta.get_field(name)
        setattr(article, field.attname, values.get(field.attname, getattr(article, field.attname)))
    if Article.objects.exclude(pk=article.pk).filter(slug=article.slug).exists():
        article.slug = article._loaded["slug"]
    if not Category.objects.filter(pk=article.category_id).exists():
        article.category_id = Article.objects.values_list("category_id", flat=True).get(
            pk=article.pk
        )
    if article.hero_image_id and not Image.objects.filter(pk=article.hero_image_id).exists():
        article.hero_image_id = Article.objects.values_list("hero_image_id", flat=True).get(
            pk=article.pk
        )
    authors = list(Author.objects.filter(pk__in=values.get("authors", [])))
    when = format_when(version.revision.date_created)
    return article_save(
        article=article,
        user=user,
        authors=authors or None,
        tags=version_tags(version),
        comment=gettext("Version of %(when)s restored") % {"when": when},
    )


# --- trash ----------------------------------------------------------------------------------


@transaction.atomic
def article_trash(*, article: Article, user: AbstractBaseUser | None = None) -> Article:
    """Move the article to the trash: off the site and out of the lists, nothing deleted."""
    article.trashed_at = timezone.now()
    return article_save(article=article, user=user, comment=gettext("Moved to the trash"))


@transaction.atomic
def article_untrash(*, article: Article, user: AbstractBaseUser | None = None) -> Article:
    """Take the article out of the trash, with its tags, authors and comments."""
    article.trashed_at = None
    return article_save(article=article, user=user, comment=gettext("Restored from the trash"))


@transaction.atomic
def article_trash_empty(*, user: AbstractBaseUser) -> int:
    """Delete every article in the trash for good (their comments go with them)."""
    if not user.has_perm("articles.empty_trash"):
        raise PermissionDenied
    count = 0
    for article in Article.objects.in_trash():
        article.delete()
        count += 1
    return count


# --- autosave -------------------------------------------------------------------------------


@transaction.atomic
def article_autosave(*, article: Article, user: AbstractBaseUser, data: dict[str, Any]):
    """Keep the editor's unsaved form in the background: no revision, nothing readers see."""
    autosave, _ = ArticleAutosave.objects.update_or_create(
        article=article, user=user, defaults={"data": data, "saved_at": timezone.now()}
    )
    return autosave


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
        tag.delete()  # invalidates the pages showing it
    invalidation.tag_changed(target)
    return target


def licence_reminders_resend(*, mails: QuerySet[ImageLicenceReminder]) -> int:
    """The admin's "Erneut senden": queue undelivered licence reminders again; return how many."""
    return outbox.mails_resend(mails=mails, task=send_licence_reminder)
