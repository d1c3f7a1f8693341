"""The reporter is asked the checklist's staff part only, and a question only when its `ask_if`
holds for the answers so far: no "was the device switched off?" without a device, nothing the
DSL's initial review finds out."""

import copy
import re

import pytest
from crispy_forms.utils import render_crispy_form

from guidance.checklist import CONTENT_DIR, REVIEW, Checklist, load_checklist, read_content
from incidents import journey
from incidents.forms import YES_NO_UNKNOWN_MESSAGE, ChecklistForm


@pytest.fixture
def split_checklist() -> Checklist:
    """A version shaped like the split checklist: a staff part with conditional questions, and
    questions for the DSL's review. Built from a published version's content."""
    data = copy.deepcopy(read_content(CONTENT_DIR / "checklist-2026-09.json"))
    data["version"] = "test-split"
    for question in data["questions"]:
        if question["id"] in {
            "creator",
            "original_source",
            "pictured_child_willing",
            "spread_platforms",
            "spread_recipients",
            "removal_offered",
        }:
            question["part"] = REVIEW
        if question["id"] == "device_secured":
            question["ask_if"] = {"device_involved": ["yes"]}
        if question["id"] == "imagery_viewed":
            # Chained: asked only after a device was secured (made up, to test chains).
            question["ask_if"] = {"device_secured": ["yes", "not_known"]}
    return Checklist.from_dict(data)


def staff_answers(**overrides):
    answers = {
        "image_nature": "nudified",
        "threats_or_demands": "no",
        "adult_involved": "no",
        "coercion_or_capacity": "no",
        "unusual_or_violent": "not_known",
        "sexual_acts_under_13": "no",
        "immediate_risk": "no",
        "device_involved": "no",
    }
    return {**answers, **overrides}


def test_the_dsl_s_review_questions_are_never_asked_of_staff(split_checklist):
    asked = {q.id for q in journey.page_questions(split_checklist)}
    assert "creator" not in asked and "pictured_child_willing" not in asked
    assert {q.id for q in journey.what_questions(split_checklist)} == {
        "image_nature",
        "threats_or_demands",
    }
    form = ChecklistForm(checklist=split_checklist, earlier_answers={})
    assert "creator" not in form.fields and "removal_offered" not in form.fields
    assert "adult_involved" in form.fields


def test_an_answer_to_a_question_no_longer_asked_is_dropped_with_those_after_it(split_checklist):
    answers = staff_answers(device_involved="yes", device_secured="yes", imagery_viewed="no")
    assert journey.asked_answers(split_checklist, answers) == answers
    changed = {**answers, "device_involved": "no"}
    kept = journey.asked_answers(split_checklist, changed)
    assert "device_secured" not in kept and "imagery_viewed" not in kept
    assert kept["device_involved"] == "no"
    # A review answer given to the staff journey is not the reporter's to give.
    assert "creator" not in journey.asked_answers(split_checklist, {**answers, "creator": "adult"})


def test_a_conditional_question_is_required_only_when_it_applies(split_checklist):
    earlier = {"image_nature": "nudified", "threats_or_demands": "no"}
    without_device = staff_answers()
    form = ChecklistForm(without_device, checklist=split_checklist, earlier_answers=earlier)
    assert form.is_valid(), form.errors
    assert "device_secured" not in form.answers()

    with_device = staff_answers(device_involved="yes", device_details="Maya's phone")
    form = ChecklistForm(with_device, checklist=split_checklist, earlier_answers=earlier)
    assert not form.is_valid()
    assert form.errors == {"device_secured": [YES_NO_UNKNOWN_MESSAGE]}

    # An answer sent to a question that does not apply (the page without JavaScript shows it)
    # is ignored, even one that is not a choice at all.
    ignored = staff_answers(device_secured="perhaps")
    form = ChecklistForm(ignored, checklist=split_checklist, earlier_answers=earlier)
    assert form.is_valid(), form.errors
    assert "device_secured" not in form.answers()


def _block_around(html: str, input_id: str) -> str:
    """The opening tag of the conditional block that holds the input `input_id`."""
    before = html.split(f'id="{input_id}"')[0]
    return re.findall(r"<div[^>]*data-ask-if=[^>]*>", before)[-1]


def test_a_conditional_question_is_hidden_until_its_answer_calls_for_it(split_checklist):
    """Rendered for everyone (without JavaScript it simply shows), marked with the answers that
    call for it, and hidden to start with when they are not given."""
    form = ChecklistForm(checklist=split_checklist, earlier_answers={}, initial={})
    block = _block_around(render_crispy_form(form), "id_device_secured_1")
    assert 'data-ask-if="{&quot;device_involved&quot;: [&quot;yes&quot;]}"' in block
    assert "app-ask-if--hidden" in block
    words = _block_around(render_crispy_form(form), "id_device_details")
    assert "app-ask-if--hidden" in words

    answered = {"device_involved": "yes"}
    shown = ChecklistForm(checklist=split_checklist, earlier_answers={}, initial=answered)
    html = render_crispy_form(shown)
    assert "app-ask-if--hidden" not in _block_around(html, "id_device_secured_1")
    assert "app-ask-if--hidden" not in _block_around(html, "id_device_details")


def test_every_published_version_has_a_staff_part_the_journey_can_ask():
    for version in ("2026-01", "2026-09"):
        checklist = load_checklist(version)
        assert journey.what_questions(checklist)
        assert journey.has_questions_step(checklist, {})


def test_the_steps_leave_out_a_questions_page_with_nothing_to_ask(split_checklist):
    """Steps are numbered over the pages this report shows: a Questions page with nothing to ask
    (every question on it waits for an answer not given) is left out, not numbered."""
    assert journey.steps(split_checklist, {}) == ["start", "what", "who", "checklist", "check"]
    data = split_checklist.to_dict()
    for question in data["questions"]:
        if question["id"] not in journey.WHAT_QUESTION_IDS:
            question["ask_if"] = {"threats_or_demands": ["yes"]}
    conditional = Checklist.from_dict(data)
    assert journey.steps(conditional, {"threats_or_demands": "no"}) == [
        "start",
        "what",
        "who",
        "check",
    ]
    assert "checklist" in journey.steps(conditional, {"threats_or_demands": "yes"})


def test_a_section_that_waits_for_an_answer_hides_its_heading_too(split_checklist):
    """No heading left standing over nothing: a section whose every question waits for the same
    answer (say "Danger now", asked when a child may be at risk) has its heading in the block."""
    data = split_checklist.to_dict()
    for question in data["questions"]:
        if question["id"] == "device_secured":
            question["section"] = "The device"
    checklist = Checklist.from_dict(data)
    html = render_crispy_form(ChecklistForm(checklist=checklist, earlier_answers={}))
    block = _block_around(html, "id_device_secured_1")
    assert "app-ask-if--hidden" in block
    assert html.index(block) < html.index(">The device</h2>") < html.index("id_device_secured_1")
    # A section with questions always asked keeps its heading outside any block.
    practical = html.index(">Practical steps</h2>")
    assert "data-ask-if" not in html[html.rindex("<div", 0, practical) : practical]
