"""The summary table always equals the GROUP BY over the cases.

Random sequences of what happens to cases, through the project's own services where there is
one (create, the DSL's decision and decisions on the checklist's outcome, status changes,
acknowledging, closing as a duplicate and reopening, pupils added and removed, a pupil's year
group changing, a file's disposal), with catch-ups of one school, one trust or everything at
random moments in between. After each sequence, once caught up: the stored rows equal the
rows counted from the cases now, every reading function answers as its `stats.queries`
namesake for each school and trust, and a rebuild from scratch stores the very same rows.
"""

import datetime as dt

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import assessment, services, workflow
from cases.models import StatusChange
from guidance.triage import TYPOLOGY_LABELS
from incidents.models import Incident, Kind, Pupil, ReferralLine, Urgency
from records import disposal
from safeguarding.models import School
from stats import queries, summary
from stats.models import SummaryCount
from stats.periods import Period
from stats.queries import Scope
from tests.stats.conftest import at

pytestmark = pytest.mark.postgres

YEAR = Period(2025)
READERS = (
    "cases_by_month",
    "cases_by_kind",
    "cases_by_typology",
    "cases_by_school_and_outcome",
    "cases_by_outcome",
    "referral_lines",
    "factors_applied",
    "hours_to_acknowledgement",
    "hours_to_first_decision",
    "cases_by_year_group_band",
)
YEAR_GROUPS = ("R", "3", "7", "9", "10", "12")
# Months of the period either side of a clock change, and one outside it.
WHEN = (at(2025, 9, 1, 0, 30), at(2025, 10, 31, 23, 30), at(2026, 3, 29, 1, 30), at(2024, 6, 3))

pick = st.integers(min_value=0, max_value=10_000)
step = st.one_of(
    st.tuples(
        st.just("create"),
        st.integers(0, 2),  # school
        st.sampled_from(WHEN),
        st.sampled_from(Kind.values),
        st.sampled_from(ReferralLine.values),
        st.one_of(st.none(), st.integers(0, 100)),  # hours to acknowledge
        st.lists(st.sampled_from(YEAR_GROUPS), max_size=2),
        st.booleans(),  # a referral factor
    ),
    st.tuples(
        st.just("override"),
        pick,
        st.sampled_from(ReferralLine.values),
        st.sampled_from(tuple(TYPOLOGY_LABELS)),
        st.sampled_from((assessment.SEXTORTION_YES, assessment.SEXTORTION_NO)),
    ),
    st.tuples(st.just("decision"), pick),
    st.tuples(st.just("status"), pick, pick),  # one of the moves the workflow allows
    st.tuples(st.just("duplicate"), pick, pick),
    st.tuples(st.just("pupil"), pick, st.sampled_from(YEAR_GROUPS)),
    st.tuples(st.just("year_group"), pick, st.sampled_from(YEAR_GROUPS)),
    st.tuples(st.just("dispose"), pick),
)
# After a step: no catch-up, or one for a school, a trust or everything.
CATCH_UPS = (None, "all", "all", "school", "trust")


def _nth(items, n):
    return items[n % len(items)] if items else None


class World:
    def __init__(self, cast):
        self.cast = cast
        self.schools = [
            cast.school_a,
            School.objects.create(name="Beech Academy", slug="beech", trust=cast.trust_a),
            cast.school_b,
        ]
        self.scopes = [Scope(school=s) for s in self.schools] + [
            Scope(trust=cast.trust_a),
            Scope(trust=cast.trust_b),
        ]
        self.made = 0

    def cases(self):
        return list(Incident.objects.order_by("reference"))

    def create(self, school, when, kind, referral, ack_hours, year_groups, factor):
        self.made += 1
        school = self.schools[school]
        incident = Incident.objects.create(
            school=school,
            reporter=self.cast.teacher,
            kind=kind,
            came_to_light="child_told",
            location="online",
            account="What the child said.",
            adults_involved="no",
            checklist_version="2026-09",
            urgency="dsl_review_today",
            referral=referral,
            outcome={"typology": "experimental"} if self.made % 2 else {},
            submitted_at=when,
            acknowledged_at=None if ack_hours is None else when + dt.timedelta(hours=ack_hours),
        )
        if factor:
            incident.factors.create(factor="adult_involved", answer="yes")
        for index, year_group in enumerate(year_groups):
            pupil = Pupil.objects.create(
                school=school, first_name="Pupil", last_name=f"P{index}", year_group=year_group
            )
            incident.involvements.create(pupil=pupil, role="pictured")

    def run(self, op, *args):
        cases, dsl = self.cases(), self.cast.dsl
        try:
            if op == "create":
                self.create(*args)
            elif op == "override" and cases:
                services.override_triage(
                    incident=_nth(cases, args[0]),
                    actor=dsl,
                    referral=args[1],
                    urgency=Urgency.DSL_REVIEW_TODAY,
                    typology=args[2],
                    sextortion=args[3],
                    referral_reason="Reason.",
                    urgency_reason="Reason.",
                    typology_reason="Reason.",
                    sextortion_reason="Reason.",
                )
            elif op == "decision" and cases:
                services.record_decision(
                    incident=_nth(cases, args[0]), actor=dsl, decision="refer", reasons="Why."
                )
            elif op == "status" and cases:
                incident = _nth(cases, args[0])  # reopening a duplicate undoes the mark
                services.change_status(
                    incident=incident,
                    actor=dsl,
                    to_status=_nth(workflow.moves_from(incident.status), args[1]).target,
                    reason="Because.",
                    closing_outcome=StatusChange.ClosingOutcome.MANAGED_COMPLETE,
                )
            elif op == "duplicate" and cases:
                incident = _nth(cases, args[0])
                others = [c for c in cases if c.school_id == incident.school_id and c != incident]
                if others:
                    services.close_as_duplicate(
                        incident=incident,
                        actor=dsl,
                        original=_nth(others, args[1]),
                        reason="Same incident.",
                    )
            elif op == "pupil" and cases:
                incident = _nth(cases, args[0])
                pupil = Pupil.objects.create(
                    school=incident.school, first_name="Add", last_name="P", year_group=args[1]
                )
                services.add_pupil(
                    incident=incident, actor=dsl, pupil=pupil, role="told_us", reason="Told us."
                )
            elif op == "year_group":
                pupil = _nth(list(Pupil.objects.order_by("created_at", "id")), args[0])
                if pupil:
                    Pupil.objects.filter(pk=pupil.pk).update(year_group=args[1])
            elif op == "dispose":
                pupil = _nth(list(Pupil.objects.order_by("created_at", "id")), args[0])
                if pupil:
                    disposal.erase_file(pupil=pupil, school=pupil.school)
            elif op == "catch_up":
                scope = {"school": self.scopes[0], "trust": self.scopes[3], "all": None}[args[0]]
                summary.catch_up(scope)
        except services.CaseError:
            pass  # a move the workflow refuses changes nothing

    def stored(self):
        return sorted(SummaryCount.objects.values_list(*summary.COLUMNS).order_by(), key=repr)

    def counted(self):
        return sorted((row for row in summary.counted_from_cases() if row[-1]), key=repr)


def _same(rows):
    return sorted(rows, key=repr)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(step, st.sampled_from(CATCH_UPS)), min_size=1, max_size=14))
def test_the_summary_equals_the_group_by_over_cases_after_any_changes(cast, steps):
    assert connection.vendor == "postgresql"
    with transaction.atomic():
        world = World(cast)
        for (op, *args), then in steps:
            with transaction.atomic():  # each change its own savepoint, as a request's would be
                world.run(op, *args)
            if then:  # caught up now and then, so a change that left no mark would show
                world.run("catch_up", then)
            if then == "all":
                assert world.stored() == world.counted(), (op, *args)
        summary.catch_up()
        assert world.stored() == world.counted()
        for scope in world.scopes:
            for reader in READERS:
                assert _same(getattr(summary, reader)(scope, YEAR)) == _same(
                    getattr(queries, reader)(scope, YEAR)
                ), (reader, scope)
            for dimension in ("kind", "outcome", "referral"):
                assert _same(summary.cases_by_month_and(scope, YEAR, dimension)) == _same(
                    queries.cases_by_month_and(scope, YEAR, dimension)
                )
        incremental = world.stored()
        summary.rebuild()
        assert world.stored() == incremental
        transaction.set_rollback(True)


def test_a_change_leaves_its_school_month_stale_until_caught_up(cast, make_case):
    incident = make_case(cast.school_a, at(2025, 11, 5), kind="nudified")
    summary.catch_up()
    kinds = dict(summary.cases_by_kind(Scope(school=cast.school_a), YEAR))
    assert kinds == {"nudified": 1}
    Incident.objects.filter(pk=incident.pk).update(kind="sextortion")  # no signal, no save()
    assert dict(summary.cases_by_kind(Scope(school=cast.school_a), YEAR)) == {"nudified": 1}
    assert summary.catch_up(Scope(school=cast.school_b)) == 0  # another school's: untouched
    assert summary.catch_up(Scope(trust=cast.trust_a)) == 1
    assert dict(summary.cases_by_kind(Scope(school=cast.school_a), YEAR)) == {"sextortion": 1}


def test_the_management_command_rebuilds_the_summary(cast, make_case):
    from django.core.management import call_command

    make_case(cast.school_a, at(2025, 11, 5), acknowledged_after=dt.timedelta(hours=3))
    summary.catch_up()
    before = sorted(SummaryCount.objects.values_list(*summary.COLUMNS), key=repr)
    SummaryCount.objects.all().delete()
    call_command("rebuild_statistics_summary", verbosity=0)
    assert sorted(SummaryCount.objects.values_list(*summary.COLUMNS), key=repr) == before
    assert ("ack_hours", "3") in {(m, k) for _, _, m, k, _, _ in before}


def test_the_catch_up_job_is_scheduled_and_recounts_what_changed(cast, make_case):
    from django.conf import settings as django_settings

    from stats.tasks import catch_up_summary

    scheduled = {e["task"] for e in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "stats.tasks.catch_up_summary" in scheduled
    make_case(cast.school_a, at(2025, 11, 5))
    make_case(cast.school_b, at(2025, 12, 5))
    assert catch_up_summary.delay().get() == 2
    assert catch_up_summary.delay().get() == 0
    assert SummaryCount.objects.filter(measure="kind").count() == 2


def test_a_pupils_year_group_changing_recounts_the_bands_of_their_cases(cast, make_case):
    """The bands count the pupils' year groups as they are now (as the GROUP BY does), so a
    pupil moving up a year moves their cases between bands: the pupil's row marks them."""
    make_case(cast.school_a, at(2025, 11, 5), year_groups=["6"])
    summary.catch_up()
    assert dict(summary.cases_by_year_group_band(Scope(school=cast.school_a), YEAR)) == {
        "primary": 1
    }
    Pupil.objects.update(year_group="7")  # a bulk write, as an import makes
    Pupil.objects.update(first_name="Renamed")  # no figure moves: nothing to recount
    assert summary.catch_up() == 1
    assert dict(summary.cases_by_year_group_band(Scope(school=cast.school_a), YEAR)) == {"y7_9": 1}
