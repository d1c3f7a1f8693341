"""Erasing a pupil's file at a school: names and narrative are overwritten in place (not
flagged), so nothing in the database holds them afterwards; the rows stay, holding only the
enums, dates and counts the anonymised statistics are made of.

- The pupil: name, date of birth, ids, address, flags and destination are blanked, and their
  parents' or carers' and other agencies' details deleted (`Pupil.remove_details`; the year
  group stays: the statistics count cases by year group).
- Each case the pupil is part of: when no other pupil in it still has a file, its narrative goes
  (the account, the reporter's further information, every free-text field of every record, any
  free-text checklist answer); when another pupil's file still holds it, it stays for them with
  this pupil's name taken out of every text.
- Copies of the file: what was sent (transfers, exports and their archives) and what was
  received, and everything typed about it here (holds, reviews, subject access requests).
- The audit trail holds no names or narrative (only ids, enums, counts, dates), so it is left
  as it is, and so stays verifiable.
"""

import re

from django.db import models

from cases.models import RECORD_MODELS
from incidents.models import FollowUp, Incident, IncidentPupil, Pupil
from safeguarding.models import School

from .models import (
    LegalHold,
    ReceivedFile,
    RetentionReview,
    SecureExport,
    SubjectAccessRequest,
    Transfer,
)
from .redact import NAME_REMOVED, name_words, pattern_for, redact

ERASED = "Removed at the file's retention review."
# A checklist answer is an option's id; anything else is words someone typed.
_ENUM = re.compile(r"[a-z0-9_]{1,40}")
# Incident fields that are not words about the child: ids and the checklist's version.
_INCIDENT_KEPT = {"reference", "checklist_version"}


def _free_text_fields(model, kept=()) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and not f.primary_key
        and f.name not in kept
    ]


def _blank(field: models.Field) -> str:
    return "" if field.blank else ERASED


def _enums_only(value):
    """What a JSON field keeps: option ids (and lists and maps of them), not typed words."""
    if isinstance(value, dict):
        return {k: _enums_only(v) for k, v in value.items() if _enums_only(v) is not None}
    if isinstance(value, list):
        return [v for v in (_enums_only(item) for item in value) if v is not None]
    if isinstance(value, str):
        return value if _ENUM.fullmatch(value) else None
    return value


def _json_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]


def _erase_case(incident: Incident) -> None:
    text_fields = _free_text_fields(Incident, _INCIDENT_KEPT)
    for field in text_fields:
        setattr(incident, field.attname, _blank(field))
    incident.answers = {
        k: v
        for k, v in (incident.answers or {}).items()
        if isinstance(v, str) and _ENUM.fullmatch(v)
    }
    incident.save(update_fields=[f.attname for f in text_fields] + ["answers"])
    FollowUp.objects.filter(incident=incident).delete()
    for model in RECORD_MODELS:
        fields = _free_text_fields(model)
        if fields:
            model.objects.filter(incident=incident).update(**{f.attname: _blank(f) for f in fields})


def _take_name_out(incident: Incident, pattern) -> None:
    text_fields = _free_text_fields(Incident, _INCIDENT_KEPT)
    for field in text_fields:
        setattr(
            incident, field.attname, redact(getattr(incident, field.attname), pattern, NAME_REMOVED)
        )
    incident.save(update_fields=[f.attname for f in text_fields])
    for follow_up in FollowUp.objects.filter(incident=incident):
        follow_up.text = redact(follow_up.text, pattern, NAME_REMOVED)
        follow_up.save(update_fields=["text"])
    for model in RECORD_MODELS:
        fields = _free_text_fields(model)
        for row in model.objects.filter(incident=incident):
            for field in fields:
                setattr(
                    row, field.attname, redact(getattr(row, field.attname), pattern, NAME_REMOVED)
                )
            row.save(update_fields=[f.attname for f in fields])


def erase_file(*, pupil: Pupil, school: School) -> tuple[int, int]:
    """Erase the pupil's file at `school`. Returns (cases erased, cases kept for others).
    Runs inside dispose_file's transaction."""
    pattern = pattern_for(name_words(pupil.first_name, pupil.last_name))
    erased = kept = 0
    incident_ids = IncidentPupil.objects.filter(pupil=pupil, incident__school=school).values(
        "incident_id"
    )
    for incident in Incident.objects.filter(pk__in=incident_ids).select_for_update():
        others_with_files = (
            IncidentPupil.objects.filter(incident=incident, pupil__details_removed_at__isnull=True)
            .exclude(pupil=pupil)
            .exists()
        )
        if others_with_files:
            _take_name_out(incident, pattern)
            kept += 1
        else:
            _erase_case(incident)
            erased += 1

    Transfer.objects.filter(pupil=pupil).update(
        content={}, other_names_reason="", rejection_reason="", withdrawal_reason=""
    )
    ReceivedFile.objects.filter(pupil=pupil, school=school).update(content={})
    SecureExport.objects.filter(pupil=pupil, school=school).update(
        content={}, archive=None, recipient_school="", sent_to="", receipt_confirmed_by=""
    )
    LegalHold.objects.filter(pupil=pupil, school=school).update(reason="", lift_reason="")
    RetentionReview.objects.filter(pupil=pupil, school=school).update(reason="")
    requests = SubjectAccessRequest.objects.filter(pupil=pupil, school=school)
    for sar in requests:
        sar.items.all().delete()
    requests.update(requester_name="", extension_reason="", closed_reason="")

    pupil.remove_details()  # every personal field, and their parents' and agencies' details
    return erased, kept
