"""seed_demo shows a file's life: a leaver with a transfer waiting at another school, a leaver's
file to send, a file due for its retention review, a subject access request open and one
withdrawn. Made once."""

import io

from django.core.management import call_command

from records import work
from records.models import SubjectAccessRequest, Transfer
from safeguarding.models import School
from terms.school_days import calendar_for


def test_the_demo_has_a_file_at_every_stage(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    ashgrove = School.objects.get(slug="ashgrove")
    transfer = Transfer.objects.get()
    assert (transfer.from_school.slug, transfer.to_school.slug) == ("ashgrove", "willow-lane")
    assert transfer.status == Transfer.Status.PENDING
    assert transfer.pupil.leaving_date is not None
    due = work.due_work(ashgrove)
    assert [leaver.pupil.first_name for leaver in due.to_send] == ["Zac"]
    assert due.reviews_due == 1
    assert SubjectAccessRequest.objects.filter(status="open").count() == 1
    assert SubjectAccessRequest.objects.filter(status="withdrawn").count() == 1
    assert calendar_for(ashgrove).source == "trust"
    willow = work.due_work(School.objects.get(slug="willow-lane"))
    assert willow.incoming == [transfer]
