"""What the reader forms of every app share: the honeypot against naive bots."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def honeypot_field() -> forms.CharField:
    """A field hidden from people by CSS (and skipped by the tab key) that naive bots fill in."""
    return forms.CharField(
        label=_("Please leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class HoneypotMixin:
    """``is_bot``: the form's honeypot (the field named ``honeypot_name``) was filled in. The
    view then answers as if all went well and stores nothing, so the bot learns nothing."""

    honeypot_name = "website"

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get(self.honeypot_name))
