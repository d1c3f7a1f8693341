"""Someone at two schools, or a trust lead with several tabs open, can tell a school's pages
apart by the browser tab: the title names the school or trust, as the case pages do."""

from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in


def title(client, name, **kwargs) -> str:
    html = client.get(reverse(name, kwargs=kwargs)).content.decode()
    return html[html.index("<title>") + 7 : html.index("</title>")]


def test_the_pupil_and_statistics_pages_name_the_school_or_trust(cast):
    dsl = sign_in(Client(), cast.dsl)
    assert title(dsl, "incidents:pupils", school="oakwood").startswith("Pupils – Oakwood Academy")
    assert title(dsl, "stats:school_dashboard", school="oakwood").startswith(
        "Statistics – Oakwood Academy"
    )
    admin = sign_in(Client(), cast.admin)
    assert title(admin, "incidents:pupils_import", school="oakwood").startswith(
        "Import the pupil list – Oakwood Academy"
    )
    lead = sign_in(Client(), cast.trust_lead)
    assert title(lead, "stats:trust_dashboard", trust="northfield").startswith(
        "Statistics – Northfield Learning Trust"
    )
