from __future__ import annotations

from django.db import models
from wagtail.fields import RichTextField
from wagtail.models import Page


class ArticlePage(Page):
    teaser = models.TextField()
    body = RichTextField()
