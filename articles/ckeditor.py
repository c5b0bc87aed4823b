"""CKEditor's upload endpoint, hardened.

django-ckeditor's own view stores any file it gets (non-images too unless configured) and
answers in English. Ours is staff-only, runs the same Pillow check as hero images (so SVG and
an HTML file named ``.jpg`` are refused) and answers CKEditor with a German message.
"""

from __future__ import annotations

import json

from ckeditor_uploader import views as ckeditor_views
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import re_path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.images import validate_image_upload


def _refuse(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    func_num = request.GET.get("CKEditorFuncNum", "")
    if func_num.isascii() and func_num.isdecimal():
        # The file-browser dialog expects this callback page (CKEditor 4's protocol).
        text = json.dumps(message).replace("<", "\\u003c")
        return HttpResponse(
            f"<script>window.parent.CKEDITOR.tools.callFunction({func_num}, '', {text});</script>"
        )
    return JsonResponse({"uploaded": 0, "error": {"message": message}}, status=status)


# CKEditor 4 posts without Django's CSRF token (as django-ckeditor's own view, which is
# csrf_exempt too); the session cookie is SameSite=Lax, so no other site can post as staff.
@csrf_exempt
@staff_member_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm("articles.add_article") or user.has_perm("articles.change_article")):
        return _refuse(request, _("Only people who write articles may upload images."), 403)
    uploaded = request.FILES.get("upload")
    if uploaded is None:
        return _refuse(request, _("Please choose an image to upload."))
    try:
        validate_image_upload(uploaded)
    except ValidationError as error:
        return _refuse(request, error.messages[0])
    return ckeditor_views.upload(request)


urlpatterns = [
    re_path(r"^upload/", upload, name="ckeditor_upload"),
    re_path(
        r"^browse/",
        never_cache(staff_member_required(ckeditor_views.browse)),
        name="ckeditor_browse",
    ),
]
