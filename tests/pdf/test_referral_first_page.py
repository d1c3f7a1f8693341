"""Page one of the referral summary holds what the police or the MASH need first: what the school
is asking them to do, each child's details (or "Not recorded"), the alleged creator, the reporter,
the school's DSL and the referral's agency and reference. Internal noise is left out."""

import contextlib
import re
import shutil
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pytest

from cases import services
from cases.referral_pdf import render_referral_pdf
from incidents.models import CameToLight, Incident, PupilRole, SenProvision, Sex
from tests.cases.conftest import make_incident, make_pupil
from tests.conftest import require

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARABIC_FIRST, ARABIC_LAST = "مريم", "الحسيني"
ASK = "A strategy discussion today and a police visit to Ben's family."
# Every label a child's details carry on page one, each shown even when the school holds nothing.
CHILD_LABELS = (
    "Date of birth",
    "Sex",
    "Year group",
    "UPN",
    "Home address",
    "Parents or carers",
    "Child protection plan",
    "Child in need",
    "Looked after",
    "SEN support or EHCP",
    "Earlier safeguarding concerns",
    "Other agencies involved",
)


def pages(pdf: bytes, *args: str) -> list[str]:
    require(shutil.which("pdftotext") is not None, "pdftotext (Debian poppler-utils)")
    text = subprocess.run(
        ["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return text.split("\f")[:-1]


def squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def referred(cast):
    """Amy (pictured, every detail recorded), Ben (the alleged creator, some details) and a
    child with an Arabic name and nothing recorded; referred to the police with an ask."""
    school = cast.school_a
    school.urn = "139999"
    school.safeguarding_phone = "01632 960 123"
    school.safeguarding_email = "safeguarding@oakwood.example"
    school.save()
    amy = make_pupil(school, "Amy", "Jones", "9")
    amy.date_of_birth = date(2011, 3, 14)
    amy.sex = Sex.FEMALE
    amy.upn = "A123456789012"
    amy.address = "12 Tulgey Wood Road, Oakwood OK1 2AB"
    amy.child_protection_plan = True
    amy.child_in_need = False
    amy.looked_after = False
    amy.sen = SenProvision.EHC_PLAN
    amy.previous_concerns = True
    amy.save()
    amy.carers.create(
        name="Sarah Jones",
        relationship="Mother",
        phone="07700 900 461",
        email="sarah.jones@example.com",
        parental_responsibility=True,
    )
    amy.agencies.create(agency="CAMHS", contact="Jo Bright, 01632 960 555")
    ben = make_pupil(school, "Ben", "Carter", "10")
    ben.sex = Sex.MALE
    ben.upn = "B987654321098"
    ben.save()
    maryam = make_pupil(school, ARABIC_FIRST, ARABIC_LAST, "9")
    incident = make_incident(
        school,
        cast.teacher,
        pupils=[
            (amy, PupilRole.PICTURED),
            (ben, PupilRole.ALLEGED_CREATOR),
            (maryam, PupilRole.TOLD_US),
        ],
        account="Maryam said Ben made a picture of Amy with an app.",
    )
    Incident.objects.filter(pk=incident.pk).update(came_to_light=CameToLight.ANOTHER_PUPIL)
    services.acknowledge(incident=incident, actor=cast.dsl)
    services.record_parents_informed(
        incident=incident,
        actor=cast.dsl,
        informed=True,
        informed_on=date(2026, 12, 4),
        who_was_told="Amy's mother",
    )
    services.record_referral(
        incident=incident,
        actor=cast.dsl,
        agency="police",
        referred_on=date(2026, 12, 4),
        ask=ASK,
        their_reference="CAD-4471",
        contact="PC Morgan, 101",
    )
    services.record_referral(
        incident=incident,
        actor=cast.dsl,
        agency="social_care",
        referred_on=date(2026, 12, 5),
        their_reference="MASH-0099",
    )
    return Incident.objects.get(pk=incident.pk)


def test_page_one_holds_what_the_agency_needs_first(cast, referred):
    first = squeeze(pages(render_referral_pdf(referred, generated_by=cast.dsl))[0])
    for expected in (
        # The ask, with each referral's agency and reference.
        f"What we are asking: {ASK}",
        "Referred to: Police, 4 December 2026. Your reference: CAD-4471. Contact: PC Morgan, 101",
        "Referred to: Children's social care or MASH, 5 December 2026. "
        "Your reference: MASH-0099. Contact: Not recorded",
        # The school and its DSL, and who reported it in what role.
        "Oakwood Academy (URN 139999)",
        "Safeguarding phone: 01632 960 123",
        "safeguarding@oakwood.example",
        f"Designated safeguarding lead: {cast.dsl.full_name}, {cast.dsl.email}",
        f"Reported by: {cast.teacher.full_name} (Staff)",
        # The pictured child, in full.
        "Amy Jones: Pictured",
        "Date of birth: 14 March 2011. Sex: Female.",
        "Year group: Year 9. UPN: A123456789012.",
        "Home address: 12 Tulgey Wood Road, Oakwood OK1 2AB",
        "Sarah Jones (Mother): phone 07700 900 461, email sarah.jones@example.com; "
        "parental responsibility: Yes",
        "Whether parents or carers know: Yes: told on 4 December 2026 (Amy's mother)",
        "Child protection plan: Yes. Child in need: No.",
        "Looked after: No. SEN support or EHCP: Education, health and care plan (EHCP).",
        "Earlier safeguarding concerns: Yes.",
        "Other agencies involved: CAMHS: Jo Bright, 01632 960 555",
        # The alleged creator, with what the school holds.
        "Ben Carter: Alleged creator",
        "Year group: Year 10. UPN: B987654321098.",
        "Sex: Male.",
    ):
        assert expected in first, expected


def test_what_the_school_does_not_hold_is_shown_as_not_recorded(cast):
    sam = make_pupil(cast.school_a, "Sam", "Lee", "8")
    incident = make_incident(cast.school_a, cast.teacher, pupils=[(sam, PupilRole.PICTURED)])
    first = squeeze(pages(render_referral_pdf(incident, generated_by=cast.dsl))[0])
    assert "No referral has been recorded yet. What we are asking: Not recorded" in first
    assert "Address: Not recorded" in first
    assert "Safeguarding phone: Not recorded. Safeguarding email: Not recorded" in first
    assert "Whether parents or carers know: Not recorded" in first
    assert "Who made the image: Not recorded" in first
    sam_details = first[first.index("Sam Lee: Pictured") : first.index("Who made the image")]
    for label in CHILD_LABELS:
        assert label in sam_details, label
    # Every one of them "Not recorded" but the year group: none silently left out.
    assert sam_details.count("Not recorded") == len(CHILD_LABELS) - 1
    assert "Home address: Not recorded" in sam_details
    assert "Parents or carers: Not recorded" in sam_details


def test_a_right_to_left_name_is_printed_whole(cast, referred):
    text = "\n".join(pages(render_referral_pdf(referred, generated_by=cast.dsl)))
    line = next(line for line in text.splitlines() if "Told us" in line)
    # pdftotext prints right-to-left words in reading order: both parts of the name, one line.
    assert ARABIC_FIRST in line and ARABIC_LAST in line


def test_internal_noise_is_left_out_and_labels_read_for_the_agency(cast, referred):
    services.log_case_view(incident=referred, actor=cast.deputy, request=None, via="page")
    text = squeeze(" ".join(pages(render_referral_pdf(referred, generated_by=cast.dsl))))
    assert "How it came to light: A pupil told the reporter" in text
    assert "told me" not in text
    assert "seen this case" not in text and "opened" not in text
    assert "Urgency" not in text and "Source:" not in text
    assert "Assessed against checklist" in text
    # Each referral in the timeline names its agency and reference: no two bare lines alike.
    assert "Recorded a referral: Police, 4 December 2026, their reference CAD-4471" in text
    assert "Recorded a referral: Children's social care or MASH, 5 December 2026" in text
    assert not re.search(r"Recorded a referral(?!:)", text)


def _decompressed(pdf: bytes) -> bytes:
    parts = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(stream.group(1)))
    return b"".join(parts)


def test_the_pdf_is_tagged_with_its_title_and_language(cast, referred):
    require(shutil.which("pdfinfo") is not None, "pdfinfo (Debian poppler-utils)")
    pdf = render_referral_pdf(referred, generated_by=cast.dsl)
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(rf"^Title:\s+Referral summary {referred.reference}$", info, re.M)
    assert b"/Lang (en-GB)" in _decompressed(pdf)
    assert b"/DisplayDocTitle true" in _decompressed(pdf)
    structure = subprocess.run(
        ["pdfinfo", "-struct-text", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    tags = re.findall(r"^\s*([A-Za-z0-9]+)", structure, re.M)
    assert {"H1", "H2", "H3", "P"} <= set(tags)


def test_the_tagged_reading_order_is_the_pages_order(cast, referred):
    """What a screen reader reads (the structure tree's text, in order) is the page's text in
    the order it is printed, apart from the repeated page headers and footers."""
    require(shutil.which("pdfinfo") is not None, "pdfinfo (Debian poppler-utils)")
    # pdftotext places a line of right-to-left text by where its letters are drawn, not in
    # reading order: compare on the children written left to right.
    referred.involvements.filter(pupil__first_name=ARABIC_FIRST).delete()
    pdf = render_referral_pdf(referred, generated_by=cast.dsl)
    structure = subprocess.run(
        ["pdfinfo", "-struct-text", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    tagged = "".join(re.findall(r'^\s*"(.*)"$', structure, re.M))
    printed = []
    for page in pages(pdf):
        lines = [line for line in page.splitlines() if line.strip()]
        # The page's header (OFFICIAL-SENSITIVE) and footer (marking, who generated it, page
        # number) are artifacts, not content: a screen reader skips them.
        printed.extend(lines[1:-3])
    # Compare without white space: line breaks fall differently in the two.
    assert "".join(tagged.split()) == "".join("".join(printed).split())


def test_pages_as_png_for_people_to_look_at(cast, referred):
    require(shutil.which("pdftoppm") is not None, "pdftoppm (Debian poppler-utils)")
    pdf = render_referral_pdf(referred, generated_by=cast.dsl)
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", "-", str(ARTIFACTS / "first")],
        input=pdf,
        check=True,
    )
    assert (ARTIFACTS / "first-1.png").stat().st_size > 10_000
