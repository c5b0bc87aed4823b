from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from karriere.forms import HoneypotMixin, honeypot_field
from newsletter.models import ConsentText, normalise_email

EMAIL_ERRORS = {
    "required": _("Please enter your e-mail address."),
    "invalid": _("Please enter a valid e-mail address, e.g. name@example.com."),
    "max_length": _("This e-mail address is too long."),
}


class EmailForm(forms.Form):
    """``id_prefix``: the newsletter box and the signup page may share a page, so each names
    its fields' ids (``nl-box-email``, ``nl-page-email``)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, id_prefix: str, **kwargs):
        super().__init__(*args, auto_id=f"{id_prefix}-%s", **kwargs)

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class SignupForm(HoneypotMixin, EmailForm):
    """The signup box and page. The consent checkbox is never pre-ticked, and the form carries
    the version of the consent text it showed, so the evidence names exactly what was agreed."""

    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": _("Please tick the box to confirm that you want the newsletter.")
        },
    )
    website = honeypot_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_text = self._shown_consent_text()

    def _shown_consent_text(self) -> ConsentText | None:
        # A cached page may still show the previous wording: the person agreed to what they saw
        # (versions never change once used), so that version is the one recorded.
        version = self.data.get("consent_version", "") if self.is_bound else ""
        # ASCII digits only: "²" passes isdigit() but is no number for int() or the database.
        is_number = version.isascii() and version.isdecimal() and len(version) < 10
        shown = ConsentText.objects.filter(version=int(version)).first() if is_number else None
        return shown or ConsentText.objects.current()

    def clean(self):
        cleaned = super().clean()
        posted = self.data.get("consent_version", "")
        if "consent" not in self.errors and (
            self.consent_text is None or posted != str(self.consent_text.version)
        ):
            self.add_error(
                "consent", _("The consent text has changed. Please read it and tick the box again.")
            )
        return cleaned
