"""German admin labels for third-party apps.

App names are set on the app configs (``german_app_names``; some are plain English strings,
not marked for translation). Everything else the apps mark for translation themselves but
their catalogues lack in German (django-tasks-db has none; "Flat Pages" stays English in
Django's); the strings are listed here so that ``make messages`` keeps them in our catalogue,
which Django searches before the apps' own.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

APP_NAMES = {
    "axes": _("Login lockouts"),
    "flatpages": _("Pages"),
    "taggit": _("Tags"),
    "django_tasks_database": _("Task queue"),
    "reversion": _("Versions"),
}

MARKED_BY_THE_APPS = [
    # django.contrib.flatpages
    _("flat page"), _("flat pages"),
    # axes
    _("Locked Out"),
    # django-tasks and django-tasks-db
    pgettext_lazy("Task", "Ready"), pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"), pgettext_lazy("Task", "Successful"),
    _("Task Result"), _("Task Results"), _("enqueued at"), _("started at"), _("finished at"),
    _("args kwargs"), _("priority"), _("task path"), _("worker id"), _("queue name"),
    _("backend name"), _("run after"), _("return value"), _("exception class path"),
    _("traceback"),
]  # fmt: skip


def german_app_names() -> None:
    for label, name in APP_NAMES.items():
        if apps.is_installed(label) or label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name
