"""Helpers for walking the reporting journey through the test client."""

import re
from datetime import date

import pytest
from django.urls import reverse

from guidance.checklist import load_checklist
from incidents.models import Pupil, ReportDraft
from tests.conftest import post_form

GOOD_WHAT = {
    "image_nature": "nudified",
    "threats_or_demands": "no",
    "came_to_light": "child_told",
    "happened_on_0": "3",
    "happened_on_1": "11",
    "happened_on_2": "2026",
    "location": "online",
    "platform": "Snapchat",
    "account": 'Maya said "Jake put my photo in an app and sent it to the Year 9 group".',
}


@pytest.fixture
def pupils(cast):
    """Three pupils on Oakwood's list and one on Elm Park's."""
    return {
        "maya": Pupil.objects.create(
            school=cast.school_a,
            first_name="Maya",
            last_name="Okafor",
            year_group="9",
            date_of_birth=date(2012, 4, 2),
            mis_id="OAK001",
        ),
        "jake": Pupil.objects.create(
            school=cast.school_a,
            first_name="Jake",
            last_name="Turner",
            year_group="9",
            date_of_birth=date(2012, 1, 9),
            mis_id="OAK002",
        ),
        "sam": Pupil.objects.create(
            school=cast.school_a,
            first_name="Sam",
            last_name="Reed",
            year_group="10",
            date_of_birth=date(2011, 6, 30),
            mis_id="OAK003",
        ),
        "other_school": Pupil.objects.create(
            school=cast.school_b,
            first_name="Erin",
            last_name="Cole",
            year_group="9",
            date_of_birth=date(2012, 3, 3),
            mis_id="ELM001",
        ),
    }


def checklist_answers(**overrides) -> dict[str, str]:
    """An answer to every checklist question: 'no' or 'not_known'."""
    checklist = load_checklist()
    answers = {}
    for question in checklist.questions:
        values = question.choice_values()
        answers[question.id] = "no" if "no" in values else "not_known"
    answers.update(overrides)
    return answers


class Journey:
    """One member of staff's way through the report, step by step."""

    def __init__(self, client, school):
        self.client = client
        self.school = school
        self.draft_id = None
        self.adult_answers = {"adult_involved": "no"}

    def url(self, name: str) -> str:
        return reverse(
            f"incidents:{name}", kwargs={"school": self.school.slug, "draft": self.draft_id}
        )

    def start(self):
        response = post_form(
            self.client,
            reverse("incidents:report_start", kwargs={"school": self.school.slug}),
            {"acknowledged": "on"},
        )
        assert response.status_code == 302, response.content
        self.draft_id = re.search(r"/report/([0-9a-f-]{36})/", response["Location"]).group(1)
        return response

    @property
    def draft(self) -> ReportDraft:
        return ReportDraft.objects.get(pk=self.draft_id)

    def what(self, **overrides):
        return post_form(self.client, self.url("report_what"), {**GOOD_WHAT, **overrides})

    def add_pupil(self, pupil, role="pictured", action="add"):
        return post_form(
            self.client,
            self.url("report_who"),
            {"action": action, "choose-pupil": str(pupil.pk), "choose-role": role},
        )

    def add_new_pupil(self, first="Ava", last="Not known", year="9", role="recipient"):
        return post_form(
            self.client,
            self.url("report_who"),
            {
                "action": "add",
                "new-first_name": first,
                "new-last_name": last,
                "new-year_group": year,
                "new-role": role,
            },
        )

    def continue_from_who(self):
        return post_form(self.client, self.url("report_who"), {"action": "continue"})

    def adults(self, involved="no", description=""):
        """Every pupil added: go on from "Who was involved". Whether an adult is involved (and
        who) is answered with the other questions, by `checklist()`."""
        self.adult_answers = {"adult_involved": involved, "adults_description": description}
        return self.continue_from_who()

    def checklist(self, **overrides):
        """Answer every question on the Questions page: 'no' or 'not known' unless overridden."""
        response = self.client.get(self.url("report_checklist"))
        asked = response.context["form"].fields.keys()
        answers = {**checklist_answers(), **self.adult_answers, **overrides}
        return post_form(
            self.client,
            self.url("report_checklist"),
            {k: v for k, v in answers.items() if k in asked},
        )

    def submit(self):
        return post_form(self.client, self.url("report_check"))

    def complete(self, *, pupils=(), **checklist_overrides):
        """Every step with good answers, up to (not including) sending."""
        self.start()
        assert self.what().status_code == 302
        for pupil in pupils:
            assert self.add_pupil(pupil).status_code == 302
        assert self.adults().status_code == 302
        assert self.checklist(**checklist_overrides).status_code == 302
        return self


@pytest.fixture
def journey(client_for, cast):
    """journey(user) -> a Journey at Oakwood for `user`, signed in."""

    def make(user=None, school=None):
        return Journey(client_for(user or cast.teacher), school or cast.school_a)

    return make
