from __future__ import annotations

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments.models import Comment
from karriere.forms import HoneypotMixin, honeypot_field

TIMESTAMP_SALT = "comments.form-timestamp"


def form_timestamp(*, article_id: int) -> str:
    """A signed "the form was opened now" for one article.

    Never part of a page that may be cached (every reader would share one clock): the comment
    form's script fetches it from ``comments:stamp`` when the reader starts on the form, and a
    form sent without one is shown again with a fresh one (``CommentForm.clean_timestamp``).
    """
    return signing.dumps(
        {"article": article_id, "issued": int(timezone.now().timestamp())}, salt=TIMESTAMP_SALT
    )


class CommentTextField(forms.CharField):
    widget = forms.Textarea

    def to_python(self, value):
        # Browsers send line breaks as CRLF; count them as one character, as `maxlength` does.
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class WebsiteField(forms.URLField):
    # Replaces URLField's own validator (which also allows ftp://): with both, a bad address
    # got the same error twice.
    default_validators = [URLValidator(schemes=["http", "https"])]


class CommentForm(HoneypotMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        error_messages={
            "required": _("Please enter your name."),
            "max_length": _(
                "Your name may have at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("will not be published"),
        error_messages={
            "required": _("Please enter your e-mail address."),
            "invalid": _("Please enter a valid e-mail address, e.g. name@example.com."),
            "max_length": _(
                "Your e-mail address may have at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    url = WebsiteField(
        label=_("Website"),
        max_length=200,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": _("Please enter a valid web address starting with http:// or https://."),
            "max_length": _(
                "Your web address may have at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    text = CommentTextField(
        label=_("Comment"),
        max_length=5000,
        error_messages={
            "required": _("Please write a comment."),
            "max_length": _(
                "Your comment may have at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    timestamp = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot; not "website", which readers fill in here.
    phone = honeypot_field()
    honeypot_name = "phone"

    def __init__(self, *args, article: Article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.parent_comment: Comment | None = None

    @property
    def fresh_timestamp(self) -> str:
        """A newly signed timestamp for a re-shown form (a POST answer, never cached): its
        clock starts again."""
        return form_timestamp(article_id=self.article.pk)

    def clean_email(self) -> str:
        # The whole address lower-cased: here it is only a key (flood control, duplicates,
        # known authors, personal-data requests), never mailed. The newsletter mails its
        # addresses, so it keeps the local part as typed (newsletter.models.normalise_email).
        return self.cleaned_data["email"].lower()

    def clean_parent(self) -> int | None:
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        # One level of replies, and only to comments readers can see.
        self.parent_comment = Comment.objects.filter(
            pk=parent_id,
            article=self.article,
            status=Comment.Status.APPROVED,
            parent__isnull=True,
        ).first()
        if self.parent_comment is None:
            raise forms.ValidationError(_("You can only reply to published comments."))
        return parent_id

    def clean_timestamp(self) -> str:
        value = self.cleaned_data.get("timestamp", "")
        if not value:
            # No script ran (or a bot posted straight from the page): the form comes back with
            # the text kept and a timestamp of its own, so sending it again takes a moment.
            raise forms.ValidationError(
                _("Please check your comment once more and send it again to confirm it."),
                code="unconfirmed",
            )
        try:
            payload = signing.loads(value, salt=TIMESTAMP_SALT)
            issued = int(payload["issued"])
            article_id = payload["article"]
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            issued, article_id = None, None
        age = timezone.now().timestamp() - issued if issued is not None else None
        if age is None or article_id != self.article.pk:
            raise forms.ValidationError(
                _("Something went wrong with the form. Please send your comment again.")
            )
        if age < settings.COMMENTS_MIN_SUBMIT_SECONDS:
            raise forms.ValidationError(
                _("That was very quick. Please check your comment and send it again.")
            )
        if age > settings.COMMENTS_MAX_FORM_AGE_SECONDS:
            raise forms.ValidationError(
                _(
                    "The form was open for a long time and has expired. Your text is still "
                    "here: please send it again."
                )
            )
        return value

    @property
    def non_field_and_hidden_errors(self) -> list[str]:
        """Errors with no visible field of their own, shown above the form."""
        errors = list(self.non_field_errors())
        for name in ("parent", "timestamp"):
            errors.extend(self.errors.get(name, []))
        return errors
