"""The role matrix: what each role reaches in the admin, through real requests.

Letters: L = list, A = add form, V = open one object, C = change it (the form has a save
button), D = delete it. Everything not listed must be refused.
"""

from __future__ import annotations

from datetime import date

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.urls import reverse

from articles.models import (
    Article,
    ArticleAutosave,
    ArticleEditPresence,
    Image,
    ImageLicenceReminder,
    SlugRedirect,
    Tag,
)
from articles.services import article_save, article_trash, article_versions
from comments.models import Comment, ModerationWord, ModeratorMail
from karriere.roles import ROLES
from newsletter.models import (
    ConsentEvent,
    ConsentText,
    Delivery,
    NewsletterIssue,
    Subscriber,
    SubscriberMail,
    Suppression,
    WelcomeMail,
)
from tests.articles.images import HTML, jpeg_bytes, upload
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, ImageFactory

pytestmark = pytest.mark.django_db

ROLE_NAMES = ["Redaktion", "Autor", "Moderation", "Newsletter", "superuser"]

# fmt: off
MODEL_MATRIX = {
    #  model                                  Redaktion Autor  Moderation Newsletter superuser
    "articles.article":                      ("LAVCD", "LAVC", "LV",     "LV",      "LAVCD"),
    "articles.category":                     ("LAVCD", "LV",   "",       "",        "LAVCD"),
    "articles.author":                       ("LAVCD", "LV",   "",       "",        "LAVCD"),
    "articles.slugredirect":                 ("LAVCD", "",     "",       "",        "LAVCD"),
    "articles.image":                        ("LAVCD", "LAVCD", "LV",    "LV",      "LAVCD"),
    "articles.tag":                          ("LAVCD", "LV",   "",       "",        "LAVCD"),
    "articles.imagelicencereminder":         ("LV",    "",     "",       "",        "LV"),
    "comments.comment":                      ("",      "",     "LVCD",   "",        "LVCD"),
    "comments.moderationword":               ("",      "",     "LAVCD",  "",        "LAVCD"),
    "comments.moderatormail":                ("",      "",     "LV",     "",        "LV"),
    "newsletter.subscriber":                 ("",      "",     "",       "LV",      "LVC"),
    "newsletter.consentevent":               ("",      "",     "",       "LV",      "LV"),
    "newsletter.consenttext":                ("LAV",   "",     "",       "LV",      "LAVCD"),
    "newsletter.suppression":                ("",      "",     "",       "LV",      "LV"),
    "newsletter.subscribermail":             ("",      "",     "",       "LV",      "LV"),
    "newsletter.newsletterissue":            ("LAVCD", "",     "",       "LAVCD",   "LAVCD"),
    "newsletter.delivery":                   ("",      "",     "",       "LV",      "LV"),
    "newsletter.welcomemail":                ("",      "",     "",       "LVC",     "LVCD"),
    "auth.user":                             ("",      "",     "",       "",        "LAVCD"),
    "auth.group":                            ("",      "",     "",       "",        "LAVCD"),
    "sites.site":                            ("",      "",     "",       "",        "LAVCD"),
    "flatpages.flatpage":                    ("",      "",     "",       "",        "LAVCD"),
    "axes.accessattempt":                    ("",      "",     "",       "",        "LVCD"),
    "django_tasks_database.dbtaskresult":    ("",      "",     "",       "",        "L"),
}

# Admin actions in each list (beyond deleting): who is offered them.
ACTION_MATRIX = {
    ("articles.article", "publish"):          {"Redaktion", "superuser"},
    ("articles.article", "unpublish"):        {"Redaktion", "superuser"},
    ("articles.article", "move_to_trash"):    {"Redaktion", "superuser"},
    ("articles.article", "revoke_preview_links"): {"Redaktion", "Autor", "superuser"},
    ("articles.image", "delete_selected"):    {"Redaktion", "Autor", "superuser"},
    ("comments.comment", "approve"):          {"Moderation", "superuser"},
    ("comments.comment", "mark_spam"):        {"Moderation", "superuser"},
    ("comments.comment", "trash"):            {"Moderation", "superuser"},
    ("comments.comment", "restore"):          {"Moderation", "superuser"},
    ("newsletter.subscriber", "export_csv"):  {"Newsletter", "superuser"},
    ("newsletter.subscriber", "erase"):       {"Newsletter", "superuser"},
    ("newsletter.subscribermail", "resend"):  {"Newsletter", "superuser"},
    ("comments.moderatormail", "resend"):     {"Moderation", "superuser"},
    ("articles.imagelicencereminder", "resend"): {"Redaktion", "superuser"},
    ("articles.tag", "merge_tags"):            {"Redaktion", "superuser"},
}
# fmt: on


# --- people and things ---------------------------------------------------------------------


@pytest.fixture
def users(db):
    people = {}
    for role in ROLES:
        user = User.objects.create_user(role.lower(), password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        people[role] = user
    people["superuser"] = User.objects.create_superuser("chefin", password="x")
    AuthorFactory(name="Anna Autorin", user=people["Autor"])
    return people


@pytest.fixture
def objects(users):
    other_draft = ArticleFactory(
        title="Entwurf der Kollegin", status=Article.Status.DRAFT, published_at=None
    )
    own_draft = ArticleFactory(
        title="Mein Entwurf",
        status=Article.Status.DRAFT,
        published_at=None,
        authors=[users["Autor"].author_profile],
    )
    subscriber = Subscriber.objects.create(email="leserin@example.org")
    issue = NewsletterIssue.objects.create(subject="Gehaltserhöhung: So klappt’s")
    sent_issue = NewsletterIssue.objects.create(
        subject="Weiterbildungsmöglichkeiten", status=NewsletterIssue.Status.SENT
    )
    comment = Comment.objects.create(
        article=other_draft, name="Leser", email="leser@example.org", text="Danke!"
    )
    return {
        "other_draft": other_draft,
        "own_draft": own_draft,
        "articles.article": other_draft,
        "articles.category": CategoryFactory(name="Unbenutzt"),
        "articles.author": AuthorFactory(),
        "articles.slugredirect": SlugRedirect.objects.create(
            old_slug="alter-slug", article=other_draft
        ),
        "articles.image": ImageFactory(title="Unbenutztes Bild"),
        "articles.tag": Tag.objects.create(name="Gehalt"),
        "articles.imagelicencereminder": ImageLicenceReminder.objects.create(
            week=date(2026, 3, 2), state="failed"
        ),
        "comments.comment": comment,
        "comments.moderatormail": ModeratorMail.objects.create(comment=comment, state="failed"),
        "comments.moderationword": ModerationWord.objects.create(
            word="casino", kind=ModerationWord.Kind.BLOCK
        ),
        "newsletter.subscriber": subscriber,
        "newsletter.consentevent": ConsentEvent.objects.create(
            subscriber=subscriber, kind=ConsentEvent.Kind.SIGNUP_REQUESTED
        ),
        "newsletter.consenttext": ConsentText.objects.create(text="Neue Einwilligung"),
        "newsletter.subscribermail": SubscriberMail.objects.create(
            subscriber=subscriber, kind="confirmation", state="failed"
        ),
        "newsletter.suppression": Suppression.objects.create(
            address_hash="a" * 64, reason="erased"
        ),
        "newsletter.newsletterissue": issue,
        "newsletter.delivery": Delivery.objects.create(
            issue=sent_issue, subscriber=subscriber, batch=0, status=Delivery.Status.SENT
        ),
        "newsletter.welcomemail": WelcomeMail.objects.get(),
        "auth.user": User.objects.create_user("jemand"),
        "auth.group": Group.objects.create(name="Praktikum"),
        "sites.site": Site.objects.get_current(),
        "flatpages.flatpage": FlatPage.objects.create(url="/agb/", title="AGB", content="…"),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="x", ip_address="192.0.2.1", failures_since_start=1
        ),
        "django_tasks_database.dbtaskresult": None,
    }


def as_role(client, users, role):
    client.force_login(users[role])
    return client


def admin_url(label: str, view: str, obj=None) -> str:
    app_label, model = label.split(".")
    return reverse(f"admin:{app_label}_{model}_{view}", args=[obj.pk] if obj else [])


def reached(client, label: str, obj) -> str:
    """Which of L, A, V, C, D the logged-in user reaches for this model and object."""
    letters = ""
    if client.get(admin_url(label, "changelist")).status_code == 200:
        letters += "L"
    if client.get(admin_url(label, "add")).status_code == 200:
        letters += "A"
    if obj is not None:
        page = client.get(admin_url(label, "change", obj))
        if page.status_code == 200:
            letters += "V"
            if 'name="_save"' in page.content.decode():
                letters += "C"
        if client.get(admin_url(label, "delete", obj)).status_code == 200:
            letters += "D"
    return letters


def offered_actions(client, label: str) -> set[str]:
    response = client.get(admin_url(label, "changelist"))
    if response.status_code != 200 or response.context["action_form"] is None:
        return set()
    return {name for name, _ in response.context["action_form"].fields["action"].choices if name}


# --- the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("label", MODEL_MATRIX)
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_role_reaches_exactly_its_part_of_the_admin(client, users, objects, role, label):
    obj = objects["own_draft"] if (role, label) == ("Autor", "articles.article") else objects[label]
    expected = MODEL_MATRIX[label][ROLE_NAMES.index(role)]
    assert reached(as_role(client, users, role), label, obj) == expected


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_role_is_offered_exactly_its_admin_actions(client, users, objects, role):
    as_role(client, users, role)
    offered = {
        (label, action)
        for label in {label for label, _ in ACTION_MATRIX}
        for action in offered_actions(client, label)
        if (label, action) in ACTION_MATRIX
    }
    assert offered == {key for key, roles in ACTION_MATRIX.items() if role in roles}


def test_autor_neither_sees_nor_opens_articles_of_others(client, users, objects):
    as_role(client, users, "Autor")
    listing = client.get(admin_url("articles.article", "changelist")).content.decode()
    assert "Mein Entwurf" in listing
    assert "Entwurf der Kollegin" not in listing
    assert reached(client, "articles.article", objects["other_draft"]) == "LA"


def test_a_reader_reaches_nothing_in_the_admin(client, objects):
    reader = User.objects.create_user("leserin", password="x")  # an account, but no staff
    for who in (None, reader):
        if who:
            client.force_login(who)
        for label in MODEL_MATRIX:
            response = client.get(admin_url(label, "changelist"))
            assert response.status_code == 302, label
            assert response["Location"].startswith("/admin/login/")


# --- real changes, not just pages ----------------------------------------------------------


def post_action(client, label: str, action: str, *objs):
    return client.post(
        admin_url(label, "changelist"),
        {"action": action, "_selected_action": [o.pk for o in objs], "index": 0},
    )


def test_redaktion_publishes_and_autor_cannot(client, users, objects):
    draft = objects["own_draft"]
    post_action(as_role(client, users, "Autor"), "articles.article", "publish", draft)
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT

    post_action(as_role(client, users, "Redaktion"), "articles.article", "publish", draft)
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED


def test_autor_cannot_publish_through_the_change_form(client, users, objects):
    draft = objects["own_draft"]
    as_role(client, users, "Autor")
    response = client.post(
        admin_url("articles.article", "change", draft),
        {
            "title": draft.title,
            "slug": draft.slug,
            "teaser": draft.teaser,
            "body": draft.body,
            "category": draft.category_id,
            "tags": "",
            "status": Article.Status.PUBLISHED,
            "published_at_0": "01.03.2026",
            "published_at_1": "09:00:00",
            "seo_title": "",
            "seo_description": "",
        },
    )
    assert response.status_code == 200  # the form again, with the error at the status only
    assert set(response.context["adminform"].form.errors) == {"status"}
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_moderation_approves_comments_and_cannot_publish(client, users, objects):
    comment, draft = objects["comments.comment"], objects["other_draft"]
    as_role(client, users, "Moderation")
    post_action(client, "comments.comment", "approve", comment)
    post_action(client, "articles.article", "publish", draft)
    comment.refresh_from_db()
    draft.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert draft.status == Article.Status.DRAFT


def test_only_the_newsletter_role_exports_subscribers(client, users, objects):
    subscriber = objects["newsletter.subscriber"]
    for role in ("Redaktion", "Autor", "Moderation"):
        response = post_action(
            as_role(client, users, role), "newsletter.subscriber", "export_csv", subscriber
        )
        assert response.status_code == 403, role
    response = post_action(
        as_role(client, users, "Newsletter"), "newsletter.subscriber", "export_csv", subscriber
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_autor_uploads_and_uses_images_but_only_the_redaktion_deletes_one_in_use(
    client, users, objects
):
    as_role(client, users, "Autor")
    response = client.post(
        admin_url("articles.image", "add"),
        {
            "file": upload("gespräch.jpg", jpeg_bytes()),
            "title": "Gehaltsgespräch",
            "alt_text": "Zwei Personen am Tisch",
            "credit": "Foto: Jörg Weiß / Agentur Süd",
            "licence": "agency",
            "focal_x": "50",
            "focal_y": "50",
        },
    )
    assert response.status_code == 302
    image = Image.objects.get(title="Gehaltsgespräch")
    own = objects["own_draft"]
    response = client.post(
        admin_url("articles.article", "change", own),
        {
            "title": own.title,
            "slug": own.slug,
            "teaser": own.teaser,
            "body": f'<p><img src="{image.file.url}" alt=""></p>',
            "hero_image": image.pk,
            "category": own.category_id,
            "tags": "",
            "status": Article.Status.DRAFT,
            "published_at_0": "",
            "published_at_1": "",
            "seo_title": "",
            "seo_description": "",
        },
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.hero_image == image and list(own.body_images.all()) == [image]

    # In use: the Autor may neither open the delete page nor delete it in bulk.
    assert client.get(admin_url("articles.image", "delete", image)).status_code == 403
    response = client.post(
        admin_url("articles.image", "changelist"),
        {"action": "delete_selected", "_selected_action": [image.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Image.objects.filter(pk=image.pk).exists()
    unused = objects["articles.image"]
    response = client.post(admin_url("articles.image", "delete", unused), {"post": "yes"})
    assert response.status_code == 302 and not Image.objects.filter(pk=unused.pk).exists()

    as_role(client, users, "Redaktion")
    response = client.post(admin_url("articles.image", "delete", image), {"post": "yes"})
    assert response.status_code == 302 and not Image.objects.filter(pk=image.pk).exists()
    own.refresh_from_db()
    assert own.hero_image is None


def test_autor_cannot_merge_tags_even_by_calling_the_page(client, users, objects):
    as_role(client, users, "Autor")
    response = client.post(reverse("admin:articles_tag_merge"), {"name": "Alles"})
    assert response.status_code == 403
    assert not Tag.objects.filter(name="Alles").exists()


# --- pages outside the model admin ---------------------------------------------------------

PAGE_MATRIX = {
    # The Newsletter role sees every article (to pick them for an issue), as moderators do.
    "article preview": {"Redaktion", "Moderation", "Newsletter", "superuser"},
    "own article preview": {"Redaktion", "Autor", "Moderation", "Newsletter", "superuser"},
    "comment personal data": {"Moderation", "superuser"},
    "subscriber consent proof": {"Newsletter", "superuser"},
    "tag merge page": {"Redaktion", "superuser"},
    "issue preview": {"Redaktion", "Newsletter", "superuser"},
    "issue test send": {"Redaktion", "Newsletter", "superuser"},
    "issue send confirmation": {"Newsletter", "superuser"},
    # Newsletter views every article (to pick them for an issue), so it reads their versions.
    "article versions": {"Redaktion", "Moderation", "Newsletter", "superuser"},
    "own article versions": {"Redaktion", "Autor", "Moderation", "Newsletter", "superuser"},
    "article trash": {"Redaktion", "superuser"},
    "comment reply page": {"Moderation", "superuser"},
}


def page_url(page: str, objects) -> str:
    return {
        "article preview": reverse("articles:preview", args=[objects["other_draft"].pk]),
        "own article preview": reverse("articles:preview", args=[objects["own_draft"].pk]),
        "comment personal data": reverse("admin:comments_comment_personal_data"),
        "subscriber consent proof": reverse(
            "admin:newsletter_subscriber_proof", args=[objects["newsletter.subscriber"].pk]
        ),
        "tag merge page": reverse("admin:articles_tag_merge"),
        "issue preview": reverse(
            "admin:newsletter_newsletterissue_preview",
            args=[objects["newsletter.newsletterissue"].pk],
        ),
        "issue test send": reverse(
            "admin:newsletter_newsletterissue_test_send",
            args=[objects["newsletter.newsletterissue"].pk],
        ),
        "issue send confirmation": reverse(
            "admin:newsletter_newsletterissue_send", args=[objects["newsletter.newsletterissue"].pk]
        ),
        "article versions": reverse(
            "admin:articles_article_history", args=[objects["other_draft"].pk]
        ),
        "own article versions": reverse(
            "admin:articles_article_history", args=[objects["own_draft"].pk]
        ),
        "article trash": reverse("admin:articles_article_trash"),
        "comment reply page": reverse(
            "admin:comments_comment_reply", args=[objects["comments.comment"].pk]
        ),
    }[page]


@pytest.mark.parametrize("page", PAGE_MATRIX)
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_role_opens_exactly_its_extra_pages(client, users, objects, role, page):
    response = as_role(client, users, role).get(page_url(page, objects))
    assert (response.status_code == 200) is (role in PAGE_MATRIX[page])


# --- the workplace's own requests (POST), each with the effect it must have or not have -----

WORKPLACE_POST_MATRIX = {
    "restore an older version": {"Redaktion", "Autor", "superuser"},
    "autosave": {"Redaktion", "Autor", "superuser"},
    "presence ping": {"Redaktion", "Autor", "superuser"},
    "empty the trash": {"Redaktion", "superuser"},
    "approve one comment": {"Moderation", "superuser"},
    "reply to a comment": {"Moderation", "superuser"},
}


def workplace_post(client, action: str, objects) -> bool:
    """Send the request as the workplace's pages do; True if it took effect."""
    draft, comment = objects["own_draft"], objects["comments.comment"]
    if action == "restore an older version":
        first = article_versions(draft).last()
        draft.title = "Mein Entwurf, überarbeitet"
        article_save(article=draft)
        client.post(reverse("admin:articles_article_restore", args=[draft.pk, first.pk]))
        draft.refresh_from_db()
        return draft.title == "Mein Entwurf"
    if action == "autosave":
        client.post(reverse("admin:articles_article_autosave", args=[draft.pk]), {"title": "Neu"})
        return ArticleAutosave.objects.filter(article=draft).exists()
    if action == "presence ping":
        response = client.post(reverse("admin:articles_article_presence", args=[draft.pk]))
        return response.status_code == 200 and ArticleEditPresence.objects.exists()
    if action == "empty the trash":
        trashed = article_trash(article=objects["other_draft"])
        client.post(reverse("admin:articles_article_trash"), {"empty": "1"})
        return not Article.objects.filter(pk=trashed.pk).exists()
    if action == "approve one comment":
        client.post(reverse("admin:comments_comment_moderate", args=[comment.pk, "approve"]))
        comment.refresh_from_db()
        return comment.status == Comment.Status.APPROVED
    if action == "reply to a comment":
        client.post(
            reverse("admin:comments_comment_reply", args=[comment.pk]),
            {"text": "Danke für die Rückmeldung zur Gehaltserhöhung!"},
        )
        return Comment.objects.filter(staff_reply=True).exists()
    raise AssertionError(action)


@pytest.mark.parametrize("action", WORKPLACE_POST_MATRIX)
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_role_does_exactly_its_workplace_actions(client, users, objects, role, action):
    took_effect = workplace_post(as_role(client, users, role), action, objects)
    assert took_effect is (role in WORKPLACE_POST_MATRIX[action])


# --- image uploads through CKEditor ---------------------------------------------------------

UPLOADERS = {"Redaktion", "Autor", "superuser"}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_article_writers_upload_images(client, users, role):
    response = as_role(client, users, role).post(
        "/ckeditor/upload/", {"upload": upload("foto.jpg", jpeg_bytes(40, 30))}
    )
    uploaded = response.status_code == 200 and response.json().get("uploaded") in (1, "1")
    assert uploaded is (role in UPLOADERS)


def test_html_file_named_jpg_is_refused_for_an_autor(client, users, settings):
    as_role(client, users, "Autor")
    response = client.post("/ckeditor/upload/", {"upload": upload("foto.jpg", HTML)})
    assert response.status_code == 400
    assert response.json()["uploaded"] == 0
    assert "kein Bild" in response.json()["error"]["message"]
    stored = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert stored == []


# --- the groups themselves -----------------------------------------------------------------


def test_each_role_group_has_exactly_its_permissions():
    for role, names in ROLES.items():
        group = Group.objects.get(name=role)
        granted = {
            f"{app_label}.{codename}"
            for app_label, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert granted == set(names), role


def test_migrate_puts_back_a_role_changed_in_the_admin_and_leaves_other_groups(
    admin_client, objects
):
    redaktion = Group.objects.get(name="Redaktion")
    response = admin_client.post(
        admin_url("auth.group", "change", redaktion), {"name": "Redaktion", "permissions": []}
    )
    assert response.status_code == 302
    assert not redaktion.permissions.exists()
    extra = objects["auth.group"]

    call_command("migrate", verbosity=0)

    assert redaktion.permissions.count() == len(ROLES["Redaktion"])
    assert Group.objects.filter(pk=extra.pk).exists()
