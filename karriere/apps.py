from __future__ import annotations

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.core.servers import basehttp
from django.db.models.signals import post_migrate

DEV_SERVER_BACKLOG = 1024


def _sync_roles_after_migrate(sender, using, apps=global_apps, **kwargs):
    # migrate passes the migrated state as `apps`; flush sends the signal without it.
    from karriere.roles import sync_roles

    sync_roles(apps=apps, using=using)


class KarriereConfig(AppConfig):
    name = "karriere"
    verbose_name = "Karriere"

    def ready(self):
        # `make run` serves with Django's threaded development server, which listens with a
        # backlog of 10: 32 readers' beacons at once overflow it and the kernel resets the
        # extra connections (views lost). Gunicorn listens with 2048.
        basehttp.WSGIServer.request_queue_size = DEV_SERVER_BACKLOG
        # Django sends post_migrate once per app with models; listen to auth's signal only:
        # once per migrate (and per flush, which empties the groups table too).
        post_migrate.connect(
            _sync_roles_after_migrate,
            sender=self.apps.get_app_config("auth"),
            dispatch_uid="karriere.roles.sync",
        )
        from karriere import dependencies, tasks
        from karriere.labels import german_app_names

        german_app_names()
        dependencies.on_invalidated(tasks.purge_later)
