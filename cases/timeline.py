"""Everything the case page (and later the PDF) shows, loaded in a fixed number of queries.

The timeline is the case's audit events joined to the record rows they name: one query for the
events, one per record kind, one for the people named in assignments, whatever the case's size.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property
from operator import attrgetter

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    JSONField,
    Max,
    Min,
    Q,
    TextField,
    UUIDField,
    Value,
    When,
)
from django.db.models.expressions import Expression
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, JSONObject, Replace

from guidance.triage import TYPOLOGY_LABELS
from incidents.models import FollowUp, Incident, IncidentPupil, Pupil, Status
from incidents.services import REPORTED_ALREADY, SAME_PUPILS_WITHIN
from safeguarding.models import AuditEvent, User

from . import answers, assessment, reported, services
from .models import RECORD_MODELS, CaseLink, CaseRecord, Happened, Task

RECORD_TITLES = {
    "status_change": "Changed the status",
    "review_meeting": "Recorded the initial review",
    "referral": "Recorded a referral",
    "decision": "Recorded a decision",
    "parents_informed": "Recorded whether parents or carers were told",
    "removal_offered": "Recorded that removal was offered",
    "device_secured": "Recorded a device being secured",
    "imagery_viewing": "Recorded viewing imagery",
    "staff_saw_imagery": "Recorded that someone on the staff saw the image",
    "task": "Added a task",
    "triage_override": "Decided on the triage outcome",
    "note": "Added a note",
    "case_link": "Linked to another case",
    "pupil_change": "Changed who is in the case",
}

# Events written by the reporting journey and elsewhere; anything unknown is shown by its name.
ACTION_TITLES = {
    services.CASE_VIEWED: "Viewed the case",
    services.ASSIGNED: "Assigned the case",
    services.TASK_DONE: "Marked a task done",
    "incident.reported": "Reported the incident",
    "incident.follow_up_added": "Added further information",
    "incident.pdf_downloaded": "Downloaded the case as a PDF",
    "incident.exported": "Exported the case",
    "case.escalated": "Reminded others: not acknowledged in time",
    REPORTED_ALREADY: "Was told the DSL may already have a report about this",
}

FOLLOW_UP_ADDED = "incident.follow_up_added"  # written by incidents.services.add_follow_up

_RELATED = {
    "removal_offered": ("offered_by", "pupil"),
    "imagery_viewing": ("viewed_by",),
    "task": ("owner", "done_by"),
    "pupil_change": ("pupil",),
}


@dataclass
class TimelineEntry:
    event: AuditEvent
    title: str
    kind: str = ""
    record: CaseRecord | FollowUp | None = None
    assignee: User | None = None

    @property
    def happened(self) -> Happened | None:
        """The record, when it says when it happened apart from when it was recorded."""
        return self.record if isinstance(self.record, Happened) else None

    @property
    def at(self):
        """When it happened, which orders the chronology: when it was done, for the rest."""
        return self.happened.happened_at if self.happened else self.event.at


@dataclass
class Viewer:
    """One person who has seen the case: `count` times on its own pages (opened), `listed`
    times in a list of cases (the inbox, a pupil's file)."""

    user: User | None
    count: int
    first: object
    last: object
    listed: int = 0


# Where a case was seen when the page was a list of cases (incidents.services.LIST_PAGES).
SEEN_IN_A_LIST = {
    "inbox": "Saw the case in the inbox",
    "pupil_file": "Saw the case in a pupil's file",
    "search": "Saw the case in search results",
}


@dataclass
class PupilInCase:
    """A pupil's place in this case, and the school's other cases they are in (references,
    statuses and dates only), for the case page."""

    pupil: object
    roles: list[str] = field(default_factory=list)
    earlier: list[Incident] = field(default_factory=list)
    later: list[Incident] = field(default_factory=list)

    @property
    def open_elsewhere(self) -> int:
        return sum(other.status != Status.CLOSED for other in self.earlier + self.later)


@dataclass
class CaseFile:
    incident: Incident
    involvements: list
    follow_ups: list
    records: dict[str, list] = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)
    viewers: list[Viewer] = field(default_factory=list)
    links: list[CaseLink] = field(default_factory=list)
    pupils: list[PupilInCase] = field(default_factory=list)

    @property
    def linked_cases(self) -> list[tuple[Incident, CaseLink]]:
        """Each linked case (whichever side made the link) with its link, oldest link first."""
        return [(link.other(self.incident), link) for link in self.links]

    @property
    def duplicates(self) -> list[Incident]:
        """Linked cases closed as a duplicate of this one."""
        return [
            other for other, _ in self.linked_cases if other.duplicate_of_id == self.incident.pk
        ]

    @property
    def possibly_same(self) -> list[Incident]:
        """The school's cases about any of the same pupils reported within a day of this one
        and not linked to it yet: possibly the same incident, reported twice. A case closed as
        a duplicate is settled: it says nothing of the kind, and is never offered (its original
        stands for it)."""
        if self.incident.duplicate_of_id:
            return []
        linked = {other.pk for other, _ in self.linked_cases}
        close = {}
        for pupil in self.pupils:
            for other in pupil.earlier + pupil.later:
                gap = abs(other.submitted_at - self.incident.submitted_at)
                if (
                    gap <= SAME_PUPILS_WITHIN
                    and other.pk not in linked
                    and not other.duplicate_of_id
                ):
                    close[other.pk] = other
        return sorted(close.values(), key=lambda other: other.submitted_at)

    @property
    def latest_override(self):
        overrides = self.records.get("triage_override") or []
        return overrides[-1] if overrides else None

    @property
    def latest_review(self):
        reviews = self.records.get("review_meeting") or []
        return reviews[-1] if reviews else None

    @cached_property
    def assessment(self) -> assessment.Assessment:
        """Referral, urgency, type and sextortion: the checklist's and the DSL's."""
        return assessment.assess(
            self.incident, review=self.latest_review, decision=self.latest_override
        )

    @cached_property
    def reporter_answers(self) -> list[answers.AnswerSection]:
        found_out = answers.merged_review_answers(self.records.get("review_meeting") or [])
        return answers.reporter_answers(self.incident, found_out)

    @cached_property
    def reported_device(self):
        return reported.reported_device(self.incident)

    @cached_property
    def reported_viewing(self):
        return reported.reported_viewing(self.incident)

    @property
    def device_confirmed(self):
        """The DSL's confirmation of the reporter's device, if they gave it."""
        rows = self.records.get("device_secured") or []
        return next((row for row in rows if row.confirmed_from_report), None)

    @property
    def viewing_confirmed(self):
        rows = self.records.get("staff_saw_imagery") or []
        return next((row for row in rows if row.confirmed_from_report), None)

    @property
    def unknowns_count(self) -> int:
        return answers.unknowns_count(self.reporter_answers)

    @cached_property
    def checklist(self):
        return answers.checklist_of(self.incident.checklist_version)

    @cached_property
    def review_questions(self) -> list:
        """The initial review's questions still to answer, before any review is recorded."""
        if self.records.get("review_meeting") or self.checklist is None:
            return []
        return answers.review_questions(self.checklist, self.incident.answers or {}, {})

    @property
    def typology_label(self) -> str:
        """The checklist's type of incident in words ("Not yet known", not "not_yet_known")."""
        value = (self.incident.outcome or {}).get("typology", "")
        return TYPOLOGY_LABELS.get(value, value)

    @property
    def actions(self) -> list[TimelineEntry]:
        """The timeline without views of the case: what was done. Views are in `viewers`."""
        return [e for e in self.timeline if e.event.action != services.CASE_VIEWED]

    @property
    def times_seen(self) -> int:
        """How many times the case was opened or seen in a list, by anyone."""
        return sum(viewer.count + viewer.listed for viewer in self.viewers)

    @property
    def open_tasks(self) -> list[Task]:
        return [t for t in self.records.get("task", []) if not t.is_done]

    @property
    def closing(self):
        """The status change that closed the case, while it is closed."""
        if self.incident.status != Status.CLOSED:
            return None
        closes = [c for c in self.records.get("status_change", []) if c.to_status == Status.CLOSED]
        return closes[-1] if closes else None


def load_case_file(incident: Incident, *, with_views: bool = False) -> CaseFile:
    """Everything the case page shows about `incident`: two queries on PostgreSQL, whatever
    the case's size. The timeline has each time the case was seen only `with_views`; who has
    seen it (`viewers`) is counted in the database either way."""
    # The case's pupils and the same pupils' other cases at the school: one query, whatever
    # their number (references, statuses and dates only of the other cases).
    involvements, pupils = [], {}
    others = []
    for row in _pupils_and_their_cases(incident):
        if row.incident_id == incident.pk:
            row.incident = incident
            involvements.append(row)
            entry = pupils.setdefault(row.pupil_id, PupilInCase(row.pupil))
            entry.roles.append(row.get_role_display())
        else:
            others.append(row)
    seen: set = set()
    for other in sorted(others, key=lambda row: (row.incident.submitted_at, row.incident_id)):
        if (other.pupil_id, other.incident_id) in seen:
            continue
        seen.add((other.pupil_id, other.incident_id))
        entry = pupils[other.pupil_id]
        earlier = other.incident.submitted_at < incident.submitted_at
        (entry.earlier if earlier else entry.later).append(other.incident)

    # Every kind of record, the reporter's follow-ups, the links either way and the cases at
    # their other ends, the timeline's events, who has seen the case, and the people and
    # pupils all of them name: one query.
    loaded = rows_of(*_case_file_parts(incident, with_views=with_views))
    follow_ups = loaded.pop(FollowUp)
    links = loaded.pop(CaseLink)
    events = loaded.pop(AuditEvent)
    people = {user.pk: user for user in loaded.pop(User)}
    named_pupils = {pupil.pk: pupil for pupil in loaded.pop(Pupil)}
    named_pupils.update((entry.pupil.pk, entry.pupil) for entry in pupils.values())
    other_ends = {other.pk: other for other in loaded.pop(Incident)}
    seen_by = loaded.pop(VIEWERS)
    records: dict[str, list] = {model.KIND: rows for model, rows in loaded.items()}
    by_key: dict[tuple[str, int], CaseRecord] = {}
    for kind, rows in records.items():
        for row in rows:
            by_key[(kind, row.pk)] = row
    for link in links:
        made_here = link.incident_id == incident.pk
        _LINK_FROM.set_cached_value(link, incident if made_here else other_ends[link.incident_id])
        _LINK_TO.set_cached_value(link, other_ends[link.linked_id] if made_here else incident)
        link.the_other = link.other(incident)
        by_key[(CaseLink.KIND, link.pk)] = link

    _attach([*follow_ups, *by_key.values()], people, named_pupils)
    for event in events:
        _ACTOR.set_cached_value(event, people.get(event.actor_id) if event.actor_id else None)
    assignees = {str(pk): user for pk, user in people.items()}
    for row in (*follow_ups, *(r for rs in records.values() for r in rs)):
        type(row)._meta.get_field("incident").set_cached_value(row, incident)
    for review in records["review_meeting"]:
        # What this review answered, and the checklist re-run over it (reviews recorded before
        # the checklist had review questions have neither).
        review.answer_sections = answers.review_answer_rows(
            answers.checklist_of(review.checklist_version), review.answers or {}
        )
        review.refined = assessment.assess(incident, review=review) if review.outcome else None

    follow_ups_by_id = {f.pk: f for f in follow_ups}
    timeline = []
    for event in events:
        kind = event.data.get("record", "")
        record = by_key.get((kind, event.data.get("id")))
        if event.action in (services.RECORD_ADDED, services.CASE_LINKED):
            title = RECORD_TITLES.get(kind, "Added a record")
        elif event.action == services.STATUS_CHANGED:
            title = RECORD_TITLES["status_change"]
        else:
            title = (
                ACTION_TITLES.get(event.action)
                or event.action.split(".")[-1].replace("_", " ").capitalize()
            )
        if event.action == services.CASE_VIEWED and "cases" in event.data:
            title = SEEN_IN_A_LIST.get(event.data.get("via"), "Saw the case in a list")
        if event.action == FOLLOW_UP_ADDED:
            kind, record = "follow_up", follow_ups_by_id.get(event.data.get("follow_up_id"))
        assignee = event.data.get("assignee") if event.action == services.ASSIGNED else None
        timeline.append(
            TimelineEntry(
                event=event,
                title=title,
                kind=kind if record is not None else "",
                record=record,
                assignee=assignees.get(assignee) if assignee else None,
            )
        )
    viewers = [
        Viewer(people.get(row["actor_id"]), row["opened"], row["first"], row["last"], row["listed"])
        for row in seen_by
    ]

    # The chronology: in the order things happened, not the order they were written down.
    timeline.sort(key=lambda entry: entry.at)
    return CaseFile(
        incident=incident,
        involvements=involvements,
        follow_ups=follow_ups,
        records=records,
        timeline=timeline,
        viewers=sorted(viewers, key=lambda v: v.last, reverse=True),
        links=links,
        pupils=list(pupils.values()),
    )


# The part of `rows_of`'s answer that counts who has seen the case.
VIEWERS = "viewers"


def _case_file_parts(incident: Incident, *, with_views: bool) -> tuple[dict, dict]:
    """What `load_case_file` reads in one go: for each model the condition its rows meet, and
    the count of views per person. The people and pupils are those the other rows name."""
    on_case = {model: Q(incident=incident) for model in (*RECORD_MODELS, FollowUp)}
    on_case[CaseLink] = Q(incident=incident) | Q(linked=incident)
    about_it = services.about_case(incident)
    events = AuditEvent.objects.filter(about_it)
    viewed = Q(action=services.CASE_VIEWED)
    # Who and which pupils the rows name, and the cases at the links' other ends: each as one
    # list of ids (an OR of several lists would have PostgreSQL read the whole table).
    people = [
        events.order_by().values("actor_id"),
        events.filter(action=services.ASSIGNED).order_by().values(assignee=_assignee_id()),
    ]
    pupils = []
    for model, condition in on_case.items():
        for f in model._meta.concrete_fields:
            if f.related_model in (User, Pupil):
                named = model.objects.filter(condition).order_by().values(f.attname)
                (people if f.related_model is User else pupils).append(named)
    other_ends = (
        CaseLink.objects.filter(on_case[CaseLink])
        .order_by()
        .values(other=Case(When(incident=incident, then=F("linked_id")), default=F("incident_id")))
    )
    in_a_list = Q(data__has_key="cases")
    seen_by = (
        events.filter(viewed)
        .order_by()
        .values("actor_id")
        .annotate(
            opened=Count("id", filter=~in_a_list),
            listed=Count("id", filter=in_a_list),
            first=Min("at"),
            last=Max("at"),
        )
    )
    wanted = {
        **on_case,
        AuditEvent: about_it if with_views else about_it & ~viewed,
        User: Q(pk__in=people[0].union(*people[1:], all=True)),
        Pupil: Q(pk__in=pupils[0].union(*pupils[1:], all=True)),
        Incident: Q(pk__in=other_ends),
    }
    return wanted, {VIEWERS: seen_by}


def _assignee_id():
    """An assignment event's assignee (the id as text in its data) as a user's id is stored."""
    text = KT("data__assignee")
    if connection.vendor == "postgresql":
        return Cast(text, UUIDField())
    # SQLite keeps UUIDs as 32 hex digits.
    return Replace(text, Value("-", output_field=TextField()), Value("", output_field=TextField()))


def _pupils_and_their_cases(incident: Incident):
    """The case's involvements (with their pupils) and every other involvement of the same
    pupils at the school, ordered as the page lists the case's pupils."""
    in_this_case = IncidentPupil.objects.filter(incident=incident).values("pupil_id")
    return (
        IncidentPupil.objects.filter(pupil_id__in=in_this_case, incident__school=incident.school)
        .select_related("pupil", "incident")
        .only(
            "incident_id",
            "pupil_id",
            "role",
            *(f"pupil__{f.name}" for f in Pupil._meta.concrete_fields),
            "incident__reference",
            "incident__status",
            "incident__submitted_at",
            "incident__duplicate_of",  # whether it is possibly the same (`possibly_same`)
        )
        .order_by("pupil__last_name", "pupil__first_name", "role", "incident_id")
    )


def rows_of(wanted: dict, summaries: dict | None = None) -> dict:
    """For each model in `wanted`, its rows matching the condition (a Q) given with it, in its
    usual order (Meta.ordering, then id); and for each name in `summaries`, the rows of that
    grouped `values()` query as dicts. In one query on PostgreSQL: each part's rows come back
    as JSON objects of their columns (UNION ALL), made into model instances (or dicts) here.
    Related rows are not loaded (`_attach`). Elsewhere, one query per part."""
    models = list(wanted)
    summaries = summaries or {}
    order = {m: (*m._meta.ordering, *(() if "id" in m._meta.ordering else ("id",))) for m in models}
    if connection.vendor != "postgresql":
        found = {m: list(m.objects.filter(wanted[m]).order_by(*order[m])) for m in models}
        return found | {name: list(query) for name, query in summaries.items()}
    parts = [
        model.objects.filter(wanted[model])
        .order_by()
        .values(
            model_index=Value(index, output_field=IntegerField()),
            row=_WholeRow(model),
        )
        for index, model in enumerate(models)
    ]
    summary_fields = {name: _summary_fields(query) for name, query in summaries.items()}
    parts += [
        query.values(
            model_index=Value(len(models) + index, output_field=IntegerField()),
            row=JSONObject(**{column: F(column) for column in summary_fields[name]}),
        )
        for index, (name, query) in enumerate(summaries.items())
    ]
    kinds = [*models, *summaries]
    found = {kind: [] for kind in kinds}
    for part in parts[0].union(*parts[1:], all=True):
        kind, row = kinds[part["model_index"]], part["row"]
        if kind in summary_fields:
            found[kind].append(
                {name: _from_json(f, row[name]) for name, f in summary_fields[kind].items()}
            )
            continue
        found[kind].append(kind.from_db(connection.alias, _attnames(kind), _from_row(kind, row)))
    for model in models:
        for name in reversed(order[model]):  # stable sorts, last key first
            found[model].sort(key=attrgetter(name.lstrip("-")), reverse=name.startswith("-"))
    return found


class _WholeRow(Expression):
    """A row of `model` as a JSON object by column name (each field's attname: none names its
    column), as PostgreSQL's to_jsonb makes it."""

    output_field = JSONField()

    def __init__(self, model):
        super().__init__()
        self.model = model

    def as_sql(self, compiler, connection):
        return f"to_jsonb({compiler.quote_name_unless_alias(self.model._meta.db_table)})", []


def _summary_fields(query) -> dict:
    """The columns of a grouped `values()` query, each with the field its values are read as."""
    model = query.model
    columns = {name: model._meta.get_field(name) for name in query.query.values_select}
    for name, expression in query.query.annotation_select.items():
        columns[name] = expression.output_field
    return columns


def _from_json(field, value):
    """A column's value as `rows_of`'s JSON gives it, as the field holds it."""
    return value if value is None else _reader(field)(value)


# JSON gives these as Python holds them already.
_AS_GIVEN = (CharField, TextField, IntegerField, BooleanField, JSONField)


@cache
def _reader(field):
    """How `_from_json` reads a column's JSON value (worked out once per field: the page reads
    thousands of values)."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, _AS_GIVEN):
        return lambda value: value
    if isinstance(target, DateTimeField):
        return datetime.fromisoformat
    return target.to_python


def _from_row(model, row: dict) -> list:
    return [None if (v := row[name]) is None else read(v) for name, read in _readers(model)]


@cache
def _attnames(model) -> list:
    return [f.attname for f in model._meta.concrete_fields]


@cache
def _readers(model) -> tuple:
    return tuple((f.attname, _reader(f)) for f in model._meta.concrete_fields)


def _attach(rows, people: dict, pupils: dict) -> None:
    """Give each row its people and pupils where `rows_of` left ids."""
    for row in rows:
        for f in _named_fields(type(row)):
            if f.name not in row._state.fields_cache:
                value = getattr(row, f.attname)
                named = people if f.related_model is User else pupils
                f.set_cached_value(row, named[value] if value is not None else None)


# Related rows loaded apart are put in the rows' caches, as select_related would: the ids are
# already right, and assigning through the descriptors costs more than the rest of the loading.
_ACTOR = AuditEvent._meta.get_field("actor")
_LINK_FROM = CaseLink._meta.get_field("incident")
_LINK_TO = CaseLink._meta.get_field("linked")


@cache
def _named_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if f.related_model in (User, Pupil)]


def pupil_involvements(pupil, school):
    """The pupil's child protection file at `school`: every case they are part of."""
    return (
        IncidentPupil.objects.filter(pupil=pupil, incident__school=school)
        .select_related("incident")
        .order_by("-incident__submitted_at", "incident_id", "role")
    )
