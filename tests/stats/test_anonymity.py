"""Trust leads get aggregates only: no free text, names, dates of birth, references or dates.

Cases are seeded with canary values in every free-text and identifying field; none may appear
in what a trust lead (or a DSL, on the same dashboard) sees or exports, and every case,
pupil and person page is closed to the trust lead.
"""

import datetime as dt
import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from incidents.models import FollowUp, IncidentPupil, Pupil
from tests.stats.conftest import at

CANARIES = {
    "pupil first name": "Zebedaia",
    "pupil last name": "Quillfeather",
    "MIS id": "MIS-CANARY-7731",
    "account": "CANARY-ACCOUNT-4401",
    "platform": "CanaryGramApp",
    "adults description": "CANARY-ADULTS-2093",
    "follow-up": "CANARY-FOLLOWUP-8812",
    "reference": "SG-CNRY-7QXZ",
    "reporter": "Tom Hart",
    "DSL": "Dana Lee",
    "date of birth (ISO)": "2012-03-14",
    "date of birth": "14 March 2012",
    "date reported (ISO)": "2025-10-14",
    "date reported": "14 October 2025",
    "date reported (UK)": "14/10/2025",
    "date it happened": "2025-10-09",
}


@pytest.fixture
def seeded(cast, make_case):
    """Six cases at Oakwood (so figures are shown, not all 'c'), all carrying the canaries."""
    first = None
    for n in range(6):
        incident = make_case(
            cast.school_a,
            at(2025, 10, 14, 9, 17) + dt.timedelta(minutes=n),
            account=CANARIES["account"],
            platform=CANARIES["platform"],
            adults_description=CANARIES["adults description"],
            happened_on=dt.date(2025, 10, 9),
            reference=CANARIES["reference"] if n == 0 else f"SG-TEST-{n:04d}",
            assigned_to=cast.dsl,
            status="referred",
            acknowledged_after=dt.timedelta(hours=2),
            factors=[("adult_involved", "yes")],
        )
        pupil = Pupil.objects.create(
            school=cast.school_a,
            first_name=CANARIES["pupil first name"],
            last_name=CANARIES["pupil last name"],
            year_group="9",
            date_of_birth=dt.date(2012, 3, 14),
            mis_id=f"{CANARIES['MIS id']}-{n}",
        )
        IncidentPupil.objects.create(incident=incident, pupil=pupil, role="pictured")
        FollowUp.objects.create(incident=incident, author=cast.teacher, text=CANARIES["follow-up"])
        first = first or (incident, pupil)
    return first


def assert_no_canary(text: str):
    leaked = [what for what, canary in CANARIES.items() if canary.lower() in text.lower()]
    assert not leaked, f"leaked: {leaked}"


@pytest.mark.parametrize(
    ("who", "view", "arg"),
    [
        ("trust_lead", "stats:trust_dashboard", "northfield"),
        ("trust_lead", "stats:trust_export", "northfield"),
        ("dsl", "stats:school_dashboard", "oakwood"),
        ("dsl", "stats:school_export", "oakwood"),
    ],
)
@pytest.mark.parametrize("term", ["", "autumn"])
def test_nothing_identifying_is_shown_or_exported(cast, client_for, seeded, who, view, arg, term):
    response = client_for(getattr(cast, who)).get(
        reverse(view, args=[arg]), {"year": "2025", "term": term}
    )
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    # The seeded cases are in what we looked at (the page's month, or the CSV's tidy row).
    assert "October 2025" in body or '"2025","October"' in body
    assert_no_canary(body)


def test_dates_are_never_finer_than_a_month(cast, client_for, seeded):
    response = client_for(cast.trust_lead).get(
        reverse("stats:trust_export", args=["northfield"]), {"year": "2025"}
    )
    body = response.content.decode("utf-8-sig")
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", body)
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", body)
    assert not re.search(
        r"\b\d{1,2} (January|February|March|April|May|June|July|August|"
        r"September|October|November|December)\b",
        body,
    )


def _routes(patterns, prefix="", converters=None):
    """(name, view, {kwarg: converter}) for every named route, through includes."""
    converters = converters or {}
    for pattern in patterns:
        found = {**converters, **pattern.pattern.converters}
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _routes(pattern.url_patterns, namespace, found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, pattern.callback, found


def _kwargs_for(converters, incident, pupil, cast):
    values = {
        "school": "oakwood",
        "reference": incident.reference,
        "pupil": str(pupil.pk),
        "person_id": str(cast.dsl.pk),
    }
    kwargs = {}
    for name, converter in converters.items():
        if name in values:
            kwargs[name] = values[name]
        elif type(converter).__name__ == "UUIDConverter":
            kwargs[name] = str(uuid.uuid4())
        elif type(converter).__name__ == "IntConverter":
            kwargs[name] = 1
        else:
            kwargs[name] = "x"
    return kwargs


# School pages a trust lead opens on purpose, none about a child or a case: confirming that a
# member of staff becomes a school's DSL or deputy needs a second person (cf. people views).
TRUST_LEAD_SCHOOL_PAGES = {"people:lead_requests"}


def test_the_trust_lead_reaches_no_case_pupil_or_person_page(cast, client_for, seeded):
    incident, pupil = seeded
    client = client_for(cast.trust_lead)
    checked = []
    for name, view, converters in _routes(get_resolver().url_patterns):
        policy = getattr(view, "access_policy", None)
        if not isinstance(policy, tuple) or policy[0] == "trust":
            continue  # public, signed-in and admin pages are not scoped to a school or case
        url = reverse(name, kwargs=_kwargs_for(converters, incident, pupil, cast))
        response = client.get(url)
        if name in TRUST_LEAD_SCHOOL_PAGES:
            assert response.status_code == 200, f"{name}: {response.status_code}"
        else:
            assert response.status_code in (404, 405), f"{name}: {response.status_code}"
        assert_no_canary(response.content.decode("utf-8", "replace"))
        checked.append(name)
    assert set(checked) >= TRUST_LEAD_SCHOOL_PAGES
    assert "stats:school_dashboard" in checked
    assert len(checked) > 4


def test_the_trust_leads_own_pages_carry_no_case_detail(cast, client_for, seeded):
    client = client_for(cast.trust_lead)
    for name, view, converters in _routes(get_resolver().url_patterns):
        if getattr(view, "access_policy", None) != "signed_in" or converters:
            continue
        response = client.get(reverse(name))
        assert_no_canary(response.content.decode("utf-8", "replace"))
