"""Every note and decision has the date it happened (0008 gave the earlier ones theirs)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_when_it_happened")]

    operations = [
        migrations.AlterField(
            "casenote", "happened_on", models.DateField("Date it happened")
        ),
        migrations.AlterField(
            "decision", "happened_on", models.DateField("Date of the decision")
        ),
    ]
