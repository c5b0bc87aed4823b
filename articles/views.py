from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from taggit.models import Tag

from articles.models import Article, Author, Category

PAGE_SIZE = 12


def _published_list():
    return (
        Article.objects.published()
        .select_related("category")
        .prefetch_related("authors")
        .order_by("-published_at", "-id")
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    page = Paginator(_published_list(), PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "articles/home.html", {"page": page})


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(_published_list(), slug=slug)
    return render(request, "articles/article_detail.html", {"article": article})


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    articles = _published_list().filter(category=category)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "articles/category_detail.html", {"category": category, "page": page})


@require_GET
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    articles = _published_list().filter(tags__slug=tag.slug)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})


@require_GET
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    articles = _published_list().filter(authors=author)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "articles/author_detail.html", {"author": author, "page": page})
