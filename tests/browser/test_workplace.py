"""Journeys in the editors' and moderators' workplace: autosave, edit conflicts, versions,
the plan of what goes live, moderating from the list."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from articles.models import Article
from articles.services import article_publish, article_save
from comments.models import Comment
from tests.factories import ArticleFactory, AuthorFactory, CommentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def named(user: User, first: str, last: str) -> User:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def editor_body(page):
    return page.frame_locator('iframe[title^="WYSIWYG-Editor"]').locator("body")


def open_change_form(page, article: Article) -> None:
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    expect(page.get_by_label("Titel:", exact=True)).to_be_visible()
    editor_body(page).locator("p").first.wait_for()


def test_autosave_survives_a_closed_tab_and_is_restored(
    new_context, role_user, admin_login, assert_accessible
):
    editor = role_user("julia", "Redaktion")
    article = ArticleFactory(
        title="Weiterbildung", body="<p>Erster Absatz.</p>", status="draft", published_at=None
    )
    context = new_context()
    page = context.new_page()
    admin_login(page, editor)
    open_change_form(page, article)

    page.get_by_label("Titel:", exact=True).fill("Weiterbildungsmöglichkeiten für Berufstätige")
    body = editor_body(page)
    body.click()
    body.press("End")
    body.type(" Bildungsurlaub lohnt sich.")
    expect(page.locator("#autosave-status")).to_have_text(
        re.compile(r"Automatisch gespeichert um \d\d:\d\d")
    )
    # Autosave leaves CKEditor's own undo alone: the typing can still be undone.
    body.press("Control+z")
    expect(body).not_to_contain_text("Bildungsurlaub lohnt sich.")
    body.press("Control+y")
    expect(body).to_contain_text("Bildungsurlaub lohnt sich.")
    expect(page.locator("#autosave-status")).to_have_text(re.compile("Automatisch gespeichert"))
    # Closing the tab with unsaved changes asks first; the editor leaves anyway.
    with page.expect_event("dialog") as dialog:
        page.close(run_before_unload=True)
    assert dialog.value.type == "beforeunload"
    dialog.value.accept()
    page.wait_for_event("close")
    assert Article.objects.get(pk=article.pk).title == "Weiterbildung"

    page = context.new_page()
    open_change_form(page, article)
    offer = page.get_by_role("region", name="Automatische Sicherung")
    expect(offer).to_contain_text("automatisch gesicherte")
    assert_accessible(page, admin=True)
    offer.get_by_role("button", name="Wiederherstellen").click()
    expect(page.get_by_label("Titel:", exact=True)).to_have_value(
        "Weiterbildungsmöglichkeiten für Berufstätige"
    )
    expect(editor_body(page)).to_contain_text("Bildungsurlaub lohnt sich.")
    page.get_by_role("button", name="Sichern", exact=True).click()
    page.get_by_text("erfolgreich geändert").wait_for()
    article.refresh_from_db()
    assert article.title == "Weiterbildungsmöglichkeiten für Berufstätige"
    assert "Bildungsurlaub lohnt sich." in article.body


def test_two_editors_at_once_see_each_other_and_the_later_save_loses_nothing(
    new_context, role_user, admin_login, assert_accessible
):
    julia = named(role_user("julia", "Redaktion"), "Julia", "Becker")
    tom = named(role_user("tom", "Redaktion"), "Tom", "Schäfer")
    article = ArticleFactory(title="Homeoffice", status="draft", published_at=None)
    julias, toms = new_context().new_page(), new_context().new_page()
    admin_login(julias, julia)
    admin_login(toms, tom)
    open_change_form(julias, article)
    open_change_form(toms, article)
    expect(toms.get_by_role("status").filter(has_text="bearbeitet")).to_have_text(
        "Julia Becker bearbeitet diesen Artikel gerade"
    )

    julias.get_by_label("Titel:", exact=True).fill("Homeoffice: Rechte und Pflichten")
    julias.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    julias.get_by_text("erfolgreich geändert").wait_for()

    toms.get_by_label("Anreißer:").fill("Was Arbeitgeber verlangen dürfen – und was nicht.")
    toms.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    expect(toms.get_by_text("Julia Becker hat diesen Artikel am")).to_be_visible()
    conflict = toms.locator("#edit-conflict")
    expect(conflict).to_contain_text("Homeoffice: Rechte und Pflichten")
    expect(toms.get_by_label("Anreißer:")).to_have_value(
        "Was Arbeitgeber verlangen dürfen – und was nicht."
    )
    assert_accessible(toms, admin=True)
    article.refresh_from_db()
    assert article.title == "Homeoffice: Rechte und Pflichten"
    assert article.teaser != "Was Arbeitgeber verlangen dürfen – und was nicht."

    # Tom keeps Julia's title and overwrites deliberately.
    toms.get_by_label("Titel:", exact=True).fill("Homeoffice: Rechte und Pflichten")
    toms.get_by_label("Trotzdem speichern und die neuere Fassung ersetzen").check()
    toms.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    toms.get_by_text("erfolgreich geändert").wait_for()
    article.refresh_from_db()
    assert (article.title, article.teaser) == (
        "Homeoffice: Rechte und Pflichten",
        "Was Arbeitgeber verlangen dürfen – und was nicht.",
    )


def test_editor_compares_two_versions_and_restores_the_older(
    new_context, role_user, admin_login, assert_accessible
):
    editor = named(role_user("julia", "Redaktion"), "Julia", "Becker")
    article = ArticleFactory(
        title="Gehaltsverhandlung", body="<p>Verhandle im Frühjahr.</p>", status="draft"
    )
    article.title = "Gehaltsverhandlung für Einsteiger"
    article.body = "<p>Verhandle im Herbst.</p>"
    article_save(article=article, user=editor)
    page = new_context().new_page()
    admin_login(page, editor)
    open_change_form(page, article)

    page.get_by_role("link", name="Geschichte").click()
    versions = page.locator("#versions")
    expect(versions).to_contain_text("Titel und Text geändert")
    page.get_by_role("button", name="Ausgewählte Fassungen vergleichen").click()
    compare = page.locator("#version-compare")
    expect(compare.locator("del")).to_have_text("Frühjahr.")
    expect(compare.locator("ins")).to_have_text("Herbst.")
    expect(compare).to_contain_text("Gehaltsverhandlung für Einsteiger")
    assert_accessible(page, admin=True)

    page.get_by_role("button", name=re.compile("^Fassung vom .* wiederherstellen$")).click()
    expect(page.get_by_text("ist wieder der aktuelle Inhalt")).to_be_visible()
    expect(page.get_by_label("Titel:", exact=True)).to_have_value("Gehaltsverhandlung")
    page.get_by_role("link", name="Geschichte").click()
    expect(page.locator("#versions tbody tr").first).to_contain_text("wiederhergestellt")


def test_autor_restoring_a_published_version_does_not_publish_it(
    new_context, role_user, admin_login
):
    autor = named(role_user("anna", "Autor"), "Anna", "Schäfer")
    redaktion = role_user("julia", "Redaktion")
    article = ArticleFactory(
        title="Elternzeit planen",
        status="draft",
        published_at=None,
        authors=[AuthorFactory(user=autor)],
    )
    article_publish(article=article, user=redaktion)
    article.status = Article.Status.DRAFT
    article.title = "Elternzeit planen (in Überarbeitung)"
    article_save(article=article, user=redaktion)

    page = new_context().new_page()
    admin_login(page, autor)
    page.goto(f"/admin/articles/article/{article.pk}/history/")
    published_row = page.locator("#versions tbody tr").filter(has_text="Veröffentlicht")
    published_row.get_by_role("button", name="Diese Fassung wiederherstellen").click()
    expect(page.get_by_text("ist wieder der aktuelle Inhalt (Status: Entwurf)")).to_be_visible()
    expect(page.get_by_label("Titel:", exact=True)).to_have_value("Elternzeit planen")
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and not article.is_public
    reader = new_context().new_page()
    assert reader.goto(article.get_absolute_url()).status == 404


def test_a_scheduled_article_shows_when_it_goes_live(
    new_context, role_user, admin_login, assert_accessible
):
    editor = role_user("julia", "Redaktion")
    article = ArticleFactory(
        title="Rente mit 63", published_at=datetime(2030, 12, 3, 5, 0, tzinfo=UTC)
    )
    page = new_context().new_page()
    admin_login(page, editor)
    page.goto("/admin/articles/article/")
    page.get_by_role("link", name="Geplant", exact=True).click()
    row = page.get_by_role("row").filter(has_text="Rente mit 63")
    expect(row).to_contain_text("Geplant für 3. Dezember 2030, 06:00")
    row.get_by_role("link", name="Rente mit 63").click()
    expect(page.locator(".field-state")).to_contain_text("Geplant für 3. Dezember 2030, 06:00")
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Vorschau", exact=True).click()
    expect(popup.value.get_by_role("status")).to_contain_text("Geplant für 3. Dezember 2030, 06:00")
    page.goto("/admin/")
    expect(page.locator("#dashboard-schedule")).to_be_visible()
    assert_accessible(page, admin=True)
    assert article.is_scheduled


def test_moderator_approves_one_comment_from_the_list(
    new_context, role_user, admin_login, assert_accessible
):
    moderator = role_user("mo", "Moderation")
    article = ArticleFactory(title="Kündigung in der Probezeit")
    waiting = CommentFactory(
        article=article, status="pending", name="Jörg", text="Gilt das auch für Azubis?"
    )
    CommentFactory(article=article, status="pending", name="Petra", text="Danke, sehr klar!")
    page = new_context().new_page()
    admin_login(page, moderator)
    page.goto("/admin/comments/comment/?status__exact=pending")
    assert_accessible(page, admin=True)
    row = page.get_by_role("row").filter(has_text="Gilt das auch für Azubis?")
    row.get_by_role("button", name=re.compile("^Freigeben")).click()
    expect(page.get_by_text("„Gilt das auch für Azubis?“ freigegeben.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Danke, sehr klar!")).to_be_visible()
    waiting.refresh_from_db()
    assert waiting.status == Comment.Status.APPROVED
    reader = new_context().new_page()
    reader.goto(article.get_absolute_url())
    expect(reader.get_by_text("Gilt das auch für Azubis?")).to_be_visible()


@pytest.mark.parametrize("role", ["Redaktion", "Moderation"])
def test_article_and_comment_lists_fit_a_laptop_screen(new_context, role_user, admin_login, role):
    user = role_user("julia", role)
    author = AuthorFactory(name="Dr. Maximiliane Müller-Lüdenscheidt")
    coauthor = AuthorFactory(name="Jürgen Großkopf-Weißenbach")
    for number in range(3):
        article = ArticleFactory(
            title=f"Weiterbildungsmöglichkeiten und Gehaltserhöhungsverhandlungen {number}",
            authors=[author, coauthor],
        )
        CommentFactory(
            article=article,
            status="pending",
            email=f"sehr.lange.adresse.{number}@beispiel-unternehmensberatung.de",
            ip_address="2001:db8:85a3::8a2e:370:7334",
        )
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    admin_login(page, user)
    url = "/admin/articles/article/" if role == "Redaktion" else "/admin/comments/comment/"
    page.goto(url)
    expect(page.locator("#result_list")).to_be_visible()
    # The admin scrolls a too-wide list inside its own box: compare the table with that box.
    needed, shown = page.evaluate(
        "[document.querySelector('.results').scrollWidth,"
        " document.querySelector('.results').clientWidth]"
    )
    assert needed <= shown, f"{url} needs {needed} px, shows {shown} px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
