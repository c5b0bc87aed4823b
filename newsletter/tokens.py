"""The secrets of the newsletter: confirmation tokens, unsubscribe tokens and keyed hashes.

No e-mail address ever appears in a URL, and nothing stored lets anyone rebuild a link or an
address: confirmation tokens are stored as SHA-256, addresses on the suppression list and client
IPs as HMACs keyed from ``SECRET_KEY``. Rotating ``SECRET_KEY`` makes the suppression list stop
matching (re-add the hashes under the new key); old unsubscribe links keep working while the old
key is listed in ``SECRET_KEY_FALLBACKS``.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.core import signing
from django.utils.crypto import salted_hmac

UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


def new_confirm_token() -> str:
    return secrets.token_urlsafe(32)  # 32 random bytes


def hash_confirm_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def address_hash(email: str) -> str:
    return salted_hmac("newsletter.address", email.strip().lower(), algorithm="sha256").hexdigest()


def ip_hash(ip: str) -> str:
    return salted_hmac("newsletter.ip", ip, algorithm="sha256").hexdigest()


def unsubscribe_token(public_id: uuid.UUID) -> str:
    # Not timestamped: an unsubscribe link in a years-old mail must still work.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(public_id.hex)


def read_unsubscribe_token(token: str) -> uuid.UUID:
    """The subscriber's public id; raises ``signing.BadSignature`` for a forged token."""
    value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    try:
        return uuid.UUID(hex=value)
    except ValueError as error:
        raise signing.BadSignature("Not a subscriber id.") from error
