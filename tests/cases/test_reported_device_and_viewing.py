"""What the reporter said about a device and about staff who saw the image is in the case's
"Devices secured" and "Imagery seen or viewed" sections, attributed to them, and the DSL confirms
it in one step that writes their own record. Staff seeing the image is kept apart from the DSL's
deliberate viewing."""

from django.urls import reverse

from cases import services
from cases.models import DeviceSecured, ImageryViewing, StaffSawImagery
from cases.referral_pdf import render_referral_pdf
from tests.conftest import post_form

from .conftest import ALL_NOT_KNOWN, make_reported
from .test_referral_line import pdf_words

HANDED_IN = {**ALL_NOT_KNOWN, "device_involved": "yes", "device_secured": "yes"}


def page(client, incident) -> str:
    return client.get(
        reverse("cases:detail", kwargs={"reference": incident.reference})
    ).content.decode()


def section(html: str, start_id: str, end: str) -> str:
    start = html.index(f'id="{start_id}"')
    return html[start : html.index(end, start)]


def test_a_device_handed_to_the_dsl_is_reported_and_confirmed_in_one_step(cast, client_for):
    incident = make_reported(cast.school_a, cast.teacher, HANDED_IN)
    client = client_for(cast.deputy)
    devices = section(page(client, incident), "devices", 'id="imagery"')
    assert 'Reported by <bdi dir="ltr">Tom Hart</bdi> on' in devices
    assert "A phone, tablet or computer in school with the image on it" in devices
    assert "Switched off and given to the DSL" in devices
    assert "Confirm: the DSL has this device" in devices

    before = services.case_events(incident).count()
    url = reverse("cases:confirm_device", kwargs={"reference": incident.reference})
    assert post_form(client, url).status_code == 302
    assert post_form(client, url).status_code == 302  # a second click confirms nothing more

    row = DeviceSecured.objects.get(incident=incident)
    assert row.confirmed_from_report and row.recorded_by == cast.deputy
    assert row.handed_to == "Dev Patel"
    assert services.case_events(incident).count() == before + 1
    event = services.case_events(incident).last()
    assert event.data["record"] == "device_secured" and event.data["confirmed_from_report"]
    devices = section(page(client, incident), "devices", 'id="imagery"')
    assert 'Confirmed by <bdi dir="ltr">Dev Patel</bdi>' in devices
    assert "Confirm: the DSL has this device" not in devices


def test_a_device_not_secured_says_so_and_cannot_be_confirmed(cast, client_for):
    incident = make_reported(cast.school_a, cast.teacher, ALL_NOT_KNOWN)  # a device, not secured
    client = client_for(cast.dsl)
    devices = section(page(client, incident), "devices", 'id="imagery"')
    assert "Not secured, as far as the reporter knew." in devices
    assert "Confirm: the DSL has this device" not in devices
    response = post_form(
        client,
        reverse("cases:confirm_device", kwargs={"reference": incident.reference}),
        follow=True,
    )
    assert services.NOTHING_TO_CONFIRM_DEVICE in response.content.decode()
    assert not DeviceSecured.objects.exists()


def test_a_device_nobody_knew_about_is_to_find_out(cast, client_for):
    incident = make_reported(
        cast.school_a, cast.teacher, {**ALL_NOT_KNOWN, "device_involved": "not_known"}
    )
    devices = section(page(client_for(cast.dsl), incident), "devices", 'id="imagery"')
    assert '<strong class="govuk-tag govuk-tag--yellow">To find out</strong>' in devices
    assert "Switched off and given to the DSL" not in devices  # not asked without a device


def test_staff_who_saw_the_image_are_not_the_dsl_viewing_it(cast, client_for):
    incident = make_reported(cast.school_a, cast.teacher, ALL_NOT_KNOWN)  # staff saw it: yes
    client = client_for(cast.deputy)  # not only the DSL: this is not the DSL viewing imagery
    imagery = section(page(client, incident), "imagery", "<h2")
    assert "Seen by staff, usually by accident" in imagery
    assert "Someone on the staff saw the image, even by accident" in imagery
    assert "Viewed by the DSL, on purpose" in imagery

    text = pdf_words(render_referral_pdf(incident, generated_by=cast.dsl))
    assert "No one at the school has recorded viewing the imagery" not in text
    assert "Tom Hart reported that someone on the staff saw the image (not yet confirmed" in text

    url = reverse("cases:confirm_staff_saw_imagery", kwargs={"reference": incident.reference})
    assert post_form(client, url).status_code == 302
    row = StaffSawImagery.objects.get(incident=incident)
    assert row.confirmed_from_report and row.seen_by == "Someone on the staff, as Tom Hart reported"
    assert not ImageryViewing.objects.exists()
    assert 'Confirmed by <bdi dir="ltr">Dev Patel</bdi>' in section(
        page(client, incident), "imagery", "<h2"
    )
    text = pdf_words(render_referral_pdf(incident, generated_by=cast.dsl))
    assert (
        "Someone on the staff, as Tom Hart reported: confirmed by Dev Patel from the report" in text
    )


def test_nobody_knowing_whether_staff_saw_it_is_not_no_viewing(cast):
    incident = make_reported(
        cast.school_a, cast.teacher, {**ALL_NOT_KNOWN, "imagery_viewed": "not_known"}
    )
    text = pdf_words(render_referral_pdf(incident, generated_by=cast.dsl))
    assert "Whether anyone on the staff saw the image: To find out" in text
    assert "No one at the school has recorded viewing the imagery" not in text


def test_the_reporters_own_words_are_shown_and_carried_into_the_dsls_record(cast, client_for):
    incident = make_reported(
        cast.school_a,
        cast.teacher,
        HANDED_IN,
        device_details="Amy's phone, switched off, in the DSL's office.",
        imagery_viewed="yes",
        imagery_viewed_by="Me: she held her phone up before I could stop her.",
        imagery_viewed_when="Tuesday, at registration",
    )
    client = client_for(cast.dsl)
    html = page(client, incident)
    assert "What it is and where it is now" in html
    assert "Amy&#x27;s phone, switched off, in the DSL&#x27;s office." in html
    assert "Me: she held her phone up before I could stop her." in html
    assert "Tuesday, at registration" in html

    text = pdf_words(render_referral_pdf(incident, generated_by=cast.dsl))
    assert "Who saw it: Me: she held her phone up before I could stop her." in text

    for name in ("confirm_device", "confirm_staff_saw_imagery"):
        post_form(client, reverse(f"cases:{name}", kwargs={"reference": incident.reference}))
    assert DeviceSecured.objects.get().device == "Amy's phone, switched off, in the DSL's office."
    seen = StaffSawImagery.objects.get()
    assert seen.seen_by == "Tom Hart reported: Me: she held her phone up before I could stop her."
    assert seen.seen_when == "Tuesday, at registration"
    # The reporter's own fields win over the checklist answers of older reports.
    assert incident.answers["imagery_viewed"] == "yes"
