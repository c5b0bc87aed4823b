"""Reference endpoints that exist only under `bench.settings`."""

from __future__ import annotations

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.models import Article

CEILING_HTML = "<!doctype html><html lang=de><title>Decke</title><p>Hallo</p></html>"


def ceiling(request: HttpRequest) -> HttpResponse:
    """The fastest page Django can serve through the project's middleware."""
    return HttpResponse(CEILING_HTML)


@csrf_exempt
def no_content(request: HttpRequest) -> HttpResponse:
    """The fastest answer to a beacon: the bound for the counting endpoint."""
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def naive_count(request: HttpRequest, pk: int) -> HttpResponse:
    """What view counting usually looks like: one write to the hot row per view."""
    Article.objects.filter(pk=pk).update(view_count=F("view_count") + 1)
    return HttpResponse(status=204)
