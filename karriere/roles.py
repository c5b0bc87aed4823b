"""The four editorial roles as Django groups, defined here and synced on every migrate.

A role is a group whose permissions are exactly the ones listed below: ``migrate`` (and so every
deploy) puts them back if someone changed them in the admin, so the promises of the role matrix
(``tests/karriere/test_roles.py``) hold. To give one person more, add them to a second group
(groups created in the admin are left alone). Users, groups, sites, flatpages, login throttling
and the task queue are for superusers only. Staff status (``is_staff``) is still set per user.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS


def _crud(label: str, *actions: str) -> list[str]:
    app_label, model = label.split(".")
    return [
        f"{app_label}.{action}_{model}" for action in actions or ("add", "change", "delete", "view")
    ]


ROLES: dict[str, list[str]] = {
    "Redaktion": [
        *_crud("articles.article"),
        "articles.publish_article",
        "articles.change_any_article",
        "articles.empty_trash",
        *_crud("articles.category"),
        *_crud("articles.author"),
        *_crud("articles.slugredirect"),
        *_crud("articles.image"),
        "articles.delete_used_image",
        # Licence reminders that did not reach the Redaktion, and "Erneut senden".
        *_crud("articles.imagelicencereminder", "view"),
        "articles.resend_mail",
        *_crud("articles.tag"),
        # A consent text that readers agreed to is evidence: editors add new versions only.
        *_crud("newsletter.consenttext", "add", "view"),
        # Compose newsletter issues (and test them), but not send them.
        *_crud("newsletter.newsletterissue"),
        *_crud("newsletter.issuearticle"),
    ],
    "Autor": [
        # Without change_any_article the article admin shows and saves only their own
        # articles; without publish_article they cannot set "published" or edit a live one.
        *_crud("articles.article", "add", "change", "view"),
        # Images: upload, describe and use any; delete only those no article uses (the image
        # admin asks for delete_used_image, which only the Redaktion has).
        *_crud("articles.image"),
        *_crud("articles.category", "view"),
        # The byline and tag fields search these through the admin's autocomplete.
        *_crud("articles.author", "view"),
        *_crud("articles.tag", "view"),
    ],
    "Moderation": [
        *_crud("comments.comment", "change", "delete", "view"),
        "comments.export_comment_data",
        *_crud("comments.moderationword"),
        # Notifications that did not reach the moderators, and "Erneut senden".
        *_crud("comments.moderatormail", "view"),
        "comments.resend_mail",
        *_crud("articles.article", "view"),
        # The read-only article form links its hero image.
        *_crud("articles.image", "view"),
        # Scope, not editing: lets the article admin list every article, not only their own.
        # Editing still needs change_article, which moderators do not have.
        "articles.change_any_article",
    ],
    "Newsletter": [
        *_crud("newsletter.subscriber", "view"),
        "newsletter.export_subscriber",
        "newsletter.erase_subscriber",
        *_crud("newsletter.consentevent", "view"),
        *_crud("newsletter.consenttext", "view"),
        *_crud("newsletter.suppression", "view"),
        # Confirmation and unsubscribe mails that did not arrive, and "Erneut senden".
        *_crud("newsletter.subscribermail", "view"),
        "newsletter.resend_mail",
        *_crud("newsletter.newsletterissue"),
        *_crud("newsletter.issuearticle"),
        "newsletter.send_newsletterissue",
        *_crud("newsletter.delivery", "view"),
        *_crud("newsletter.welcomemail", "add", "change", "view"),
        # Picking articles for an issue (autocomplete) needs to see them all, not change them.
        *_crud("articles.article", "view"),
        "articles.change_any_article",
        # The read-only article form links its hero image.
        *_crud("articles.image", "view"),
    ],
}


def sync_roles(*, apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the role groups and set their permissions to exactly those in ``ROLES``.

    ``apps`` is the registry to read models from: the historical one inside a migration or a
    ``post_migrate`` handler, the real one elsewhere.
    """
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:  # auth is not migrated yet (e.g. `migrate contenttypes`).
        return
    wanted = {name for names in ROLES.values() for name in names}
    app_labels = {name.split(".")[0] for name in wanted}
    # Permissions are normally created after all migrations, app by app; the roles may be
    # synced before that, so make sure the ones they name exist.
    for app_label in app_labels:
        create_permissions(
            global_apps.get_app_config(app_label), verbosity=0, apps=apps, using=using
        )
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using)
        .filter(content_type__app_label__in=app_labels)
        .values_list("pk", "content_type__app_label", "codename")
    }
    for role, names in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        # A permission of a model that a migration adds later is skipped here and granted by
        # the sync after that migration; test_roles checks that nothing is missing in the end.
        group.permissions.set([by_name[name] for name in names if name in by_name])
