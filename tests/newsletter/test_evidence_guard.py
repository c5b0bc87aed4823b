"""Consent evidence is append-only in the database itself, whatever way a change comes in."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from newsletter.models import ConsentEvent, Subscriber
from newsletter.services import subscriber_erase

pytestmark = pytest.mark.django_db

TABLE = ConsentEvent._meta.db_table


def refused(change) -> None:
    # A refused statement aborts a PostgreSQL transaction: each try gets its own savepoint.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        change()


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def event(sign_up) -> ConsentEvent:
    sign_up("leserin@gehaltserhöhung.de")
    return ConsentEvent.objects.get()


def test_raw_sql_can_neither_update_nor_delete_evidence(event):
    refused(lambda: raw(f"UPDATE {TABLE} SET user_agent = %s WHERE id = %s", ["böse", event.pk]))
    refused(lambda: raw(f"UPDATE {TABLE} SET subscriber_id = NULL WHERE id = %s", [event.pk]))
    refused(lambda: raw(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk]))
    refused(lambda: raw(f"DELETE FROM {TABLE}", []))

    assert ConsentEvent.objects.get().user_agent == "Testbrowser/1.0"


def test_orm_paths_around_the_guarded_methods_are_refused_too(event):
    refused(lambda: ConsentEvent._base_manager.filter(pk=event.pk).update(page="/gefälscht/"))
    refused(lambda: ConsentEvent._base_manager.filter(pk=event.pk)._raw_delete(connection.alias))
    event.page = "/gefälscht/"
    refused(lambda: super(ConsentEvent, event).save(force_update=True))
    forged = ConsentEvent(
        pk=event.pk, subscriber_id=event.subscriber_id, kind=event.kind, page="/gefälscht/"
    )
    refused(
        lambda: ConsentEvent.objects.bulk_create(
            [forged], update_conflicts=True, unique_fields=["id"], update_fields=["page"]
        )
    )

    assert ConsentEvent.objects.get().page == "/gehalt/gehalt-verhandeln/"


def test_deleting_a_subscriber_outside_the_erasure_path_keeps_the_evidence(event):
    refused(lambda: Subscriber.objects.all().delete())

    assert ConsentEvent.objects.count() == 1


def test_the_erasure_path_may_delete_and_closes_behind_itself(confirmed_subscriber):
    subscriber_erase(subscriber=confirmed_subscriber(), actor="redaktion")

    (erased,) = ConsentEvent.objects.all()
    assert erased.kind == ConsentEvent.Kind.ERASED
    # The permission ended with the erasure: the remaining evidence is guarded again.
    refused(lambda: raw(f"DELETE FROM {TABLE} WHERE id = %s", [erased.pk]))
    assert ConsentEvent.objects.count() == 1
