"""Names written right to left (Arabic, Urdu, Hebrew) keep their place beside English: each
part of every name shown in the journey, "My reports" and the pupil list is isolated (<bdi>, or
a left-to-right mark after each name in a select's options), and the name boxes follow the
direction of what is typed."""

from django.urls import reverse

from incidents.models import Incident, Pupil


def test_names_are_isolated_on_every_page_of_the_journey(journey, cast):
    listed = Pupil.objects.create(
        school=cast.school_a, first_name="محمد", last_name="علي", year_group="10"
    )
    j = journey(cast.teacher).complete(pupils=[listed])
    j.add_new_pupil(first="محمد", last="Smith", year="10", role="sharer")

    # Each part apart: whole, "محمد Smith" would be drawn right to left, as "Smith محمد".
    who = j.client.get(j.url("report_who")).content.decode()
    assert "<bdi>محمد</bdi> <bdi>علي</bdi>" in who and "<bdi>محمد</bdi> <bdi>Smith</bdi>" in who
    check = j.client.get(j.url("report_check")).content.decode()
    assert "<bdi>محمد</bdi> <bdi>علي</bdi>" in check and "<bdi>محمد</bdi> <bdi>Smith</bdi>" in check

    j.submit()
    incident = Incident.objects.get()
    mine = j.client.get(reverse("incidents:my_report", kwargs={"reference": incident.reference}))
    assert "<bdi>محمد</bdi> <bdi>Smith</bdi>" in mine.content.decode()


def test_the_pupil_picker_keeps_last_name_first_for_right_to_left_names(journey, cast):
    Pupil.objects.create(school=cast.school_a, first_name="محمد", last_name="علي", year_group="10")
    j = journey(cast.teacher)
    j.start()
    response = j.client.get(j.url("report_who"))
    labels = [label for _, label in response.context["choose_form"].fields["pupil"].choices]
    assert "علي\u200e, محمد\u200e (Year 10)" in labels
    body = response.content.decode()
    assert 'name="new-first_name"' in body
    assert body.count('dir="auto"') >= 3  # the search box and both name boxes


def test_the_pupil_list_isolates_each_name(client_for, cast):
    Pupil.objects.create(school=cast.school_a, first_name="محمد", last_name="علي", year_group="10")
    body = client_for(cast.dsl).get(reverse("incidents:pupils", kwargs={"school": "oakwood"}))
    assert "<bdi>علي</bdi>, <bdi>محمد</bdi>" in body.content.decode()
