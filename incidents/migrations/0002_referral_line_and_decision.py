"""The referral line becomes three-valued (yes / not known yet / no) instead of a yes/no flag
that read "not known" as "no", and the incident carries the DSL's current decision."""

from django.db import migrations, models

REFERRAL_CHOICES = [("yes", "Yes"), ("not_known", "Not known yet"), ("no", "No")]


def referral_from_the_outcome(apps, schema_editor):
    """Yes where the flag said so; where it said no, "not known yet" if the checklist left any
    referral factor open (that was shown as "No"), else no. An outcome without factors (not
    written by the checklist) cannot say no: not known yet."""
    Incident = apps.get_model("incidents", "Incident")
    for incident in Incident.objects.only("pk", "immediate_referral", "outcome").iterator():
        outcome = incident.outcome or {}
        if incident.immediate_referral or outcome.get("referral_factors"):
            referral = "yes"
        elif outcome.get("unknown_factors") or "referral_factors" not in outcome:
            referral = "not_known"
        else:
            referral = "no"
        Incident.objects.filter(pk=incident.pk).update(referral=referral)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="referral",
            field=models.CharField(
                choices=REFERRAL_CHOICES,
                default="not_known",
                help_text="The checklist's referral line when the concern was reported.",
                max_length=10,
            ),
        ),
        migrations.RunPython(referral_from_the_outcome, migrations.RunPython.noop),
        migrations.RemoveField(model_name="incident", name="immediate_referral"),
        migrations.AddField(
            model_name="incident",
            name="decided_referral",
            field=models.CharField(blank=True, choices=REFERRAL_CHOICES, max_length=10),
        ),
        migrations.AddField(
            model_name="incident",
            name="decided_urgency",
            field=models.CharField(
                blank=True,
                choices=[
                    ("call_999", "Call 999 now"),
                    ("tell_dsl_now", "Tell the DSL now"),
                    ("dsl_review_today", "DSL to review today"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="decided_typology",
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
            model_name="incident",
            name="decided_sextortion",
            field=models.BooleanField(blank=True, null=True),
        ),
    ]
