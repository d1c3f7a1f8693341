"""The "under 13" question says how old each named pupil is, from the date of birth on the
school's list, instead of guessing from the year group; a pupil without one is said to have none."""

from datetime import date

from django.utils import timezone

from incidents.forms import pupil_ages_hint
from incidents.models import Pupil


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    born = (
        today.replace(year=today.year - years)
        if (today.month, today.day) != (2, 29)
        else (today.replace(year=today.year - years, day=28))
    )
    return born.fromordinal(born.toordinal() + days)


def test_the_under_13_question_names_who_is_under_13(journey, cast):
    # Ella turns 13 tomorrow, Finn turned 13 today: both in Year 8, so the year cannot tell.
    young = Pupil.objects.create(
        school=cast.school_a,
        first_name="Ella",
        last_name="Ames",
        year_group="8",
        date_of_birth=years_ago(13, days=1),
    )
    older = Pupil.objects.create(
        school=cast.school_a,
        first_name="Finn",
        last_name="Best",
        year_group="8",
        date_of_birth=years_ago(13),
    )
    j = journey(cast.teacher)
    j.start()
    j.what()
    j.add_pupil(young, "pictured")
    j.add_pupil(young, "told_us")
    j.add_pupil(older, "sharer")
    j.add_new_pupil("Ava", "Not known", "7", "recipient")
    j.adults()
    form = j.client.get(j.url("report_checklist")).context["form"]
    hint = str(form.fields["sexual_acts_under_13"].help_text)
    assert "<bdi>Ella Ames</bdi> (pictured, told us): 12 years old, under 13" in hint
    assert "<bdi>Finn Best</bdi> (shared it): 13 years old, born" in hint
    assert "<bdi>Ava Not known</bdi> (received it): no date of birth on the school" in hint
    assert "Finn Best</bdi> (shared it): 13 years old, under 13" not in hint
    # Only that question carries them.
    assert "Ella Ames" not in str(form.fields["immediate_risk"].help_text)


def test_no_pupils_named_means_no_ages(journey, cast):
    assert pupil_ages_hint([], timezone.localdate()) == ""
    j = journey(cast.teacher)
    j.start()
    j.what()
    j.adults()
    page = j.client.get(j.url("report_checklist")).content.decode()
    assert "Ages today of the pupils you named" not in page


def test_a_name_cannot_add_markup_to_the_hint():
    hint = pupil_ages_hint(
        [{"name": "<script>x</script> {{ 7 }}", "roles": "pictured", "born": None}],
        timezone.localdate(),
    )
    assert "<script>" not in hint and "&lt;script&gt;" in hint
