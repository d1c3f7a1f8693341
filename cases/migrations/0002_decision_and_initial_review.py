"""The DSL's decision covers referral (three-valued), urgency, typology and sextortion, each
with its reason; the initial review carries the DSL's answers to the checklist's review
questions and the checklist's outcome over them."""

from django.db import migrations, models

REFERRAL_CHOICES = [("yes", "Yes"), ("not_known", "Not known yet"), ("no", "No")]


def decisions_from_overrides(apps, schema_editor):
    """An override's yes/no becomes the three-valued referral; its one reason explained both
    the referral and the urgency. The latest override of each case is its current decision."""
    TriageOverride = apps.get_model("cases", "TriageOverride")
    Incident = apps.get_model("incidents", "Incident")
    latest = {}
    for row in TriageOverride.objects.order_by("recorded_at", "id").iterator():
        row.referral = "yes" if row.immediate_referral else "no"
        row.referral_reason = row.urgency_reason = row.reason
        row.save(update_fields=["referral", "referral_reason", "urgency_reason"])
        latest[row.incident_id] = row
    for incident_id, row in latest.items():
        Incident.objects.filter(pk=incident_id).update(
            decided_referral=row.referral, decided_urgency=row.urgency
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("incidents", "0002_referral_line_and_decision"),
    ]

    operations = [
        migrations.AddField(
            model_name="triageoverride",
            name="referral",
            field=models.CharField(choices=REFERRAL_CHOICES, default="no", max_length=10),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="triageoverride",
            name="referral_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="triageoverride",
            name="urgency_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="triageoverride",
            name="typology",
            field=models.CharField(
                blank=True,
                choices=[
                    ("aggravated", "Aggravated"),
                    ("experimental", "Experimental"),
                    ("not_yet_known", "Not yet known"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="triageoverride",
            name="typology_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="triageoverride",
            name="sextortion",
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="triageoverride",
            name="sextortion_reason",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(decisions_from_overrides, migrations.RunPython.noop),
        migrations.RemoveField(model_name="triageoverride", name="immediate_referral"),
        migrations.RemoveField(model_name="triageoverride", name="reason"),
        migrations.AlterField(
            model_name="reviewmeeting",
            name="attendees",
            field=models.TextField(blank=True, help_text="Who else took part, and their roles."),
        ),
        migrations.AlterField(
            model_name="reviewmeeting",
            name="considered",
            field=models.JSONField(blank=True, default=list, help_text="Consideration values."),
        ),
        migrations.AddField(
            model_name="reviewmeeting",
            name="checklist_version",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="reviewmeeting",
            name="answers",
            field=models.JSONField(
                blank=True, default=dict, help_text="The DSL's answers: question id to value."
            ),
        ),
        migrations.AddField(
            model_name="reviewmeeting",
            name="outcome",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The checklist's outcome over the reporter's and the review's answers.",
            ),
        ),
    ]
