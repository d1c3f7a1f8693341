"""The DSL's structured records on a case.

Every row is written by a service in cases/services.py together with one audit event pointing at
it (`data = {"record": "<kind>", "id": <pk>}`): the audit events are the case's timeline, and
these rows hold the words. Rows are never edited (a correction is a new row), except that a
task is marked done.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from guidance.triage import TYPOLOGY_LABELS
from incidents.models import Incident, Pupil, PupilRole, ReferralLine, Status, Urgency

from . import assessment


class CaseRecord(models.Model):
    """Who recorded it and when, on every record."""

    KIND = ""  # the `record` value in the audit event's data

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["recorded_at", "id"]


# An entry recorded more than this long after it happened is marked as recorded late.
RECORDED_LATE_AFTER = timedelta(days=1)


class Happened(models.Model):
    """When it happened, apart from when it was recorded: a date (the field HAPPENED_ON names)
    and the time, when the DSL gives one. The chronology is ordered by it."""

    HAPPENED_ON = "happened_on"

    happened_time = models.TimeField(
        null=True, blank=True, help_text="When it happened, if the time is known."
    )

    class Meta:
        abstract = True

    @property
    def happened_date(self) -> date | None:
        return getattr(self, self.HAPPENED_ON)

    @property
    def happened_at(self) -> datetime:
        """The moment to order it by. A date without a time is 'some time that day': the moment
        it was recorded if that was the same day, else the day's end (after what is known to
        have happened that day). A time within the minute it was recorded is the recording."""
        recorded = timezone.localtime(self.recorded_at)
        day = self.happened_date
        if day is None:
            return recorded
        if self.happened_time is None:
            if day == recorded.date():
                return recorded
            return timezone.make_aware(datetime.combine(day, time.max))
        moment = timezone.make_aware(datetime.combine(day, self.happened_time))
        if timedelta(0) <= recorded - moment < timedelta(minutes=1):
            return recorded
        return moment

    @property
    def recorded_late(self) -> bool:
        """Recorded more than a day after it happened (for a date alone, two days on or more)."""
        day = self.happened_date
        if day is None:
            return False
        if self.happened_time is None:
            return (timezone.localdate(self.recorded_at) - day).days > RECORDED_LATE_AFTER.days
        return self.recorded_at - self.happened_at > RECORDED_LATE_AFTER

    @property
    def days_late(self) -> int:
        """Calendar days from when it happened to when it was recorded."""
        return (timezone.localdate(self.recorded_at) - self.happened_date).days

    @property
    def recorded_late_words(self) -> str:
        """'Recorded 3 days later, on 7 December 2026' when recorded late, else ''."""
        if not self.recorded_late:
            return ""
        days = self.days_late
        later = "the next day" if days <= 1 else f"{days} days later"
        return f"Recorded {later}, on {timezone.localtime(self.recorded_at):%-d %B %Y}"


class Consideration(models.TextChoices):
    """What the initial review meeting considers (UKCIS 2020/2024, the DSL's process, step 1)."""

    IMMEDIATE_RISK = "immediate_risk", "Whether any child is at immediate risk"
    REFERRAL_NEEDED = (
        "referral_needed",
        "Whether a referral to the police or children's social care is needed",
    )
    VIEWING_NECESSARY = (
        "viewing_necessary",
        "Whether anyone needs to view the imagery (almost never)",
    )
    MORE_TO_KNOW = "more_to_know", "What more we need to find out"
    HOW_WIDELY_SHARED = "how_widely_shared", "How widely it was shared, and on which apps or sites"
    REMOVAL_NEEDED = "removal_needed", "Whether it needs removing from devices or online services"
    CHILDREN_FACTS = (
        "children_facts",
        "What we know about the children: vulnerabilities, SEND, earlier incidents",
    )
    OTHER_SCHOOLS = "other_schools", "Whether other schools need to be told"
    PARENTS = "parents", "Whether and how to tell parents or carers"


class StatusChange(CaseRecord):
    """A move in the workflow. The reason and closing outcome live here, not in the event."""

    KIND = "status_change"

    class ClosingOutcome(models.TextChoices):
        AGENCY_LEADING = "agency_leading", "Referred: another agency is leading"
        MANAGED_COMPLETE = "managed_complete", "Managed in school: all actions done"
        NO_FURTHER_ACTION = "no_further_action", "No further action needed"
        NOT_SUBSTANTIATED = "not_substantiated", "The concern was not substantiated"
        # Only `services.close_as_duplicate` closes a case so: it links the two cases.
        DUPLICATE = "duplicate", "A duplicate of another case"

    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.TextField(blank=True)
    closing_outcome = models.CharField(max_length=30, choices=ClosingOutcome.choices, blank=True)


class ReviewMeeting(CaseRecord, Happened):
    """The DSL's initial review (UKCIS 2024): the checklist's review questions answered by the
    DSL, what they considered and with whom, and the checklist re-run over the reporter's
    answers and the review's. The reporter's answers on the incident are never changed.

    Reviews recorded before the checklist had review questions have no answers or outcome."""

    KIND = "review_meeting"
    HAPPENED_ON = "held_on"

    held_on = models.DateField()
    attendees = models.TextField(blank=True, help_text="Who else took part, and their roles.")
    considered = models.JSONField(default=list, blank=True, help_text="Consideration values.")
    notes = models.TextField(blank=True)
    checklist_version = models.CharField(max_length=20, blank=True)
    answers = models.JSONField(
        default=dict, blank=True, help_text="The DSL's answers: question id to value."
    )
    outcome = models.JSONField(
        default=dict,
        blank=True,
        help_text="The checklist's outcome over the reporter's and the review's answers.",
    )

    def considered_labels(self) -> list[str]:
        labels = dict(Consideration.choices)
        return [labels.get(value, value) for value in self.considered]


class Referral(CaseRecord, Happened):
    KIND = "referral"
    HAPPENED_ON = "referred_on"

    class Agency(models.TextChoices):
        POLICE = "police", "Police"
        SOCIAL_CARE = "social_care", "Children's social care or MASH"
        CEOP = "ceop", "CEOP"
        IWF = "iwf", "Internet Watch Foundation (report of a web address)"
        LADO = "lado", "LADO (an adult working with children is involved)"
        OTHER = "other", "Other"

    agency = models.CharField(max_length=20, choices=Agency.choices)
    agency_other = models.CharField("Which agency", max_length=200, blank=True)
    # What the school is asking the agency to do: the first thing the referral summary says.
    ask = models.TextField("What the school is asking them to do", blank=True)
    referred_on = models.DateField()
    their_reference = models.CharField(max_length=100, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    outcome = models.TextField(blank=True)


class Decision(CaseRecord, Happened):
    """A decision and its reasons. Deciding not to refer is recorded too (KCSIE)."""

    KIND = "decision"

    class Choice(models.TextChoices):
        REFER = "refer", "Refer to the police or children's social care"
        NOT_REFER = "not_refer", "Do not refer: manage it in school"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        OTHER = "other", "Another decision"

    decision = models.CharField(max_length=20, choices=Choice.choices)
    reasons = models.TextField()
    happened_on = models.DateField("Date of the decision")


class ParentsInformed(CaseRecord):
    KIND = "parents_informed"

    informed = models.BooleanField()
    informed_on = models.DateField(null=True, blank=True)
    who_was_told = models.CharField(max_length=200, blank=True)
    reason_not_informed = models.TextField(blank=True)


class RemovalOffered(CaseRecord):
    """Report Remove / Take It Down offered: the school never handles the image itself."""

    KIND = "removal_offered"

    class Service(models.TextChoices):
        REPORT_REMOVE = "report_remove", "Report Remove (Childline and IWF)"
        TAKE_IT_DOWN = "take_it_down", "Take It Down (NCMEC)"
        PLATFORM = "platform", "The app or website's own reporting"

    services = models.JSONField(default=list)
    pupil = models.ForeignKey(
        Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offered_on = models.DateField()
    notes = models.TextField(blank=True)

    def service_labels(self) -> list[str]:
        labels = dict(self.Service.choices)
        return [labels.get(value, value) for value in self.services]


class DeviceSecured(CaseRecord):
    KIND = "device_secured"

    device = models.CharField(max_length=200, help_text="For example: the pupil's phone.")
    secured_on = models.DateField()
    where_kept = models.CharField(max_length=200)
    handed_to = models.CharField(max_length=200)
    confirmed_from_report = models.BooleanField(
        default=False, help_text="The DSL confirmed what the reporter said, in one step."
    )


class StaffSawImagery(CaseRecord):
    """A member of staff saw the image, usually by accident (a pupil showed them, it came up on
    a screen). Not the DSL's deliberate viewing, which is ImageryViewing. Never what it showed."""

    KIND = "staff_saw_imagery"

    seen_by = models.CharField(max_length=300, help_text="Who saw it: name and role.")
    seen_when = models.CharField(max_length=200, blank=True, help_text="Roughly when, in words.")
    how = models.TextField(blank=True, help_text="How it happened, without what it showed.")
    support = models.TextField(blank=True, help_text="Support offered to them.")
    confirmed_from_report = models.BooleanField(
        default=False, help_text="The DSL confirmed what the reporter said, in one step."
    )


class ImageryViewing(CaseRecord):
    """The DSL viewed imagery: only ever the DSL, only when it could not be avoided."""

    KIND = "imagery_viewing"

    viewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    viewed_at = models.DateTimeField()
    reason = models.TextField()
    others_present = models.CharField(max_length=300)
    what_was_done = models.TextField(blank=True)


class Task(CaseRecord):
    """Something someone must do by a date. Reminders come from the notifications app."""

    KIND = "task"

    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(CaseRecord.Meta):
        indexes = [
            models.Index(
                fields=["due_on"], name="task_due_open", condition=models.Q(done_at__isnull=True)
            )
        ]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.due_on < timezone.localdate()


class TriageOverride(CaseRecord):
    """The DSL's decision on the triage outcome, each part with its reason. The checklist's
    outcome is never changed; the latest decision is the case's current one (and is copied to
    the incident's `decided_*` fields, for the inbox and statistics).

    Decisions recorded before typology and sextortion could be decided leave them blank (None):
    the checklist's stand."""

    KIND = "triage_override"

    referral = models.CharField(max_length=10, choices=ReferralLine.choices)
    referral_reason = models.TextField(blank=True)
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    urgency_reason = models.TextField(blank=True)
    typology = models.CharField(max_length=20, choices=list(TYPOLOGY_LABELS.items()), blank=True)
    typology_reason = models.TextField(blank=True)
    sextortion = models.BooleanField(null=True, blank=True)
    sextortion_reason = models.TextField(blank=True)

    def decision_parts(self) -> list[tuple[str, str, str]]:
        """(what, the decision in words, why) for each part this decision covers."""
        sextortion = {True: assessment.SEXTORTION_YES, False: assessment.SEXTORTION_NO}
        values = {
            assessment.REFERRAL: self.referral,
            assessment.URGENCY: self.urgency,
            assessment.TYPOLOGY: self.typology,
            assessment.SEXTORTION: sextortion.get(self.sextortion, ""),
        }
        return [
            (
                assessment.TITLES[part],
                assessment.label(part, value, decided=True),
                getattr(self, f"{part}_reason"),
            )
            for part, value in values.items()
            if value
        ]


class CaseNote(CaseRecord, Happened):
    KIND = "note"

    text = models.TextField()
    happened_on = models.DateField("Date it happened")


class PupilChange(CaseRecord):
    """The DSL added a pupil to the case, or removed one, after it was reported, and why. The
    involvement row itself (incidents.IncidentPupil) is created or deleted with it."""

    KIND = "pupil_change"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=PupilRole.choices)
    added = models.BooleanField(help_text="True when added, False when removed.")
    reason = models.TextField()


class CaseLink(CaseRecord):
    """Two cases of one school that belong together, made from `incident` to `linked` and shown
    on both. Written by `services.link_cases` (and `close_as_duplicate`), with an audit event on
    each case. Not in RECORD_MODELS: the case page loads the links made from either side."""

    KIND = "case_link"

    class Reason(models.TextChoices):
        SAME_INCIDENT = "same_incident", "The same incident, reported again"
        SAME_IMAGE = "same_image", "The same image"
        SAME_PERSON = "same_person", "The same person responsible"
        OTHER = "other", "Another reason"

    linked = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    explanation = models.TextField(blank=True)

    class Meta(CaseRecord.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(linked=models.F("incident")), name="not_linked_to_itself"
            ),
            models.UniqueConstraint(fields=["incident", "linked"], name="one_link_per_pair"),
        ]

    def other(self, incident: Incident) -> Incident:
        """The case at the other end from `incident`."""
        return self.linked if self.incident_id == incident.pk else self.incident


RECORD_MODELS: tuple[type[CaseRecord], ...] = (
    StatusChange,
    ReviewMeeting,
    Referral,
    Decision,
    ParentsInformed,
    RemovalOffered,
    DeviceSecured,
    StaffSawImagery,
    ImageryViewing,
    Task,
    TriageOverride,
    CaseNote,
    PupilChange,
)
RECORD_MODEL_BY_KIND = {model.KIND: model for model in RECORD_MODELS}
