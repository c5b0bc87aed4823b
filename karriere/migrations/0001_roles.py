from django.db import migrations


def create_roles(apps, schema_editor):
    from karriere.roles import sync_roles

    sync_roles(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "__first__"),
        ("articles", "0001_initial"),
        ("comments", "0001_initial"),
        ("newsletter", "0001_initial"),
    ]

    # The groups are kept afterwards by the post_migrate sync (karriere/apps.py); undoing this
    # migration leaves them in place.
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
