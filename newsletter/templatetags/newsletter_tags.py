from django import template

register = template.Library()


@register.inclusion_tag("newsletter/_newsletter_box.html", takes_context=True)
def newsletter_box(context):
    return {"request": context.get("request")}
