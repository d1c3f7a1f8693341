"""A pupil's child protection file as plain data: what is sent to a new school (in the service
or as a secure export), what the PDF and the JSON in an export hold, and what a subject access
disclosure is built from. One builder, so all of them say the same.

`build_file(pupil, school)` collects the pupil's part in every case at the school: the report,
the DSL's records in time order and the reporter's further information, leaving out records
about another pupil; other pupils are "another pupil" and their names are removed from the
text unless the DSL keeps them (with a reason). Files received from earlier schools come along
whole, so the file follows the child from school to school.
"""

from datetime import date, datetime

from django.db import models
from django.utils import timezone

from cases.models import RECORD_MODELS, CaseRecord
from cases.timeline import load_case_file
from guidance.triage import TYPOLOGY_LABELS, URGENCY_LABELS
from incidents.models import (
    CameToLight,
    Incident,
    IncidentPupil,
    Kind,
    Location,
    Pupil,
    YesNoUnknown,
)
from safeguarding.models import School

from .models import ReceivedFile
from .redact import ANOTHER_PUPIL, name_words, pattern_for, redact

FORMAT = "safeguarding-record/child-protection-file"
FORMAT_VERSION = 1

# Fields that name someone other than the pupil (a parent, a police officer, staff at a
# meeting): removed from a subject access disclosure unless the DSL decides otherwise.
THIRD_PARTY_FIELDS = {
    ("report", "adults_description"),
    ("review_meeting", "attendees"),
    ("parents_informed", "who_was_told"),
    ("referral", "contact"),
    ("device_secured", "handed_to"),
    ("imagery_viewing", "others_present"),
}
_SKIPPED_FIELDS = {"id", "incident", "recorded_by", "recorded_at", "checklist_version"}
ENTRY_TITLES = {
    "status_change": "Status changed",
    "review_meeting": "Initial review",
    "referral": "Referral",
    "decision": "Decision",
    "parents_informed": "Parents or carers",
    "removal_offered": "Removal offered",
    "device_secured": "Device secured",
    "imagery_viewing": "Imagery viewed by the DSL",
    "task": "Task",
    "triage_override": "The DSL's decision on the triage outcome",
    "note": "Note",
}
# Where a model's own name for a field reads oddly on its own.
FIELD_LABELS = {("note", "text"): "Note"}


def _label(field: models.Field) -> str:
    text = str(field.verbose_name)
    return text[:1].upper() + text[1:]


def _iso(value) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _display(row: models.Model, field: models.Field) -> str:
    value = getattr(row, field.attname)
    if value is None or value == "" or value == []:
        return ""
    if field.choices:
        return str(getattr(row, f"get_{field.name}_display")())
    if isinstance(field, models.ForeignKey):
        related = getattr(row, field.name)
        return str(related.get_full_name() if hasattr(related, "get_full_name") else related)
    if isinstance(field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, models.JSONField):
        labeller = getattr(row, f"{field.name}_labels", None) or getattr(
            row, f"{field.name.rstrip('s')}_labels", None
        )
        if labeller:
            return "; ".join(str(v) for v in labeller())
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)
        return ""  # worked out from the record's other fields (a checklist outcome): not shown
    if isinstance(field, models.DateField | models.DateTimeField):
        return _iso(value)
    return str(value)


def _field(kind: str, name: str, label: str, value: str, pattern) -> dict:
    return {
        "name": name,
        "label": label,
        "value": redact(value, pattern, ANOTHER_PUPIL),
        "third_party": (kind, name) in THIRD_PARTY_FIELDS,
    }


def _record_entry(row: CaseRecord, incident: Incident, pattern) -> dict:
    fields = [
        _field(
            row.KIND,
            f.name,
            FIELD_LABELS.get((row.KIND, f.name), _label(f)),
            _display(row, f),
            pattern,
        )
        for f in row._meta.concrete_fields
        if f.name not in _SKIPPED_FIELDS
    ]
    return {
        "key": f"case:{incident.reference}:{row.KIND}:{row.pk}",
        "kind": row.KIND,
        "title": ENTRY_TITLES.get(row.KIND, "Record"),
        "at": _iso(row.recorded_at),
        "by": row.recorded_by.full_name,
        "fields": [f for f in fields if f["value"]],
    }


def _case(incident: Incident, pupil: Pupil, *, keep_other_names: bool) -> dict:
    case_file = load_case_file(incident)
    others = [i for i in case_file.involvements if i.pupil_id != pupil.pk]
    other_words = [w for i in others for w in name_words(i.pupil.first_name, i.pupil.last_name)]
    pattern = None if keep_other_names else pattern_for(other_words)
    roles = [i.get_role_display() for i in case_file.involvements if i.pupil_id == pupil.pk]
    by_other: dict = {}
    for involvement in others:
        name = str(involvement.pupil) if keep_other_names else "Another pupil"
        entry = by_other.setdefault(involvement.pupil_id, {"name": name, "roles": []})
        entry["roles"].append(involvement.get_role_display())
    outcome = incident.outcome or {}

    report = [
        ("kind", "What it was about", Kind(incident.kind).label),
        ("came_to_light", "How it came to light", _choice(CameToLight, incident.came_to_light)),
        ("happened_on", "When it happened", _iso(incident.happened_on or "")),
        ("location", "Where", _choice(Location, incident.location)),
        ("platform", "App or website", incident.platform),
        ("account", "What happened, in the child's own words", incident.account),
        ("adults_involved", "Adults involved", _choice(YesNoUnknown, incident.adults_involved)),
        ("adults_description", "About the adults", incident.adults_description),
        ("urgency", "Urgency at triage", URGENCY_LABELS.get(incident.urgency, incident.urgency)),
        ("referral", "Immediate referral at triage", incident.get_referral_display()),
        ("typology", "Type", TYPOLOGY_LABELS.get(outcome.get("typology", ""), "")),
    ]
    entries = [
        {
            "key": f"case:{incident.reference}:report",
            "kind": "report",
            "title": "The report",
            "at": _iso(incident.submitted_at),
            "by": incident.reporter.full_name,
            "fields": [
                _field("report", name, label, value, pattern)
                for name, label, value in report
                if value
            ],
        }
    ]
    for model in RECORD_MODELS:
        for row in case_file.records.get(model.KIND, []):
            about = getattr(row, "pupil_id", None)
            if about is not None and about != pupil.pk:
                continue  # a record about another pupil is not part of this pupil's file
            entries.append(_record_entry(row, incident, pattern))
    for follow_up in case_file.follow_ups:
        entries.append(
            {
                "key": f"case:{incident.reference}:follow_up:{follow_up.pk}",
                "kind": "follow_up",
                "title": "Further information from the reporter",
                "at": _iso(follow_up.created_at),
                "by": follow_up.author.full_name,
                "fields": [_field("follow_up", "text", "What they added", follow_up.text, pattern)],
            }
        )
    entries[1:] = sorted(entries[1:], key=lambda e: e["at"])
    return {
        "reference": incident.reference,
        "kind": Kind(incident.kind).label,
        "reported_at": _iso(incident.submitted_at),
        "status": incident.get_status_display(),
        "closed_at": _iso(incident.closed_at) if incident.closed_at else "",
        "roles": roles,
        "other_pupils": list(by_other.values()),
        "entries": entries,
    }


def _choice(choices, value: str) -> str:
    return choices(value).label if value in choices.values else value


def file_incidents(pupil: Pupil, school: School):
    """The cases at `school` the pupil is part of, oldest first."""
    ids = IncidentPupil.objects.filter(pupil=pupil, incident__school=school).values("incident_id")
    return (
        Incident.objects.filter(pk__in=ids)
        .select_related("school", "reporter")
        .order_by("submitted_at")
    )


def has_file(pupil: Pupil, school: School) -> bool:
    """Whether the pupil has a child protection file at `school`."""
    return (
        IncidentPupil.objects.filter(pupil=pupil, incident__school=school).exists()
        or ReceivedFile.objects.filter(pupil=pupil, school=school).exists()
    )


def build_file(
    pupil: Pupil,
    school: School,
    *,
    keep_other_names: bool = False,
    other_names_reason: str = "",
    generated_by=None,
    generated_at: datetime | None = None,
) -> dict:
    incidents = list(file_incidents(pupil, school))
    earlier = ReceivedFile.objects.filter(pupil=pupil, school=school).order_by("accepted_at")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": _iso(generated_at or timezone.now()),
        "generated_by": generated_by.full_name if generated_by else "",
        "pupil": {
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "date_of_birth": _iso(pupil.date_of_birth) if pupil.date_of_birth else "",
            "year_group": pupil.get_year_group_display(),
            "mis_id": pupil.mis_id,
            "leaving_date": _iso(pupil.leaving_date) if pupil.leaving_date else "",
            "destination": pupil.destination,
        },
        "school": {
            "name": school.name,
            "urn": school.urn,
            "address": school.address,
            "safeguarding_email": school.safeguarding_email,
            "safeguarding_phone": school.safeguarding_phone,
        },
        "other_pupils_named": keep_other_names,
        "other_names_reason": other_names_reason if keep_other_names else "",
        "cases": [_case(i, pupil, keep_other_names=keep_other_names) for i in incidents],
        "earlier_files": [
            {
                "from_school": received.from_school_name,
                "received_at": _iso(received.accepted_at),
                "file": received.content,
            }
            for received in earlier
        ],
    }


def entries_of(content: dict, prefix: str = ""):
    """Every entry of a file and of the files inside it: (key, case reference, entry)."""
    for case in content.get("cases", []):
        for entry in case["entries"]:
            yield prefix + entry["key"], case["reference"], entry
    for index, earlier in enumerate(content.get("earlier_files", [])):
        yield from entries_of(earlier["file"], prefix=f"{prefix}earlier:{index}:")
