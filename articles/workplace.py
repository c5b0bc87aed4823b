"""Editors working on an article: autosaves, who has the form open, and review requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleAutosave(models.Model):
    """The change form as one editor last typed it, saved in the background: not a revision,
    not what readers see. One per editor and article; dropped when the article is saved."""

    article = models.ForeignKey(
        "Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="autosaves"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(_("form content"), default=dict)
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="article_autosave_unique"),
        ]

    def __str__(self):
        return f"{self.article_id} / {self.user_id} @ {self.saved_at:%Y-%m-%d %H:%M}"


class ArticleEditPresence(models.Model):
    """Who has an article's change form open, renewed by a ping from the form. A table and not
    a per-process cache, so every web process sees every editor."""

    article = models.ForeignKey(
        "Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("open change form")
        verbose_name_plural = _("open change forms")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="article_presence_unique"),
        ]

    def __str__(self):
        return f"{self.article_id} / {self.user_id}"


class ReviewRequest(models.Model):
    """An author asked the editorial team to review an article; the mail to Redaktion claims
    the row (``notified_at``), so a retried task never mails twice."""

    article = models.ForeignKey(
        "Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="review_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")

    def __str__(self):
        return f"{self.article_id} @ {self.requested_at:%Y-%m-%d %H:%M}"
