"""Views and likes charts and lists for the admin: inline SVG drawn on the server, no chart
library."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles import counting
from articles.models import Article, ArticleViewDay

CHART_DAYS = 90
# Admin page: how many articles each top list shows.
ADMIN_TOP_LIMIT = 20

WIDTH, HEIGHT = 720, 160
BAR_GAP = 1
AXIS_HEIGHT = 18


def _views(value: int) -> str:
    return ngettext("%(views)s view", "%(views)s views", value) % {
        "views": number_format(value, force_grouping=True)
    }


def _likes(value: int) -> str:
    return ngettext("%(shown)s like", "%(shown)s likes", value) % {
        "shown": number_format(value, force_grouping=True)
    }


def daily_svg(
    article: Article, *, kind: counting.Kind = counting.VIEWS, days: int = CHART_DAYS
) -> SafeString:
    """Bar chart of the article's views or likes per day (Europe/Berlin) for the last ``days``
    days."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    counted = dict(
        ArticleViewDay.objects.filter(article=article, day__gte=first).values_list("day", kind)
    )
    series = [
        (first + timedelta(days=n), counted.get(first + timedelta(days=n), 0)) for n in range(days)
    ]
    total = sum(views for _day, views in series)
    peak_day, peak = max(series, key=lambda item: (item[1], item[0]))
    summary = {
        counting.VIEWS: _(
            "Views in the last %(days)s days: %(total)s in all, at most %(peak)s on %(peak_day)s."
        ),
        counting.LIKES: _(
            "Marked helpful in the last %(days)s days: %(total)s times in all, at most %(peak)s "
            "times on %(peak_day)s."
        ),
    }[kind] % {
        "days": days,
        "total": number_format(total, force_grouping=True),
        "peak": number_format(peak, force_grouping=True),
        "peak_day": format_date(peak_day, "j. F Y"),
    }
    plot_height = HEIGHT - AXIS_HEIGHT
    bar_width = WIDTH / days
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
        (
            (
                f"{n * bar_width:.2f}",
                f"{plot_height - height:.2f}",
                f"{bar_width - BAR_GAP:.2f}",
                f"{height:.2f}",
                "#417690" if kind == counting.VIEWS else "#2e7d4f",
                format_date(day, "D, j. M Y"),
                _views(views) if kind == counting.VIEWS else _likes(views),
            )
            for n, (day, views) in enumerate(series)
            if (height := plot_height * views / peak if peak else 0)
        ),
    )
    return format_html(
        '<svg class="{kind}-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{summary}">'
        '<line x1="0" y1="{base}" x2="{w}" y2="{base}" stroke="#999"/>{bars}'
        '<text x="0" y="{h}" font-size="11" fill="#666">{first}</text>'
        '<text x="{w}" y="{h}" font-size="11" fill="#666" text-anchor="end">{last}</text>'
        '<text x="2" y="11" font-size="11" fill="#666">{peak}</text>'
        "</svg><p>{summary}</p>",
        kind=kind,
        w=WIDTH,
        h=HEIGHT,
        base=plot_height,
        bars=bars,
        first=format_date(first, "j. M"),
        last=format_date(today, "j. M"),
        peak=number_format(peak, force_grouping=True),
        summary=summary,
    )


def top_articles_admin(request: HttpRequest, *, model_admin) -> HttpResponse:
    """Admin page with the most read articles; the article admin routes it via admin_view."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Most read articles"),
        "opts": Article._meta,
        "top_lists": counting.most_read(limit=ADMIN_TOP_LIMIT),
    }
    return render(request, "admin/articles/article/top_articles.html", context)
