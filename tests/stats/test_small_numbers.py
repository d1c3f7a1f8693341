"""A school with one or two cases shows 'c' to the trust, on the page and in the export alike
(its own DSLs see them exactly: test_who_sees_what)."""

import csv
import io
import re

import pytest
from django.urls import reverse

from tests.stats.conftest import at


def numeric_cells(html: str) -> list[str]:
    return re.findall(r'govuk-table__cell--numeric[^"]*">([^<]*)<', html)


@pytest.mark.parametrize("cases", [1, 2])
def test_one_or_two_cases_show_as_c_on_the_trusts_page(cast, client_for, make_case, cases):
    for day in range(cases):
        make_case(
            cast.school_a,
            at(2025, 10, 1 + day),
            status="referred",
            factors=[("adult_involved", "yes")],
            year_groups=["10"],
            acknowledged_after=at(2025, 10, 2) - at(2025, 10, 1),
        )
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_dashboard", args=["northfield"]), {"year": "2025"}
    )
    html = response.content.decode()
    # Pupils on roll (the pupils made for these cases) are not counts of cases; the rate beside
    # them is hidden with the count.
    rates = re.search(r'aria-labelledby="figure-rates">(.*?)</section>', html, re.S).group(1)
    assert numeric_cells(rates)[-1] == "c"
    cells = numeric_cells(html.replace(rates, ""))
    assert "c" in cells
    assert str(cases) not in cells
    assert set(cells) <= {"c", "0", "z"}, "nothing else can be shown for so few cases"
    assert response.context["dashboard"].total_cases == "c"
    assert response.context["dashboard"].median_hours == "c"


@pytest.mark.parametrize("cases", [1, 2])
def test_one_or_two_cases_show_as_c_in_the_export(cast, client_for, make_case, cases):
    for day in range(cases):
        make_case(cast.school_a, at(2025, 10, 1 + day), status="referred")
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_export", args=["northfield"]), {"year": "2025"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    october = next(r for r in rows if r["time_identifier"] == "October")
    assert (october["value"], october["flag"]) == ("", "c")
    headline = rows[0]
    assert (headline["measure"], headline["breakdown"]) == ("Cases", "Total")
    assert (headline["value"], headline["flag"]) == ("", "c")
    assert {r["value"] for r in rows} <= {"", "0"}, "nothing else can be shown for so few cases"


def test_every_shown_count_is_a_multiple_of_five(cast, client_for, make_case):
    kinds = ["nudified"] * 13 + ["sextortion"] * 7 + ["ai_generated"] * 3
    for index, kind in enumerate(kinds):
        make_case(cast.school_a, at(2025, 9 + index % 4, 1 + index), kind=kind)
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_dashboard", args=["northfield"]), {"year": "2025"}
    )
    cells = numeric_cells(response.content.decode())
    numbers = [int(c) for c in cells if c.isdigit()]
    assert numbers and all(n % 5 == 0 for n in numbers)
    kind = next(f for f in response.context["dashboard"].figures if f.key == "kind")
    shown = {row.label: row.values[0] for row in kind.rows}
    assert shown["Nudified photo of a real pupil"] == 15
    assert shown["AI-generated sexual image"] == "c"
    # 23 - 13 - 7 would give the 3 away: the next smallest is hidden with it.
    assert shown["Sextortion threat or demand"] == "c"
    assert shown["Not sure"] == 0
    assert kind.total_row.values == (25,)  # 23 before rounding
