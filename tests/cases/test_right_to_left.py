"""Names and words in Arabic or Hebrew read correctly beside English: each is isolated (<bdi>)
or given its own direction, so '<name>, 21 November' never shows as '21 ,<name> November'."""

import re

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.referral_pdf import referral_context, render_referral_pdf
from cases.templatetags.case_text import isolate, text_dir
from incidents.models import FollowUp, PupilRole

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
    assert f"<bdi>{HEBREW_NAME}</bdi>, " in html  # reported by, follow-up
    assert f"Recorded by <bdi>{ARABIC_NAME}</bdi>, " in html
    assert f"<bdi>{ARABIC_NAME}</bdi>, {timezone.localtime():%-d %B %Y}" in html  # timeline
    assert f"Assigned the case to <bdi>{ARABIC_NAME}</bdi>" in html
    assert f"<bdi>اتصل بالأم</bdi> – <bdi>{ARABIC_NAME}</bdi></p>" in html  # timeline
    assert re.search(rf'<p class="govuk-body" dir="auto">{ARABIC_NOTE}</p>', html)
    assert '<div class="govuk-inset-text app-text" dir="auto">قالت' in html


def test_the_inbox_and_the_pupil_file_isolate_names(cast, client_for):
    incident, pupil = rtl_case(cast)
    client = client_for(cast.dsl)
    inbox = client.get(reverse("cases:inbox", kwargs={"school": cast.school_a.slug}))
    html = inbox.content.decode()
    assert f"<li><bdi>{pupil}</bdi> <span" in html
    assert f"Assigned to <bdi>{ARABIC_NAME}</bdi>" in html
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

    assert f"<b>Reported by:</b> {isolated(HEBREW_NAME)} on" in html
    assert f"Further information from {isolated(HEBREW_NAME)}, " in html
    assert f'<div class="account" dir="rtl">{ARABIC_NOTE}</div>' in html
    assert f"Do not refer: manage it in school – {isolated(ARABIC_NAME)}, " in html
    assert f'<p dir="rtl">{ARABIC_NOTE}</p>' in html
    assert f"{isolated('اتصل بالأم')} – {isolated(ARABIC_NAME)}, due" in html
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
