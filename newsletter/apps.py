from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self):
        from karriere import fragments

        # Registers the SQL function the consent-evidence triggers call on SQLite.
        # Connects the receiver of anymail's tracking signal (bounces, complaints).
        from newsletter import (
            evidence,  # noqa: F401
            tracking,  # noqa: F401
        )

        # The signup box is in the sidebar of most pages.
        fragments.on_every_page("newsletter-consent")
