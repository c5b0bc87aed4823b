from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self):
        # Connects the receiver of anymail's tracking signal (bounces, complaints).
        from newsletter import tracking  # noqa: F401
