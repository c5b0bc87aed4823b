from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# The length every model stores of a browser's User-Agent header.
USER_AGENT_MAX_LENGTH = 500


def client_ip(request: HttpRequest) -> str:
    """The reader's IP address, for rate limits and abuse handling.

    ``X-Forwarded-For`` is trusted only behind ``TRUSTED_PROXY_COUNT`` proxies that each append
    the address they saw; the client is then the entry that many places from the right. Anything
    further left may be forged by the client and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return remote


def client_user_agent(request: HttpRequest) -> str:
    """The browser's User-Agent header, cut to what the models store."""
    return request.headers.get("User-Agent", "")[:USER_AGENT_MAX_LENGTH]
