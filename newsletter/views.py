from __future__ import annotations

from django.core import signing
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from karriere.crossorigin import anonymous_post
from karriere.net import client_ip, client_user_agent
from newsletter import issue_mail, mail, services, tokens
from newsletter.forms import EmailForm, SignupForm
from newsletter.models import ConsentEvent, NewsletterIssue


def _source_page(request: HttpRequest) -> str:
    # The box posts the path of the page it sat on; anything else is not worth recording.
    source = request.POST.get("source", "")
    return source if source.startswith("/") else request.path


@anonymous_post
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    form = SignupForm(request.POST if request.method == "POST" else None, id_prefix="nl-page")
    if not form.is_valid():
        return render(request, "newsletter/signup.html", {"form": form, "source": request.path})
    if not form.is_bot:
        services.subscription_request(
            email=form.cleaned_data["email"],
            consent_text=form.consent_text,
            ip=client_ip(request),
            user_agent=client_user_agent(request),
            page=_source_page(request),
        )
    # The same page whatever the address's state (new, pending, confirmed, unsubscribed,
    # suppressed) or whether a limit applied: nothing here may tell them apart.
    return render(request, "newsletter/signup_done.html")


@never_cache
@anonymous_post
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    # GET only shows a button: mail security scanners follow links, so a GET must not confirm.
    if request.method == "POST":
        state, subscriber = services.subscription_confirm(
            token=token, ip=client_ip(request), user_agent=client_user_agent(request)
        )
    else:
        state, subscriber = services.confirm_token_check(token=token)
    if state is services.ConfirmState.VALID:
        return render(request, "newsletter/confirm.html")
    if state is services.ConfirmState.CONFIRMED:
        context = {"unsubscribe_url": mail.unsubscribe_url(subscriber)}
        return render(request, "newsletter/confirmed.html", context)
    return render(request, "newsletter/link_invalid.html", status=400)


# No CSRF check: this endpoint is authenticated by the signed token in its URL, and RFC 8058
# one-click unsubscribe is a cookie-less POST from the mail provider that cannot carry a CSRF
# token. A forged cross-site POST would need the token, and whoever has it may unsubscribe anyway.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        public_id = tokens.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "newsletter/link_invalid.html", status=400)
    if request.method != "POST":  # GET and HEAD only show the button
        return render(request, "newsletter/unsubscribe.html")
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    services.subscription_unsubscribe(
        public_id=public_id,
        channel=ConsentEvent.Channel.ONE_CLICK if one_click else ConsentEvent.Channel.WEB,
    )
    issue_id = request.GET.get("ausgabe", "")
    if issue_id.isdigit():
        services.delivery_unsubscribed(issue_id=int(issue_id), public_id=public_id)
    # 200 with the result, never a redirect: RFC 8058 clients do not follow redirects.
    return render(request, "newsletter/unsubscribed.html")


@anonymous_post
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_request(request):
    form = EmailForm(request.POST if request.method == "POST" else None, id_prefix="nl-unsub")
    if not form.is_valid():
        return render(request, "newsletter/unsubscribe_request.html", {"form": form})
    services.unsubscribe_link_request(email=form.cleaned_data["email"], ip=client_ip(request))
    return render(request, "newsletter/unsubscribe_request_done.html")


@require_GET
def archive(request):
    issues = NewsletterIssue.objects.archived().only("pk", "subject", "preheader", "started_at")
    return render(request, "newsletter/issue_archive.html", {"issues": issues})


@require_GET
def issue(request, pk):
    # The web version: the same content as the mail, with no personal link in it.
    issue = get_object_or_404(NewsletterIssue.objects.archived(), pk=pk)
    return render(request, "newsletter/issue_detail.html", issue_mail.issue_context(issue))
