"""The fixed policies browsers enforce for every page: Content-Security-Policy (reader pages
and the admin) and Permissions-Policy. No environment variable changes them; karriere/settings.py
imports them as the settings django-csp and karriere/middleware.py read."""

from __future__ import annotations

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

# Content-Security-Policy (django-csp, karriere/middleware.py). Reader pages: everything from
# our own origin, no inline scripts or styles; a script that must be inline carries
# nonce="{{ request.csp_nonce }}" (never on a page the page cache stores: the nonce changes
# per response).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The admin and /ckeditor/ (staff only). CKEditor 4 wires its toolbar with onclick= handlers
# and javascript: links and answers uploads with an inline <script>, so scripts and styles may
# be inline here; it frames its upload answer and shows pasted images as data:/blob: URLs.
# No nonce: a nonce would make browsers ignore 'unsafe-inline'.
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
    }
}
# Browser features no page uses are switched off for every page (karriere/middleware.py).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
