"""Demo data for `manage.py seed_demo`: the trust's term dates, and at Ashgrove a leaver whose
file waits to be accepted by Willow Lane (another trust), a leaver whose file is still to send,
a former pupil's file due for its retention review, and a subject access request.

Idempotent: each piece is made once (found again by its demo pupil or its demo reference).
Runs after the cases' demo (INSTALLED_APPS order), whose demo pupils it uses.
"""

from datetime import date, timedelta

from django.utils import timezone

from incidents.models import Incident, IncidentPupil, Pupil, PupilRole, Status, Urgency
from safeguarding import audit
from safeguarding.models import Role, School, Trust, User
from terms.parse import parse_term_dates
from terms.services import replace_term_dates

from . import services
from .models import SubjectAccessRequest, Transfer

OLD_CASE_REFERENCE = "SG-PAST-0001"


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def _friday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def _term_dates(year: int) -> str:
    """A local authority's calendar for the academic year starting in September `year`, laid
    out as such calendars usually are (weekdays only, half terms a week long)."""
    y, n = year, year + 1
    autumn_start = _monday_on_or_after(date(y, 8, 29)) + timedelta(days=2)  # a Wednesday
    autumn_half = _monday_on_or_after(date(y, 10, 24))
    spring_start = _monday_on_or_after(date(n, 1, 4))
    spring_half = _monday_on_or_after(date(n, 2, 13))
    summer_start = _monday_on_or_after(date(n, 4, 12))
    summer_half = _monday_on_or_after(date(n, 5, 25))

    def span(name, start, end):
        return f"{name}: {start.day} {start:%B %Y} to {end.day} {end:%B %Y}"

    return "\n".join(
        [
            span("Autumn term", autumn_start, _friday_on_or_before(date(y, 12, 19))),
            span("Autumn half term", autumn_half, autumn_half + timedelta(days=4)),
            span("Spring term", spring_start, _friday_on_or_before(date(n, 3, 27))),
            span("Spring half term", spring_half, spring_half + timedelta(days=4)),
            span("Summer term", summer_start, _friday_on_or_before(date(n, 7, 22))),
            span("Summer half term", summer_half, summer_half + timedelta(days=4)),
        ]
    )


def _lead(school: School) -> User | None:
    return User.objects.filter(memberships__school=school, memberships__role=Role.DSL).first()


def seed_demo_data(stdout) -> None:
    today = timezone.localdate()
    trust = Trust.objects.filter(slug="brookside").first()
    lead = User.objects.filter(memberships__trust=trust, memberships__role=Role.TRUST_LEAD).first()
    if trust and lead:
        year = today.year if today.month >= 8 else today.year - 1
        parsed = parse_term_dates(_term_dates(year) + "\n" + _term_dates(year + 1))
        if replace_term_dates(actor=lead, entries=parsed.entries, trust=trust):
            stdout.write(f"  Term dates for {trust.name}")

    ashgrove = School.objects.filter(slug="ashgrove").first()
    willow = School.objects.filter(slug="willow-lane").first()
    dsl = _lead(ashgrove) if ashgrove else None
    if ashgrove is None or willow is None or dsl is None:
        return

    kai = Pupil.objects.filter(school=ashgrove, first_name="Kai", last_name="Demo-Reed").first()
    if kai and not Transfer.objects.filter(pupil=kai).exists():
        services.record_leaving(
            pupil=kai,
            school=ashgrove,
            actor=dsl,
            leaving_date=today - timedelta(days=2),
            destination=willow.name,
        )
        services.send_transfer(pupil=kai, school=ashgrove, to_school=willow, actor=dsl)
        stdout.write(f"  A leaver's file sent to {willow.name}, waiting to be accepted")

    zac = Pupil.objects.filter(school=ashgrove, first_name="Zac", last_name="Demo-Mills").first()
    if zac and zac.leaving_date is None:
        services.record_leaving(
            pupil=zac,
            school=ashgrove,
            actor=dsl,
            leaving_date=today + timedelta(days=3),
            destination="Cedar Park Academy",
        )
        stdout.write("  A leaver whose file is still to send")

    if not Incident.objects.filter(reference=OLD_CASE_REFERENCE).exists():
        _former_pupil_due_for_review(ashgrove, dsl, today)
        stdout.write("  A former pupil's file due for its retention review")

    lola = Pupil.objects.filter(school=ashgrove, first_name="Lola", last_name="Demo-Hart").first()
    if lola and not SubjectAccessRequest.objects.filter(pupil=lola).exists():
        services.log_request(
            school=ashgrove,
            pupil=lola,
            actor=dsl,
            requester_name="Mrs Demo-Hart",
            relationship=SubjectAccessRequest.Relationship.PARENT,
            how_received=SubjectAccessRequest.How.EMAIL,
            received_on=today - timedelta(days=20),
        )
        stdout.write("  A subject access request, due in about ten days")
        withdrawn = services.log_request(
            school=ashgrove,
            pupil=lola,
            actor=dsl,
            requester_name="Mr Demo-Hart",
            relationship=SubjectAccessRequest.Relationship.PARENT,
            how_received=SubjectAccessRequest.How.SPOKEN,
            received_on=today - timedelta(days=60),
        )
        services.end_without_disclosure(
            sar=withdrawn,
            actor=dsl,
            outcome=SubjectAccessRequest.Status.WITHDRAWN,
            reason="He rang to say the family had the letters they needed from the council.",
            ended_on=today - timedelta(days=45),
        )
        stdout.write("  A subject access request withdrawn by the parent who made it")


def _former_pupil_due_for_review(school: School, dsl: User, today: date) -> None:
    """A pupil who turned 25 last month, with one closed case from ten years ago. No leaving
    date: she left school for work, so this school kept her file as her last school."""
    born = today - timedelta(days=365 * 25 + 40)
    pupil = Pupil.objects.create(
        school=school,
        first_name="Rhiannon",
        last_name="Demo-Price",
        year_group="11",
        date_of_birth=born,
        mis_id="DEMO-OLD-001",
    )
    reporter = (
        User.objects.filter(memberships__school=school, memberships__role=Role.STAFF).first() or dsl
    )
    reported = timezone.now() - timedelta(days=365 * 10)
    incident = Incident.objects.create(
        reference=OLD_CASE_REFERENCE,
        school=school,
        reporter=reporter,
        kind="real_nudes",
        came_to_light="another_pupil",
        happened_on=timezone.localdate(reported),
        location="online",
        platform="A messaging app",
        account="A friend said a picture she had sent to a boyfriend was being passed round.",
        adults_involved="no",
        checklist_version="2026-01",
        urgency=Urgency.DSL_REVIEW_TODAY,
        referral="no",
        status=Status.CLOSED,
        submitted_at=reported,
        acknowledged_at=reported,
        closed_at=reported + timedelta(days=30),
    )
    IncidentPupil.objects.create(incident=incident, pupil=pupil, role=PupilRole.PICTURED)
    audit.record(
        "incident.reported",
        actor=reporter,
        target=incident,
        school=school,
        data={"reference": incident.reference, "kind": incident.kind, "demo": True},
    )
