"""The export opens cleanly in Excel and cannot carry a formula."""

import pytest
from django.urls import reverse

from safeguarding.models import School
from stats.safe_csv import excel_csv, neutralise
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


def test_the_export_has_a_bom_crlf_and_a_header_stating_period_threshold_and_symbols(
    cast, client_for, make_case
):
    make_case(cast.school_a, at(2025, 10, 1))
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
    assert lines[1] == '"For","Northfield Learning Trust"'
    assert lines[2] == '"Period","Autumn term, academic year 2025 to 2026"'
    assert lines[3].startswith('"Threshold","Counts below 5 are not shown.')
    assert lines[4].startswith('"Symbols","c = ')
    assert '"0 = a true zero: no cases"' in lines[4]
    assert '"z = not applicable"' in lines[4]


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
