"""Pupils, incidents (cases) and the records hanging off them.

No imagery is ever stored: there is no file or image field anywhere, and text fields are cleaned
by `safeguarding.text` before they get here.
"""

import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from guidance.triage import TYPOLOGY_LABELS
from safeguarding.models import School

# Crockford's base32 without I, L, O, U: easy to read aloud on the phone to the police.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """A random, unguessable case reference such as 'SG-7K3M-Q9XD' (40 bits)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"SG-{chars[:4]}-{chars[4:]}"


class YearGroup(models.TextChoices):
    NURSERY = "N", "Nursery"
    RECEPTION = "R", "Reception"
    Y1 = "1", "Year 1"
    Y2 = "2", "Year 2"
    Y3 = "3", "Year 3"
    Y4 = "4", "Year 4"
    Y5 = "5", "Year 5"
    Y6 = "6", "Year 6"
    Y7 = "7", "Year 7"
    Y8 = "8", "Year 8"
    Y9 = "9", "Year 9"
    Y10 = "10", "Year 10"
    Y11 = "11", "Year 11"
    Y12 = "12", "Year 12"
    Y13 = "13", "Year 13"


# Dropped when matching names, so "OBrien", "O'Brien" and "O’Brien" all find one another.
_APOSTROPHES = str.maketrans("", "", "'\u2018\u2019\u02bc`")


def fold_name(text: str) -> str:
    """Lower case without accents or apostrophes: "Sian" finds Siân, "OBrien" O’Brien."""
    text = unicodedata.normalize("NFKD", text).translate(_APOSTROPHES)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


class Sex(models.TextChoices):
    """As the school census records it (and SIMS and Arbor export it: M or F)."""

    FEMALE = "F", "Female"
    MALE = "M", "Male"


class SenProvision(models.TextChoices):
    """The school census's SEN provision codes, which SIMS and Arbor export."""

    NONE = "N", "No special educational needs"
    SEN_SUPPORT = "K", "SEN support"
    EHC_PLAN = "E", "Education, health and care plan (EHCP)"


NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class PupilFlag:
    """One of the structured facts the DSL keeps about a pupil (`Pupil.flags`)."""

    name: str  # the Pupil field
    label: str  # "Child protection plan"
    value: str  # "Yes", "No", "SEN support", or NOT_RECORDED
    is_set: bool  # worth a tag beside the pupil's name: yes, SEN support or an EHCP
    recorded: bool  # the school holds an answer (else shown "Not recorded", never left out)


class PupilQuerySet(models.QuerySet):
    def on_list(self) -> "PupilQuerySet":
        """Pupils whose details are still held: not those whose file was disposed of."""
        return self.filter(details_removed_at__isnull=True)

    def matching(self, query: str, *, mis_id: bool = False) -> "PupilQuerySet":
        """Pupils whose first or last name (or MIS id) contains every word, ignoring accents.

        Done in Python because neither SQLite nor PostgreSQL (without extensions) compares
        "Sian" with "Siân"; a school's list is a few thousand rows at most.
        """
        # "Okafor, Maya" as the lists write a name: the comma is not part of either word.
        words = [fold_name(word) for word in re.split(r"[\s,;]+", query) if word][:5]
        if not words:
            return self
        ids = [
            pk
            for pk, first, last, mis in self.values_list("pk", "first_name", "last_name", "mis_id")
            if all(
                w in fold_name(first) or w in fold_name(last) or (mis_id and w == fold_name(mis))
                for w in words
            )
        ]
        return self.filter(pk__in=ids)


class Pupil(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    year_group = models.CharField(max_length=2, choices=YearGroup.choices)
    date_of_birth = models.DateField(null=True, blank=True)
    mis_id = models.CharField("MIS id", max_length=50, blank=True)
    added_from_report = models.BooleanField(
        default=False, help_text="Added by a member of staff while reporting, not imported."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Leaving: from the pupil import or entered by the DSL. A leaver with a child protection
    # file must have it sent to their new school (records/).
    leaving_date = models.DateField(null=True, blank=True)
    destination = models.CharField(
        max_length=200, blank=True, help_text="The school the pupil is going to, as written."
    )
    # Set when the pupil's file was disposed of at its retention review: the name, date of birth
    # and ids are gone; the row stays so the anonymised statistics still count the case.
    details_removed_at = models.DateTimeField(null=True, blank=True)
    # Set when the pupil's file reached their new school (accepted there, or receipt of the
    # secure export confirmed; records/): this school's copy is then kept read-only, and
    # cases/ refuses changes to the pupil's part (their details, their part in a case).
    file_transferred_at = models.DateTimeField(null=True, blank=True)
    file_transferred_to = models.CharField(max_length=200, blank=True)

    # What a referral to the police or children's social care asks about the child: entered by
    # the DSL on the pupil's file or imported from the school's MIS. Blank (or None) is "not
    # recorded", never "no". Parents and carers are `carers`, other agencies `agencies`.
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    upn = models.CharField(
        "UPN", max_length=13, blank=True, help_text="Unique pupil number: a letter, 12 digits."
    )
    address = models.TextField("Home address", blank=True)
    # The structured flags (FLAG_FIELDS): shown on the case, the pupil's file and the referral.
    child_protection_plan = models.BooleanField("Child protection plan", null=True, blank=True)
    child_in_need = models.BooleanField("Child in need", null=True, blank=True)
    looked_after = models.BooleanField("Looked after", null=True, blank=True)
    sen = models.CharField(
        "SEN support or EHCP", max_length=1, choices=SenProvision.choices, blank=True
    )
    previous_concerns = models.BooleanField(
        "Earlier safeguarding concerns",
        null=True,
        blank=True,
        help_text="Concerns before this school's cases: at an earlier school, or elsewhere.",
    )

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "mis_id"],
                condition=~models.Q(mis_id=""),
                name="unique_mis_id_per_school",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    # What a referral asks about the child, as the DSL edits them (besides carers and agencies).
    REFERRAL_FIELDS = (
        "sex",
        "upn",
        "address",
        "child_protection_plan",
        "child_in_need",
        "looked_after",
        "sen",
        "previous_concerns",
    )
    # The structured flags, in the order they are shown. Three-valued: None is "not recorded".
    FLAG_FIELDS = (
        "child_protection_plan",
        "child_in_need",
        "looked_after",
        "sen",
        "previous_concerns",
    )
    # Everything that identifies the pupil or says something about them, blanked when their
    # file is disposed of (`remove_details`). The year group stays: statistics count by it.
    PERSONAL_FIELDS = (
        "first_name",
        "last_name",
        "date_of_birth",
        "mis_id",
        "leaving_date",
        "destination",
        "file_transferred_to",
        "sex",
        "upn",
        "address",
        *FLAG_FIELDS,
    )

    def flags(self) -> list[PupilFlag]:
        """The structured flags with their values in words; "Not recorded" where unknown."""
        found = []
        for name in self.FLAG_FIELDS:
            field = self._meta.get_field(name)
            value = getattr(self, name)
            label = str(field.verbose_name)
            if name == "sen":
                words = self.get_sen_display() if value else NOT_RECORDED
                is_set = value in (SenProvision.SEN_SUPPORT, SenProvision.EHC_PLAN)
            else:
                words = {True: "Yes", False: "No", None: NOT_RECORDED}[value]
                is_set = value is True
            found.append(PupilFlag(name, label, words, is_set, value not in (None, "")))
        return found

    def remove_details(self) -> None:
        """Blank every personal field and delete the pupil's carers and agencies (disposal).
        Saves the pupil."""
        for name in self.PERSONAL_FIELDS:
            field = self._meta.get_field(name)
            setattr(self, name, None if field.null else "")
        self.carers.all().delete()
        self.agencies.all().delete()
        self.details_removed_at = timezone.now()
        self.save()


class Carer(models.Model):
    """A parent or carer of a pupil, with how to reach them: for a referral, never emailed."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="carers")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, blank=True, help_text="Mother, foster carer...")
    phone = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    address = models.TextField(blank=True, help_text="Blank when it is the pupil's.")
    parental_responsibility = models.BooleanField(null=True, blank=True)
    # 1 is who to contact first, as the MIS's contact priority.
    priority = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name


class AgencyInvolvement(models.Model):
    """Another agency working with a pupil (social care, Early Help, CAMHS, a youth worker)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="agencies")
    agency = models.CharField(max_length=200)
    contact = models.CharField(
        max_length=300, blank=True, help_text="The worker's name and how to reach them."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.agency


class Kind(models.TextChoices):
    """What a case is about, in one line for lists, filters and statistics. Derived from the
    reporter's two answers (`kind_for`): the image's nature and, apart from it, threats."""

    AI_GENERATED = "ai_generated", "AI-generated sexual image"
    NUDIFIED = "nudified", "Nudified photo of a real pupil"
    SEXTORTION = "sextortion", "Sextortion threat or demand"
    REAL_NUDES = "real_nudes", "Sharing of real nudes or semi-nudes"
    NO_IMAGE = "no_image", "No image known yet"
    NOT_SURE = "not_sure", "Not sure"


# The image's nature as each checklist version words it. Versions before 2026-12 offered
# "sextortion" as a nature (a threat hid the image); from 2026-12 threats are a separate answer.
NATURE_KINDS = {
    "ai_generated": Kind.AI_GENERATED,
    "nudified": Kind.NUDIFIED,
    "real_photo": Kind.REAL_NUDES,
    "real_nudes": Kind.REAL_NUDES,
    "sextortion": Kind.SEXTORTION,
    "no_image_known": Kind.NO_IMAGE,
    "not_known": Kind.NOT_SURE,
}
# The image, in a few words, beside "Sextortion threat or demand".
NATURE_IN_BRIEF = {
    Kind.AI_GENERATED: "AI-generated image",
    Kind.NUDIFIED: "nudified photo",
    Kind.REAL_NUDES: "real photo",
    Kind.NO_IMAGE: "no image known yet",
}


def kind_for(*, image_nature: str, threats_or_demands: str) -> str:
    """The one-line kind of a case: a threat or demand first (it is the most urgent thing a
    list can say), else the image's nature. The two answers themselves are kept apart."""
    if threats_or_demands == "yes":
        return Kind.SEXTORTION
    return NATURE_KINDS.get(image_nature, Kind.NOT_SURE)


class CameToLight(models.TextChoices):
    CHILD_TOLD = "child_told", "The child told me"
    ANOTHER_PUPIL = "another_pupil", "Another pupil told me"
    PARENT = "parent", "A parent or carer told me"
    OVERHEARD_OR_FOUND = "overheard_or_found", "I overheard it or came across it"
    MONITORING = "monitoring", "A monitoring or filtering alert"


class Location(models.TextChoices):
    IN_SCHOOL = "in_school", "In school"
    ONLINE = "online", "Online, outside school"
    BOTH = "both", "Both in school and online"
    NOT_KNOWN = "not_known", "Not known"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class Status(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    UNDER_REVIEW = "under_review", "Under review"
    REFERRED = "referred", "Referred"
    MANAGED_IN_SCHOOL = "managed_in_school", "Managed in school"
    CLOSED = "closed", "Closed"


class Urgency(models.TextChoices):
    """From the triage outcome. Ordered: most urgent sorts first (see `rank`)."""

    CALL_999 = "call_999", "Call 999 now"
    TELL_DSL_NOW = "tell_dsl_now", "Tell the DSL now"
    DSL_REVIEW_TODAY = "dsl_review_today", "DSL to review today"

    @classmethod
    def rank(cls, value: str) -> int:
        return [c.value for c in cls].index(value)


class ReferralLine(models.TextChoices):
    """Whether the case needs an immediate referral to the police or children's social care.

    Three-valued: "not known yet" (a referral factor nobody could answer) is never "no"; the DSL
    decides that day (UKCIS 2024). The same values as `guidance.triage.REFERRALS`.
    """

    YES = "yes", "Yes"
    NOT_KNOWN = "not_known", "Not known yet"
    NO = "no", "No"


class IncidentQuerySet(models.QuerySet):
    def with_current_decision(self) -> "IncidentQuerySet":
        """Annotate `current_referral` and `current_urgency`: the DSL's latest decision where
        they made one, else what the checklist gave when the concern was reported."""
        return self.annotate(
            current_referral=Coalesce(NullIf("decided_referral", Value("")), "referral"),
            current_urgency=Coalesce(NullIf("decided_urgency", Value("")), "urgency"),
        )

    def not_duplicates(self) -> "IncidentQuerySet":
        """Leave out cases closed as a duplicate of another: statistics count an incident once."""
        return self.filter(duplicate_of__isnull=True)


class Incident(models.Model):
    """One reported incident: a case for the school's DSL."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=16, unique=True, default=new_reference)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="incidents")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_incidents"
    )

    # A summary for lists (`kind_for`); what the reporter said is in the fields below it.
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The image's nature (a value of the checklist version's "image_nature" question) and,
    # separately, whether anyone made threats or demands. Blank: not asked (older cases).
    image_nature = models.CharField(max_length=30, blank=True)
    threats_or_demands = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    came_to_light = models.CharField(max_length=30, choices=CameToLight.choices)
    happened_on = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=20, choices=Location.choices)
    platform = models.CharField(max_length=200, blank=True)
    account = models.TextField(help_text="What happened, in the child's own words.")
    adults_involved = models.CharField(max_length=10, choices=YesNoUnknown.choices)
    adults_description = models.TextField(blank=True)

    # What the reporter said was done, for the DSL to confirm: a device with the image on it
    # (what it is and where it is now, in words), and anyone on the staff who saw the image, even
    # by accident (who and roughly when: never what it showed). Blank: not asked.
    device_involved = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    device_secured = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    device_details = models.TextField(blank=True)
    imagery_viewed = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    imagery_viewed_by = models.TextField(blank=True)
    imagery_viewed_when = models.CharField(max_length=200, blank=True)

    # The checklist version the answers were given against, and the outcome computed then.
    checklist_version = models.CharField(max_length=20)
    answers = models.JSONField(default=dict)
    outcome = models.JSONField(default=dict)
    urgency = models.CharField(max_length=20, choices=Urgency.choices, db_index=True)
    referral = models.CharField(
        max_length=10,
        choices=ReferralLine.choices,
        default=ReferralLine.NOT_KNOWN,
        help_text="The checklist's referral line when the concern was reported.",
    )

    # The DSL's current decision (their latest cases.TriageOverride, kept in step with it by
    # cases.services in the same transaction). Blank: the DSL has not decided, and the
    # checklist's outcome stands. Read through `with_current_decision()` or the case file.
    decided_referral = models.CharField(max_length=10, choices=ReferralLine.choices, blank=True)
    decided_urgency = models.CharField(max_length=20, choices=Urgency.choices, blank=True)
    decided_typology = models.CharField(
        max_length=20, choices=list(TYPOLOGY_LABELS.items()), blank=True
    )
    decided_sextortion = models.BooleanField(null=True, blank=True)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_incidents",
    )
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when the DSL closed this case as a duplicate of another (the same incident reported
    # twice): nothing moves, the two are linked, and statistics count the incident once.
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        help_text="The case this one was closed as a duplicate of.",
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(duplicate_of=models.F("id")),
                name="not_a_duplicate_of_itself",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def about(self) -> str:
        """The kind, with the image beside a threat: "Sextortion threat or demand (AI-generated
        image)". Cases from before the two were asked apart read as they always did."""
        label = self.get_kind_display()
        nature = NATURE_KINDS.get(self.image_nature)
        if self.kind == Kind.SEXTORTION and nature in NATURE_IN_BRIEF:
            return f"{label} ({NATURE_IN_BRIEF[nature]})"
        return label


class TriggeredFactor(models.Model):
    """A triage factor that applied to an incident, kept as rows so statistics can count them."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="factors")
    factor = models.CharField(max_length=60)
    answer = models.CharField(max_length=20, help_text="'yes' or 'not_known'.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "factor"], name="one_row_per_factor")
        ]


class PupilRole(models.TextChoices):
    PICTURED = "pictured", "Pictured"
    ALLEGED_CREATOR = "alleged_creator", "Alleged creator"
    SHARER = "sharer", "Shared it"
    RECIPIENT = "recipient", "Received it"
    TOLD_US = "told_us", "Told us"


class IncidentPupil(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="involvements")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="involvements")
    role = models.CharField(max_length=20, choices=PupilRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "pupil", "role"], name="one_row_per_pupil_role"
            )
        ]


class FollowUp(models.Model):
    """Further information added by the reporter: appended, never editing the original."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="follow_ups")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]


class ReportDraft(models.Model):
    """A report in progress, kept on the server at every step. Only its reporter can see it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_drafts"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()

    @property
    def kind_label(self) -> str:
        """What the report is about, once answered: tells one unfinished report from another."""
        kind = self.data.get("what", {}).get("kind")  # a draft begun before the two answers
        if kind in Kind.values:
            return Kind(kind).label
        answers = self.data.get("answers", {})
        if not answers.get("image_nature") and not answers.get("threats_or_demands"):
            return ""
        return Kind(
            kind_for(
                image_nature=answers.get("image_nature", ""),
                threats_or_demands=answers.get("threats_or_demands", ""),
            )
        ).label
