"""The admin as the editors' workplace: one save path, revisions, restore, trash, edit conflicts,
presence, autosave, the plan of what goes live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, ArticleAutosave, ArticleSavedPastService, SlugRedirect
from articles.services import (
    article_publish,
    article_restore,
    article_save,
    article_trash,
    article_trash_empty,
    article_untrash,
    article_versions,
)
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CommentFactory,
    ImageFactory,
)

pytestmark = pytest.mark.django_db

ADMIN = "/admin/articles/article/"
# 1 December 2026, 14:32 in Berlin.
DECEMBER_FIRST = datetime(2026, 12, 1, 13, 32, tzinfo=UTC)


def role_user(username: str, role: str, **names) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "x", is_staff=True)
    user.first_name, user.last_name = names.get("first", ""), names.get("last", "")
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


def logged_in(user: User, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def change_form_data(client: Client, article: Article, **changes) -> dict:
    """What the change form would post: its fields as loaded, with ``changes`` typed in."""
    form = client.get(f"{ADMIN}{article.pk}/change/").context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "tags":
            value = ", ".join(sorted(t.name for t in value or []))
        elif name == "authors":
            value = [a.pk for a in value or []]
        elif name == "category":
            value = getattr(value, "pk", value)
        elif name == "published_at" and value:
            local = timezone.localtime(value)
            data["published_at_0"], data["published_at_1"] = f"{local:%d.%m.%Y}", f"{local:%H:%M}"
            continue
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    data.update(changes)
    return data


# --- one save path ------------------------------------------------------------------------


def test_saving_an_article_past_the_service_fails():
    article = ArticleFactory(title="Gehaltserhöhung")
    article.title = "Gehaltserhöhung verhandeln"
    with pytest.raises(ArticleSavedPastService):
        article.save()
    with pytest.raises(ArticleSavedPastService):
        Article.objects.create(title="Heimlich", teaser="…", category=CategoryFactory())
    assert Article.objects.get(pk=article.pk).title == "Gehaltserhöhung"


def test_every_write_path_records_a_revision(admin_client):
    category, author = CategoryFactory(), AuthorFactory()
    response = admin_client.post(
        f"{ADMIN}add/",
        {
            "title": "Weiterbildungsmöglichkeiten für Quereinsteiger",
            "slug": "",
            "teaser": "Was sich lohnt.",
            "body": "<p>Text</p>",
            "category": category.pk,
            "authors": [author.pk],
            "tags": "Weiterbildung",
            "status": Article.Status.DRAFT,
            "published_at_0": "",
            "published_at_1": "",
            "seo_title": "",
            "seo_description": "",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    admin_client.post(ADMIN, {"action": "publish", "_selected_action": [article.pk]})
    admin_client.post(ADMIN, {"action": "unpublish", "_selected_action": [article.pk]})
    comments = [v.revision.comment for v in article_versions(article)]
    assert comments == ["Offline genommen", "Veröffentlicht", "Angelegt"]
    assert all(v.revision.user.is_superuser for v in article_versions(article))


def test_demo_content_saves_through_the_service(settings):
    call_command("demo_content", verbosity=0)
    articles = Article.objects.all()
    assert articles.exists()
    for article in articles:
        assert article_versions(article).exists(), article.title
        # A library image with its credit, its renditions made when the image was saved.
        assert article.hero_image.credit and article.hero_image.shape("hero"), article.title


def test_revision_comments_name_the_changed_fields_in_german():
    article = ArticleFactory(title="Bewerbung", status=Article.Status.DRAFT, published_at=None)
    article.title = "Bewerbung mit 50"
    article.body = "<p>Neuer Text über Gehaltserhöhung</p>"
    article_save(article=article)
    assert article_versions(article).first().revision.comment == "Titel und Text geändert"

    article.status = Article.Status.PUBLISHED
    article.published_at = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
    with time_machine.travel(DECEMBER_FIRST, tick=False):
        article_save(article=article)
    assert article_versions(article).first().revision.comment == (
        "Geplant für 3. Dezember 2026, 06:00"
    )


def test_history_messages_use_the_german_field_names(admin_client):
    article = ArticleFactory(title="Probezeit", status=Article.Status.DRAFT, published_at=None)
    data = change_form_data(admin_client, article, body="<p>Kündigung in der Probezeit</p>")
    assert admin_client.post(f"{ADMIN}{article.pk}/change/", data).status_code == 302
    entry = LogEntry.objects.get(object_id=str(article.pk))
    assert entry.get_change_message() == "Text geändert."


# --- compare and restore --------------------------------------------------------------------


def edited_twice():
    with time_machine.travel(DECEMBER_FIRST, tick=False):
        article = ArticleFactory.build(
            title="Gehaltsverhandlung",
            body="<p>Frag nach <strong>mehr</strong> Gehalt im Frühjahr.</p>",
            category=CategoryFactory(),
        )
        article_save(article=article, tags=["Gehalt"], authors=[AuthorFactory()])
    article.title = "Gehaltsverhandlung für Berufseinsteiger"
    article.body = "<p>Frag nach mehr Gehalt im Herbst.</p>"
    article_save(article=article, tags=["Gehalt", "Berufseinstieg"])
    return article


def test_compare_shows_fields_side_by_side_and_a_word_diff_of_the_text(admin_client):
    article = edited_twice()
    new, old = article_versions(article)
    response = admin_client.get(f"{ADMIN}{article.pk}/versions/compare/?a={old.pk}&b={new.pk}")
    html = response.content.decode()
    assert "Gehaltsverhandlung für Berufseinsteiger" in html
    assert "<del>Frühjahr.</del> <ins>Herbst.</ins>" in html
    assert "&lt;strong&gt;" not in html and "<strong>mehr" not in html  # text, not HTML
    assert "Berufseinstieg, Gehalt" in html  # tags as they were in each version


def test_restore_makes_an_old_version_current_and_says_so(admin_client):
    article = edited_twice()
    old = article_versions(article).last()
    response = admin_client.post(f"{ADMIN}{article.pk}/versions/{old.pk}/restore/", follow=True)
    assert "1. Dezember 2026, 14:32" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Gehaltsverhandlung"
    assert sorted(article.tags.names()) == ["Gehalt"]
    assert article_versions(article).first().revision.comment == (
        "Fassung vom 1. Dezember 2026, 14:32 wiederhergestellt"
    )


def test_versions_keep_the_library_hero_image_compare_shows_it_and_restore_brings_it_back(
    admin_client, admin_user
):
    bewerbung = ImageFactory(title="Bewerbungsgespräch in München")
    gehalt = ImageFactory(title="Gehaltserhöhung im Büro")
    article = ArticleFactory(title="Weiterbildungsmöglichkeiten", hero_image=bewerbung)
    article.hero_image = gehalt
    article_save(article=article)
    assert article_versions(article).first().revision.comment == "Titelbild geändert"
    new, old = article_versions(article)[:2]

    html = admin_client.get(f"{ADMIN}{article.pk}/versions/compare/?a={old.pk}&b={new.pk}")
    html = html.content.decode()
    assert f'<img src="{bewerbung.thumbnail_url}"' in html
    assert f'<img src="{gehalt.thumbnail_url}"' in html
    assert "Bewerbungsgespräch in München" in html and "Gehaltserhöhung im Büro" in html

    admin_client.post(f"{ADMIN}{article.pk}/versions/{old.pk}/restore/")
    article.refresh_from_db()
    assert article.hero_image == bewerbung
    # An image deleted from the library since then leaves the current hero as it is.
    bewerbung.delete()
    article.refresh_from_db()
    assert article.hero_image is None
    article.hero_image = gehalt
    article_save(article=article)
    article_restore(article=article, version=old, user=admin_user)
    article.refresh_from_db()
    assert article.hero_image == gehalt


def test_restoring_a_published_version_never_publishes_for_an_autor():
    autor = role_user("anna", "Autor")
    redaktion = role_user("julia", "Redaktion")
    article = ArticleFactory(
        status=Article.Status.DRAFT, published_at=None, authors=[AuthorFactory(user=autor)]
    )
    article_publish(article=article, user=redaktion)
    published_version = article_versions(article).first()
    article.status = Article.Status.DRAFT
    article.title = "Zurück in Arbeit"
    article_save(article=article, user=redaktion)

    article_restore(article=article, version=published_version, user=autor)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT

    article_publish(article=article, user=redaktion)
    with pytest.raises(PermissionDenied):
        article_restore(article=article, version=published_version, user=autor)


def test_autor_restoring_a_live_article_in_the_admin_is_refused_in_german():
    autor = role_user("anna", "Autor")
    article = ArticleFactory(title="Online", authors=[AuthorFactory(user=autor)])
    article.title = "Online, geändert"
    article_save(article=article)
    old = article_versions(article).last()
    client = logged_in(autor)
    response = client.post(f"{ADMIN}{article.pk}/versions/{old.pk}/restore/", follow=True)
    assert "nur die Redaktion" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Online, geändert"


def test_restoring_an_old_slug_of_a_live_article_keeps_the_new_address_working(admin_client):
    article = ArticleFactory(title="Überstunden", slug="ueberstunden")
    article.slug = "ueberstunden-richtig-abrechnen"
    article_save(article=article)
    old = article_versions(article).last()
    admin_client.post(f"{ADMIN}{article.pk}/versions/{old.pk}/restore/")
    article.refresh_from_db()
    assert article.slug == "ueberstunden"
    assert SlugRedirect.objects.filter(old_slug="ueberstunden-richtig-abrechnen").exists()


# --- trash ------------------------------------------------------------------------------------


def test_trash_takes_an_article_off_the_site_and_restores_it_whole(client, admin_client):
    article = ArticleFactory(title="Elternzeit", tags=["Familie"])
    comment = CommentFactory(article=article)
    authors = list(article.authors.all())
    admin_client.post(ADMIN, {"action": "move_to_trash", "_selected_action": [article.pk]})
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Elternzeit" not in admin_client.get(ADMIN).content.decode()
    assert "Elternzeit" in admin_client.get(f"{ADMIN}trash/").content.decode()

    admin_client.post(f"{ADMIN}trash/", {"restore": article.pk})
    assert client.get(article.get_absolute_url()).status_code == 200
    article.refresh_from_db()
    assert list(article.authors.all()) == authors and list(article.tags.names()) == ["Familie"]
    assert article.comments.get() == comment


def test_the_delete_button_moves_to_the_trash(admin_client):
    article = ArticleFactory(title="Kündigungsfrist")
    response = admin_client.post(f"{ADMIN}{article.pk}/delete/", {"post": "yes"}, follow=True)
    assert "in den Papierkorb verschoben" in response.content.decode()
    assert Article.objects.in_trash().get() == article


def test_emptying_the_trash_needs_its_own_permission():
    autor, redaktion = role_user("anna", "Autor"), role_user("julia", "Redaktion")
    article = article_trash(article=ArticleFactory())
    with pytest.raises(PermissionDenied):
        article_trash_empty(user=autor)
    assert article_trash_empty(user=redaktion) == 1
    assert not Article.objects.filter(pk=article.pk).exists()
    kept = article_untrash(article=article_trash(article=ArticleFactory()))
    assert article_trash_empty(user=redaktion) == 0 and Article.objects.filter(pk=kept.pk).exists()


# --- scheduled status ---------------------------------------------------------------------------


@time_machine.travel(DECEMBER_FIRST, tick=False)
def test_a_scheduled_article_shows_its_date_not_published(admin_client, client):
    article = ArticleFactory(
        title="Rente mit 63", published_at=datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
    )
    ArticleFactory(title="Schon online")
    expected = "Geplant für 3. Dezember 2026, 06:00"
    listing = admin_client.get(ADMIN).content.decode()
    assert expected in listing
    scheduled = admin_client.get(ADMIN, {"state": "scheduled"}).content.decode()
    assert "Rente mit 63" in scheduled and "Schon online" not in scheduled
    assert expected in admin_client.get(f"{ADMIN}{article.pk}/change/").content.decode()
    admin_client.force_login(User.objects.get(is_superuser=True))
    preview = admin_client.get(f"/vorschau/artikel/{article.pk}/").content.decode()
    assert expected in preview and "Veröffentlicht" not in preview
    data = change_form_data(admin_client, article, title="Rente mit 63: was gilt")
    response = admin_client.post(f"{ADMIN}{article.pk}/change/", data, follow=True)
    assert expected in response.content.decode()


# --- edit conflicts and presence ----------------------------------------------------------------


def test_a_save_over_a_newer_version_is_refused_with_nothing_lost_until_overwritten():
    julia = role_user("julia", "Redaktion", first="Julia", last="Becker")
    tom = role_user("tom", "Redaktion", first="Tom", last="Schäfer")
    article = ArticleFactory(title="Homeoffice", status=Article.Status.DRAFT, published_at=None)
    julia_client, tom_client = logged_in(julia), logged_in(tom)
    julia_data = change_form_data(julia_client, article, title="Homeoffice: Rechte und Pflichten")
    tom_data = change_form_data(tom_client, article, teaser="Tom hat den Anreißer geschrieben.")

    assert julia_client.post(f"{ADMIN}{article.pk}/change/", julia_data).status_code == 302
    response = tom_client.post(f"{ADMIN}{article.pk}/change/", tom_data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Julia Becker hat diesen Artikel" in html and "Titel geändert" in html
    assert "Homeoffice: Rechte und Pflichten" in html  # theirs, side by side
    assert "Tom hat den Anreißer geschrieben." in html  # what Tom typed is still there
    article.refresh_from_db()
    assert article.teaser != "Tom hat den Anreißer geschrieben."

    tom_data["overwrite"] = "on"
    assert tom_client.post(f"{ADMIN}{article.pk}/change/", tom_data).status_code == 302
    article.refresh_from_db()
    assert article.teaser == "Tom hat den Anreißer geschrieben."


def test_each_editor_sees_who_else_has_the_article_open():
    julia = role_user("julia", "Redaktion", first="Julia", last="Becker")
    tom = role_user("tom", "Redaktion", first="Tom", last="Schäfer")
    article = ArticleFactory()
    url = f"{ADMIN}{article.pk}/presence/"
    with time_machine.travel(DECEMBER_FIRST, tick=False) as clock:
        assert logged_in(julia).post(url).json()["others"] == []
        answer = logged_in(tom).post(url).json()
        assert answer["message"] == "Julia Becker bearbeitet diesen Artikel gerade"
        clock.shift(timedelta(minutes=2))  # Julia closed her tab without a goodbye
        assert logged_in(tom).post(url).json()["others"] == []


# --- autosave ---------------------------------------------------------------------------------


def test_autosave_keeps_the_form_per_user_without_touching_the_article():
    autor = role_user("anna", "Autor")
    with time_machine.travel(DECEMBER_FIRST - timedelta(hours=1), tick=False) as clock:
        article = ArticleFactory(
            title="Lebenslauf", status=Article.Status.DRAFT, authors=[AuthorFactory(user=autor)]
        )
        versions = Version.objects.count()
        client = logged_in(autor)
        clock.move_to(DECEMBER_FIRST)
        response = client.post(
            f"{ADMIN}{article.pk}/autosave/",
            {"title": "Lebenslauf: Lücken erklären", "body": "<p>Entwurf</p>"},
        )
    assert response.json()["message"] == "Automatisch gespeichert um 14:32"
    article.refresh_from_db()
    assert article.title == "Lebenslauf" and Version.objects.count() == versions
    assert ArticleAutosave.objects.get(user=autor).data["title"] == "Lebenslauf: Lücken erklären"

    page = client.get(f"{ADMIN}{article.pk}/change/")
    assert "Wiederherstellen" in page.content.decode()
    assert 'id="autosave-data"' in page.content.decode()
    assert page.context["autosave"].data["title"] == "Lebenslauf: Lücken erklären"
    data = change_form_data(client, article, title="Lebenslauf: Lücken erklären")
    client.post(f"{ADMIN}{article.pk}/change/", data)
    assert not ArticleAutosave.objects.exists()  # the real save supersedes it


def test_autosave_needs_csrf_and_the_right_to_edit():
    autor = role_user("anna", "Autor")
    moderation = role_user("mo", "Moderation")
    own = ArticleFactory(status=Article.Status.DRAFT, authors=[AuthorFactory(user=autor)])
    other = ArticleFactory(status=Article.Status.DRAFT)
    assert (
        logged_in(autor, enforce_csrf_checks=True)
        .post(f"{ADMIN}{own.pk}/autosave/", {"title": "x"})
        .status_code
        == 403
    )
    assert logged_in(autor).post(f"{ADMIN}{other.pk}/autosave/", {"title": "x"}).status_code in (
        403,
        404,
    )
    assert (
        logged_in(moderation).post(f"{ADMIN}{own.pk}/autosave/", {"title": "x"}).status_code == 403
    )
    assert not ArticleAutosave.objects.exists()


# --- the editorial dashboard and review requests ----------------------------------------------


def test_review_request_mails_the_editorial_team_once(settings, run_tasks):
    from django.core import mail

    autor = role_user("anna", "Autor", first="Anna", last="Schäfer")
    role_user("julia", "Redaktion")
    role_user("tom", "Redaktion")
    article = ArticleFactory(
        title="Weiterbildungsmöglichkeiten im Überblick",
        status=Article.Status.DRAFT,
        published_at=None,
        authors=[AuthorFactory(user=autor)],
    )
    client = logged_in(autor)
    data = change_form_data(client, article, status=Article.Status.REVIEW)
    assert client.post(f"{ADMIN}{article.pk}/change/", data).status_code == 302
    run_tasks()
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["julia@example.org", "tom@example.org"]
    assert message.subject == "Bitte prüfen: Weiterbildungsmöglichkeiten im Überblick"
    assert "Anna Schäfer" in message.body and f"{ADMIN}{article.pk}/change/" in message.body


def test_review_request_is_queued_in_the_articles_transaction():
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    with pytest.raises(RuntimeError), transaction.atomic():
        article.status = Article.Status.REVIEW
        article_save(article=article)
        raise RuntimeError("the request failed after the save")
    assert DBTaskResult.objects.count() == 0


@time_machine.travel(DECEMBER_FIRST, tick=False)
def test_dashboard_shows_each_role_its_part_of_the_plan():
    autor = role_user("anna", "Autor", first="Anna", last="Schäfer")
    redaktion = role_user("julia", "Redaktion")
    own = AuthorFactory(user=autor)
    ArticleFactory(title="Mein Entwurf zur Gehaltserhöhung", status="draft", authors=[own])
    asked = ArticleFactory(title="Bitte prüfen: Elternzeit", status="draft", authors=[own])
    asked.status = Article.Status.REVIEW
    article_save(article=asked, user=autor)
    ArticleFactory(title="Fremd geplant", published_at=datetime(2026, 12, 3, 5, 0, tzinfo=UTC))
    ArticleFactory(title="Zu weit weg", published_at=datetime(2027, 1, 20, 5, 0, tzinfo=UTC))
    ArticleFactory(title="Gestern erschienen")

    html = logged_in(redaktion).get("/admin/").content.decode()
    assert "angefragt von Anna Schäfer" in html
    assert "06:00 Fremd geplant" in html and "Zu weit weg" not in html
    assert "Gestern erschienen" in html
    assert "Mein Entwurf zur Gehaltserhöhung" not in html  # not her draft

    html = logged_in(autor).get("/admin/").content.decode()
    assert "Mein Entwurf zur Gehaltserhöhung" in html and "Bitte prüfen: Elternzeit" in html
    assert "Fremd geplant" not in html and "Gestern erschienen" not in html


def test_redaktion_moves_an_article_with_comments_to_the_trash_from_its_page():
    redaktion = role_user("julia", "Redaktion")
    article = ArticleFactory(title="Arbeitszeugnis lesen")
    CommentFactory(article=article)
    client = logged_in(redaktion)
    page = client.get(f"{ADMIN}{article.pk}/delete/").content.decode()
    assert "in den Papierkorb verschieben" in page
    client.post(f"{ADMIN}{article.pk}/delete/", {"post": "yes"})
    assert Article.objects.in_trash().get() == article


def test_loading_the_demo_content_again_adds_no_revisions():
    call_command("demo_content", verbosity=0)
    versions = Version.objects.count()
    call_command("demo_content", verbosity=0)
    assert Version.objects.count() == versions


def test_a_new_date_on_a_draft_is_named_in_the_revision():
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    article.published_at = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
    article_save(article=article)
    comment = article_versions(article).first().revision.comment
    assert comment == "Veröffentlichungsdatum geändert"
