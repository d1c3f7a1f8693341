"""Notes, decisions, referrals and initial reviews carry when it happened apart from when it was
recorded: a date (referrals and reviews had theirs) and, if known, a time. Notes and decisions
recorded before this happened when they were recorded, as far as anyone can now say."""

from django.db import migrations, models
from django.utils import timezone


def when_recorded(apps, schema_editor):
    for name in ("CaseNote", "Decision"):
        model = apps.get_model("cases", name)
        for row in model.objects.filter(happened_on__isnull=True).only("recorded_at"):
            recorded = timezone.localtime(row.recorded_at)
            row.happened_on = recorded.date()
            row.happened_time = recorded.time()
            row.save(update_fields=["happened_on", "happened_time"])


TIME = dict(help_text="When it happened, if the time is known.", null=True, blank=True)


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_search_indexes")]

    operations = [
        migrations.AddField("casenote", "happened_time", models.TimeField(**TIME)),
        migrations.AddField("decision", "happened_time", models.TimeField(**TIME)),
        migrations.AddField("referral", "happened_time", models.TimeField(**TIME)),
        migrations.AddField("reviewmeeting", "happened_time", models.TimeField(**TIME)),
        migrations.AddField(
            "casenote", "happened_on", models.DateField("Date it happened", null=True)
        ),
        migrations.AddField(
            "decision", "happened_on", models.DateField("Date of the decision", null=True)
        ),
        migrations.RunPython(when_recorded, migrations.RunPython.noop),
    ]
