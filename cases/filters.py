"""The inbox: a school's cases, most urgent first, then oldest first, with the DSL's filters."""

import threading
from collections import OrderedDict

import django_filters
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.db.models import (
    Case,
    CharField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from incidents.models import Incident, IncidentPupil, Kind, Pupil, ReferralLine, Status, Urgency
from incidents.services import SAME_PUPILS_WITHIN

from .models import CaseLink, Task
from .services import reviewers_of
from .workflow import OPEN_STATUSES, URGENCY_ONCE_ACKNOWLEDGED

OPEN = "open"
ALL = "all"
UNASSIGNED = "none"
DECIDED = "yes"
TASKS_OVERDUE = "overdue"
TASKS_TODAY = "today"
TASKS_DUE = "due"
UNDECIDED = "no"
# Rendered filter forms kept by each server process (`filter_form_html`).
FORM_HTML_KEPT = 200


def possibly_same_as():
    """The reference of the first of the school's other cases about any of the same pupils
    reported within a day of this one and not linked to it: possibly the same incident (as
    `timeline.CaseFile.possibly_same` on the case page, where the rules are). Part of the
    inbox's one query."""
    case = OuterRef(OuterRef("pk"))
    linked = CaseLink.objects.filter(
        Q(incident_id=case, linked_id=OuterRef("incident_id"))
        | Q(linked_id=case, incident_id=OuterRef("incident_id"))
    )
    first_close = (
        IncidentPupil.objects.filter(
            pupil__involvements__incident_id=OuterRef("pk"),
            incident__school_id=OuterRef("school_id"),
            incident__duplicate_of__isnull=True,
            incident__submitted_at__gte=OuterRef("submitted_at") - SAME_PUPILS_WITHIN,
            incident__submitted_at__lte=OuterRef("submitted_at") + SAME_PUPILS_WITHIN,
        )
        .exclude(incident_id=OuterRef("pk"))
        .exclude(Exists(linked))
        .order_by("incident__submitted_at", "incident_id")
        .values("incident__reference")[:1]
    )
    return Case(
        When(duplicate_of__isnull=False, then=Value(None)),
        default=Subquery(first_close),
        output_field=CharField(),
    )


def inbox_cases(school):
    """Every case at `school`, ordered for the inbox.

    Most urgent first; within an urgency, cases nobody has acknowledged yet, then the oldest.
    Urgency and the referral line are the current decision: the DSL's where they made one, else
    the checklist's (`Incident.objects.with_current_decision`).
    """
    return (
        Incident.objects.filter(school=school)
        .with_current_decision()
        .annotate(
            urgency_rank=Case(
                *[When(current_urgency=u, then=Urgency.rank(u)) for u in Urgency.values],
                default=len(Urgency.values),
                output_field=IntegerField(),
            ),
            acknowledged_rank=Case(
                When(status=Status.NEW, then=0), default=1, output_field=IntegerField()
            ),
            possibly_same_as=possibly_same_as(),
        )
        .select_related("assigned_to")
        .prefetch_related(
            Prefetch(
                "involvements",
                queryset=IncidentPupil.objects.select_related("pupil").order_by(
                    "pupil__last_name", "pupil__first_name", "role"
                ),
            )
        )
        .order_by("urgency_rank", "acknowledged_rank", "submitted_at", "id")
    )


class InboxFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(OPEN, "All open cases"), *Status.choices, (ALL, "All cases")],
        empty_label=None,
        method="filter_status",
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Kind.choices, empty_label="Any")
    urgency = django_filters.ChoiceFilter(
        label="Urgency",
        # The DSL's words for it, with the checklist's (what a new case shows) beside them.
        choices=[(u, f"{URGENCY_ONCE_ACKNOWLEDGED[u]} ({u.label})") for u in Urgency],
        empty_label="Any",
        method="filter_urgency",
    )
    referral = django_filters.ChoiceFilter(
        label="Immediate referral",
        choices=[
            (ReferralLine.YES, "Yes"),
            (ReferralLine.NOT_KNOWN, "Not known yet: the DSL decides today"),
            (ReferralLine.NO, "No"),
        ],
        empty_label="Any",
        method="filter_referral",
    )
    decided = django_filters.ChoiceFilter(
        label="DSL's decision",
        choices=[(DECIDED, "Recorded"), (UNDECIDED, "Not recorded yet")],
        empty_label="Any",
        method="filter_decided",
    )
    reported_from = django_filters.DateFilter(
        label="Reported from",
        field_name="submitted_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
        ),
    )
    reported_to = django_filters.DateFilter(
        label="Reported up to",
        field_name="submitted_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
        ),
    )
    assignee = django_filters.ChoiceFilter(
        label="Assigned to", empty_label="Anyone", method="filter_assignee"
    )
    tasks = django_filters.ChoiceFilter(
        label="Tasks",
        choices=[
            (TASKS_OVERDUE, "A task is overdue"),
            (TASKS_TODAY, "A task is due today"),
            (TASKS_DUE, "A task is due today or overdue"),
        ],
        empty_label="Any",
        method="filter_tasks",
    )
    pupil = django_filters.CharFilter(label="Pupil's name", method="filter_pupil", max_length=100)

    class Meta:
        model = Incident
        fields: list[str] = []

    def __init__(self, data=None, *args, school, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = OPEN
        super().__init__(data, *args, **kwargs)
        self.school = school
        self.filters["assignee"].extra["choices"] = [
            (UNASSIGNED, "Not assigned"),
            *[(str(u.pk), u.full_name) for u in reviewers_of(school)],
        ]

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == ALL:
            return queryset
        return queryset.filter(status=value)

    def filter_urgency(self, queryset, name, value):
        return queryset.filter(current_urgency=value)

    def filter_referral(self, queryset, name, value):
        return queryset.filter(current_referral=value)

    def filter_decided(self, queryset, name, value):
        if value == DECIDED:
            return queryset.exclude(decided_referral="")
        return queryset.filter(decided_referral="")

    def filter_assignee(self, queryset, name, value):
        if value == UNASSIGNED:
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to_id=value)

    def filter_tasks(self, queryset, name, value):
        today = timezone.localdate()
        due = {
            TASKS_OVERDUE: Q(due_on__lt=today),
            TASKS_TODAY: Q(due_on=today),
            TASKS_DUE: Q(due_on__lte=today),
        }[value]
        open_tasks = Task.objects.filter(due, incident=OuterRef("pk"), done_at__isnull=True)
        return queryset.filter(Exists(open_tasks))

    def filter_pupil(self, queryset, name, value):
        if not value.split():
            return queryset
        pupil_ids = Pupil.objects.filter(school=self.school).matching(value).values("pk")
        matching = IncidentPupil.objects.filter(incident=OuterRef("pk"), pupil_id__in=pupil_ids)
        return queryset.filter(Exists(matching))


_form_html: OrderedDict[tuple, str] = OrderedDict()
_form_html_lock = threading.Lock()


def filter_form_html(case_filter: InboxFilter) -> str:
    """The filter form as `{{ form|crispy }}` renders it. Its HTML follows from the filters
    chosen and the reviewers offered, so the same form is rendered once per server process and
    kept (most of the inbox's own time was this). A pupil's name typed into it is never kept
    past the page: that form is rendered afresh."""
    data = case_filter.data
    chosen = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    chosen = tuple(sorted((name, tuple(values)) for name, values in chosen))
    if any(name == "pupil" and any(v.strip() for v in values) for name, values in chosen):
        return as_crispy_form(case_filter.form)
    key = (chosen, tuple(case_filter.filters["assignee"].extra["choices"]))
    with _form_html_lock:
        html = _form_html.get(key)
        if html is not None:
            _form_html.move_to_end(key)
            return html
    html = as_crispy_form(case_filter.form)
    with _form_html_lock:
        _form_html[key] = html
        while len(_form_html) > FORM_HTML_KEPT:
            _form_html.popitem(last=False)
    return html
