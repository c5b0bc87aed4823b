"""The Content-Security-Policy as Chromium enforces it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_policy_stops_a_script_injected_into_a_reader_page(page):
    # Flatpage HTML is rendered as entered in the admin: the realistic way a script gets in.
    flatpage = FlatPage.objects.create(
        url="/impressum/",
        title="Impressum",
        content='<p>Verlag</p><script>document.title = "gehackt"</script>'
        '<img src="x" onerror="document.title = \'gehackt\'">',
    )
    flatpage.sites.add(Site.objects.get_current())
    violations = csp_violations(page)

    page.goto("/impressum/")
    page.wait_for_load_state("load")

    assert page.title() != "gehackt"
    assert page.get_by_text("Verlag").is_visible()
    assert len(violations) >= 2, violations


def test_ckeditor_runs_in_the_admin_without_policy_violations(page):
    User.objects.create_superuser("chefin", "chefin@example.org", "ein-langes-passwort")
    violations = csp_violations(page)

    page.goto("/admin/login/")
    page.get_by_label("Benutzername").fill("chefin")
    page.get_by_label("Passwort").fill("ein-langes-passwort")
    page.get_by_role("button", name="Anmelden").click()
    page.goto("/admin/articles/article/add/")
    editor = page.frame_locator("iframe.cke_wysiwyg_frame").locator("body")
    editor.click()
    editor.type("Ein Absatz aus dem Browsertest.")
    page.locator(".cke_button__bold").click()

    assert "Ein Absatz aus dem Browsertest." in editor.inner_text()
    assert violations == []
