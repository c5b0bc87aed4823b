"""The benchmark's data sets, written with bulk inserts (a large set takes about a minute).

Deterministic: the same set always gets the same articles, so runs compare. The measured
article (``MEASURED_SLUG``) looks the same in both sets (30 approved comments, same tags and
text length), so the large set differs only in how much lies around it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article, ArticleViewDay, Author, Category, Tag, TaggedArticle
from articles.services import article_save
from articles.text import german_slugify
from comments.models import Comment, text_fingerprint

MEASURED_SLUG = "gehaltsverhandlung-so-bewirbst-du-dich-erfolgreich"
MEASURED_TAG_SLUG = "bewerbung"
MEASURED_CATEGORY_SLUG = "bewerbung"
BATCH = 5000


@dataclass(frozen=True)
class DataSet:
    name: str
    articles: int
    categories: int
    tags: int
    authors: int
    comments: int  # in total, the measured article's 30 approved ones included
    measured_comments: int = 30


DATA_SETS = {
    "small": DataSet("small", articles=1_000, categories=20, tags=500, authors=20, comments=30),
    "large": DataSet(
        "large", articles=20_000, categories=20, tags=5_000, authors=100, comments=200_000
    ),
}

CATEGORY_NAMES = [
    "Bewerbung", "Gehalt", "Weiterbildung", "Berufseinstieg", "Arbeitsrecht", "Homeoffice",
    "Führung", "Selbstständigkeit", "Studium", "Ausbildung", "Jobwechsel", "Teilzeit",
    "Gesundheit", "Netzwerken", "Vorstellungsgespräch", "Lebenslauf", "Work-Life-Balance",
    "Digitalisierung", "Quereinstieg", "Rente",
]  # fmt: skip
TOPICS = [
    "Bewerbung", "Gehaltsverhandlung", "Lebenslauf", "Anschreiben", "Vorstellungsgespräch",
    "Probezeit", "Kündigung", "Arbeitszeugnis", "Elternzeit", "Weiterbildung", "Homeoffice",
    "Überstunden", "Urlaubsanspruch", "Betriebsrat", "Jobsuche", "Assessment-Center",
    "Karriereplanung", "Teamleitung", "Mentoring", "Networking",
]  # fmt: skip
HOOKS = [
    "So gelingt", "Zehn Tipps für", "Was du über", "Fehler bei", "Der große Ratgeber:",
    "Checkliste:", "Warum", "Wie Profis", "Schritt für Schritt:", "Das hilft bei",
]  # fmt: skip
# Filler for bodies; the topics (e.g. "Bewerbung", which search looks for) appear only in
# titles and headings, so about a quarter of the articles match, as in a real magazine.
VOCABULARY = (
    "Arbeitgeber Unterlagen Gehalt Verhandlung Erfahrung Kollegen Team Aufgabe "
    "Stelle Vertrag Chance Ziel Weg Zukunft Beruf Unternehmen Gespräch Frage Antwort Wissen "
    "wichtig sinnvoll klar gut schnell einfach deutlich offen ehrlich konkret realistisch "
    "zeigt hilft bringt lohnt passt fragt plant prüft nennt bereitet vor und oder aber denn "
    "dass weil wenn auch noch schon immer oft meist häufig selten besonders gerade"
)
WORDS = VOCABULARY.split()


def seed(data_set: DataSet) -> None:
    rng = random.Random(f"karriere-bench-{data_set.name}")
    with transaction.atomic():
        categories = _categories(data_set)
        authors = Author.objects.bulk_create(
            Author(name=f"Autorin {n}", slug=f"autorin-{n}", bio=_sentence(rng, 20))
            for n in range(1, data_set.authors + 1)
        )
        tags = Tag.objects.bulk_create(
            [Tag(name="Bewerbung", slug=MEASURED_TAG_SLUG)]
            + [
                Tag(name=f"{TOPICS[n % len(TOPICS)]} {n}", slug=f"thema-{n}")
                for n in range(1, data_set.tags)
            ]
        )
        articles = _articles(rng, data_set, categories)
        _relations(rng, articles, authors, tags)
        _comments(rng, data_set, articles)
        _view_days(rng, articles)
        _search_vectors()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _categories(data_set: DataSet) -> list[Category]:
    return Category.objects.bulk_create(
        Category(
            name=name,
            slug=german_slugify(name),
            description=f"Alles rund um {name}.",
            position=position,
        )
        for position, name in enumerate(CATEGORY_NAMES[: data_set.categories])
    )


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def article_body(rng: random.Random) -> str:
    """About 900 words in six sections: a typical magazine article."""
    parts = []
    for section in range(6):
        if section:
            parts.append(f"<h2>{rng.choice(HOOKS)} {rng.choice(TOPICS)}</h2>")
        for _ in range(2):
            parts.append("<p>" + " ".join(_sentence(rng, 12) for _ in range(6)) + "</p>")
    return "\n".join(parts)


def measured_article_text() -> dict[str, str]:
    """Title, teaser and body of the measured article (the same in every set and the peer)."""
    rng = random.Random("karriere-bench-measured")
    return {
        "title": "Gehaltsverhandlung: So bewirbst du dich erfolgreich",
        "teaser": _sentence(rng, 30),
        "body": article_body(rng),
    }


def _articles(rng: random.Random, data_set: DataSet, categories: list[Category]) -> list[Article]:
    now = timezone.now()
    measured_category = next(c for c in categories if c.slug == MEASURED_CATEGORY_SLUG)
    # The measured article is saved as an editor's would be (article_save: sanitising,
    # reading time, search vector, revision); the thousands around it are bulk-inserted with
    # what that would derive (reading time here, search vectors in _search_vectors).
    measured = article_save(
        article=Article(
            **measured_article_text(),
            slug=MEASURED_SLUG,
            category=measured_category,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(hours=2),
            view_count=50_000,
        )
    )
    rows = []
    for n in range(1, data_set.articles):
        title = f"{rng.choice(HOOKS)} {rng.choice(TOPICS)} ({n})"
        status = Article.Status.DRAFT if n % 50 == 0 else Article.Status.PUBLISHED
        rows.append(
            Article(
                title=title,
                slug=f"{german_slugify(title)}-{n}",
                teaser=_sentence(rng, 30),
                body=article_body(rng),
                category=rng.choice(categories),
                status=status,
                published_at=now - timedelta(minutes=n * 90 + rng.randrange(60)),
                reading_time=5,
                featured=n % 40 == 1,
                view_count=rng.randrange(20_000),
            )
        )
    return [measured, *_bulk(Article, rows)]


def _relations(rng: random.Random, articles: list[Article], authors, tags) -> None:
    through = Article.authors.through
    _bulk(
        through,
        (through(article_id=article.pk, author_id=rng.choice(authors).pk) for article in articles),
    )
    measured_tag, other_tags = tags[0], tags[1:]
    items = []
    for index, article in enumerate(articles):
        chosen = rng.sample(other_tags, 3)
        # Every tenth article is about applying, so the tag page has deep pages too.
        if index % 10 == 0:
            chosen[0] = measured_tag
        items.extend(TaggedArticle(tag_id=tag.pk, content_object_id=article.pk) for tag in chosen)
    _bulk(TaggedArticle, items)


def _comments(rng: random.Random, data_set: DataSet, articles: list[Article]) -> None:
    now = timezone.now()
    measured = articles[0]
    targets = [measured] * data_set.measured_comments + [
        rng.choice(articles[1:]) for _ in range(data_set.comments - data_set.measured_comments)
    ]
    approved_counts: dict[int, int] = {}
    rows = []
    for n, article in enumerate(targets):
        status = Comment.Status.APPROVED
        if article is not measured and n % 10 == 0:
            status = Comment.Status.PENDING if n % 20 else Comment.Status.SPAM
        if status == Comment.Status.APPROVED:
            approved_counts[article.pk] = approved_counts.get(article.pk, 0) + 1
        text = _sentence(rng, 40)
        created = now - timedelta(minutes=n + 1)
        rows.append(
            Comment(
                article_id=article.pk,
                name=f"Leserin {n}",
                email=f"leserin{n}@example.com",
                text=text,
                text_fingerprint=text_fingerprint(text),
                status=status,
                created_at=created,
                approved_at=created if status == Comment.Status.APPROVED else None,
            )
        )
    _bulk(Comment, rows)
    for count, ids in _group_by_count(approved_counts).items():
        Article.objects.filter(pk__in=ids).update(comment_count=count)


def _group_by_count(counts: dict[int, int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for pk, count in counts.items():
        groups.setdefault(count, []).append(pk)
    return groups


def _view_days(rng: random.Random, articles: list[Article]) -> None:
    """30 days of history for the newest tenth of the articles (what "Top-Artikel" ranks)."""
    today = timezone.localdate()
    _bulk(
        ArticleViewDay,
        (
            ArticleViewDay(
                article_id=article.pk, day=today - timedelta(days=d), views=rng.randrange(500)
            )
            for article in articles[: max(1, len(articles) // 10)]
            for d in range(30)
        ),
    )


def _search_vectors() -> None:
    # What Article.save() writes per article, for all of them in one statement.
    if not any(field.name == "search_vector" for field in Article._meta.get_fields()):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Article._meta.db_table} SET search_vector =
                setweight(to_tsvector('german', title), 'A')
                || setweight(to_tsvector('german', teaser), 'B')
                || setweight(to_tsvector('german', regexp_replace(body, '<[^>]+>', ' ', 'g')), 'C')
            """
        )


def _bulk(model, rows) -> list:
    created = []
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        created.extend(model.objects.bulk_create(batch))
    return created
