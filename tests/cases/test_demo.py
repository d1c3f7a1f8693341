"""seed_demo's cases: a few per demo school, in different states, made once."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse

from cases import demo
from cases.models import ReviewMeeting
from guidance.checklist import STAFF, load_checklist
from incidents.models import Incident, Status
from safeguarding import audit
from safeguarding.models import User


def test_demo_cases_are_made_once_in_every_state(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    made = Incident.objects.filter(reference__startswith="SG-DEM").count()
    # Each scenario, one report of the first made again and closed as its duplicate, and one
    # about the same pupil within the day, not linked yet (possibly the same incident).
    assert made == len(demo.DEMO_SCHOOLS) * (len(demo.SCENARIOS) + 2)
    demo_cases = Incident.objects.filter(reference__startswith="SG-DEM")
    assert set(demo_cases.values_list("status", flat=True)) == {
        Status.NEW,
        Status.UNDER_REVIEW,
        Status.REFERRED,
        Status.CLOSED,
    }

    # A case worked today was reported before it was acknowledged, and not days before: the
    # demo's timelines and the trust's time-to-acknowledge figures must look like real ones.
    for case in demo_cases.exclude(acknowledged_at=None):
        assert timedelta(0) < case.acknowledged_at - case.submitted_at < timedelta(hours=8)
        assert case.happened_on <= case.submitted_at.date()

    call_command("seed_demo", stdout=io.StringIO())
    assert Incident.objects.filter(reference__startswith="SG-DEM").count() == made
    assert audit.first_broken_event() is None


def test_the_demo_has_a_case_the_checklist_does_not_type(db, settings, client_for):
    """A filtering alert with no image known: 'Not typed' on the case page, never aggravated."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    not_typed = Incident.objects.filter(
        reference__startswith="SG-DEM", outcome__typology="not_typed"
    )
    assert not_typed.count() == len(demo.DEMO_SCHOOLS)
    case = not_typed.get(school__slug="ashgrove")
    assert case.kind == "no_image" and case.came_to_light == "monitoring"
    assert case.outcome["referral_factors"] == [] and case.outcome["unknown_factors"] == []
    dsl = User.objects.get(email="dsl@ashgrove.example")
    page = client_for(dsl).get(reverse("cases:detail", kwargs={"reference": case.reference}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Not typed" in body and "No image is known to exist yet" in body


def test_demo_reporters_answer_only_the_staff_part_and_the_dsl_finds_out_the_rest(db, settings):
    """As with a real report: staff answer the checklist's staff part, each question only when
    it is asked; who made the image and how far it spread are the DSL's initial review."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    for case in Incident.objects.filter(reference__startswith="SG-DEM"):
        checklist = load_checklist(case.checklist_version)
        for qid in case.answers:
            question = checklist.question(qid)
            assert question.part == STAFF and question.is_asked(case.answers), (case, qid)
        for question in checklist.questions:
            if question.part == STAFF and question.is_asked(case.answers):
                assert question.id in case.answers, (case, question.id)
    nudified = Incident.objects.get(reference="SG-DEM1-0003")
    found_out = ReviewMeeting.objects.get(incident=nudified).answers
    assert found_out["original_source"] == "social_media"
    assert found_out["spread_recipients"] == "many"


def test_the_demo_shows_a_duplicate_pair_a_pupil_in_several_cases_and_an_overdue_task(db, settings):
    from django.utils import timezone

    from cases.models import CaseLink, Task
    from incidents.models import IncidentPupil

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # made once
    duplicates = Incident.objects.filter(duplicate_of__isnull=False, reference__startswith="SG-DEM")
    assert duplicates.count() == len(demo.DEMO_SCHOOLS)
    for duplicate in duplicates:
        assert duplicate.status == Status.CLOSED
        assert CaseLink.objects.filter(incident=duplicate, linked=duplicate.duplicate_of).exists()
    overdue = Task.objects.filter(done_at__isnull=True, due_on__lt=timezone.localdate())
    assert overdue.count() == len(demo.DEMO_SCHOOLS)
    busiest = max(
        IncidentPupil.objects.values_list("pupil", flat=True),
        key=lambda pk: IncidentPupil.objects.filter(pupil=pk).values("incident").distinct().count(),
    )
    assert IncidentPupil.objects.filter(pupil=busiest).values("incident").distinct().count() >= 3


def test_the_demo_shows_a_report_made_again_and_a_note_recorded_late(db, settings):
    from cases.models import CaseNote
    from cases.timeline import load_case_file
    from incidents.services import REPORTED_ALREADY
    from safeguarding.models import AuditEvent

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    again = Incident.objects.filter(reference__endswith=f"-{demo.REPORTED_AGAIN:04d}")
    assert again.count() == len(demo.DEMO_SCHOOLS)
    for incident in again:
        first = Incident.objects.get(reference=incident.reference[:-4] + "0001")
        assert first in load_case_file(incident).possibly_same
        assert incident in load_case_file(first).possibly_same
        told = AuditEvent.objects.get(action=REPORTED_ALREADY, target_id=str(incident.pk))
        assert told.data["possibly_same_as"] in {first.reference, incident.reference[:-4] + "0090"}
    late = [note for note in CaseNote.objects.all() if note.recorded_late]
    assert len(late) == len(demo.DEMO_SCHOOLS)
    assert all(note.recorded_late_words.startswith("Recorded 3 days later") for note in late)
