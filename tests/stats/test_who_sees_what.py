"""A school's DSLs and deputies see their own school's figures exactly (they see every case
anyway); figures that leave the school, the trust lead's page and the trust's export, are
suppressed and rounded. Each page says which it is."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from tests.stats.conftest import at


@pytest.fixture
def seven_cases(cast, make_case):
    """Seven cases at Oakwood in October: 6 nudified (2 referred), 1 sextortion."""
    for day in range(1, 8):
        make_case(
            cast.school_a,
            at(2025, 10, day),
            kind="sextortion" if day == 7 else "nudified",
            status="referred" if day <= 2 else "new",
            acknowledged_after=dt.timedelta(hours=day),
        )


def figure(response, key):
    return next(f for f in response.context["dashboard"].figures if f.key == key)


@pytest.mark.parametrize("who", ["dsl", "deputy"])
def test_the_schools_own_leads_see_exact_figures(cast, client_for, seven_cases, who):
    response = client_for(getattr(cast, who)).get(
        reverse("stats:school_dashboard", args=["oakwood"]), {"year": "2025"}
    )
    dashboard = response.context["dashboard"]
    assert dashboard.exact
    assert dashboard.total_cases == 7  # what their inbox lists, not 5
    kinds = {row.label: row.values[0] for row in figure(response, "kind").rows}
    assert kinds["Nudified photo of a real pupil"] == 6
    assert kinds["Sextortion threat or demand"] == 1
    outcomes = {row.label: row.values[0] for row in figure(response, "outcome").rows}
    assert outcomes == {"Referred": 2, "Managed in school": 0, "Still open": 5}
    assert dashboard.median_hours == 4
    html = response.content.decode()
    assert 'id="exact-figures"' in html and 'id="suppressed-figures"' not in html
    assert "your school's exact figures" in html


def test_the_trust_lead_sees_the_same_school_suppressed_and_rounded(cast, client_for, seven_cases):
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_dashboard", args=["northfield"]), {"year": "2025"}
    )
    dashboard = response.context["dashboard"]
    assert not dashboard.exact
    assert dashboard.total_cases == 5
    kinds = {row.label: row.values[0] for row in figure(response, "kind").rows}
    assert kinds["Sextortion threat or demand"] == "c"
    html = response.content.decode()
    assert 'id="suppressed-figures"' in html and 'id="exact-figures"' not in html


def test_the_schools_export_is_exact_and_says_so_the_trusts_is_not(cast, client_for, seven_cases):
    school = client_for(cast.dsl).get(
        reverse("stats:school_export", args=["oakwood"]), {"year": "2025"}
    )
    headline = next(csv.DictReader(io.StringIO(school.content.decode("utf-8-sig"))))
    assert (headline["measure"], headline["value"]) == ("Cases", "7")
    meta = client_for(cast.dsl).get(reverse("stats:school_metadata", args=["oakwood"]))
    assert "Exact figures for the school" in meta.content.decode("utf-8-sig")
    trust = client_for(cast.trust_lead).get(
        reverse("stats:trust_export", args=["northfield"]), {"year": "2025"}
    )
    headline = next(csv.DictReader(io.StringIO(trust.content.decode("utf-8-sig"))))
    assert (headline["measure"], headline["value"]) == ("Cases", "5")
