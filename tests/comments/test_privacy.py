from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment
from comments.tasks import erase_comment_client_data
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

PERSONAL_DATA = "/admin/comments/comment/personal-data/"


def test_a_browser_name_longer_than_the_column_is_stored_cut_not_refused(
    article, client, post_comment
):
    client.defaults["HTTP_USER_AGENT"] = "Mozilla/5.0 (Gehaltserhöhung) " + "Weiterbildung " * 60
    response = post_comment(article)
    assert response.status_code == 302
    stored = Comment.objects.get().user_agent
    assert len(stored) == 500 and stored.startswith("Mozilla/5.0 (Gehaltserhöhung)")


def test_ip_and_user_agent_are_erased_after_30_days_by_the_command(article, clock):
    now = timezone.now()
    old = CommentFactory(
        article=article,
        ip_address="203.0.113.7",
        user_agent="Firefox",
        created_at=now - timedelta(days=30, seconds=1),
    )
    recent = CommentFactory(
        article=article,
        ip_address="203.0.113.8",
        user_agent="Safari",
        created_at=now - timedelta(days=29, hours=23),
    )
    call_command("erase_comment_client_data", verbosity=0)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (recent.ip_address, recent.user_agent) == ("203.0.113.8", "Safari")
    assert old.text and old.name  # only the abuse data goes


def test_erasure_runs_as_a_background_task_with_the_configured_retention(
    article, clock, settings, run_tasks
):
    settings.COMMENTS_CLIENT_DATA_RETENTION_DAYS = 7
    comment = CommentFactory(
        article=article, ip_address="203.0.113.7", created_at=timezone.now() - timedelta(days=8)
    )
    erase_comment_client_data.enqueue()
    run_tasks()
    comment.refresh_from_db()
    assert comment.ip_address is None


@pytest.fixture
def data_officer(client):
    user = get_user_model().objects.create_user("datenschutz", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="export_comment_data"))
    client.force_login(user)
    return user


def test_export_of_one_email_downloads_all_its_comments_as_json(client, article, data_officer):
    CommentFactory(article=article, email="erika@example.com", text="Erster", ip_address="::1")
    CommentFactory(article=article, email="Erika@Example.com", text="Zweiter", status="spam")
    CommentFactory(article=article, email="max@example.com", text="Fremd")
    response = client.post(PERSONAL_DATA, {"email": "erika@example.com", "export": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="kommentare.json"'
    data = json.loads(response.content)
    assert [row["text"] for row in data] == ["Erster", "Zweiter"]
    assert data[0]["ip_address"] == "::1"
    assert data[0]["article"] == article.title


def test_anonymising_one_email_removes_the_personal_data_but_keeps_text_and_count(
    client, article, data_officer
):
    CommentFactory(
        article=article,
        name="Erika Muster",
        email="erika@example.com",
        url="https://erika.example",
        ip_address="203.0.113.7",
        user_agent="Firefox",
        text="Bleibt stehen",
    )
    other = CommentFactory(article=article, email="max@example.com")
    response = client.post(
        PERSONAL_DATA, {"email": "erika@example.com", "anonymise": "1"}, follow=True
    )
    assert "1 Kommentar anonymisiert." in response.content.decode()
    comment = Comment.objects.get(text="Bleibt stehen")
    assert (comment.name, comment.email, comment.url, comment.ip_address, comment.user_agent) == (
        "Anonym",
        "",
        "",
        None,
        "",
    )
    assert comment.status == "approved"
    other.refresh_from_db()
    assert other.email == "max@example.com"
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Anonym" in page and "Erika Muster" not in page


def test_export_and_anonymise_need_their_own_permission(client, article):
    moderator = get_user_model().objects.create_user("mod", password="x", is_staff=True)
    moderator.user_permissions.add(Permission.objects.get(codename="change_comment"))
    client.force_login(moderator)
    CommentFactory(article=article, email="erika@example.com")
    assert client.get(PERSONAL_DATA).status_code == 403
    response = client.post(PERSONAL_DATA, {"email": "erika@example.com", "anonymise": "1"})
    assert response.status_code == 403
    assert Comment.objects.get().email == "erika@example.com"


def test_personal_data_page_asks_for_the_email_address(client, data_officer):
    html = client.get(PERSONAL_DATA).content.decode()
    assert "E-Mail-Adresse der kommentierenden Person" in html
    assert "Alle Kommentare anonymisieren" in html


def test_the_form_links_the_privacy_notice_and_says_what_is_kept_how_long(
    article, client, settings
):
    settings.PRIVACY_URL = "/datenschutzerklärung/"
    settings.COMMENTS_CLIENT_DATA_RETENTION_DAYS = 14

    page = client.get(article.get_absolute_url()).content.decode()
    form = page.split('id="kommentar-formular"', 1)[1].split("</form>", 1)[0]

    assert '<a href="/datenschutzerklärung/">Hinweise zum Datenschutz</a>' in form
    assert "deine E-Mail-Adresse nicht" in form
    assert "IP-Adresse und die Kennung deines Browsers (User-Agent) 14 Tage lang" in form
    footer = page.split('<footer class="site-footer">', 1)[1]
    assert '<a href="/datenschutzerklärung/">Datenschutz</a>' in footer


def test_remembering_name_and_e_mail_is_an_opt_in_that_never_reaches_the_server(article, client):
    page = client.get(article.get_absolute_url()).content.decode()
    form = page.split('id="kommentar-formular"', 1)[1].split("</form>", 1)[0]
    checkbox = re.search(r'<input[^>]*id="kommentar-merken"[^>]*>', form).group()

    assert "Name und E-Mail in diesem Browser speichern" in form
    assert "checked" not in checkbox  # unticked by default
    assert "name=" not in checkbox  # no name: the browser never sends it
    assert "js/remember-commenter.js" in page
