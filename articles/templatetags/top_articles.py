from django import template

from articles.models import Article

register = template.Library()


@register.inclusion_tag("articles/_top_articles.html")
def top_articles(limit: int = 5):
    articles = Article.objects.published().select_related("category").order_by("-view_count")
    return {"top_articles": articles[:limit]}
