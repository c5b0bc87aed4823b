from __future__ import annotations

from django import forms

from articles.media import Image


class ImageUploadForm(forms.ModelForm):
    """A new library image with its rights, as CKEditor's image browser asks for it."""

    class Meta:
        model = Image
        fields = [
            "file", "title", "alt_text", "decorative", "caption", "credit", "licence",
            "licence_version", "source_url", "licence_until",
        ]  # fmt: skip
        widgets = {"licence_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
