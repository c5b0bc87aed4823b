"""Shared makers for the newsletter issue tests."""

from __future__ import annotations

import re

from django.utils import timezone

from articles.models import Article
from newsletter.models import IssueArticle, NewsletterIssue, Subscriber
from tests.factories import ArticleFactory, CategoryFactory


def confirmed(*emails: str) -> list[Subscriber]:
    return [
        Subscriber.objects.create(
            email=email, status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now()
        )
        for email in emails
    ]


def make_issue(**fields) -> NewsletterIssue:
    category = CategoryFactory(name="Gehalt & Verhandlung", slug="gehalt")
    titles = fields.pop(
        "titles",
        ["Gehaltserhöhung richtig verhandeln", "Weiterbildungsmöglichkeiten für Berufstätige"],
    )
    issue = NewsletterIssue.objects.create(
        subject=fields.pop("subject", "Gehaltserhöhung: So klappt’s"),
        preheader=fields.pop("preheader", "Drei Tipps für dein nächstes Jahresgespräch"),
        intro=fields.pop(
            "intro",
            "<p>Liebe Leserin, lieber Leser,</p><p>diesmal geht’s um die "
            '<a href="/gehalt/">Gehaltsverhandlung</a> und Weiterbildungsmöglichkeiten.</p>',
        ),
        closing=fields.pop("closing", "<p>Viel Erfolg wünscht dir Jürgen Groß</p>"),
        **fields,
    )
    for position, title in enumerate(titles):
        article = Article.objects.filter(title=title).first() or ArticleFactory(
            title=title, category=category, teaser=f"Teaser zu {title}."
        )
        IssueArticle.objects.create(issue=issue, article=article, position=position)
    return issue


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def unsubscribe_target(message) -> str:
    return re.findall(r"<([^>]+)>", message["List-Unsubscribe"])[0]
