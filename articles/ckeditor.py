"""CKEditor's image browser and upload, backed by the image library.

"Server durchsuchen" opens our library page (thumbnails, titles, credits, search, and an upload
form that asks for the credit and licence); "Einfügen" hands the image to CKEditor's dialog.
The dialog's own upload tab and pasted images also become library images, listed under "ohne
Bildnachweis" until someone records the credit. Every file passes the Pillow check of
``articles.images.validate_image_upload``; django-ckeditor's own views (which store any file
and answer in English) are not routed.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import re_path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.forms import ImageUploadForm
from articles.images import validate_image_upload
from articles.media import Image

BROWSE_LIMIT = 60


def _func_num(request: HttpRequest) -> str:
    """CKEditor's callback number for the dialog's upload, or "" (ASCII digits only)."""
    func_num = request.GET.get("CKEditorFuncNum", "")
    return func_num if func_num.isascii() and func_num.isdecimal() else ""


def _callback(request: HttpRequest, url: str, message: str) -> HttpResponse:
    func_num = _func_num(request)
    # The dialog expects this callback page (CKEditor 4's protocol).
    text = json.dumps(message).replace("<", "\\u003c")
    address = json.dumps(url).replace("<", "\\u003c")
    return HttpResponse(
        f"<script>window.parent.CKEDITOR.tools.callFunction({func_num}, {address}, {text});"
        "</script>"
    )


def _refuse(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    if _func_num(request):
        return _callback(request, "", message)
    return JsonResponse({"uploaded": 0, "error": {"message": message}}, status=status)


# CKEditor 4 posts without Django's CSRF token (as django-ckeditor's own view, which is
# csrf_exempt too); the session cookie is SameSite=Lax, so no other site can post as staff.
@csrf_exempt
@staff_member_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("articles.add_image"):
        return _refuse(request, _("Only people who write articles may upload images."), 403)
    uploaded = request.FILES.get("upload")
    if uploaded is None:
        return _refuse(request, _("Please choose an image to upload."))
    try:
        validate_image_upload(uploaded)
    except ValidationError as error:
        return _refuse(request, error.messages[0])
    title = PurePosixPath(uploaded.name).stem.replace("_", " ").replace("-", " ")[:200]
    image = Image(file=uploaded, title=title or _("Image"), uploaded_by=request.user)
    image.save()
    url = image.file.url
    message = _(
        "Image saved in the library. Please add its credit and licence there "
        "(filter “without credit”)."
    )
    if _func_num(request):
        return _callback(request, url, message)
    return JsonResponse({"uploaded": 1, "fileName": PurePosixPath(url).name, "url": url})


@never_cache
@staff_member_required
def browse(request: HttpRequest) -> HttpResponse:
    """The library for CKEditor's "Server durchsuchen" window: pick an image or add one."""
    if not request.user.has_perm("articles.view_image"):
        raise PermissionDenied
    form = None
    if request.user.has_perm("articles.add_image"):
        form = ImageUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            image = form.save(commit=False)
            image.uploaded_by = request.user
            image.save()
            return redirect(f"{request.path}?{_query(request, neu=image.pk)}")
    elif request.method == "POST":
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    images = Image.objects.all()
    if query:
        images = images.filter(
            Q(title__icontains=query) | Q(credit__icontains=query) | Q(caption__icontains=query)
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Image library"),
        "images": images[:BROWSE_LIMIT],
        "query": query,
        "form": form,
        "new_id": request.GET.get("neu", ""),
        "func_num": request.GET.get("CKEditorFuncNum", ""),
        "keep": _query(request),
    }
    return render(request, "articles/image_browser.html", context)


def _query(request: HttpRequest, **extra) -> str:
    """The query string CKEditor opened the window with (it needs CKEditorFuncNum back)."""
    params = request.GET.copy()
    for name in ("neu", "q"):
        params.pop(name, None)
    for name, value in extra.items():
        params[name] = value
    return params.urlencode()


urlpatterns = [
    re_path(r"^upload/", upload, name="ckeditor_upload"),
    re_path(r"^browse/", browse, name="ckeditor_browse"),
]
