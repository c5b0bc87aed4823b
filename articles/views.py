"""Reader pages. For anonymous readers every page is a pure function of its URL (so the page
cache can serve it); previews are the only pages that depend on who asks, and they are never
cached or indexed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from articles import counting
from articles.invalidation import card_keys, comments_key, key, keys
from articles.models import Article, Author, Category, SlugRedirect, Tag, TagRedirect
from articles.sitemaps import SITEMAPS
from karriere import fragments
from karriere.crossorigin import anonymous_post
from karriere.dependencies import shown
from karriere.net import client_ip

PAGE_SIZE = 12
# The home page: the lead, the newest six (paginated), then three per category.
HOME_PAGE_SIZE = 6
HOME_SECTION_SIZE = 3
RELATED_COUNT = 4
SEARCH_MAX_LENGTH = 100


def _page(request: HttpRequest, articles, per_page: int = PAGE_SIZE):
    """The page ``?seite=`` asks for: anything that is no number is the first page (as the page
    cache's key treats it), a number beyond the last page is 404 (so made-up page numbers fill
    no cache)."""
    number = request.GET.get("seite", "")
    paginator = Paginator(articles, per_page)
    if not (number.isascii() and number.isdecimal()):
        return paginator.page(1)
    try:
        # More than nine digits: more pages than any magazine has (and past int()'s limits).
        if len(number) > 9:
            raise EmptyPage
        return paginator.page(int(number))
    except EmptyPage as error:
        raise Http404(_("This page does not exist.")) from error


def _listing():
    return Article.objects.published().for_listing().order_by("-published_at", "-id")


def _category_sections(exclude: list[int]) -> list[tuple[Category, list[Article]]]:
    """The home page's category sections: the newest HOME_SECTION_SIZE articles of each
    category not already shown above, in one query (a window per category)."""
    rows = (
        _listing()
        .exclude(pk__in=exclude)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("category_id")],
                order_by=[F("published_at").desc(), F("id").desc()],
            )
        )
        .filter(place__lte=HOME_SECTION_SIZE)
        .order_by("category__position", "category__name", "place")
    )
    sections: dict[int, tuple[Category, list[Article]]] = {}
    for article in rows:
        sections.setdefault(article.category_id, (article.category, []))[1].append(article)
    return list(sections.values())


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # The lead: the newest article marked "Aufmacher", else simply the newest.
    featured = _listing().order_by("-featured", "-published_at", "-id").first()
    latest = _listing().exclude(pk=featured.pk) if featured else _listing()
    page = _page(request, latest, per_page=HOME_PAGE_SIZE)
    sections = []
    if page.number == 1:
        above = [article.pk for article in [featured, *page] if article]
        sections = _category_sections(exclude=above)
    in_sections = [article for _category, articles in sections for article in articles]
    shown(
        request,
        "home",
        *card_keys([featured] if featured else []),
        *card_keys(page),
        *card_keys(in_sections),
    )
    return render(
        request,
        "articles/home.html",
        {
            "featured": featured if page.number == 1 else None,
            "page": page,
            "sections": sections,
        },
    )


def render_article_page(
    request: HttpRequest,
    article: Article,
    *,
    preview: bool = False,
    comment_form: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The article page.

    ``comment_form``: the comments app's seam for its error path. After a failed comment POST
    it passes the bound form here, and ``{% comment_section %}`` shows it (reader's input and
    errors) instead of an empty one; ``status`` is then the refusal's HTTP status. Articles
    knows nothing more about comments than this context entry.
    """
    if preview:
        # A draft's parts must not be kept under the published article's names.
        fragments.skip(request)
    # Every part of the page shows the article and its category (and the choice of related
    # articles depends on them); the comment count outside the parts shows its comments. Each
    # part fetches and names the rest only when it renders (karriere/fragments.py).
    article_keys = [key(article), f"category-{article.category_id}"]
    shown(request, *article_keys, comments_key(article.pk))
    tags = ShownList(request, article.tags.all)
    related = ShownList(
        request,
        lambda: (
            Article.objects.published()
            .for_listing()
            .related_to(article, tag_ids=[tag.pk for tag in tags], limit=RELATED_COUNT)
        ),
    )
    context = {
        "article": article,
        "article_keys": article_keys,
        "tags": tags,
        "authors": ShownList(request, article.authors.all),
        "body_images": SimpleLazyObject(lambda: list(article.body_images.all())),
        "related": related,
        "preview": preview,
    }
    if comment_form is not None:
        context["comment_form"] = comment_form
    response = render(request, "articles/article_detail.html", context, status=status)
    if preview:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class ShownList:
    """Objects a page fetches only where a part showing them renders (not when the parts come
    from the fragment cache); every use names their keys to the part being rendered."""

    def __init__(self, request: HttpRequest, fetch) -> None:
        self._request, self._fetch, self._items = request, fetch, None

    def _list(self) -> list:
        if self._items is None:
            self._items = list(self._fetch())
        shown(self._request, *keys(self._items))
        return self._items

    def __iter__(self):
        return iter(self._list())

    def __len__(self) -> int:
        return len(self._list())

    def __bool__(self) -> bool:
        return bool(self._list())


def _article_page_queryset():
    # Authors, tags and body images are fetched by the parts of the page that show them.
    return Article.objects.select_related("category", "hero_image")


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_page_queryset().published().filter(slug=slug).first()
    if article is None:
        redirect = SlugRedirect.objects.select_related("article").filter(old_slug=slug).first()
        if redirect and redirect.article.is_public:
            return HttpResponsePermanentRedirect(redirect.article.get_absolute_url())
        raise Http404(_("No article found."))
    return render_article_page(request, article)


@never_cache
@staff_member_required
@require_safe
def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff preview of any article, draft or scheduled, as readers will see it."""
    if not request.user.has_perm("articles.view_article"):
        raise PermissionDenied
    article = get_object_or_404(_article_page_queryset().for_editor(request.user), pk=pk)
    return render_article_page(request, article, preview=True)


@never_cache
@require_safe
def article_shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """Preview for people without an account: the signed link expires after
    ``ARTICLES_PREVIEW_MAX_AGE`` seconds."""
    article = Article.from_preview_token(token)
    if article is None:
        raise Http404(_("This preview link is invalid or has expired."))
    return render_article_page(request, article, preview=True)


@require_safe
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    page = _page(request, _listing().filter(category=category))
    shown(request, key(category), *card_keys(page))
    context = {"category": category, "page": page, "nav_active": category.slug}
    return render(request, "articles/category_detail.html", context)


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        # Old addresses, e.g. /thema/führung/ from before tags had German slugs.
        redirect = TagRedirect.objects.select_related("tag").filter(old_slug=slug).first()
        if redirect:
            return HttpResponsePermanentRedirect(redirect.tag.get_absolute_url())
        raise Http404(_("No topic found."))
    page = _page(request, _listing().filter(tagged_items__tag=tag))
    shown(request, key(tag), *card_keys(page))
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})


@require_safe
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    page = _page(request, _listing().filter(authors=author))
    shown(request, key(author), *card_keys(page))
    return render(request, "articles/author_detail.html", {"author": author, "page": page})


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    shown(request, "search")
    context = {"search_query": query[:SEARCH_MAX_LENGTH], "page": None, "message": ""}
    if not query:
        context["message"] = _("Please enter a search term.")
    elif len(query) > SEARCH_MAX_LENGTH:
        context["message"] = _(
            "Your search term is too long. Please use at most %(max)s characters."
        ) % {"max": SEARCH_MAX_LENGTH}
    else:
        articles = Article.objects.published().for_listing().search(query)
        context["page"] = _page(request, articles)
        shown(request, *card_keys(context["page"]))
        context["page_query"] = urlencode({"q": query}) + "&"
        context["max_results"] = settings.ARTICLES_SEARCH_MAX_RESULTS
    response = render(request, "articles/search.html", context)
    response["X-Robots-Tag"] = "noindex, follow"
    return response


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The sitemap index: one entry per page of each section, with absolute URLs from SITE_URL
    (as the sections themselves use)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        location = settings.SITE_URL + reverse("articles:sitemap_section", args=[section])
        for number in sitemap_class().paginator.page_range:
            entries.append({"location": location if number == 1 else f"{location}?p={number}"})
    return render(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.ADMIN_URL}",
        "Disallow: /suche/",
        "Disallow: /vorschau/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# No CSRF token: cached pages have none to give, and a forged count is filtered like any other
# (same-origin check, bot filter, dedupe). Always 204, so probes learn nothing.
@csrf_exempt
@require_POST
def count_view(request: HttpRequest, article_id: int) -> HttpResponse:
    if counting.is_beacon(request):
        counting.record(
            counting.VIEWS,
            article_id=article_id,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            is_staff=request.user.is_staff,
        )
    return HttpResponse(status=204)


# What the "Hilfreich" button answers: the anchor of the note the article page carries for it
# (shown by CSS :target, so the cached page needs no message of its own) and the text that
# like.js shows instead.
LIKE_ANSWERS = {
    counting.Outcome.COUNTED: "hilfreich-danke",
    counting.Outcome.REPEAT: "hilfreich-schon-markiert",
    "staff": "hilfreich-redaktion",
    counting.Outcome.IGNORED: "hilfreich-fehler",
    counting.Outcome.UNAVAILABLE: "hilfreich-fehler",
}


@anonymous_post
@require_POST
def like(request: HttpRequest, article_id: int) -> HttpResponse:
    """The "Hilfreich" button: counted like a view (once a day per reader, no cookie, bots
    and staff ignored). Without JavaScript the form's POST is answered with a redirect to the
    article's note for the outcome; like.js asks for JSON and shows the new count."""
    article = get_object_or_404(Article.objects.published().only("pk", "slug"), pk=article_id)
    outcome = counting.record(
        counting.LIKES,
        article_id=article.pk,
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        is_staff=request.user.is_staff,
    )
    answer = "staff" if request.user.is_staff else outcome
    if "application/json" not in request.headers.get("Accept", ""):
        response = redirect(f"{article.get_absolute_url()}#{LIKE_ANSWERS[answer]}")
        response.status_code = 303  # "see other": the browser follows with a GET
        return response
    likes = counting.current_total(counting.LIKES, article_id=article.pk)
    return JsonResponse(
        {
            "outcome": str(answer),
            "message": like_message(answer),
            "likes": likes,
            "label": likes_label(likes),
        }
    )


def like_message(answer: str) -> str:
    return {
        counting.Outcome.COUNTED: _("Thank you! You found this article helpful."),
        counting.Outcome.REPEAT: _("You have already marked this article as helpful today."),
        "staff": _(
            "You are logged in as staff: your clicks are not counted, just like your views."
        ),
    }.get(answer, _("That did not work just now. Please try again later."))


def likes_label(likes: int) -> str:
    """What the stats partial shows (the same message as its template)."""
    return ngettext("%(shown)s like", "%(shown)s likes", likes) % {"shown": intcomma(likes)}
