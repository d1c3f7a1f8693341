"""Each school's (or its trust's) term dates and the days it is closed within them.

A school uses its own dates when it has entered any, else its trust's. `terms.school_days`
turns them into what counts as a school day; deadlines and escalations read that.
"""

from django.db import models
from django.db.models import F, Q

from safeguarding.models import School, Trust


class TermDate(models.Model):
    class Kind(models.TextChoices):
        TERM = "term", "Term"
        CLOSED = "closed", "Closed (holiday, half term, training day)"

    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="term_dates"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="term_dates"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                name="term_date_belongs_to_a_school_or_a_trust",
                condition=(
                    Q(school__isnull=False, trust__isnull=True)
                    | Q(school__isnull=True, trust__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="term_date_ends_after_it_starts", condition=Q(ends_on__gte=F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.get_kind_display()}: {self.starts_on} to {self.ends_on}"
