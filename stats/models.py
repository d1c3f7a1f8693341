"""The statistics summary: the dashboard's figures counted ahead, by school and month.

`SummaryCount` holds, for each school and month (the month a case was reported, in UK time),
how many cases fall in each group of each measure (kind, type, outcome, referral line, factor,
year-group band, and whole hours to acknowledgement and to first decision): the same GROUP BYs
as `stats.queries`, kept so a trust's dashboard adds up a few thousand rows instead of a
year of cases. `SummaryStale` is the outbox that keeps it right: database triggers (migration
0002) add a row for each school and month whose cases changed, in the same transaction as the
change, whatever wrote it; `stats.summary.catch_up` recounts those months. No names, no free
text, no case ids: schools, months, enums and counts only.
"""

from django.db import models

from safeguarding.models import School


class SummaryCount(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month the cases were reported in.")
    measure = models.CharField(max_length=20)
    key = models.CharField(max_length=60)
    key2 = models.CharField(max_length=60, blank=True)
    cases = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "month", "measure", "key", "key2"],
                name="stats_summary_one_row_per_group",
            )
        ]
        indexes = [models.Index(fields=["measure", "month"], name="stats_summary_measure_month")]


class SummaryStale(models.Model):
    """A school's month whose summary rows must be recounted (written by triggers only).
    Append-only: a recount deletes the rows it saw, never one committed after it looked."""

    id = models.BigAutoField(primary_key=True)
    school_id = models.BigIntegerField()
    month = models.DateField()
