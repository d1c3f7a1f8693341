"""Importing the pupil list from pasted CSV: good rows import, each bad row is reported with its
line and reason, and re-importing updates rather than duplicates."""

from datetime import date

from django.urls import reverse

from incidents.models import Pupil
from incidents.services import import_pupils
from safeguarding.models import AuditEvent
from tests.conftest import post_form, search_for

HEADER = "first_name,last_name,year_group,date_of_birth,mis_id"


def listed(last: str, first: str) -> str:
    """A pupil as the list shows them: each name isolated, so right-to-left names keep the
    order."""
    return f"<bdi>{last}</bdi>, <bdi>{first}</bdi>"


def paste(client, text):
    url = reverse("incidents:pupils_import", kwargs={"school": "oakwood"})
    return post_form(client, url, {"csv_text": text})


def test_good_rows_import(client_for, cast):
    client = client_for(cast.admin)
    text = "\n".join(
        [
            HEADER,
            "Amira,Khan,9,2011-05-14,A1234",
            "Jack,O'Neill,Y10,03/02/2010,",
            'Zoë,"Smith-Jones",Reception,2021-01-20,A1236',
        ]
    )
    response = paste(client, text)
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    assert "3 added, 0 updated" in response.content.decode()
    jack = Pupil.objects.get(first_name="Jack")
    assert (jack.year_group, jack.date_of_birth, jack.mis_id) == ("10", date(2010, 2, 3), "")
    assert Pupil.objects.get(mis_id="A1236").year_group == "R"
    assert set(Pupil.objects.values_list("school__slug", flat=True)) == {"oakwood"}


def test_each_bad_row_is_reported_with_its_line_and_good_rows_still_import(client_for, cast):
    client = client_for(cast.admin)
    text = "\n".join(
        [
            HEADER,  # line 1
            "Amira,Khan,9,2011-05-14,A1",  # 2 good
            ",Khan,9,2011-05-14,A2",  # 3 no first name
            "Ben,Lee,15,2011-05-14,A3",  # 4 bad year
            "Cara,Moss,8,2040-01-01,A4",  # 5 future
            "Dan,Park,8,14th May,A5",  # 6 not a date
            "Eve,Quinn,8,2012-01-01,A1",  # 7 duplicate MIS id in the paste
            "=HYPERLINK(1),Rae,8,2012-01-01,A7",  # 8 formula
            "Fay,Stone,8,2012-01-01,A8,extra",  # 9 too many columns
            "Gus,Tate,7,2013-02-02,A9",  # 10 good
        ]
    )
    response = paste(client, text)
    result = response.context["result"]
    assert result.created == 2
    lines = {e.line: e.reason for e in result.errors}
    assert set(lines) == {3, 4, 5, 6, 7, 8, 9}
    assert "first name is missing" in lines[3]
    assert lines[4] == "The year group '15' is not one of N, R or 1 to 13"
    assert "future" in lines[5]
    assert "not a date" in lines[6]
    assert "already on line 2" in lines[7]
    assert "starts with =" in lines[8]
    assert "more columns" in lines[9]
    body = response.content.decode()
    assert "Rows not imported" in body and "already on line 2" in body
    assert sorted(Pupil.objects.values_list("first_name", flat=True)) == ["Amira", "Gus"]
    event = AuditEvent.objects.get(action="pupils.imported")
    assert event.data == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 7,
        "leavers": 0,
        "details_updated": 0,
    }
    assert event.actor == cast.admin and event.school == cast.school_a


def test_reimporting_updates_rather_than_duplicates(client_for, cast):
    client = client_for(cast.admin)
    paste(client, f"{HEADER}\nAmira,Khan,9,2011-05-14,A1\nJack,Lee,9,2011-07-01,")
    response = paste(
        client,
        f"{HEADER}\nAmira,Khan-Ali,10,2011-05-14,A1\nJack,Lee,10,2011-07-01,\nNew,Pupil,7,2014-01-01,",
    )
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (1, 2, 0)
    assert Pupil.objects.count() == 3
    assert Pupil.objects.get(mis_id="A1").last_name == "Khan-Ali"
    assert Pupil.objects.get(first_name="Jack").year_group == "10"

    again = paste(client, f"{HEADER}\nAmira,Khan-Ali,10,2011-05-14,A1")
    assert again.context["result"].unchanged == 1
    # A MIS id given later is matched on name and date of birth, then kept.
    paste(client, f"{HEADER}\njack,lee,10,2011-07-01,B77")
    assert Pupil.objects.get(first_name__iexact="jack").mis_id == "B77"
    paste(client, f"{HEADER}\nJack,Lee,11,2011-07-01,")
    jack = Pupil.objects.get(first_name="Jack")
    assert (jack.mis_id, jack.year_group) == ("B77", "11")
    assert Pupil.objects.count() == 3


def test_the_same_name_typed_differently_is_the_same_pupil(client_for, cast):
    client = client_for(cast.admin)
    paste(client, f"{HEADER}\nSiân,O'Brien,9,2011-05-14,")
    result = paste(client, f"{HEADER}\nSian,O\u2019Brien,10,2011-05-14,").context["result"]
    assert (result.created, result.updated) == (0, 1)
    assert Pupil.objects.get().year_group == "10"
    # Born on another day: another pupil.
    paste(client, f"{HEADER}\nSian,O'Brien,9,2011-05-15,")
    assert Pupil.objects.count() == 2


def test_a_pupil_added_while_reporting_becomes_the_imported_pupil(client_for, cast):
    added = Pupil.objects.create(
        school=cast.school_a,
        first_name="Ava",
        last_name="O'Neill",
        year_group="9",
        added_from_report=True,
    )
    twin_a, twin_b = (
        Pupil.objects.create(
            school=cast.school_a,
            first_name="Sam",
            last_name="Reid",
            year_group="8",
            added_from_report=True,
        )
        for _ in range(2)
    )
    result = paste(
        client_for(cast.admin),
        f"{HEADER}\nAva,O\u2019Neill,9,2011-05-14,U1\nSam,Reid,8,2012-01-01,U2",
    ).context["result"]
    # Ava is the pupil added in a report, now on the list; to the admin (who does not see that
    # she was named in a report) she is a new pupil, as Sam is.
    assert (result.created, result.updated) == (2, 0)
    added.refresh_from_db()
    assert (added.mis_id, str(added.date_of_birth), added.added_from_report) == (
        "U1",
        "2011-05-14",
        False,
    )
    # Two pupils of that name were added while reporting: neither is guessed at.
    assert Pupil.objects.filter(pk__in=[twin_a.pk, twin_b.pk], mis_id="").count() == 2


def test_the_same_mis_id_at_another_school_is_another_pupil(cast):
    import_pupils(actor=cast.admin, school=cast.school_a, csv_text=f"{HEADER}\nA,B,9,2012-01-01,X1")
    import_pupils(actor=cast.admin, school=cast.school_b, csv_text=f"{HEADER}\nC,D,9,2012-01-01,X1")
    assert Pupil.objects.filter(mis_id="X1").count() == 2


def test_a_missing_heading_row_imports_nothing_and_says_why(client_for, cast):
    response = paste(client_for(cast.admin), "Amira,Khan,9,2011-05-14,A1")
    result = response.context["result"]
    assert result.header_error.startswith("The first row must be the heading row")
    assert "Nothing was imported" in response.content.decode()
    assert not Pupil.objects.exists()


def test_rows_pasted_from_a_spreadsheet_are_tab_separated_and_import(client_for, cast):
    text = HEADER.replace(",", "\t") + "\nSiân\tO’Brien, Jones\t9\t29/02/2012\tW1\n"
    result = paste(client_for(cast.admin), text).context["result"]
    assert (result.header_error, result.created, result.errors) == ("", 1, [])
    assert Pupil.objects.get(mis_id="W1").last_name == "O’Brien, Jones"


def test_a_heading_row_as_a_spreadsheet_writes_it_is_understood(client_for, cast):
    text = (
        "First Name\tLast Name\tYear Group\tDate of Birth\tMIS ID \r\n"
        "Rhys\tap Iorwerth\tY9\t01/09/2011\tW10\r\n"
    )
    result = paste(client_for(cast.admin), text).context["result"]
    assert (result.header_error, result.created, result.errors) == ("", 1, [])
    assert Pupil.objects.get(mis_id="W10").last_name == "ap Iorwerth"


def test_a_broken_quote_is_reported_not_a_server_error(client_for, cast):
    response = paste(client_for(cast.admin), f'{HEADER}\nA,B,9,2012-01-01,X1\n"C,D,9,2012-01-01,X2')
    assert response.status_code == 200
    assert Pupil.objects.filter(mis_id="X1").exists()


def test_the_pupil_list_shows_and_searches_pupils(client_for, cast, pupils):
    client = client_for(cast.dsl)
    url = reverse("incidents:pupils", kwargs={"school": "oakwood"})
    body = client.get(url).content.decode()
    assert listed("Okafor", "Maya") in body and listed("Turner", "Jake") in body
    assert "Cole, Erin" not in body  # another school's pupil
    assert "Import or update" not in body  # admins only
    found = search_for(client, url, "oka").content.decode()
    assert listed("Okafor", "Maya") in found and listed("Turner", "Jake") not in found


def test_searching_ignores_accents_case_and_curly_apostrophes(client_for, cast):
    for first, last in [("Siân", "O’Brien"), ("Zoë", "Nguyễn"), ("Tom", "Smith")]:
        Pupil.objects.create(school=cast.school_a, first_name=first, last_name=last, year_group="9")
    client = client_for(cast.dsl)
    url = reverse("incidents:pupils", kwargs={"school": "oakwood"})
    found = search_for(client, url, "sian o'brien").content.decode()
    assert listed("O’Brien", "Siân") in found and "Smith" not in found
    assert listed("O’Brien", "Siân") in search_for(client, url, "OBrien").content.decode()
    found = search_for(client, url, "NGUYEN zoe").content.decode()
    assert listed("Nguyễn", "Zoë") in found and "Siân" not in found


def test_a_name_searched_as_the_list_writes_it_is_found(client_for, cast, pupils):
    url = reverse("incidents:pupils", kwargs={"school": "oakwood"})
    found = search_for(client_for(cast.dsl), url, "Okafor, Maya").content.decode()
    assert listed("Okafor", "Maya") in found and "1 pupil found" in found


def test_leavers_come_with_a_leaving_date_and_destination(cast):
    from datetime import date

    from safeguarding.models import AuditEvent

    existing = Pupil.objects.create(
        school=cast.school_a,
        first_name="Amira",
        last_name="Khan",
        year_group="9",
        date_of_birth=date(2011, 5, 14),
        mis_id="A1",
    )
    result = import_pupils(
        actor=cast.admin,
        school=cast.school_a,
        csv_text=(
            "first_name,last_name,year_group,date_of_birth,mis_id,Date of leaving,Next school\n"
            "Amira,Khan,9,2011-05-14,A1,20/03/2026,Hilltop High School\n"
            "Jack,Reid,10,2010-02-03,A2,,\n"
            "Bea,Moss,10,2010-02-04,A3,2009-01-01,\n"
            "Cal,Nye,10,2010-02-05,A4,2031-01-01,\n"
        ),
    )
    assert result.leavers == 1
    assert [e.line for e in result.errors] == [4, 5]
    assert "leaving date is before the date of birth" in result.errors[0].reason
    assert "more than a year ahead" in result.errors[1].reason
    existing.refresh_from_db()
    assert existing.leaving_date == date(2026, 3, 20)
    assert existing.destination == "Hilltop High School"
    jack = Pupil.objects.get(mis_id="A2")
    assert jack.leaving_date is None and jack.destination == ""
    assert AuditEvent.objects.get(action="pupils.imported").data["leavers"] == 1
    # A blank leaving date does not clear one already recorded.
    import_pupils(
        actor=cast.admin,
        school=cast.school_a,
        csv_text="first_name,last_name,year_group,date_of_birth,mis_id,leaving_date\n"
        "Amira,Khan,9,2011-05-14,A1,\n",
    )
    existing.refresh_from_db()
    assert existing.leaving_date == date(2026, 3, 20)
