"""Hypothesis throws hostile text and nonsense choices at every case form: never a server error,
and whatever is stored is shown escaped on the case page."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import forms
from tests.conftest import post_form

SCRIPT = "<script>alert(1)</script>"

hostile_pieces = st.sampled_from(
    [
        SCRIPT,
        "\u202e",
        "\u200b",
        "\x00",
        "\r\n",
        "{{ 7*7 }}",
        "{% debug %}",
        "𝕳𝖊𝖑𝖑𝖔",
        "<img src=x onerror=alert(1)>",
        "data:image/png;base64,AAAA",
        "2026-02-30",
        "99:99",
    ]
)
hostile_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(hostile_pieces, st.text(max_size=20)), max_size=6).map("".join),
    st.builds(
        lambda ch, n: ch * n,
        st.sampled_from(["a", "\u200b", "<"]),
        st.sampled_from([201, 5_001, 60_000]),
    ),
)
plausible = st.sampled_from(
    [
        "",
        "yes",
        "no",
        "police",
        "other",
        "refer",
        "closed",
        "call_999",
        "report_remove",
        "immediate_risk",
        "2026-01-05",
        "2999-01-01",
        "10:30",
        "1",
    ]
)
value = st.one_of(plausible, hostile_text, st.lists(plausible, max_size=3))

FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PAGES = {
    "status": forms.StatusForm,
    "assign": forms.AssignForm,
    "review_meeting": forms.InitialReviewForm,
    "referral": forms.ReferralForm,
    "decision": forms.DecisionForm,
    "parents_informed": forms.ParentsInformedForm,
    "removal_offered": forms.RemovalOfferedForm,
    "device_secured": forms.DeviceSecuredForm,
    "staff_saw_imagery": forms.StaffSawImageryForm,
    "imagery_viewing": forms.ImageryViewingForm,
    "add_task": forms.TaskForm,
    "triage_override": forms.TriageOverrideForm,
    "add_note": forms.NoteForm,
}


def field_names(form_class) -> list[str]:
    return list(form_class.base_fields)


@pytest.mark.parametrize("name", list(PAGES))
def test_fuzz_every_case_form(cast, incident, client_for, name):
    client = client_for(cast.dsl)
    url = reverse(f"cases:{name}", kwargs={"reference": incident.reference})
    names = field_names(PAGES[name])

    @FUZZ
    @given(data=st.fixed_dictionaries(dict.fromkeys(names, value)))
    def run(data):
        response = post_form(client, url, data)
        assert response.status_code in (200, 302, 400), response.status_code

    run()
    page = client.get(reverse("cases:detail", kwargs={"reference": incident.reference}))
    assert page.status_code == 200
    assert SCRIPT not in page.content.decode()
