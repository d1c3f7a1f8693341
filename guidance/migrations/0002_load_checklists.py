from django.db import migrations


def load(apps, schema_editor):
    from guidance.services import load_checklist_versions

    load_checklist_versions(
        model=apps.get_model("guidance", "ChecklistVersion"), using=schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_checklist_version")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
