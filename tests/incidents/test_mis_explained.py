"""'MIS' is a school office word: the pupil pages that use it say what it is."""

from django.urls import reverse

from incidents.models import Pupil

SPELLED_OUT = "management information system"


def test_the_import_page_says_what_an_mis_id_is(client_for, cast):
    page = client_for(cast.admin).get(
        reverse("incidents:pupils_import", kwargs={"school": "oakwood"})
    )
    assert page.status_code == 200
    assert f"the pupil's id in your school's {SPELLED_OUT}, or MIS" in page.content.decode()


def test_an_empty_pupil_list_says_where_to_import_it_from(client_for, cast):
    page = client_for(cast.admin).get(reverse("incidents:pupils", kwargs={"school": "oakwood"}))
    assert f"Import it from your school's {SPELLED_OUT} (MIS)." in page.content.decode()


def test_the_pupil_list_heads_the_id_column_in_words(client_for, cast):
    Pupil.objects.create(
        school=cast.school_a, first_name="Amira", last_name="Khan", year_group="9", mis_id="A1234"
    )
    page = client_for(cast.dsl).get(reverse("incidents:pupils", kwargs={"school": "oakwood"}))
    html = page.content.decode()
    assert "Pupil id (MIS)</th>" in html and ">MIS id<" not in html
    assert "A1234" in html
