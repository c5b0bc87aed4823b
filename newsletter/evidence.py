"""The database's own guard on consent evidence.

``ConsentEvent`` rows are append-only in the model, but a queryset on ``_base_manager``,
``bulk_create(update_conflicts=True)`` or raw SQL would get past the model. Triggers (migration
``newsletter/migrations/0003_consent_event_append_only_triggers.py``) refuse every UPDATE and
every DELETE of ``newsletter_consentevent`` in the database itself, except inside
``evidence_erasure()``: the one documented way to remove evidence (the right to erasure,
``services.subscriber_erase``, and the purge of signups that were never confirmed,
``sending.subscribers_purge_unconfirmed``).

The permission is local to the connection (SQLite: a flag the trigger reads through an SQL
function this module registers; PostgreSQL: a transaction-local setting) and ends with the
block. A tool that opens the SQLite file without this function is refused too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.backends.signals import connection_created

# PostgreSQL: the trigger reads this transaction-local setting.
PG_SETTING = "karriere.consent_evidence_erasure"
# SQLite: the trigger calls this function; it answers 1 only inside evidence_erasure().
SQLITE_FUNCTION = "karriere_consent_evidence_erasure"


@contextmanager
def evidence_erasure() -> Iterator[None]:
    """Allow deleting consent events in this block; only inside a transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("Erase evidence inside a transaction.")
    _allow(connection, True)
    try:
        yield
    finally:
        _allow(connection, False)


def _allow(connection, allowed: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, %s, true)", [PG_SETTING, "on" if allowed else "off"]
            )
    else:
        connection.consent_evidence_erasure = allowed


def _register_sqlite_function(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        SQLITE_FUNCTION, 0, lambda: int(getattr(connection, "consent_evidence_erasure", False))
    )


connection_created.connect(_register_sqlite_function, dispatch_uid="newsletter.evidence")
