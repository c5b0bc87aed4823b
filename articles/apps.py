from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        import reversion

        from articles.schedule import next_reader_change
        from karriere import fragments

        # No cached part of a page outlives the next scheduled publication or licence end.
        fragments.bound_by(next_reader_change)
        fragments.on_every_page("nav", "top-articles")

        Article = self.get_model("Article")
        # Tags are followed into each revision (as versions of the tag objects), so a revision
        # knows the article's tags at the time; derived and counted fields are left out.
        tag_model = Article._meta.get_field("tags").remote_field.model
        if not reversion.is_registered(tag_model):
            reversion.register(tag_model)
        reversion.register(
            Article,
            exclude=[
                "tags",
                "body_html",
                "body_images",
                "view_count",
                "comment_count",
                "like_count",
                "search_vector",
                "preview_key",
                "reading_time",
            ],
            follow=["tags"],
        )
