"""The export opens cleanly in Excel and cannot carry a formula."""

import csv
import io

import pytest
from django.urls import reverse

from safeguarding.models import School
from safeguarding.safe_csv import excel_csv, neutralise
from stats.export import COLUMNS
from tests.stats.conftest import at


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_a_formula_is_neutralised_and_quoted(lead):
    value = f'{lead}HYPERLINK("http://evil.test","x")'
    assert neutralise(value) == "'" + value
    line = excel_csv([["label", value]]).decode("utf-8-sig")
    assert line.startswith('"label","\'' + lead)


def test_numbers_stay_numbers_and_text_is_quoted():
    body = excel_csv([["Cases", 15, 0], ["Plain", "c"]]).decode("utf-8")
    assert body == '\ufeff"Cases",15,0\r\n"Plain","c"\r\n'


def test_none_is_an_empty_unquoted_field():
    assert excel_csv([["a", None, 5, ""]]).decode("utf-8-sig") == '"a",,5,""\r\n'


def read_tidy(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_is_one_tidy_table_with_a_bom_crlf_and_the_header_first(
    cast, client_for, make_case
):
    for day in range(1, 11):
        kind = {9: "sextortion", 10: "ai_generated"}.get(day, "nudified")
        make_case(cast.school_a, at(2025, 10, day), kind=kind)
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_export", args=["northfield"]), {"year": "2025", "term": "autumn"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="statistics-northfield-2025-2026-autumn.csv"'
    )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0] == ",".join(f'"{c}"' for c in COLUMNS)
    rows = read_tidy(response)
    # Every row has every column; a value is a whole number, or empty with a flag.
    for row in rows:
        assert None not in row and None not in row.values()
        assert (row["value"].isdigit() and row["flag"] == "") or (
            row["value"] == "" and row["flag"] in ("c", "z", "x")
        ), row
        assert row["time_period"] in ("202526", "2025")
        assert row["trust_name"] == "Northfield Learning Trust"
    headline = next(r for r in rows if r["measure"] == "Cases" and r["breakdown_by"] == "All cases")
    assert headline["time_identifier"] == "Autumn term" and headline["value"] == "10"
    kinds = {
        r["breakdown"]: r
        for r in rows
        if r["breakdown_by"] == "Kind of concern" and r["time_identifier"] == "Autumn term"
    }
    assert kinds["Nudified photo of a real pupil"]["value"] == "10"
    assert (
        kinds["Sextortion threat or demand"]["value"],
        kinds["Sextortion threat or demand"]["flag"],
    ) == ("", "c")
    assert kinds["Total"]["value"] == "10"
    october = next(r for r in rows if r["time_identifier"] == "October")
    assert (october["time_period"], october["value"]) == ("2025", "10")
    # The empty value is a bare empty field, not a quoted empty string.
    assert '"Sextortion threat or demand",,"c"' in text


def test_the_metadata_describes_every_column_and_how_figures_are_hidden(cast, client_for):
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_metadata", args=["northfield"]), {"year": "2025"}
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="statistics-northfield-2025-2026.meta.csv"'
    )
    rows = read_tidy(response)
    assert [r["col_name"] for r in rows] == list(COLUMNS)
    described = {r["col_name"]: r["description"] for r in rows}
    assert "Counts below 5 are not shown (flag c)" in described["value"]
    assert "c: hidden" in described["flag"] and "z: not applicable" in described["flag"]
    school = client_for(cast.dsl).get(reverse("stats:school_metadata", args=["oakwood"]))
    described = {r["col_name"]: r["description"] for r in read_tidy(school)}
    assert "Exact figures" in described["value"]


def test_a_school_name_that_looks_like_a_formula_is_neutralised_in_the_export(
    cast, client_for, make_case
):
    school = School.objects.create(name="=1+2 Academy", slug="formula", trust=cast.trust_a)
    for day in range(1, 7):
        make_case(school, at(2025, 10, day))
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_export", args=["northfield"]), {"year": "2025"}
    )
    text = response.content.decode("utf-8-sig")
    assert '"\'=1+2 Academy"' in text
    assert '"=1+2' not in text
