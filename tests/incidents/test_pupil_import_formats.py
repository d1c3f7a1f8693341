"""The pupil list as school admins really have it: a CSV saved by Excel in the UK or in Europe
(semicolons), with a byte order mark, quoted commas, extra columns, an MIS export's own heading
names and dates written several ways. What can be read is imported; the rest is reported row by
row in words that say what to change."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Pupil
from incidents.services import EXTRA_COLUMNS, UNCLOSED_QUOTE, import_pupils
from safeguarding.errors import TOO_LONG_MESSAGE
from tests.conftest import post_form

HEADER = "first_name,last_name,year_group,date_of_birth,mis_id"


def paste(client, text):
    url = reverse("incidents:pupils_import", kwargs={"school": "oakwood"})
    return post_form(client, url, {"csv_text": text})


def test_a_csv_saved_by_excel_in_europe_is_separated_by_semicolons(client_for, cast):
    text = (
        "\ufefffirst_name;last_name;year_group;date_of_birth;mis_id\r\n"
        'Siân;"O\'Brien; Jones";10;14.03.2011;E1\r\n'
        "Zoë;Müller;9;2012-03-14;E2\r\n"
        ";;;;\r\n\r\n"
    )
    result = paste(client_for(cast.admin), text).context["result"]
    assert (result.header_error, result.created, result.errors) == ("", 2, [])
    assert Pupil.objects.get(mis_id="E1").last_name == "O'Brien; Jones"
    assert Pupil.objects.get(mis_id="E1").date_of_birth == date(2011, 3, 14)


def test_excel_s_sep_line_says_what_separates_the_columns(cast):
    text = f"sep=;\n{HEADER.replace(',', ';')}\nAmy;Jones, Smith;9;14/03/2011;S1\n"
    result = import_pupils(actor=cast.admin, school=cast.school_a, csv_text=text)
    assert (result.header_error, result.created) == ("", 1)
    assert Pupil.objects.get(mis_id="S1").last_name == "Jones, Smith"


def test_an_mis_export_s_heading_names_are_understood_and_extra_columns_listed(client_for, cast):
    text = (
        "Forename,Surname,Reg Group,Year,DOB,UPN,Notes\n"
        'Amira,Khan,9B,Year 9,14/03/2011,K100,"Likes art, music"\n'
        "Rhys,ap Iorwerth,10C,NC Year 10,2010-09-01,K101,\n"
    )
    response = paste(client_for(cast.admin), text)
    result = response.context["result"]
    assert (result.header_error, result.created, result.errors) == ("", 2, [])
    amira = Pupil.objects.get(mis_id="K100")
    assert (amira.first_name, amira.year_group) == ("Amira", "9")
    assert Pupil.objects.get(mis_id="K101").year_group == "10"
    assert result.ignored_columns == ["Reg Group", "Notes"]
    assert "Columns not imported" in response.content.decode()


@pytest.mark.parametrize(
    ("written", "year_group"),
    [("Yr 9", "9"), ("Year 09", "9"), ("09", "9"), ("Y10", "10"), ("Year R", "R"), ("Rec", "R")],
)
def test_year_groups_written_as_schools_write_them(cast, written, year_group):
    text = f"{HEADER}\nAmy,Jones,{written},2012-01-01,Y1"
    result = import_pupils(actor=cast.admin, school=cast.school_a, csv_text=text)
    assert result.errors == []
    assert Pupil.objects.get(mis_id="Y1").year_group == year_group


@pytest.mark.parametrize(
    "written",
    ["14/03/2011", "2011-03-14", "14/03/11", "14-Mar-2011", "14 March 2011", "14/03/2011 00:00"],
)
def test_dates_of_birth_written_as_spreadsheets_write_them(cast, written):
    text = f"{HEADER}\nAmy,Jones,9,{written},D1"
    result = import_pupils(actor=cast.admin, school=cast.school_a, csv_text=text)
    assert result.errors == []
    assert Pupil.objects.get(mis_id="D1").date_of_birth == date(2011, 3, 14)


def test_a_date_that_does_not_exist_or_has_the_month_first_says_what_to_change(cast):
    rows = ["Amy,Jones,9,29/02/2011,D1", "Ben,Jones,9,03/14/2011,D2", "Cal,Jones,9,2011-03-14,D3"]
    rows.append("Dee,Jones,9,40616,D4")  # Excel's own number for 14 March 2011
    text = "\n".join([HEADER, *rows])
    result = import_pupils(actor=cast.admin, school=cast.school_a, csv_text=text)
    reasons = {error.line: error.reason for error in result.errors}
    assert reasons == {
        2: "The date of birth '29/02/2011' is not a real date: check the day and month",
        3: "The date of birth '03/14/2011' has the month first: write the day first, as 14/03/2011",
        5: "The date of birth '40616' is a spreadsheet's number for a date: format the column "
        "as a date (such as 27/09/2014), then copy it again",
    }
    assert result.created == 1


def test_an_unclosed_quote_is_reported_on_its_own_line(cast):
    rows = [
        "",
        "Amy,Jones,9,2011-03-14,Q1",
        '"Ben,Jones,9,2011-03-14,Q2',
        "Cal,Jones,9,2011-03-14,Q3",
    ]
    text = "\n".join([HEADER, *rows])
    result = import_pupils(actor=cast.admin, school=cast.school_a, csv_text=text)
    assert [(error.line, error.reason) for error in result.errors] == [(4, UNCLOSED_QUOTE)]
    assert list(Pupil.objects.values_list("mis_id", flat=True)) == ["Q1"]


def test_empty_cells_past_the_last_heading_are_ignored(cast):
    text = f"{HEADER},,\nAmy,Jones,9,2011-03-14,C1,,,,\nBen,Jones,9,2011-03-14,C2,,,,x"
    result = import_pupils(actor=cast.admin, school=cast.school_a, csv_text=text)
    assert (result.created, result.ignored_columns) == (1, [])
    assert [(e.line, e.reason) for e in result.errors] == [(3, EXTRA_COLUMNS)]


def test_a_row_after_a_blank_line_is_reported_on_its_own_line(cast):
    text = f"{HEADER}\nAmy,Jones,9,2011-03-14,B1\n\n\nBen,Jones,99,2011-03-14,B2"
    result = import_pupils(actor=cast.admin, school=cast.school_a, csv_text=text)
    assert [error.line for error in result.errors] == [5]


def test_importing_on_29_february_works(cast, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2028, 2, 29))
    text = f"{HEADER}\nAmy,Jones,11,2012-03-14,L1\nBen,Jones,11,1990-01-01,L2"
    result = import_pupils(actor=cast.admin, school=cast.school_a, csv_text=text)
    assert result.created == 1
    assert [error.reason for error in result.errors] == [
        "The date of birth is more than 25 years ago"
    ]


def test_a_paste_too_long_to_read_says_to_import_it_in_parts(client_for, cast, settings):
    # A whole school's export with many columns is more than a request may carry.
    settings.DEBUG = False
    rows = [f"Amy{n},Jones,9,2011-03-14,P{n},{'notes, ' * 20}" for n in range(4000)]
    response = paste(client_for(cast.admin), "\n".join([HEADER + ",notes", *rows]))
    assert response.status_code == 400
    assert TOO_LONG_MESSAGE in response.content.decode()
    assert not Pupil.objects.exists()
