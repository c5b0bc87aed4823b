"""Publish the measured article as a Wagtail page: `python seed.py ARTICLE.json`.

Prints the page's path. Safe to run again: the page is updated, not duplicated.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from peer.models import ArticlePage
    from wagtail.models import Site

    call_command("migrate", verbosity=0, interactive=False)
    text = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    page = ArticlePage.objects.filter(slug="artikel").first()
    if page is None:
        page = ArticlePage(slug="artikel", **text)
        Site.objects.get(is_default_site=True).root_page.add_child(instance=page)
    else:
        for name, value in text.items():
            setattr(page, name, value)
    page.save_revision().publish()
    print("BENCH_PREPARED " + json.dumps({"path": page.get_url()}))


if __name__ == "__main__":
    main()
