from __future__ import annotations

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, using, apps=global_apps, **kwargs):
    # migrate passes the migrated state as `apps`; flush sends the signal without it.
    from karriere.roles import sync_roles

    sync_roles(apps=apps, using=using)


class KarriereConfig(AppConfig):
    name = "karriere"
    verbose_name = "Karriere"

    def ready(self):
        # Django sends post_migrate once per app with models; this app has none, so listen to
        # auth's signal: once per migrate (and per flush, which empties the groups table too).
        post_migrate.connect(
            _sync_roles_after_migrate,
            sender=self.apps.get_app_config("auth"),
            dispatch_uid="karriere.roles.sync",
        )
        from karriere.labels import german_app_names

        german_app_names()
