"""One search box for DSLs and deputies: a case reference, a pupil's name (folded as the pupil
list folds it: O'Brien = O’Brien, Sian = Siân), or words in what was reported and recorded.

Scoped by the access module (`access.incidents_visible_to`): only cases at schools where the
person is DSL or deputy. Words use PostgreSQL full-text search (English stemming, GIN indexes
from cases migration 0007); on SQLite each word must appear in the text. The words are posted
and kept in the session (safeguarding.searches), never in a URL.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q

from incidents.models import FollowUp, Incident, IncidentPupil, Pupil
from safeguarding import access

from .models import CaseNote, Decision, Referral, ReviewMeeting, StatusChange

MOST_RESULTS = 50
MOST_WORDS = 8
CONFIG = "english"

BY_REFERENCE = "reference"
BY_PUPIL = "pupil"
BY_WORDS = "words"
FOUND_BY = {
    BY_REFERENCE: "Case reference",
    BY_PUPIL: "Pupil's name",
    BY_WORDS: "Words in the report or records",
}

# What is searched for words: the report itself and each kind of record with free text. The
# first two have GIN indexes over exactly these vectors (migration 0007); keep them in step.
INCIDENT_TEXT = ("account", "adults_description", "device_details")
RECORD_TEXT = (
    (CaseNote, ("text",)),
    (FollowUp, ("text",)),
    (Decision, ("reasons",)),
    (ReviewMeeting, ("notes",)),
    (StatusChange, ("reason",)),
    (Referral, ("ask", "outcome")),
)


def incident_vector() -> SearchVector:
    return SearchVector(*INCIDENT_TEXT, config=CONFIG)


@dataclass
class Found:
    incident: Incident
    by: list[str] = field(default_factory=list)

    @property
    def found_by(self) -> list[str]:
        return [FOUND_BY[b] for b in self.by]


@dataclass
class Results:
    found: list[Found]
    more: bool  # more than MOST_RESULTS matched


def as_reference(words: str) -> str:
    """'sg-7k3m q9xd', '7K3MQ9XD' -> 'SG-7K3M-Q9XD'; '' if it cannot be a reference."""
    chars = re.sub(r"[^0-9A-Za-z]", "", words).upper()
    chars = chars[2:] if chars.startswith("SG") and len(chars) == 10 else chars
    return f"SG-{chars[:4]}-{chars[4:]}" if len(chars) == 8 else ""


def _words_match(model, fields, words: list[str], text: str):
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        vector = incident_vector() if model is Incident else SearchVector(*fields, config=CONFIG)
        return model.objects.annotate(found=vector).filter(found=query)
    every_word = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        every_word &= any_field
    return model.objects.filter(every_word)


def search_cases(user, text: str) -> Results:
    visible = access.incidents_visible_to(user)
    words = text.split()[:MOST_WORDS]
    if not words:
        return Results([], False)
    text = " ".join(words)
    by: dict[int, list[str]] = {}

    def add(ids, how):
        for pk in ids:
            by.setdefault(pk, [])
            if how not in by[pk]:
                by[pk].append(how)

    reference = as_reference(text)
    if reference:
        add(visible.filter(reference=reference).values_list("pk", flat=True), BY_REFERENCE)
    pupils = Pupil.objects.filter(school__in=visible.values("school")).matching(text)
    add(
        IncidentPupil.objects.filter(pupil__in=pupils, incident__in=visible).values_list(
            "incident_id", flat=True
        ),
        BY_PUPIL,
    )
    add(
        _words_match(Incident, INCIDENT_TEXT, words, text)
        .filter(pk__in=visible.values("pk"))
        .values_list("pk", flat=True),
        BY_WORDS,
    )
    for model, fields in RECORD_TEXT:
        add(
            _words_match(model, fields, words, text)
            .filter(incident__in=visible)
            .values_list("incident_id", flat=True),
            BY_WORDS,
        )
    incidents = list(
        Incident.objects.filter(pk__in=list(by))
        .select_related("school")
        .prefetch_related("involvements__pupil")
        .order_by("-submitted_at", "-id")[: MOST_RESULTS + 1]
    )
    found = [Found(incident, by[incident.pk]) for incident in incidents[:MOST_RESULTS]]
    return Results(found, more=len(incidents) > MOST_RESULTS)
