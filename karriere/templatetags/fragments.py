from __future__ import annotations

from django import template
from django.template.base import token_kwargs

from karriere.fragments import cached

register = template.Library()


@register.tag
def fragment(parser, token):
    """``{% fragment "related" article.pk keys="nav" timeout=600 %}…{% endfragment %}``: the
    content cached by the dependency keys it shows (``karriere.fragments``). The name is the
    values after the tag; ``keys`` (space-separated, or a list) and ``timeout`` are optional."""
    bits = token.split_contents()
    parts, options = [], {}
    for bit in bits[1:]:
        kwarg = token_kwargs([bit], parser)
        if kwarg:
            options.update(kwarg)
        else:
            parts.append(parser.compile_filter(bit))
    unknown = set(options) - {"keys", "timeout"}
    if not parts or unknown:
        raise template.TemplateSyntaxError(f"{bits[0]}: a name and only keys=/timeout= options")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parts, options)


class FragmentNode(template.Node):
    def __init__(self, nodelist, parts, options):
        self.nodelist, self.parts, self.options = nodelist, parts, options

    def render(self, context):
        name = [part.resolve(context) for part in self.parts]
        options = {key: value.resolve(context) for key, value in self.options.items()}
        keys = options.get("keys") or ()
        return cached(
            context.get("request"),
            name,
            lambda: self.nodelist.render(context),
            keys=keys.split() if isinstance(keys, str) else keys,
            timeout=options.get("timeout"),
        )
