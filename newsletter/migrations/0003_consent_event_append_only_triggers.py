from django.db import migrations

# Consent evidence is append-only in the database itself: UPDATE is always refused, DELETE only
# inside newsletter.evidence.evidence_erasure() (the erasure and purge paths). See that module.
POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION newsletter_consentevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('karriere.consent_evidence_erasure', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'consent evidence is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER newsletter_consentevent_append_only
    BEFORE UPDATE OR DELETE ON newsletter_consentevent
    FOR EACH ROW EXECUTE FUNCTION newsletter_consentevent_append_only();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS newsletter_consentevent_append_only ON newsletter_consentevent;
DROP FUNCTION IF EXISTS newsletter_consentevent_append_only();
"""
SQLITE_CREATE = [
    """
    CREATE TRIGGER newsletter_consentevent_no_update
    BEFORE UPDATE ON newsletter_consentevent
    BEGIN
        SELECT RAISE(ABORT, 'consent evidence is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER newsletter_consentevent_no_delete
    BEFORE DELETE ON newsletter_consentevent
    WHEN NOT karriere_consent_evidence_erasure()
    BEGIN
        SELECT RAISE(ABORT, 'consent evidence is append-only: DELETE refused');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS newsletter_consentevent_no_update",
    "DROP TRIGGER IF EXISTS newsletter_consentevent_no_delete",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0002_initial_consent_text")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
