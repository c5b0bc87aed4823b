from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from karriere import views

admin.site.site_header = format_lazy("{} – {}", settings.SITE_NAME, _("Editorial office"))
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = _("Administration")
# The app list stays on the start page; without the side bar the article and comment lists
# fit a 1366 px laptop screen with all their columns.
admin.site.enable_nav_sidebar = False

handler400 = "karriere.views.bad_request"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
    # Our hardened CKEditor upload (staff-only, Pillow-checked images); see articles/ckeditor.py.
    path("ckeditor/", include("articles.ckeditor")),
    path("newsletter/", include("newsletter.urls")),
    path("kommentare/", include("comments.urls")),
    # Bounce and complaint webhooks of e-mail services: /anymail/<service>/tracking/
    path("anymail/", include("anymail.urls")),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
