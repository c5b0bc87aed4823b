# Varnish in front of Karriere (Debian's varnish 7.x; no extra vmods needed).
#
# Django marks every page any reader may share `Cache-Control: public, max-age, s-maxage,
# stale-while-revalidate, stale-if-error` and names what it shows in `Surrogate-Key`
# (article-42 category-3 home …). Varnish keeps exactly those pages (for s-maxage) and
# nothing else; on every change Karriere's purge task (PURGE_VARNISH_URLS=http://127.0.0.1:6081/)
# sends `PURGE` with the changed keys, and each key becomes a ban on the objects naming it
# (the ban lurker removes them in the background; without the xkey vmod this is the way).
#
# Install: cp deploy/varnish/default.vcl /etc/varnish/default.vcl, point the backend at
# gunicorn, `systemctl reload varnish`. TLS is terminated in front (nginx, see deploy/nginx/).
vcl 4.1;

import std;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    # Unhealthy: readers get cached pages up to stale-if-error old instead of an error.
    .probe = {
        .url = "/healthz";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}

# Who may purge: the hosts running Karriere's worker.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # Keys are [a-z0-9-] (karriere/purge.py); anything else is refused.
        if (req.http.Surrogate-Key !~ "^[a-z0-9-]+( [a-z0-9-]+)*$") {
            return (synth(400, "Bad Surrogate-Key"));
        }
        # One ban for all keys: objects whose Surrogate-Key names one of them (no spaces in
        # the expression: ban() splits its argument on them).
        ban("obj.http.Surrogate-Key ~ (^|\s)(" + regsuball(req.http.Surrogate-Key, " ", "|") + ")(\s|$)");
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Personal states bypass the cache, as in Django: logged in (session), a pending message,
    # the reader's own comment awaiting moderation.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages|karriere_eigene_kommentare)=") {
        return (pass);
    }
    # Any other cookie changes no page.
    unset req.http.Cookie;
    # Campaign parameters change no page either: one object per page, not per newsletter link.
    set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z]+|fbclid|gclid|mc_[a-z]+)=[^&]*&?", "");
    set req.url = regsub(req.url, "[?&]$", "");
    # Stale content for up to stale-while-revalidate while a fresh copy is fetched; when the
    # backend is down, up to stale-if-error (beresp.grace below).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    return (hash);
}

sub vcl_backend_response {
    # Only what Django says every reader may share (never a response setting a cookie).
    if (beresp.http.Cache-Control !~ "(^|,\s*)public" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # TTL comes from s-maxage (Varnish reads it); keep objects for stale-if-error.
    set beresp.grace = 24h;
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys are for Varnish; a CDN in front gets its own from Django (SURROGATE_KEY_HEADERS).
    unset resp.http.Surrogate-Key;
}
