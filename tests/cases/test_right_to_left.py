"""Names and words in Arabic or Hebrew read correctly beside English: each is isolated (<bdi>)
or given its own direction, so '<name>, 21 November' never shows as '21 ,<name> November'."""

import re
import shutil
import subprocess

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.referral_pdf import referral_context, render_referral_pdf
from cases.templatetags.case_text import isolate, text_dir
from incidents.models import FollowUp, PupilRole
from tests.conftest import require

from .conftest import make_incident, make_pupil

ARABIC_NAME = "مريم الحسيني"
HEBREW_NAME = "נועה כהן"
ARABIC_NOTE = "تحدثت مع الأم اليوم الساعة 12:30."


def rtl_case(cast):
    cast.teacher.full_name = HEBREW_NAME
    cast.teacher.save()
    cast.deputy.full_name = ARABIC_NAME
    cast.deputy.save()
    pupil = make_pupil(cast.school_a, "مريم", "الحسيني")
    incident = make_incident(
        cast.school_a,
        cast.teacher,
        pupils=[(pupil, PupilRole.PICTURED)],
        account="قالت إن صورة لها نُشرت في مجموعة الصف.",
    )
    services.acknowledge(incident=incident, actor=cast.deputy)
    services.add_note(incident=incident, actor=cast.deputy, text=ARABIC_NOTE)
    services.record_decision(
        incident=incident, actor=cast.deputy, decision="not_refer", reasons=ARABIC_NOTE
    )
    services.add_task(
        incident=incident,
        actor=cast.deputy,
        title="اتصل بالأم",
        owner=cast.deputy,
        due_on=timezone.localdate(),
    )
    FollowUp.objects.create(incident=incident, author=cast.teacher, text=ARABIC_NOTE)
    return incident, pupil


def test_text_dir_follows_the_first_letter_with_a_direction():
    assert text_dir(ARABIC_NOTE) == "rtl"
    assert text_dir(HEBREW_NAME) == "rtl"
    assert text_dir("12:30 " + ARABIC_NOTE) == "rtl"
    assert text_dir("Mum said " + ARABIC_NOTE) == "ltr"
    assert text_dir("") == "ltr"


def test_the_case_page_isolates_names_and_gives_typed_text_its_own_direction(cast, client_for):
    incident, _ = rtl_case(cast)
    html = (
        client_for(cast.dsl)
        .get(reverse("cases:detail", kwargs={"reference": incident.reference}))
        .content.decode()
    )
    # Every place a name is followed by a date or more words.
    assert f'<bdi dir="ltr">{HEBREW_NAME}</bdi>, ' in html  # reported by, follow-up
    assert f'Recorded by <bdi dir="ltr">{ARABIC_NAME}</bdi>, ' in html
    assert f'<bdi dir="ltr">{ARABIC_NAME}</bdi>, {timezone.localtime():%-d %B %Y}' in html
    assert f'Assigned the case to <bdi dir="ltr">{ARABIC_NAME}</bdi>' in html
    assert f'<bdi>اتصل بالأم</bdi> – <bdi dir="ltr">{ARABIC_NAME}</bdi></p>' in html
    assert re.search(rf'<p class="govuk-body" dir="auto">{ARABIC_NOTE}</p>', html)
    assert '<div class="govuk-inset-text app-text" dir="auto">قالت' in html


def test_the_inbox_and_the_pupil_file_isolate_names(cast, client_for):
    incident, pupil = rtl_case(cast)
    client = client_for(cast.dsl)
    inbox = client.get(reverse("cases:inbox", kwargs={"school": cast.school_a.slug}))
    html = inbox.content.decode()
    assert "<li><bdi>مريم</bdi> <bdi>الحسيني</bdi> <span" in html
    assert f'Assigned to <bdi dir="ltr">{ARABIC_NAME}</bdi>' in html
    pupil_file = client.get(
        reverse("cases:pupil_file", kwargs={"school": cast.school_a.slug, "pupil": pupil.pk})
    )
    assert f": <bdi>{ARABIC_NOTE}</bdi></li>" in pupil_file.content.decode()


def test_the_referral_summary_isolates_names_and_sets_the_direction_of_typed_text(cast):
    incident, _ = rtl_case(cast)
    html = render_to_string(
        "pdf/referral_summary.html", referral_context(incident, generated_by=cast.dsl)
    )

    def isolated(text):  # the PDF renderer's <bdi>: FIRST STRONG ISOLATE ... POP
        return f"\u2068{text}\u2069"

    def name(text):  # a name: LEFT-TO-RIGHT ISOLATE ... POP
        return f"\u2066{text}\u2069"

    assert f"<b>Reported by:</b> {name(HEBREW_NAME)} (Staff), " in html
    assert f"Further information from {name(HEBREW_NAME)}, " in html
    assert f'<div class="account" dir="rtl">{ARABIC_NOTE}</div>' in html
    assert f"Do not refer: manage it in school – {name(ARABIC_NAME)}, " in html
    assert f'<p dir="rtl">{ARABIC_NOTE}</p>' in html
    assert f"{isolated('اتصل بالأم')} – {name(ARABIC_NAME)}, due" in html
    assert '<div class="account" dir="rtl">قالت' in html
    assert render_referral_pdf(incident, generated_by=cast.dsl).startswith(b"%PDF")


def test_isolating_still_escapes(cast):
    assert str(isolate("<b>Amy</b>")) == "\u2068&lt;b&gt;Amy&lt;/b&gt;\u2069"


def test_the_boxes_on_a_record_page_follow_the_direction_of_what_is_typed(
    cast, incident, client_for
):
    html = (
        client_for(cast.dsl)
        .get(reverse("cases:referral", kwargs={"reference": incident.reference}))
        .content.decode()
    )
    for name in ("agency_other", "their_reference", "contact", "outcome"):
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'dir="auto"' in tag, name
    date_box = re.search(r'<input[^>]*name="referred_on"[^>]*>', html).group(0)
    assert "dir=" not in date_box


def test_a_name_in_two_scripts_keeps_its_parts_in_the_order_typed_in_the_pdf(cast):
    """Isolated as one right-to-left run, 'محمد Smith' was drawn as 'Smith محمد'."""
    require(shutil.which("pdftotext") is not None, "pdftotext (Debian poppler-utils)")
    cast.teacher.full_name = "فاطمة Khan"
    cast.teacher.save()
    pupil = make_pupil(cast.school_a, "محمد", "Smith")
    incident = make_incident(cast.school_a, cast.teacher, pupils=[(pupil, PupilRole.PICTURED)])
    services.record_removal_offered(
        incident=incident,
        actor=cast.dsl,
        services=["report_remove"],
        offered_by=cast.dsl,
        offered_on=timezone.localdate(),
        pupil=pupil,
    )
    pdf = render_referral_pdf(incident, generated_by=cast.dsl)
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    words = re.findall(r'xMin="([0-9.]+)" yMin="([0-9.]+)"[^>]*>([^<]*)</word>', xml)
    lines: dict[str, list[tuple[float, str]]] = {}
    for x, y, word in words:
        lines.setdefault(f"{float(y):.0f}", []).append((float(x), word))
    checked = 0
    for line in lines.values():
        # pdftotext gives a right-to-left word's letters in the order they are drawn.
        x_of = {word: x for x, word in line} | {word[::-1]: x for x, word in line}
        for first, last in (("محمد", "Smith"), ("فاطمة", "Khan")):
            if first in x_of and last in x_of:
                assert x_of[first] < x_of[last], sorted(line)
                checked += 1
    assert checked >= 3  # the children table, removal offered, reported by
