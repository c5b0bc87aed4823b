"""A comment thread for the demo site (run after articles' demo_content). Idempotent: a comment
that is already there is left as it is."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from articles.text import german_slugify
from comments import services
from comments.models import Comment, text_fingerprint

ARTICLE_TITLE = "Gehaltserhöhung für Berufseinsteiger: Wann und wie fragen?"

# (name, e-mail, text, index of the comment it answers)
THREAD = [
    (
        "Jana Schröder",
        "jana.schroeder@example.org",
        "Danke für den Artikel! Nach meinem ersten Jahr habe ich genau so gefragt und 8 % mehr "
        "bekommen. Die Liste mit den übernommenen Aufgaben hat sehr geholfen.",
        None,
    ),
    (
        "Mehmet Yılmaz",
        "mehmet.yilmaz@example.org",
        "Glückwunsch, Jana! Aus Sicht der Personalabteilung: Eine konkrete Zahl macht das "
        "Gespräch für beide Seiten leichter.",
        0,
    ),
    (
        "Björn Weißenfels",
        "bjoern.weissenfels@example.org",
        "Und was, wenn die Firma gerade Kurzarbeit hat? Dann lieber ein Jahr warten?",
        None,
    ),
]


class Command(BaseCommand):
    help = "Add an approved comment thread with a reply to a demo article."

    @transaction.atomic
    def handle(self, *args, **options):
        article = Article.objects.filter(slug=german_slugify(ARTICLE_TITLE)).first()
        if article is None:
            self.stderr.write("Run demo_content first.")
            return
        thread: list[Comment] = []
        for name, email, text, parent in THREAD:
            comment = Comment.objects.filter(
                article=article, email=email, text_fingerprint=text_fingerprint(text)
            ).first()
            if comment is None:
                comment = services.comment_submit(
                    article=article,
                    name=name,
                    email=email,
                    text=text,
                    parent=None if parent is None else thread[parent],
                    exempt_from_flood_control=True,
                )
                comment = services.comment_approve(comment=comment, moderator=None)
            thread.append(comment)
        self.stdout.write(self.style.SUCCESS(f"Demo comments ready: {len(thread)} comments."))
