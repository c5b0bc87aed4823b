from django.db import migrations

# The first version of the wording; editors add later versions in the admin.
INITIAL_TEXT = (
    "Ja, ich möchte den Karriere-Newsletter mit regelmäßigen Tipps zu Karriere & Weiterbildung "
    "per E-Mail erhalten. Meine Einwilligung kann ich jederzeit über den Abmeldelink in jeder "
    "E-Mail widerrufen."
)


def add_initial_text(apps, schema_editor):
    ConsentText = apps.get_model("newsletter", "ConsentText")
    if not ConsentText.objects.exists():
        ConsentText.objects.create(version=1, text=INITIAL_TEXT)


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0001_initial")]

    operations = [migrations.RunPython(add_initial_text, migrations.RunPython.noop)]
