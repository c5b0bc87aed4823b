from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_renders_in_german_and_is_accessible(page, assert_accessible, screenshot):
    call_command("demo_content", verbosity=0)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("link", name="Zum Inhalt springen").focus()
    assert page.get_by_role("navigation", name="Kategorien").is_visible()
    assert_accessible(page)
    screenshot(page, "home")
