from django import template

register = template.Library()


@register.inclusion_tag("comments/_comment_section.html", takes_context=True)
def comment_section(context, article):
    return {"article": article, "request": context.get("request")}
