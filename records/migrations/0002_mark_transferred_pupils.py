"""Files that reached their new school before the sending school's copy became read-only: mark
their pupils (incidents.Pupil.file_transferred_at) as records.services now does."""

from django.db import migrations


def mark(apps, schema_editor):
    Pupil = apps.get_model("incidents", "Pupil")
    Transfer = apps.get_model("records", "Transfer")
    SecureExport = apps.get_model("records", "SecureExport")
    for transfer in Transfer.objects.filter(status="accepted").select_related("to_school"):
        Pupil.objects.filter(pk=transfer.pupil_id, file_transferred_at__isnull=True).update(
            file_transferred_at=transfer.decided_at, file_transferred_to=transfer.to_school.name
        )
    for record in SecureExport.objects.filter(receipt_confirmed_on__isnull=False):
        Pupil.objects.filter(pk=record.pupil_id, file_transferred_at__isnull=True).update(
            file_transferred_at=record.created_at, file_transferred_to=record.recipient_school
        )


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
        ("incidents", "0008_pupil_file_transferred"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
