from __future__ import annotations

from django import forms
from django.db import models

from articles.media import Image


def https_url_fields(field: models.Field, **kwargs) -> forms.Field | None:
    """Form fields as usual, but addresses typed without a scheme are read as https://."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ImageUploadForm(forms.ModelForm):
    """A new library image with its rights, as CKEditor's image browser asks for it."""

    class Meta:
        model = Image
        formfield_callback = https_url_fields
        fields = [
            "file", "title", "alt_text", "decorative", "caption", "credit", "licence",
            "licence_version", "source_url", "licence_until",
        ]  # fmt: skip
        widgets = {"licence_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
