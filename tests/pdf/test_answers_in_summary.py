"""The referral summary carries every answer the reporter gave, question by question, for the
checklist version they answered ("not known" as "To find out"), the initial review's answers and
the checklist's outcome after it, and the DSL's decision beside the checklist's."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils import timezone
from PIL import Image

from cases import services
from cases.referral_pdf import render_referral_pdf
from tests.cases.conftest import ALL_NOT_KNOWN, make_reported
from tests.cases.test_initial_review import REPORTED
from tests.cases.test_referral_line import pdf_words
from tests.conftest import require

FACTORS = (
    "adult_involved",
    "coercion_or_capacity",
    "unusual_or_violent",
    "sexual_acts_under_13",
    "immediate_risk",
)


def test_every_answer_of_an_older_version_is_in_the_summary(cast):
    incident = make_reported(cast.school_a, cast.teacher, ALL_NOT_KNOWN, version="2026-09")
    text = pdf_words(render_referral_pdf(incident, generated_by=cast.dsl))
    section = text.split("What the reporter answered", 1)[1].split("Referrals made", 1)[0]
    assert "Is an adult involved in any way? To find out" in section
    assert "Who made the image? Another pupil at this school" in section
    assert "Roughly how many people have the image? 11 to 50 people" in section
    assert "Has that device been switched off and given to the DSL? No" in section
    assert "8 still to find out" in section
    # A question the reporter was never asked is said so, not left out or made "No".
    assert "Has the child been told how to get the image taken down" in section


def test_the_review_and_the_decision_are_in_the_summary(cast):
    incident = make_reported(cast.school_a, cast.teacher, REPORTED, version="2026-12")
    services.record_initial_review(
        incident=incident,
        actor=cast.dsl,
        held_on=timezone.localdate(),
        answers={"adult_involved": "yes", "creator": "adult"},
    )
    services.override_triage(
        incident=incident,
        actor=cast.dsl,
        referral="yes",
        urgency="tell_dsl_now",
        typology="aggravated",
        sextortion="no",
    )
    text = pdf_words(render_referral_pdf(incident, generated_by=cast.dsl))
    assert (
        "Immediate referral: Yes: refer Checklist after the initial review: Yes: refer today "
        "(when reported: Not known yet: the DSL decides today); DSL decided: Yes: refer"
    ) in text
    assert "agreeing with the checklist" in text
    answered = text.split("What the reporter answered", 1)[1]
    assert (
        "Is an adult involved in any way? Not known when reported. Found out at the initial "
        "review: Yes"
    ) in answered
    assert (
        "What the DSL found out: Is an adult involved in any way? Yes Who made the image? An adult"
        in text
    )
    assert "The checklist after this review: Immediate referral: Yes: refer today" in text


def yellow_pixels(pdf: bytes) -> int:
    """Pixels of the PDF's 'to find out' highlight (#ffdd00) over every page, at 50 dpi."""
    require(shutil.which("pdftoppm") is not None, "pdftoppm (Debian poppler-utils)")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-", str(Path(folder) / "page")],
            input=pdf,
            check=True,
        )
        total = 0
        for png in Path(folder).glob("page-*.png"):
            with Image.open(png) as page:
                total += sum(
                    n
                    for n, (r, g, b) in page.convert("RGB").getcolors(1 << 24)
                    if r > 240 and 200 < g < 235 and b < 40
                )
        return total


def test_what_is_still_to_find_out_is_highlighted_in_the_summary(cast):
    """Every 'To find out' is printed on the yellow highlight, and an answered case has none."""
    unknown = make_reported(cast.school_a, cast.teacher, ALL_NOT_KNOWN, version="2026-09")
    answered = make_reported(
        cast.school_a,
        cast.teacher,
        {
            **ALL_NOT_KNOWN,
            **dict.fromkeys(FACTORS, "no"),
            "original_source": "social_media",
            "pictured_child_willing": "no",
            "removal_offered": "no",
        },
        version="2026-09",
    )
    assert answered.referral == "no"
    highlighted = yellow_pixels(render_referral_pdf(unknown, generated_by=cast.dsl))
    assert highlighted > 1000
    assert yellow_pixels(render_referral_pdf(answered, generated_by=cast.dsl)) == 0
