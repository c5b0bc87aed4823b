from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from articles.models import Article, Author, Category, Image
from articles.services import article_save
from articles.text import german_slugify


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Kategorie {n}")
    slug = factory.LazyAttribute(lambda o: german_slugify(o.name))


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Autorin {n}")
    slug = factory.LazyAttribute(lambda o: german_slugify(o.name))
    kind = Author.Kind.STAFF


class ImageFactory(factory.django.DjangoModelFactory):
    """A library image; renditions are made on save, as in the admin."""

    class Meta:
        model = Image

    # Small, so the renditions made on save cost little; tests of sizes pass their own.
    file = factory.django.ImageField(width=480, height=270, color="#0b5cad", format="JPEG")
    title = factory.Sequence(lambda n: f"Bewerbungsgespräch im Büro {n}")
    alt_text = "Zwei Personen im Gespräch am Schreibtisch"
    caption = "Gut vorbereitet ins Vorstellungsgespräch"
    credit = "Foto: Anna Müller / Agentur Süd"
    licence = Image.Licence.AGENCY


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Bewerbungstipps Teil {n}")
    slug = factory.LazyAttribute(lambda o: german_slugify(o.title))
    teaser = "Kurz und knapp: worauf es ankommt."
    body = "<p>Ein guter Lebenslauf ist übersichtlich.</p>"
    category = factory.SubFactory(CategoryFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the service like every other write (Article.save refuses to run without it).
        return article_save(article=model_class(*args, **kwargs))

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        self.authors.set(extracted if extracted is not None else [AuthorFactory()])

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class CommentFactory(factory.django.DjangoModelFactory):
    """A stored comment, written straight to the table: Article.comment_count is not touched
    (tests of the count go through comments.services)."""

    class Meta:
        model = "comments.Comment"

    article = factory.SubFactory(ArticleFactory)
    name = factory.Sequence(lambda n: f"Leserin {n}")
    email = factory.Sequence(lambda n: f"leserin{n}@example.com")
    text = factory.Sequence(lambda n: f"Danke für den Artikel, Teil {n}!")
    status = "approved"
    # A day old, so flood control does not see it.
    created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
